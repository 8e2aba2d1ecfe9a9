#include "support/Utf8.h"

namespace wasmrt::internal {

bool isValidUtf8(std::span<const uint8_t> bytes) {
  size_t i = 0, n = bytes.size();
  while (i < n) {
    uint8_t lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    unsigned length;
    uint32_t codePoint;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      codePoint = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      codePoint = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      codePoint = lead & 0x07;
    } else {
      return false; // continuation byte, overlong 2-byte lead, or > U+10FFFF
    }
    if (n - i < length)
      return false;
    for (unsigned k = 1; k < length; ++k) {
      uint8_t next = bytes[i + k];
      if ((next & 0xC0) != 0x80)
        return false;
      codePoint = codePoint << 6 | (next & 0x3F);
    }
    if ((length == 3 && codePoint < 0x800) || (length == 4 && codePoint < 0x10000) ||
        codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

} // namespace wasmrt::internal
