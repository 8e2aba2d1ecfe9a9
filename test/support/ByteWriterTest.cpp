#include "support/ByteReader.h"
#include "support/ByteWriter.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;

TEST_CASE("ByteWriter LEB128 round-trips through ByteReader") {
  const int64_t signedValues[] = {0, 1, -1, 63, 64, -64, -65, INT32_MAX, INT32_MIN,
                                  INT64_MAX, INT64_MIN};
  for (int64_t v : signedValues) {
    ByteWriter writer;
    writer.writeVarS64(v);
    ByteReader reader(writer.bytes());
    int64_t back;
    REQUIRE(reader.readVarS64(back));
    CHECK(back == v);
    CHECK(reader.atEnd());
  }
  const uint64_t unsignedValues[] = {0, 127, 128, 0xffffffff, UINT64_MAX};
  for (uint64_t v : unsignedValues) {
    ByteWriter writer;
    writer.writeVarU64(v);
    ByteReader reader(writer.bytes());
    uint64_t back;
    REQUIRE(reader.readVarU64(back));
    CHECK(back == v);
  }
}

TEST_CASE("ByteWriter writes little-endian fixed-width values and names") {
  ByteWriter writer;
  writer.writeFixedU32(0x11223344);
  writer.writeName("hi");
  std::vector<uint8_t> expected = {0x44, 0x33, 0x22, 0x11, 0x02, 'h', 'i'};
  CHECK(writer.bytes() == expected);
}
