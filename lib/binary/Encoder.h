// Builds a module in the binary format from already-resolved parts: every
// index is numeric and every body or constant expression is raw instruction
// bytes ending in `end`. The text parser fills one of these; tests use it to
// construct modules directly.
#pragma once

#include "binary/Module.h"
#include "binary/Types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wasmrt::internal {

struct EncoderGlobal {
  GlobalType type;
  std::vector<uint8_t> init;
};

struct EncoderElement {
  SegmentMode mode = SegmentMode::Active;
  ValType elemType = ValType::FuncRef;
  uint32_t tableIndex = 0;     // Active only
  std::vector<uint8_t> offset; // Active only
  // Function indices (encodings 0-3) unless usesExprs (encodings 4-7).
  bool usesExprs = false;
  std::vector<uint32_t> funcIndices;
  std::vector<std::vector<uint8_t>> exprs;
};

struct EncoderData {
  SegmentMode mode = SegmentMode::Active;
  uint32_t memoryIndex = 0;
  std::vector<uint8_t> offset; // Active only
  std::vector<uint8_t> bytes;
};

struct EncoderFunction {
  uint32_t typeIndex = 0;
  std::vector<LocalGroup> locals;
  std::vector<uint8_t> code; // instructions including the final `end`
};

struct EncoderNames {
  std::optional<std::string> module;
  std::vector<std::pair<uint32_t, std::string>> functions; // ascending indices
  // (function index, [(local index, name)]), both ascending.
  std::vector<std::pair<uint32_t, std::vector<std::pair<uint32_t, std::string>>>> locals;
  bool empty() const { return !module && functions.empty() && locals.empty(); }
};

struct ModuleEncoder {
  std::vector<FuncType> types;
  std::vector<Import> imports; // in import-section order (offsets unused)
  std::vector<EncoderFunction> functions;
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<EncoderGlobal> globals;
  std::vector<Export> exports; // name, kind, index (offset unused)
  std::optional<uint32_t> start;
  std::vector<EncoderElement> elements;
  std::vector<EncoderData> data;
  // Emits the data count section; memory.init and data.drop need it to
  // validate, and nothing else does.
  bool needsDataCount = false;
  EncoderNames names;

  // The whole module: magic, version and the non-empty sections in order.
  std::vector<uint8_t> encode() const;
};

} // namespace wasmrt::internal
