#include "binary/Decoder.h"

#include "WasmBytes.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {
const Bytes kVoidType = {0x60, 0x00, 0x00};
} // namespace

TEST_CASE("Decoder: empty module") {
  Module m = decodeOk(kHeader);
  CHECK(m.types.empty());
  CHECK(m.code.empty());
  CHECK_FALSE(m.startFunc);
  CHECK_FALSE(m.dataCount);
  CHECK(m.storage == nullptr);
}

TEST_CASE("Decoder: magic and version") {
  CHECK(decodeError({}) == atOffset(0, "unexpected end"));
  CHECK(decodeError({0x00, 0x61, 0x73}) == atOffset(0, "unexpected end"));
  CHECK(decodeError({0x61, 0x73, 0x6D, 0x00}) == atOffset(0, "magic header not detected"));
  CHECK(decodeError({0x00, 0x41, 0x53, 0x4D, 0x01, 0x00, 0x00, 0x00}) ==
        atOffset(0, "magic header not detected"));
  CHECK(decodeError({0x00, 0x61, 0x73, 0x6D}) == atOffset(4, "unexpected end"));
  CHECK(decodeError({0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00}) == atOffset(4, "unexpected end"));
  CHECK(decodeError({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}) ==
        atOffset(4, "unknown binary version"));
  CHECK(decodeError({0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00}) ==
        atOffset(4, "unknown binary version"));
}

TEST_CASE("Decoder: section ids, order and sizes") {
  CHECK(decodeError(kHeader + Bytes{0x0D, 0x00}) == atOffset(8, "malformed section id"));
  CHECK(decodeError(kHeader + Bytes{0x80, 0x00}) == atOffset(8, "malformed section id"));
  // Out of order and duplicated sections.
  CHECK(decodeError(module({section(3, vec({})), section(1, vec({}))})) ==
        atOffset(11, "unexpected content after last section"));
  CHECK(decodeError(module({section(6, vec({})), section(6, vec({}))})) ==
        atOffset(11, "unexpected content after last section"));
  // The data count section (12) sits between element (9) and code (10).
  CHECK(decodeError(module({section(10, vec({})), section(12, u32(0))})) ==
        atOffset(11, "unexpected content after last section"));
  decodeOk(module({section(9, vec({})), section(12, u32(0)), section(10, vec({})),
                   section(11, vec({}))}));
  // Custom sections may appear anywhere, any number of times.
  Module m = decodeOk(module({section(0, name("a")), section(1, vec({})),
                              section(0, name("b") + Bytes{1, 2}), section(0, name("b"))}));
  REQUIRE(m.customSections.size() == 3);
  CHECK(m.customSections[1].name == "b");
  CHECK(m.customSections[1].data.size() == 2);
  CHECK(m.customSections[1].offset == 19);

  // Section size: larger than the module, too small, too large.
  CHECK(decodeError(kHeader + Bytes{0x01, 0x05, 0x00}) == atOffset(10, "length out of bounds"));
  CHECK(decodeError(kHeader + Bytes{0x01, 0x01, 0x01, 0x60, 0x00, 0x00}) ==
        atOffset(10, "unexpected end of section or function"));
  CHECK(decodeError(kHeader + Bytes{0x01, 0x02, 0x00, 0x00}) ==
        atOffset(11, "section size mismatch"));
  CHECK(decodeError(kHeader + Bytes{0x01}) == atOffset(9, "unexpected end"));
  CHECK(decodeError(kHeader + Bytes{0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}) ==
        atOffset(9, "integer representation too long"));
  // A padded section size is fine.
  decodeOk(kHeader + Bytes{0x01, 0x81, 0x80, 0x80, 0x00, 0x00});
}

TEST_CASE("Decoder: type section") {
  Module m = decodeOk(module({section(
      1, vec({kVoidType, {0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7B}, {0x60, 0x00, 0x02, 0x70, 0x6F}}))}));
  REQUIRE(m.types.size() == 3);
  CHECK(m.types[0] == FuncType{});
  CHECK(m.types[1].params == std::vector<ValType>{ValType::I32, ValType::I64});
  CHECK(m.types[1].results == std::vector<ValType>{ValType::V128});
  CHECK(m.types[2].results == std::vector<ValType>{ValType::FuncRef, ValType::ExternRef});

  CHECK(decodeError(module({section(1, vec({{0x5F, 0x00, 0x00}}))})) ==
        atOffset(11, "malformed function type"));
  CHECK(decodeError(module({section(1, vec({{0xE0, 0x7F, 0x00, 0x00}}))})) ==
        atOffset(11, "integer representation too long"));
  CHECK(decodeError(module({section(1, vec({{0x60, 0x01, 0x7A, 0x00}}))})) ==
        atOffset(13, "malformed value type"));
  // v128 is rejected when SIMD is disabled.
  Features noSimd;
  noSimd.simd = false;
  CHECK(decodeError(module({section(1, vec({{0x60, 0x01, 0x7B, 0x00}}))}), noSimd) ==
        atOffset(13, "malformed value type"));
  // More types declared than the section can hold.
  CHECK(decodeError(module({section(1, u32(1000) + kVoidType)})) ==
        atOffset(10, "unexpected end of section or function"));
}

TEST_CASE("Decoder: import section") {
  Bytes imports = vec({
      name("env") + name("f") + Bytes{0x00, 0x00},
      name("env") + name("t") + Bytes{0x01, 0x6F, 0x01, 0x02, 0x10},
      name("env") + name("m") + Bytes{0x02, 0x00, 0x01},
      name("env") + name("g") + Bytes{0x03, 0x7D, 0x01},
      name("") + name("f2") + Bytes{0x00, 0x00},
  });
  Module m = decodeOk(module({section(1, vec({kVoidType})), section(2, imports)}));
  REQUIRE(m.imports.size() == 5);
  CHECK(m.imports[0].module == "env");
  CHECK(m.imports[0].name == "f");
  CHECK(m.imports[0].kind == ExternKind::Func);
  CHECK(m.imports[0].offset == 17);
  CHECK(m.imports[1].kind == ExternKind::Table);
  CHECK(m.imports[1].table.elemType == ValType::ExternRef);
  CHECK(m.imports[1].table.limits == Limits{2, 16});
  CHECK(m.imports[2].memory.limits == Limits{1, std::nullopt});
  CHECK(m.imports[3].global == GlobalType{ValType::F32, true});
  CHECK(m.numImportedFuncs == 2);
  CHECK(m.numImportedTables == 1);
  CHECK(m.numImportedMemories == 1);
  CHECK(m.numImportedGlobals == 1);
  CHECK(m.funcs == std::vector<uint32_t>{0, 0});
  CHECK(m.tables.size() == 1);
  CHECK(m.memories.size() == 1);
  CHECK(m.globals.size() == 1);

  CHECK(decodeError(module({section(2, vec({name("") + name("") + Bytes{0x04}}))})) ==
        atOffset(13, "malformed import kind"));
  CHECK(decodeError(module({section(2, vec({name("") + name("") + Bytes{0x80, 0x00}}))})) ==
        atOffset(13, "malformed import kind"));
  Bytes badUtf8 = Bytes{0x01, 0xFF} + name("") + Bytes{0x00, 0x00};
  CHECK(decodeError(module({section(2, vec({badUtf8}))})) ==
        atOffset(12, "malformed UTF-8 encoding"));
  // A name longer than the rest of the module.
  CHECK(decodeError(module({section(2, vec({name("") + Bytes{0x05, 'a'}}))})) ==
        atOffset(13, "length out of bounds"));
  // A name longer than its section.
  CHECK(decodeError(module({section(2, vec({name("") + Bytes{0x02, 'a'}})), section(0, {0x00})})) ==
        atOffset(13, "unexpected end of section or function"));
}

TEST_CASE("Decoder: function, table and memory sections") {
  Module m = decodeOk(module({
      section(1, vec({kVoidType, kVoidType})),
      section(3, vec({{0x01}, {0x00}, {0x01}})),
      section(4, vec({{0x70, 0x00, 0x00}, {0x6F, 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}})),
      section(5, vec({{0x00, 0x02}, {0x01, 0x01, 0x80, 0x80, 0x04}})),
      section(10, vec({body({0x00}, {0x0B}), body({0x00}, {0x0B}), body({0x00}, {0x0B})})),
  }));
  CHECK(m.funcs == std::vector<uint32_t>{1, 0, 1});
  CHECK(m.numDefinedFuncs() == 3);
  REQUIRE(m.tables.size() == 2);
  CHECK(m.tables[0] == TableType{ValType::FuncRef, Limits{0, std::nullopt}});
  CHECK(m.tables[1] == TableType{ValType::ExternRef, Limits{0, 0xFFFFFFFFu}});
  REQUIRE(m.memories.size() == 2);
  CHECK(m.memories[0].limits == Limits{2, std::nullopt});
  CHECK(m.memories[1].limits == Limits{1, 65536});

  // Limits flags are a one-bit LEB.
  CHECK(decodeError(module({section(4, vec({{0x70, 0x02, 0x00}}))})) ==
        atOffset(12, "integer too large"));
  CHECK(decodeError(module({section(4, vec({{0x70, 0x81, 0x00, 0x00}}))})) ==
        atOffset(12, "integer representation too long"));
  CHECK(decodeError(module({section(5, vec({{0x03, 0x00, 0x00}}))})) ==
        atOffset(11, "integer too large"));
  CHECK(decodeError(module({section(5, vec({{0x00, 0x80, 0x80, 0x80, 0x80, 0x10}}))})) ==
        atOffset(12, "integer too large"));
  CHECK(decodeError(module({section(4, vec({{0x7F, 0x00, 0x00}}))})) ==
        atOffset(11, "malformed reference type"));
  CHECK(decodeError(module({section(5, vec({}) + Bytes{0x00}), section(5, vec({}))})) ==
        atOffset(11, "section size mismatch"));
}

TEST_CASE("Decoder: global section") {
  Bytes bytes = module({section(
      6, vec({{0x7F, 0x00, 0x41, 0x2A, 0x0B}, {0x7C, 0x01, 0x23, 0x00, 0x0B},
              {0x70, 0x00, 0xD0, 0x70, 0x0B}}))});
  Module m = decodeOk(bytes);
  REQUIRE(m.definedGlobals.size() == 3);
  CHECK(m.definedGlobals[0].type == GlobalType{ValType::I32, false});
  CHECK(m.definedGlobals[0].init.offset == 13);
  CHECK(m.definedGlobals[0].init.bytes.size() == 3);
  CHECK(m.definedGlobals[0].init.bytes[1] == 0x2A);
  CHECK(m.definedGlobals[1].type == GlobalType{ValType::F64, true});
  CHECK(m.globals.size() == 3);
  CHECK(m.globals[2].type == ValType::FuncRef);

  CHECK(decodeError(module({section(6, vec({{0x7F, 0x02, 0x41, 0x00, 0x0B}}))})) ==
        atOffset(12, "malformed mutability"));
  CHECK(decodeError(module({section(6, vec({{0x7F, 0xFF, 0x41, 0x00, 0x0B}}))})) ==
        atOffset(12, "malformed mutability"));
  // A missing `end` reads on into the next section's id, as the spec tests expect.
  CHECK(decodeError(module({section(6, vec({{0x7F, 0x00, 0x41, 0x00}})), section(10, vec({}))})) ==
        atOffset(15, "illegal opcode 0x0a"));
  // ... and an `end` found past the section means the section size is wrong.
  CHECK(decodeError(module({section(6, vec({{0x7F, 0x00, 0x41, 0x00}})), section(11, vec({}))})) ==
        atOffset(15, "section size mismatch"));
  CHECK(decodeError(module({section(6, vec({{0x7F, 0x00, 0x41, 0x00}}))})) ==
        atOffset(15, "unexpected end of section or function"));
}

TEST_CASE("Decoder: export and start sections") {
  Module m = decodeOk(module({
      section(1, vec({kVoidType})),
      section(3, vec({{0x00}})),
      section(7, vec({name("f") + Bytes{0x00, 0x00}, name("mem") + Bytes{0x02, 0x00},
                      name("g") + Bytes{0x03, 0x05}, name("t") + Bytes{0x01, 0x01}})),
      section(8, u32(0)),
      section(10, vec({body({0x00}, {0x0B})})),
  }));
  REQUIRE(m.exports.size() == 4);
  CHECK(m.exports[0].name == "f");
  CHECK(m.exports[1].kind == ExternKind::Memory);
  CHECK(m.exports[2].index == 5);
  CHECK(m.exports[3].kind == ExternKind::Table);
  CHECK(m.startFunc == 0u);

  CHECK(decodeError(module({section(7, vec({name("x") + Bytes{0x04, 0x00}}))})) ==
        atOffset(13, "malformed export kind"));
  CHECK(decodeError(module({section(8, u32(0) + u32(0))})) ==
        atOffset(11, "section size mismatch"));
  CHECK(decodeError(module({section(8, {})})) ==
        atOffset(10, "unexpected end of section or function"));
}

TEST_CASE("Decoder: code section bodies are views into the input") {
  Bytes bytes = module({
      section(1, vec({kVoidType})),
      section(3, vec({{0x00}, {0x00}})),
      section(10, vec({body({0x02, 0x02, 0x7F, 0x01, 0x7E}, {0x01, 0x0B}),
                       body({0x00}, {0x41, 0x00, 0x1A, 0x0B})})),
  });
  Expected<Module> result = decodeModule(std::span<const uint8_t>(bytes));
  REQUIRE(result);
  const Module &m = *result;
  REQUIRE(m.code.size() == 2);
  const FunctionBody &f0 = m.code[0];
  REQUIRE(f0.locals.size() == 2);
  CHECK(f0.locals[0].count == 2);
  CHECK(f0.locals[0].type == ValType::I32);
  CHECK(f0.locals[1].type == ValType::I64);
  CHECK(f0.numLocals == 3);
  CHECK(f0.bodyOffset == 22);
  CHECK(f0.codeOffset == 28);
  CHECK(f0.code.data() == bytes.data() + 28);
  CHECK(f0.code.size() == 2);
  CHECK(m.code[1].numLocals == 0);
  CHECK(m.code[1].code.size() == 4);
}

TEST_CASE("Decoder: code section errors") {
  Bytes types = section(1, vec({kVoidType}));
  Bytes oneFunc = section(3, vec({{0x00}}));
  // Counts must agree; checked after all sections.
  CHECK(decodeError(module({types, oneFunc})) ==
        atOffset(18, "function and code section have inconsistent lengths"));
  CHECK(decodeError(module({types, section(10, vec({body({0x00}, {0x0B})}))})) ==
        atOffset(16, "function and code section have inconsistent lengths"));
  CHECK(decodeError(module({types, oneFunc, section(10, vec({body({0x00}, {0x0B})})),
                            section(10, vec({}))})) ==
        atOffset(24, "unexpected content after last section"));

  // Too many locals.
  CHECK(decodeError(moduleWithCode({0x0B}, Bytes{0x02} + u32(0xFFFFFFFF) + Bytes{0x7F} +
                                               u32(1) + Bytes{0x7E})) ==
        atOffset(29, "too many locals"));
  decodeOk(moduleWithCode({0x0B}, Bytes{0x01} + u32(0xFFFFFFFF) + Bytes{0x7F}));
  CHECK(decodeError(moduleWithCode({0x0B}, {0x01, 0x01, 0x40})) ==
        atOffset(24, "malformed value type"));
  // Local group count beyond the body.
  CHECK(decodeError(moduleWithCode({0x0B}, {0x05})) ==
        atOffset(22, "unexpected end of section or function"));

  // Missing `end`: followed by another body, at the module end, and with a
  // later 0x0B section id that an unbounded reader would take for `end`.
  Bytes twoFuncs = section(3, vec({{0x00}, {0x00}}));
  CHECK(decodeError(module({types, twoFuncs,
                            section(10, vec({body({0x00}, {0x41, 0x01, 0x1A}),
                                             body({0x00}, {0x41, 0x01, 0x1A, 0x0B})}))})) ==
        atOffset(27, "END opcode expected"));
  CHECK(decodeError(moduleWithCode({0x41, 0x01, 0x1A})) ==
        atOffset(26, "unexpected end of section or function"));
  CHECK(decodeError(module({types, oneFunc, section(10, vec({body({0x00}, {0x41, 0x01, 0x1A})})),
                            section(11, vec({}))})) ==
        atOffset(26, "section size mismatch"));
  CHECK(decodeError(moduleWithCode({})) == atOffset(23, "unexpected end of section or function"));
  // Body size beyond the section.
  CHECK(decodeError(module({types, oneFunc, section(10, Bytes{0x01, 0x09, 0x00, 0x0B})})) ==
        atOffset(22, "unexpected end of section or function"));
}

TEST_CASE("Decoder: data count section") {
  Module m = decodeOk(module({section(5, vec({{0x00, 0x01}})), section(12, u32(1)),
                              section(11, vec({Bytes{0x01} + name("ab")}))}));
  CHECK(m.dataCount == 1u);
  CHECK(decodeError(module({section(12, u32(2)), section(11, vec({Bytes{0x01, 0x00}}))})) ==
        atOffset(13, "data count and data section have inconsistent lengths"));
  CHECK(decodeError(module({section(12, u32(1))})) ==
        atOffset(11, "data count and data section have inconsistent lengths"));
  decodeOk(module({section(12, u32(0))}));
}

TEST_CASE("Decoder: the owning overload keeps the bytes alive") {
  Bytes bytes = moduleWithCode({0x01, 0x0B});
  const uint8_t *original = bytes.data();
  Expected<Module> result = decodeModule(std::move(bytes));
  REQUIRE(result);
  REQUIRE(result->storage);
  CHECK(result->storage->data() == original); // moved, not copied
  CHECK(result->code[0].code.data() == original + 23);
  Module moved = std::move(result).value();
  CHECK(moved.code[0].code[0] == 0x01);
}
