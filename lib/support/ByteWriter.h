// Appends WebAssembly binary primitives (LEB128, fixed-width, names) to a
// byte vector. The inverse of ByteReader; used by the encoder and tests.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace wasmrt::internal {

class ByteWriter {
public:
  void writeByte(uint8_t byte) { bytes_.push_back(byte); }
  void writeVarU32(uint32_t value) { writeVarU64(value); }
  void writeVarS32(int32_t value) { writeVarS64(value); }
  void writeVarU64(uint64_t value);
  void writeVarS64(int64_t value);
  void writeFixedU32(uint32_t value);
  void writeFixedU64(uint64_t value);
  void writeBytes(std::span<const uint8_t> data);
  // vec(byte): length then bytes.
  void writeName(std::string_view name);

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t> &bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

private:
  std::vector<uint8_t> bytes_;
};

} // namespace wasmrt::internal
