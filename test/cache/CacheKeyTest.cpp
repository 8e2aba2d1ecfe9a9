#include "cache/CacheKey.h"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

using namespace wasmrt::internal::cache;

TEST_CASE("Equal inputs give equal 64-digit lowercase keys") {
  std::vector<uint8_t> wasm = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  CacheKey a = CacheKey::derive({wasm, "0.1.0", "x86_64-pc-linux-gnu", "+avx2", "O2"});
  CacheKey b = CacheKey::derive({wasm, "0.1.0", "x86_64-pc-linux-gnu", "+avx2", "O2"});
  CHECK(a == b);
  REQUIRE(a.hex().size() == 64);
  CHECK(a.hex().find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("Changing any one input changes the key") {
  std::vector<std::string> inputs = {std::string("\0asm\1\0\0\0", 8), "0.1.0",
                                     "x86_64-pc-linux-gnu", "+avx2,+bmi2", "opt=2 bounds=guard"};
  auto keyOf = [](const std::vector<std::string> &parts) {
    std::vector<KeyInput> viewed(parts.begin(), parts.end());
    return CacheKey::derive(viewed);
  };
  std::set<std::string> seen = {keyOf(inputs).hex()};
  for (size_t which = 0; which < inputs.size(); ++which) {
    for (size_t byte = 0; byte < inputs[which].size(); ++byte) {
      std::vector<std::string> changed = inputs;
      changed[which][byte] ^= 1;
      CHECK(seen.insert(keyOf(changed).hex()).second);
    }
    std::vector<std::string> longer = inputs;
    longer[which] += '\0';
    CHECK(seen.insert(keyOf(longer).hex()).second);
  }
}

TEST_CASE("Key inputs are framed, so moving bytes between inputs changes the key") {
  CHECK(CacheKey::derive({"ab", "c"}) != CacheKey::derive({"a", "bc"}));
  CHECK(CacheKey::derive({"abc"}) != CacheKey::derive({"abc", ""}));
  CHECK(CacheKey::derive({}) != CacheKey::derive({""}));
  CHECK(CacheKey::derive({"a", "b"}) != CacheKey::derive({"b", "a"}));
}

TEST_CASE("Bytes and text with the same contents give the same key") {
  std::vector<uint8_t> bytes = {'w', 'a', 's', 'm'};
  std::string text = "wasm";
  CHECK(CacheKey::derive({bytes}) == CacheKey::derive({text}));
  CHECK(CacheKey::derive({std::span<const uint8_t>(bytes)}) == CacheKey::derive({"wasm"}));
}

TEST_CASE("CacheKey::fromHex accepts exactly 64 lowercase hex digits") {
  CacheKey key = CacheKey::derive({"x"});
  auto parsed = CacheKey::fromHex(key.hex());
  REQUIRE(parsed);
  CHECK(*parsed == key);
  std::string upper = key.hex();
  for (char &c : upper)
    c = char(std::toupper(c));
  bool hasLetter = upper.find_first_of("ABCDEF") != std::string::npos;
  CHECK(CacheKey::fromHex(upper).has_value() == !hasLetter);
  CHECK_FALSE(CacheKey::fromHex(key.hex().substr(1)));
  CHECK_FALSE(CacheKey::fromHex(key.hex() + "0"));
  CHECK_FALSE(CacheKey::fromHex(std::string(63, '0') + "g"));
  CHECK_FALSE(CacheKey::fromHex("../../../../etc/passwd"));
}
