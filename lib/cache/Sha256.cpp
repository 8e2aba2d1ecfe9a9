#include "cache/Sha256.h"

namespace wasmrt::internal::cache {

Sha256::Sha256() { sha256_init(&context_); }

Sha256 &Sha256::update(std::span<const uint8_t> bytes) {
  // nettle takes a size_t length, so no chunking is needed for large inputs.
  sha256_update(&context_, bytes.size(), bytes.data());
  return *this;
}

Sha256 &Sha256::update(std::string_view text) {
  sha256_update(&context_, text.size(), reinterpret_cast<const uint8_t *>(text.data()));
  return *this;
}

Sha256::Digest Sha256::digest() {
  Digest result;
  sha256_digest(&context_, result.size(), result.data()); // also re-initialises context_
  return result;
}

std::string Sha256::hexDigest() { return toHex(digest()); }

std::string toHex(std::span<const uint8_t> bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (uint8_t byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

std::string sha256Hex(std::span<const uint8_t> bytes) { return Sha256().update(bytes).hexDigest(); }

} // namespace wasmrt::internal::cache
