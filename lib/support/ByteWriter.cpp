#include "support/ByteWriter.h"

namespace wasmrt::internal {

void ByteWriter::writeVarU64(uint64_t value) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value)
      byte |= 0x80;
    bytes_.push_back(byte);
  } while (value);
}

void ByteWriter::writeVarS64(int64_t value) {
  bool more = true;
  while (more) {
    uint8_t byte = value & 0x7f;
    value >>= 7; // arithmetic shift keeps the sign
    more = !((value == 0 && !(byte & 0x40)) || (value == -1 && (byte & 0x40)));
    if (more)
      byte |= 0x80;
    bytes_.push_back(byte);
  }
}

void ByteWriter::writeFixedU32(uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes_.push_back(uint8_t(value >> (8 * i)));
}

void ByteWriter::writeFixedU64(uint64_t value) {
  writeFixedU32(uint32_t(value));
  writeFixedU32(uint32_t(value >> 32));
}

void ByteWriter::writeBytes(std::span<const uint8_t> data) {
  bytes_.insert(bytes_.end(), data.begin(), data.end());
}

void ByteWriter::writeName(std::string_view name) {
  writeVarU32(uint32_t(name.size()));
  bytes_.insert(bytes_.end(), name.begin(), name.end());
}

} // namespace wasmrt::internal
