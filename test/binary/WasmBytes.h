// Small helpers to spell module bytes in tests: sections are built from byte
// vectors, and error checks compare the exact "at offset 0x..: message".
#pragma once

#include "binary/Decoder.h"
#include "support/ByteWriter.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::test {

using Bytes = std::vector<uint8_t>;

inline Bytes operator+(Bytes a, const Bytes &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline Bytes u32(uint64_t value) {
  ByteWriter writer;
  writer.writeVarU64(value);
  return writer.take();
}

inline Bytes s64(int64_t value) {
  ByteWriter writer;
  writer.writeVarS64(value);
  return writer.take();
}

inline Bytes name(std::string_view text) {
  ByteWriter writer;
  writer.writeName(text);
  return writer.take();
}

// vec(items): a count followed by the concatenated items.
inline Bytes vec(std::initializer_list<Bytes> items) {
  Bytes out = u32(items.size());
  for (const Bytes &item : items)
    out = out + item;
  return out;
}

inline Bytes section(uint8_t id, const Bytes &contents) {
  return Bytes{id} + u32(contents.size()) + contents;
}

inline const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

inline Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes &s : sections)
    out = out + s;
  return out;
}

// A function body: vec(locals) then the instructions (which must include `end`).
inline Bytes body(const Bytes &locals, const Bytes &code) {
  Bytes contents = locals + code;
  return u32(contents.size()) + contents;
}

// The smallest module with one function of type [] -> [] and body `code`.
inline Bytes moduleWithCode(const Bytes &code, const Bytes &locals = {0x00}) {
  return module({section(1, vec({{0x60, 0x00, 0x00}})), section(3, vec({{0x00}})),
                 section(10, vec({body(locals, code)}))});
}

inline std::string atOffset(size_t offset, std::string_view message) {
  return fmt::format("at offset {:#x}: {}", offset, message);
}

inline Module decodeOk(const Bytes &bytes) {
  Expected<Module> result = decodeModule(std::span<const uint8_t>(bytes));
  if (!result)
    FAIL("unexpected decode error: " << result.error().message());
  return std::move(result).value();
}

// The decode error message, or "" when decoding succeeded.
inline std::string decodeError(const Bytes &bytes, const Features &features = {}) {
  Expected<Module> result = decodeModule(std::span<const uint8_t>(bytes), features);
  if (result)
    return "";
  CHECK(result.error().kind() == ErrorKind::Malformed);
  return result.error().message();
}

} // namespace wasmrt::internal::test
