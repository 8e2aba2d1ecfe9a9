#include "support/Utf8.h"

#include <catch2/catch.hpp>

#include <string_view>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {
bool valid(std::string_view s) {
  return isValidUtf8({reinterpret_cast<const uint8_t *>(s.data()), s.size()});
}
} // namespace

TEST_CASE("UTF-8 validation accepts well-formed text") {
  CHECK(valid(""));
  CHECK(valid("ascii"));
  CHECK(valid("\xc2\x80"));             // U+0080
  CHECK(valid("\xef\xbf\xbf"));         // U+FFFF
  CHECK(valid("\xf4\x8f\xbf\xbf"));     // U+10FFFF
}

TEST_CASE("UTF-8 validation rejects overlong, surrogate and out-of-range forms") {
  CHECK_FALSE(valid("\xc0\x80"));         // overlong NUL
  CHECK_FALSE(valid("\xe0\x80\x80"));     // overlong
  CHECK_FALSE(valid("\xed\xa0\x80"));     // U+D800 surrogate
  CHECK_FALSE(valid("\xf4\x90\x80\x80")); // U+110000
  CHECK_FALSE(valid("\x80"));             // lone continuation
  CHECK_FALSE(valid("\xe2\x82"));         // truncated
  CHECK_FALSE(valid("\xf8\x88\x80\x80\x80"));
}
