// Internal to the decoder: the state of decoding one module, shared by
// Decoder.cpp (module structure), DecodeSections.cpp, DecodeSegments.cpp and
// DecodeNames.cpp.
//
// Every section is decoded through its own ByteReader bounded by the section
// size, so reading past a section's end is caught where it happens; that reader
// carries the section's first error, which decode() turns into an Error.
#pragma once

#include "binary/Features.h"
#include "binary/Module.h"
#include "support/ByteReader.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wasmrt::internal::decoder {

inline constexpr std::string_view kSectionEnd = "unexpected end of section or function";

// An ErrorKind::Malformed error in ByteReader's "at offset 0x..: " format.
Error malformedAt(size_t offset, std::string_view message);
// Copies the first error of `from` into `to` (unless `to` already failed).
bool propagateError(ByteReader &to, const ByteReader &from);

class ModuleDecoder {
public:
  ModuleDecoder(std::span<const uint8_t> bytes, const Features &features, Module &module)
      : bytes_(bytes), features_(features), module_(module) {}

  Expected<void> decode();

private:
  // Decoder.cpp
  Expected<void> decodeHeader(ByteReader &reader);
  bool decodeSection(uint8_t id, ByteReader &section);
  Expected<void> checkSectionConsistency() const;

  // DecodeSections.cpp: one function per section.
  bool decodeTypeSection(ByteReader &r);
  bool decodeImportSection(ByteReader &r);
  bool decodeFunctionSection(ByteReader &r);
  bool decodeTableSection(ByteReader &r);
  bool decodeMemorySection(ByteReader &r);
  bool decodeGlobalSection(ByteReader &r);
  bool decodeExportSection(ByteReader &r);
  bool decodeStartSection(ByteReader &r);
  bool decodeDataCountSection(ByteReader &r);
  bool decodeCodeSection(ByteReader &r);
  bool decodeFunctionBody(ByteReader &r, FunctionBody &out);
  bool diagnoseMissingEnd(ByteReader &r, size_t codeOffset, size_t bodyEnd);

  // DecodeSegments.cpp
  bool decodeElementSection(ByteReader &r);
  bool decodeElementSegment(ByteReader &r, ElementSegment &out);
  bool decodeDataSection(ByteReader &r);
  bool readConstExpr(ByteReader &r, ConstExpr &out);

  // DecodeNames.cpp
  bool decodeCustomSection(ByteReader &r);

  // Shared readers (DecodeSections.cpp).
  // A vector length; fails early when even one byte per element cannot fit
  // in the rest of the section. Callers reserve at most what the remaining
  // bytes can hold, so huge counts never allocate.
  bool readVecCount(ByteReader &r, uint32_t &count);
  bool readName(ByteReader &r, std::string &out);
  bool readValType(ByteReader &r, ValType &out);
  bool readRefType(ByteReader &r, ValType &out);
  bool readLimits(ByteReader &r, Limits &out);
  bool readTableType(ByteReader &r, TableType &out);
  bool readMemoryType(ByteReader &r, MemoryType &out);
  bool readGlobalType(ByteReader &r, GlobalType &out);

  std::span<const uint8_t> bytes_;
  const Features &features_;
  Module &module_;

  uint32_t declaredFuncCount_ = 0; // function section entries
  bool sawCodeSection_ = false;
  size_t codeSectionOffset_ = 0;
  bool sawDataSection_ = false;
  size_t dataSectionOffset_ = 0;
};

} // namespace wasmrt::internal::decoder
