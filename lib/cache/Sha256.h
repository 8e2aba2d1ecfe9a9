// SHA-256 through nettle (which uses the CPU's SHA extensions where present). The code
// cache keys native code by this digest, so a collision would hand one module another
// module's code: hence a cryptographic hash rather than a fast non-cryptographic one.
#pragma once

#include <nettle/sha2.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wasmrt::internal::cache {

class Sha256 {
public:
  static constexpr size_t kDigestSize = SHA256_DIGEST_SIZE;
  using Digest = std::array<uint8_t, kDigestSize>;

  Sha256();
  Sha256 &update(std::span<const uint8_t> bytes);
  Sha256 &update(std::string_view text);
  // The digest of everything added so far; the hasher starts over afterwards.
  Digest digest();
  // digest() as 64 lowercase hex digits.
  std::string hexDigest();

private:
  struct sha256_ctx context_;
};

// Lowercase hex, two digits per byte.
std::string toHex(std::span<const uint8_t> bytes);

// One-shot SHA-256 of `bytes` as lowercase hex.
std::string sha256Hex(std::span<const uint8_t> bytes);

} // namespace wasmrt::internal::cache
