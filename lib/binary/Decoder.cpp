// Module structure: header, the section sequence and its ordering rules, and
// the cross-section counts. The sections themselves live in Decode*.cpp.
#include "binary/Decoder.h"

#include "binary/DecodeContext.h"

#include <cstring>

namespace wasmrt::internal {

namespace decoder {

namespace {

enum SectionId : uint8_t {
  kCustom = 0,
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kStart = 8,
  kElement = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
};
constexpr uint8_t kMaxSectionId = kDataCount;

// Position of a known section in the required order; the data count section
// sits between the element and code sections despite its larger id.
unsigned sectionRank(uint8_t id) {
  switch (id) {
  case kDataCount: return kCode;
  case kCode: return kData;
  case kData: return kDataCount;
  default: return id;
  }
}

constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};

} // namespace

Error malformedAt(size_t offset, std::string_view message) {
  ByteReader reader({}, 0);
  reader.failAt(offset, message);
  return reader.makeError(ErrorKind::Malformed);
}

bool propagateError(ByteReader &to, const ByteReader &from) {
  return to.failAt(from.errorOffset(), from.errorMessage());
}

Expected<void> ModuleDecoder::decodeHeader(ByteReader &reader) {
  std::span<const uint8_t> magic, version;
  if (!reader.readBytes(4, magic))
    return malformedAt(0, "unexpected end");
  if (std::memcmp(magic.data(), kMagic, 4) != 0)
    return malformedAt(0, "magic header not detected");
  if (!reader.readBytes(4, version))
    return malformedAt(4, "unexpected end");
  if (std::memcmp(version.data(), kVersion, 4) != 0)
    return malformedAt(4, "unknown binary version");
  return {};
}

bool ModuleDecoder::decodeSection(uint8_t id, ByteReader &section) {
  switch (id) {
  case kCustom: return decodeCustomSection(section);
  case kType: return decodeTypeSection(section);
  case kImport: return decodeImportSection(section);
  case kFunction: return decodeFunctionSection(section);
  case kTable: return decodeTableSection(section);
  case kMemory: return decodeMemorySection(section);
  case kGlobal: return decodeGlobalSection(section);
  case kExport: return decodeExportSection(section);
  case kStart: return decodeStartSection(section);
  case kElement: return decodeElementSection(section);
  case kCode: return decodeCodeSection(section);
  case kData: return decodeDataSection(section);
  case kDataCount: return decodeDataCountSection(section);
  default: return section.fail("malformed section id");
  }
}

// Counts that two sections must agree on. Checked after the last section so
// that ordering errors, which the spec tests expect first, win.
Expected<void> ModuleDecoder::checkSectionConsistency() const {
  if (module_.code.size() != declaredFuncCount_)
    return malformedAt(sawCodeSection_ ? codeSectionOffset_ : bytes_.size(),
                       "function and code section have inconsistent lengths");
  if (module_.dataCount && *module_.dataCount != module_.data.size())
    return malformedAt(sawDataSection_ ? dataSectionOffset_ : bytes_.size(),
                       "data count and data section have inconsistent lengths");
  return {};
}

Expected<void> ModuleDecoder::decode() {
  ByteReader reader(bytes_);
  if (auto header = decodeHeader(reader); !header)
    return header;

  unsigned lastRank = 0;
  while (!reader.atEnd()) {
    size_t idOffset = reader.offset();
    uint8_t id = 0;
    reader.readByte(id);
    if (id > kMaxSectionId)
      return malformedAt(idOffset, "malformed section id");
    if (id != kCustom) {
      unsigned rank = sectionRank(id);
      if (rank <= lastRank)
        return malformedAt(idOffset, "unexpected content after last section");
      lastRank = rank;
    }

    uint32_t size = 0;
    if (!reader.readVarU32(size))
      return reader.makeError();
    size_t contentOffset = reader.offset();
    if (size > reader.remaining())
      return malformedAt(contentOffset, "length out of bounds");
    std::span<const uint8_t> contents;
    reader.readBytes(size, contents);

    ByteReader section(contents, contentOffset);
    if (id == kCode)
      codeSectionOffset_ = contentOffset;
    if (id == kData)
      dataSectionOffset_ = contentOffset;
    if (!decodeSection(id, section)) {
      // Sections are decoded from bounded readers, so running out of bytes
      // means the section (or a function body) ended early.
      if (section.errorMessage() == "unexpected end")
        return malformedAt(section.errorOffset(), kSectionEnd);
      return section.makeError();
    }
    if (!section.atEnd())
      return malformedAt(section.offset(), "section size mismatch");
  }
  return checkSectionConsistency();
}

} // namespace decoder

Expected<Module> decodeModule(std::span<const uint8_t> bytes, const Features &features) {
  Module module;
  decoder::ModuleDecoder decoder(bytes, features, module);
  if (auto result = decoder.decode(); !result)
    return std::move(result).error();
  return module;
}

Expected<Module> decodeModule(std::vector<uint8_t> &&bytes, const Features &features) {
  auto storage = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  Expected<Module> result = decodeModule(std::span<const uint8_t>(*storage), features);
  if (result)
    result->storage = std::move(storage);
  return result;
}

} // namespace wasmrt::internal
