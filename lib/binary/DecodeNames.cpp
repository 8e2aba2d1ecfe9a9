// Custom sections, and the "name" section's module, function and local names.
#include "binary/DecodeContext.h"

namespace wasmrt::internal::decoder {

namespace {

enum NameSubsection : uint8_t { kModuleName = 0, kFunctionNames = 1, kLocalNames = 2 };

// The name section is debug information: it is decoded with its own readers
// and a problem only discards the names, it never makes the module malformed.
class NameDecoder {
public:
  explicit NameDecoder(NameSection &out) : out_(out) {}

  bool decode(ByteReader &r) {
    int lastId = -1;
    while (!r.atEnd()) {
      uint8_t id = 0;
      uint32_t size = 0;
      std::span<const uint8_t> contents;
      if (!r.readByte(id) || !r.readVarU32(size))
        return false;
      size_t contentOffset = r.offset();
      if (!r.readBytes(size, contents))
        return false;
      // Subsections come in increasing id order, each at most once.
      if (int(id) <= lastId)
        return false;
      lastId = id;
      ByteReader sub(contents, contentOffset);
      if (!decodeSubsection(id, sub) || !sub.atEnd())
        return false;
    }
    return true;
  }

private:
  bool decodeSubsection(uint8_t id, ByteReader &r) {
    switch (id) {
    case kModuleName: {
      std::string_view name;
      if (!r.readName(name))
        return false;
      out_.moduleName = std::string(name);
      return true;
    }
    case kFunctionNames:
      return readNameMap(r, out_.functionNames);
    case kLocalNames: {
      uint32_t count = 0;
      if (!r.readCount(count, 2))
        return false;
      bool first = true;
      uint32_t lastIndex = 0;
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t funcIndex = 0;
        if (!r.readVarU32(funcIndex) || !increasing(first, lastIndex, funcIndex))
          return false;
        if (!readNameMap(r, out_.localNames[funcIndex]))
          return false;
      }
      return true;
    }
    default:
      // Later proposals add subsections (labels, types, ...); skip them.
      r.skip(r.remaining());
      return true;
    }
  }

  static bool increasing(bool &first, uint32_t &last, uint32_t index) {
    if (!first && index <= last)
      return false;
    first = false;
    last = index;
    return true;
  }

  static bool readNameMap(ByteReader &r, std::unordered_map<uint32_t, std::string> &map) {
    uint32_t count = 0;
    if (!r.readCount(count, 2))
      return false;
    map.reserve(count);
    bool first = true;
    uint32_t lastIndex = 0;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t index = 0;
      std::string_view name;
      if (!r.readVarU32(index) || !increasing(first, lastIndex, index) || !r.readName(name))
        return false;
      map.emplace(index, std::string(name));
    }
    return true;
  }

  NameSection &out_;
};

} // namespace

bool ModuleDecoder::decodeCustomSection(ByteReader &r) {
  CustomSection section;
  if (!readName(r, section.name))
    return false;
  section.offset = r.offset();
  r.readBytes(r.remaining(), section.data);

  if (section.name == "name") {
    NameSection names;
    ByteReader reader(section.data, section.offset);
    NameDecoder decoder(names);
    if (decoder.decode(reader))
      module_.names = std::move(names);
  }
  module_.customSections.push_back(std::move(section));
  return true;
}

} // namespace wasmrt::internal::decoder
