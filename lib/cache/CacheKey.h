// The name of a cache entry: SHA-256 over everything that determines the native code
// (wasm bytes, wasmrt version, target triple, CPU features, code-affecting options).
// The caller decides what goes in; the cache only needs equal inputs to give equal
// keys and different inputs to give different keys.
#pragma once

#include "cache/Sha256.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::cache {

// One input to a key: a view of bytes or text, kept only while the key is computed.
class KeyInput {
public:
  KeyInput(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  KeyInput(const std::vector<uint8_t> &bytes) : bytes_(bytes) {}
  KeyInput(std::string_view text)
      : bytes_(reinterpret_cast<const uint8_t *>(text.data()), text.size()) {}
  KeyInput(const std::string &text) : KeyInput(std::string_view(text)) {}
  KeyInput(const char *text) : KeyInput(std::string_view(text)) {}

  std::span<const uint8_t> bytes() const { return bytes_; }

private:
  std::span<const uint8_t> bytes_;
};

class CacheKey {
public:
  // The key of `inputs`, in order. Each input is hashed with its length in front, so
  // {"ab", "c"} and {"a", "bc"} give different keys.
  static CacheKey derive(std::initializer_list<KeyInput> inputs);
  static CacheKey derive(std::span<const KeyInput> inputs);
  // A key written as 64 lowercase hex digits (e.g. an entry's file name); nullopt if
  // `hex` is anything else.
  static std::optional<CacheKey> fromHex(std::string_view hex);

  // 64 lowercase hex digits.
  const std::string &hex() const { return hex_; }

  friend bool operator==(const CacheKey &, const CacheKey &) = default;

private:
  explicit CacheKey(std::string hex) : hex_(std::move(hex)) {}

  std::string hex_;
};

} // namespace wasmrt::internal::cache
