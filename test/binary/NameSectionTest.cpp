#include "binary/Decoder.h"

#include "WasmBytes.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

Bytes subsection(uint8_t id, const Bytes &contents) { return section(id, contents); }

Bytes nameSection(const Bytes &subsections) { return section(0, name("name") + subsections); }

Bytes withNames(const Bytes &subsections) {
  return module({section(1, vec({{0x60, 0x00, 0x00}})), section(3, vec({{0x00}, {0x00}})),
                 section(10, vec({body({0x01, 0x02, 0x7F}, {0x0B}), body({0x00}, {0x0B})})),
                 nameSection(subsections)});
}

const Bytes kModuleName = subsection(0, name("mod"));
const Bytes kFunctionNames =
    subsection(1, vec({u32(0) + name("first"), u32(1) + name("second")}));
const Bytes kLocalNames = subsection(
    2, vec({u32(0) + vec({u32(0) + name("a"), u32(1) + name("b")}), u32(1) + vec({})}));

} // namespace

TEST_CASE("Names: module, function and local names") {
  Module m = decodeOk(withNames(kModuleName + kFunctionNames + kLocalNames));
  CHECK(m.names.moduleName == "mod");
  REQUIRE(m.names.functionNames.size() == 2);
  REQUIRE(m.functionName(1));
  CHECK(*m.functionName(1) == "second");
  CHECK(m.functionName(2) == nullptr);
  REQUIRE(m.names.localNames.count(0));
  CHECK(m.names.localNames.at(0).at(1) == "b");
  CHECK(m.names.localNames.at(1).empty());
  // The raw section is kept as a custom section too.
  REQUIRE(m.customSections.size() == 1);
  CHECK(m.customSections[0].name == "name");
}

TEST_CASE("Names: subsections are optional and unknown ones are skipped") {
  Module m = decodeOk(withNames(kFunctionNames + subsection(7, {0x01, 0x02, 0x03})));
  CHECK_FALSE(m.names.moduleName);
  CHECK(m.names.functionNames.size() == 2);
  Module empty = decodeOk(withNames({}));
  CHECK(empty.names.functionNames.empty());
}

TEST_CASE("Names: a malformed name section drops the names, not the module") {
  const Bytes broken[] = {
      // Subsections out of order, duplicated.
      kFunctionNames + kModuleName,
      kFunctionNames + kFunctionNames,
      // Subsection size mismatch (one byte left over).
      subsection(0, name("mod") + Bytes{0x00}),
      // Subsection running past the section.
      Bytes{0x01, 0x7F, 0x00},
      // Indices not increasing.
      subsection(1, vec({u32(1) + name("x"), u32(0) + name("y")})),
      subsection(1, vec({u32(1) + name("x"), u32(1) + name("y")})),
      // Invalid UTF-8 in a name.
      subsection(0, Bytes{0x01, 0xFF}),
      // A huge count.
      subsection(1, u32(0xFFFFFFFF)),
      // Truncated local map.
      kModuleName + subsection(2, vec({u32(0)})),
  };
  for (const Bytes &subsections : broken) {
    Module m = decodeOk(withNames(subsections));
    CHECK_FALSE(m.names.moduleName);
    CHECK(m.names.functionNames.empty());
    CHECK(m.names.localNames.empty());
    CHECK(m.code.size() == 2);
  }
}

TEST_CASE("Names: custom section names themselves must be valid") {
  CHECK(decodeError(module({section(0, Bytes{0x02, 0xC0, 0x80})})) ==
        atOffset(11, "malformed UTF-8 encoding"));
  CHECK(decodeError(module({section(0, {})})) ==
        atOffset(10, "unexpected end of section or function"));
  CHECK(decodeError(module({section(0, Bytes{0x03, 'a'}), section(1, vec({}))})) ==
        atOffset(11, "unexpected end of section or function"));
}
