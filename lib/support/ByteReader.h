// A bounds-checked cursor over bytes with the WebAssembly binary primitives:
// LEB128 integers with the spec's exact length and range rules, little-endian
// fixed-width values and UTF-8 names.
//
// Readers return false on failure and record the first error (message and
// absolute offset); later reads keep failing. This keeps the hot path free of
// Expected<T> construction while still giving one precise error.
#pragma once

#include "wasmrt/Error.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wasmrt::internal {

class ByteReader {
public:
  // `baseOffset` is the absolute offset of bytes[0] within the module, so
  // errors and offset() report module offsets even for sub-readers.
  explicit ByteReader(std::span<const uint8_t> bytes, size_t baseOffset = 0)
      : begin_(bytes.data()), cursor_(bytes.data()),
        end_(bytes.data() + bytes.size()), baseOffset_(baseOffset) {}

  size_t offset() const { return baseOffset_ + size_t(cursor_ - begin_); }
  size_t remaining() const { return size_t(end_ - cursor_); }
  bool atEnd() const { return cursor_ == end_; }
  const uint8_t *position() const { return cursor_; }

  bool failed() const { return failed_; }
  const std::string &errorMessage() const { return errorMessage_; }
  size_t errorOffset() const { return errorOffset_; }
  // The recorded error as an Error of `kind`, message prefixed with the offset.
  Error makeError(ErrorKind kind = ErrorKind::Malformed) const;

  // Records an error at the current offset (or at `offset`); returns false.
  bool fail(std::string_view message);
  bool failAt(size_t offset, std::string_view message);

  bool readByte(uint8_t &out) {
    if (cursor_ == end_) [[unlikely]]
      return fail("unexpected end");
    out = *cursor_++;
    return true;
  }
  bool peekByte(uint8_t &out) const {
    if (cursor_ == end_)
      return false;
    out = *cursor_;
    return true;
  }

  bool readVarU32(uint32_t &out) {
    if (cursor_ != end_ && *cursor_ < 0x80) [[likely]] {
      out = *cursor_++;
      return true;
    }
    return readVarU32Slow(out);
  }
  bool readVarS32(int32_t &out);
  // A signed 33-bit LEB (block types); fits in int64_t.
  bool readVarS33(int64_t &out);
  bool readVarU64(uint64_t &out);
  bool readVarS64(int64_t &out);
  bool readFixedU32(uint32_t &out);
  bool readFixedU64(uint64_t &out);

  // Reads `length` raw bytes without copying.
  bool readBytes(size_t length, std::span<const uint8_t> &out);
  bool skip(size_t length);
  // A vec(byte) that must be valid UTF-8; the view points into the input.
  bool readName(std::string_view &out);
  // Reads a vector count and fails early when even `minElementSize` bytes per
  // element cannot fit in what remains, so huge counts never allocate.
  bool readCount(uint32_t &out, size_t minElementSize = 1);

private:
  bool readVarU32Slow(uint32_t &out);

  const uint8_t *begin_;
  const uint8_t *cursor_;
  const uint8_t *end_;
  size_t baseOffset_;
  bool failed_ = false;
  size_t errorOffset_ = 0;
  std::string errorMessage_;
};

} // namespace wasmrt::internal
