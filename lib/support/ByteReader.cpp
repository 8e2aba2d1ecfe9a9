#include "support/ByteReader.h"

#include "support/Utf8.h"

#include <fmt/format.h>

#include <cstring>

namespace wasmrt::internal {

Error ByteReader::makeError(ErrorKind kind) const {
  return Error(kind, fmt::format("at offset {:#x}: {}", errorOffset_, errorMessage_));
}

bool ByteReader::fail(std::string_view message) { return failAt(offset(), message); }

bool ByteReader::failAt(size_t offset, std::string_view message) {
  if (!failed_) {
    failed_ = true;
    errorOffset_ = offset;
    errorMessage_ = std::string(message);
  }
  // Stop all further reading so loops driven by this reader terminate.
  cursor_ = end_;
  return false;
}

namespace {
// Shared LEB128 core. `maxBytes` is ceil(bits / 7). In the last byte only the
// bits that still belong to the value may be set (unsigned) or must all equal
// the sign bit (signed); anything else is "integer too large".
template <unsigned Bits, bool Signed>
bool decodeLeb(const uint8_t *&cursor, const uint8_t *end, uint64_t &out,
               const char *&error) {
  constexpr unsigned maxBytes = (Bits + 6) / 7;
  constexpr unsigned lastBits = Bits - 7 * (maxBytes - 1); // value bits in last byte
  uint64_t result = 0;
  unsigned shift = 0;
  for (unsigned i = 0; i < maxBytes; ++i) {
    if (cursor == end) {
      error = "unexpected end";
      return false;
    }
    uint8_t byte = *cursor++;
    if (i == maxBytes - 1) {
      if (byte & 0x80) {
        error = "integer representation too long";
        return false;
      }
      if constexpr (Signed) {
        // Bits lastBits-1 .. 6 must all be copies of the sign bit.
        uint8_t mask = uint8_t((0x7f >> (lastBits - 1)) << (lastBits - 1));
        uint8_t high = byte & mask;
        if (high != 0 && high != mask) {
          error = "integer too large";
          return false;
        }
      } else {
        if (byte >> lastBits) {
          error = "integer too large";
          return false;
        }
      }
    }
    result |= uint64_t(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) {
      if constexpr (Signed) {
        if (shift < 64 && (byte & 0x40))
          result |= ~uint64_t(0) << shift;
      }
      out = result;
      return true;
    }
  }
  error = "integer representation too long"; // unreachable: last byte checked
  return false;
}
} // namespace

bool ByteReader::readVarU32Slow(uint32_t &out) {
  const uint8_t *start = cursor_;
  const char *error = nullptr;
  uint64_t value;
  if (!decodeLeb<32, false>(cursor_, end_, value, error))
    return failAt(baseOffset_ + size_t(start - begin_), error);
  out = uint32_t(value);
  return true;
}

bool ByteReader::readVarS32(int32_t &out) {
  const uint8_t *start = cursor_;
  const char *error = nullptr;
  uint64_t value;
  if (!decodeLeb<32, true>(cursor_, end_, value, error))
    return failAt(baseOffset_ + size_t(start - begin_), error);
  out = int32_t(uint32_t(value));
  return true;
}

bool ByteReader::readVarS33(int64_t &out) {
  const uint8_t *start = cursor_;
  const char *error = nullptr;
  uint64_t value;
  if (!decodeLeb<33, true>(cursor_, end_, value, error))
    return failAt(baseOffset_ + size_t(start - begin_), error);
  out = int64_t(value);
  return true;
}

bool ByteReader::readVarU64(uint64_t &out) {
  const uint8_t *start = cursor_;
  const char *error = nullptr;
  if (!decodeLeb<64, false>(cursor_, end_, out, error))
    return failAt(baseOffset_ + size_t(start - begin_), error);
  return true;
}

bool ByteReader::readVarS64(int64_t &out) {
  const uint8_t *start = cursor_;
  const char *error = nullptr;
  uint64_t value;
  if (!decodeLeb<64, true>(cursor_, end_, value, error))
    return failAt(baseOffset_ + size_t(start - begin_), error);
  out = int64_t(value);
  return true;
}

bool ByteReader::readFixedU32(uint32_t &out) {
  if (remaining() < 4)
    return fail("unexpected end");
  uint8_t b[4];
  std::memcpy(b, cursor_, 4);
  out = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  cursor_ += 4;
  return true;
}

bool ByteReader::readFixedU64(uint64_t &out) {
  uint32_t low = 0, high = 0;
  if (!readFixedU32(low) || !readFixedU32(high))
    return false;
  out = uint64_t(high) << 32 | low;
  return true;
}

bool ByteReader::readBytes(size_t length, std::span<const uint8_t> &out) {
  if (remaining() < length)
    return fail("unexpected end");
  out = std::span<const uint8_t>(cursor_, length);
  cursor_ += length;
  return true;
}

bool ByteReader::skip(size_t length) {
  std::span<const uint8_t> ignored;
  return readBytes(length, ignored);
}

bool ByteReader::readName(std::string_view &out) {
  uint32_t length;
  if (!readVarU32(length))
    return false;
  size_t start = offset();
  std::span<const uint8_t> bytes;
  if (!readBytes(length, bytes))
    return failAt(start, "unexpected end");
  if (!isValidUtf8(bytes))
    return failAt(start, "malformed UTF-8 encoding");
  out = std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  return true;
}

bool ByteReader::readCount(uint32_t &out, size_t minElementSize) {
  size_t start = offset();
  if (!readVarU32(out))
    return false;
  if (size_t(out) * minElementSize > remaining())
    return failAt(start, "length out of bounds");
  return true;
}

} // namespace wasmrt::internal
