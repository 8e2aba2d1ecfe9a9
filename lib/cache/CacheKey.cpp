#include "cache/CacheKey.h"

namespace wasmrt::internal::cache {

// Separates these digests from any other SHA-256 use, and lets a future key scheme
// change the derivation without ever colliding with version 1 keys.
static constexpr std::string_view kKeyDomain = "wasmrt code cache key v1";

CacheKey CacheKey::derive(std::initializer_list<KeyInput> inputs) {
  return derive(std::span<const KeyInput>(inputs.begin(), inputs.size()));
}

CacheKey CacheKey::derive(std::span<const KeyInput> inputs) {
  Sha256 hash;
  hash.update(kKeyDomain);
  for (const KeyInput &input : inputs) {
    // Little-endian length, so the framing is the same on every host.
    uint8_t length[8];
    uint64_t size = input.bytes().size();
    for (uint8_t &byte : length) {
      byte = uint8_t(size);
      size >>= 8;
    }
    hash.update(std::span<const uint8_t>(length));
    hash.update(input.bytes());
  }
  return CacheKey(hash.hexDigest());
}

std::optional<CacheKey> CacheKey::fromHex(std::string_view hex) {
  if (hex.size() != Sha256::kDigestSize * 2)
    return std::nullopt;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return std::nullopt;
  return CacheKey(std::string(hex));
}

} // namespace wasmrt::internal::cache
