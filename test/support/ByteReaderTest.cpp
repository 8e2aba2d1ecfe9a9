#include "support/ByteReader.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {
ByteReader readerOf(const std::vector<uint8_t> &bytes) { return ByteReader(bytes); }
} // namespace

TEST_CASE("u32 LEB128 accepts minimal and padded encodings within 5 bytes") {
  std::vector<uint8_t> cases[] = {{0x00}, {0x7f}, {0x80, 0x01}, {0x80, 0x80, 0x80, 0x80, 0x00},
                                  {0xff, 0xff, 0xff, 0xff, 0x0f}};
  uint32_t expected[] = {0, 127, 128, 0, 0xffffffff};
  for (size_t i = 0; i < std::size(cases); ++i) {
    auto reader = readerOf(cases[i]);
    uint32_t value = 1;
    REQUIRE(reader.readVarU32(value));
    CHECK(value == expected[i]);
    CHECK(reader.atEnd());
  }
}

TEST_CASE("u32 LEB128 rejects overlong, too large and truncated encodings") {
  std::vector<uint8_t> tooLong = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  std::vector<uint8_t> tooLarge = {0xff, 0xff, 0xff, 0xff, 0x1f};
  std::vector<uint8_t> truncated = {0x80, 0x80};
  uint32_t value;
  auto r1 = readerOf(tooLong);
  CHECK_FALSE(r1.readVarU32(value));
  CHECK(r1.errorMessage() == "integer representation too long");
  auto r2 = readerOf(tooLarge);
  CHECK_FALSE(r2.readVarU32(value));
  CHECK(r2.errorMessage() == "integer too large");
  auto r3 = readerOf(truncated);
  CHECK_FALSE(r3.readVarU32(value));
  CHECK(r3.errorMessage() == "unexpected end");
}

TEST_CASE("s32 LEB128 requires the unused bits of the last byte to copy the sign") {
  uint32_t ignored;
  (void)ignored;
  int32_t value;
  std::vector<uint8_t> minusOne = {0xff, 0xff, 0xff, 0xff, 0x7f};
  auto r1 = readerOf(minusOne);
  REQUIRE(r1.readVarS32(value));
  CHECK(value == -1);
  std::vector<uint8_t> intMin = {0x80, 0x80, 0x80, 0x80, 0x78};
  auto r2 = readerOf(intMin);
  REQUIRE(r2.readVarS32(value));
  CHECK(value == INT32_MIN);
  std::vector<uint8_t> badPositive = {0x80, 0x80, 0x80, 0x80, 0x70};
  auto r3 = readerOf(badPositive);
  CHECK_FALSE(r3.readVarS32(value));
  CHECK(r3.errorMessage() == "integer too large");
  std::vector<uint8_t> badNegative = {0xff, 0xff, 0xff, 0xff, 0x4f};
  auto r4 = readerOf(badNegative);
  CHECK_FALSE(r4.readVarS32(value));
}

TEST_CASE("s33 LEB128 covers block type indices up to 2^32-1") {
  std::vector<uint8_t> big = {0xff, 0xff, 0xff, 0xff, 0x0f};
  int64_t value;
  auto r1 = readerOf(big);
  REQUIRE(r1.readVarS33(value));
  CHECK(value == 0xffffffffLL);
  std::vector<uint8_t> emptyBlock = {0x40};
  auto r2 = readerOf(emptyBlock);
  REQUIRE(r2.readVarS33(value));
  CHECK(value == -64);
  std::vector<uint8_t> bad = {0xff, 0xff, 0xff, 0xff, 0x4f};
  auto r3 = readerOf(bad);
  CHECK_FALSE(r3.readVarS33(value));
}

TEST_CASE("64-bit LEB128 limits") {
  uint64_t u;
  int64_t s;
  std::vector<uint8_t> maxU = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  auto r1 = readerOf(maxU);
  REQUIRE(r1.readVarU64(u));
  CHECK(u == UINT64_MAX);
  std::vector<uint8_t> tooLargeU = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  auto r2 = readerOf(tooLargeU);
  CHECK_FALSE(r2.readVarU64(u));
  std::vector<uint8_t> minS = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
  auto r3 = readerOf(minS);
  REQUIRE(r3.readVarS64(s));
  CHECK(s == INT64_MIN);
  std::vector<uint8_t> badS = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x41};
  auto r4 = readerOf(badS);
  CHECK_FALSE(r4.readVarS64(s));
  std::vector<uint8_t> tooLongS = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  auto r5 = readerOf(tooLongS);
  CHECK_FALSE(r5.readVarS64(s));
  CHECK(r5.errorMessage() == "integer representation too long");
}

TEST_CASE("errors record the absolute offset and stop further reads") {
  std::vector<uint8_t> bytes = {0x01, 0x80};
  ByteReader reader(bytes, 100);
  uint32_t value;
  REQUIRE(reader.readVarU32(value));
  CHECK_FALSE(reader.readVarU32(value));
  CHECK(reader.errorOffset() == 101);
  CHECK(reader.makeError().message() == "at offset 0x65: unexpected end");
  CHECK(reader.atEnd());
}

TEST_CASE("readCount fails early when the count cannot fit") {
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  ByteReader reader(bytes);
  uint32_t count;
  CHECK_FALSE(reader.readCount(count));
  CHECK(reader.errorMessage() == "length out of bounds");
}

TEST_CASE("names must be valid UTF-8") {
  std::vector<uint8_t> good = {0x03, 'a', 0xc3, 0xa9};
  std::vector<uint8_t> bad = {0x02, 0xc0, 0x80};
  std::string_view name;
  auto r1 = readerOf(good);
  REQUIRE(r1.readName(name));
  CHECK(name == "a\xc3\xa9");
  auto r2 = readerOf(bad);
  CHECK_FALSE(r2.readName(name));
  CHECK(r2.errorMessage() == "malformed UTF-8 encoding");
}
