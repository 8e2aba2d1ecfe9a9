// Hostile input: truncation at every length, single-byte corruption and huge
// declared counts must all fail cleanly (never crash, hang or allocate
// without bound).
#include "binary/Decoder.h"
#include "binary/InstrReader.h"

#include "WasmBytes.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

// A module using every section, every import kind and both segment kinds.
Bytes richModule() {
  return module({
      section(0, name("first") + Bytes{1, 2, 3}),
      section(1, vec({{0x60, 0x00, 0x00}, {0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D}})),
      section(2, vec({name("env") + name("f") + Bytes{0x00, 0x01},
                      name("env") + name("t") + Bytes{0x01, 0x70, 0x00, 0x01},
                      name("env") + name("m") + Bytes{0x02, 0x01, 0x01, 0x02},
                      name("env") + name("g") + Bytes{0x03, 0x7F, 0x00}})),
      section(3, vec({{0x00}, {0x01}})),
      section(4, vec({{0x6F, 0x01, 0x00, 0x0A}})),
      section(6, vec({{0x7E, 0x01, 0x42, 0x7F, 0x0B}, {0x70, 0x00, 0xD2, 0x01, 0x0B}})),
      section(7, vec({name("run") + Bytes{0x00, 0x01}, name("mem") + Bytes{0x02, 0x00}})),
      section(8, u32(1)),
      section(9, vec({Bytes{0x00, 0x41, 0x00, 0x0B} + vec({{0x01}, {0x02}}),
                      Bytes{0x05, 0x70} + vec({{0xD2, 0x00, 0x0B}, {0xD0, 0x70, 0x0B}}),
                      Bytes{0x03, 0x00} + vec({{0x01}})})),
      section(12, u32(2)),
      section(10, vec({body({0x00}, {0x02, 0x40, 0x0E, 0x01, 0x00, 0x00, 0x0B, 0x0B}),
                       body({0x01, 0x01, 0x7C},
                            {0x20, 0x00, 0x28, 0x02, 0x04, 0x1A, 0x43, 0, 0, 0x80, 0x3F,
                             0xFC, 0x08, 0x00, 0x00, 0x0B})})),
      section(11, vec({Bytes{0x00, 0x41, 0x10, 0x0B} + name("hello"), Bytes{0x01} + name("p")})),
      section(0, name("name") +
                     section(1, vec({u32(1) + name("run"), u32(2) + name("other")}))),
  });
}

bool isCleanFailure(const Expected<Module> &result) {
  if (result)
    return true;
  const Error &error = result.error();
  if (error.kind() != ErrorKind::Malformed)
    return false;
  const std::string &message = error.message();
  return message.rfind("at offset 0x", 0) == 0;
}

} // namespace

TEST_CASE("Robustness: the rich module decodes completely") {
  Bytes bytes = richModule();
  Module m = decodeOk(bytes);
  CHECK(m.imports.size() == 4);
  CHECK(m.funcs.size() == 3);
  CHECK(m.tables.size() == 2);
  CHECK(m.memories.size() == 1);
  CHECK(m.globals.size() == 3);
  CHECK(m.exports.size() == 2);
  CHECK(m.startFunc == 1u);
  CHECK(m.elements.size() == 3);
  CHECK(m.dataCount == 2u);
  CHECK(m.code.size() == 2);
  CHECK(m.data.size() == 2);
  CHECK(m.customSections.size() == 2);
  REQUIRE(m.functionName(2));
  CHECK(*m.functionName(2) == "other");
  // Every body reads to its end with InstrReader.
  for (const FunctionBody &body : m.code) {
    InstrReader reader(body.code, body.codeOffset);
    Instr instr;
    while (!reader.atEnd())
      REQUIRE(reader.next(instr));
    CHECK(instr.op == Opcode::End);
  }
}

TEST_CASE("Robustness: every truncation fails cleanly") {
  Bytes full = richModule();
  std::vector<size_t> accepted;
  for (size_t length = 0; length < full.size(); ++length) {
    Bytes prefix(full.begin(), full.begin() + length);
    Expected<Module> result = decodeModule(std::span<const uint8_t>(prefix));
    INFO("length " << length);
    CHECK(isCleanFailure(result));
    if (result)
      accepted.push_back(length);
  }
  // Only cuts at section boundaries that leave a complete module are
  // accepted: the header alone, after the first custom, type and import
  // sections, and everything but the trailing name section.
  size_t withoutNames = full.size() - 22;
  CHECK(accepted == std::vector<size_t>{8, 19, 31, 71, withoutNames});
}

TEST_CASE("Robustness: single-byte corruption never crashes") {
  Bytes full = richModule();
  const uint8_t replacements[] = {0x00, 0x01, 0x0B, 0x40, 0x7F, 0x80, 0xFF};
  for (size_t i = 0; i < full.size(); ++i) {
    for (uint8_t value : replacements) {
      Bytes corrupt = full;
      corrupt[i] = value;
      Expected<Module> result = decodeModule(std::span<const uint8_t>(corrupt));
      INFO("byte " << i << " = " << int(value));
      REQUIRE(isCleanFailure(result));
      if (!result)
        continue;
      // Decoded modules still read cleanly instruction by instruction.
      for (const FunctionBody &body : result->code) {
        InstrReader reader(body.code, body.codeOffset);
        Instr instr;
        while (!reader.atEnd() && reader.next(instr)) {
        }
      }
    }
  }
}

TEST_CASE("Robustness: huge declared counts fail early") {
  const Bytes huge = u32(0xFFFFFFFF);
  auto start = std::chrono::steady_clock::now();
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    INFO("section " << int(id));
    CHECK(decodeError(module({section(id, huge + Bytes{0x00, 0x00})})) ==
          atOffset(10, "unexpected end of section or function"));
  }
  // Nested vectors: type parameters, local groups, element indices, br_table.
  CHECK(decodeError(module({section(1, Bytes{0x01, 0x60} + huge)})) ==
        atOffset(12, "unexpected end of section or function"));
  CHECK(decodeError(moduleWithCode({0x0B}, huge)) ==
        atOffset(22, "unexpected end of section or function"));
  CHECK(decodeError(module({section(9, vec({Bytes{0x01, 0x00} + huge}))})) ==
        atOffset(13, "unexpected end of section or function"));
  // Huge lengths of names and data.
  CHECK(decodeError(module({section(0, huge)})) == atOffset(15, "length out of bounds"));
  CHECK(decodeError(module({section(11, vec({Bytes{0x01} + huge}))})) ==
        atOffset(17, "unexpected end of section or function"));
  // A huge section size.
  CHECK(decodeError(kHeader + Bytes{0x01} + huge) == atOffset(14, "length out of bounds"));
  // Locals that sum past 2^32 - 1 across many groups.
  Bytes groups = u32(5);
  for (int i = 0; i < 5; ++i)
    groups = groups + u32(0x40000000) + Bytes{0x7F};
  CHECK(decodeError(moduleWithCode({0x0B}, groups)) == atOffset(41, "too many locals"));
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("Robustness: modules produced by wat2wasm") {
  const char *dir = std::getenv("WASMRT_TEST_DATA");
  std::string path = std::string(dir ? dir : ".") + "/sample.wasm";
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    WARN("skipped: " << path << " not built (needs wat2wasm)");
    return;
  }
  Bytes bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  Module m = decodeOk(bytes);
  CHECK(m.names.moduleName == "sample");
  REQUIRE(m.functionName(m.numImportedFuncs));
  CHECK(*m.functionName(m.numImportedFuncs) == "fib");
  CHECK(m.elements.size() == 3);
  CHECK(m.data.size() == 2);
  for (const FunctionBody &body : m.code) {
    InstrReader reader(body.code, body.codeOffset);
    Instr instr;
    while (!reader.atEnd())
      REQUIRE(reader.next(instr));
  }
}
