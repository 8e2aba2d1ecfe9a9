// Module-level validation rules: types, limits, globals and constant
// expressions, exports, start, segments and function-reference declarations.
#include "ValidationTestUtil.h"

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

TEST_CASE("empty and simple modules are valid", "[validation][module]") {
  requireValid(check(ModuleBuilder().bytes()));
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (param i32) (result i32) local.get 0))");
}

TEST_CASE("function type indices must be in range", "[validation][module]") {
  // Function section names type 3, but there are no types.
  auto bytes = ModuleBuilder()
                   .section(3, {0x01, 0x03})
                   .code({{0x00, 0x0b}})
                   .bytes();
  requireError(check(bytes), ErrorKind::Invalid, "unknown type");
}

TEST_CASE("limits", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (memory 0 65536))");
  expectValid("(module (memory 65536))");
  expectValid("(module (table 1 1 funcref))");
  expectInvalid("(module (memory 2 1))", "size minimum must not be greater than maximum");
  expectInvalid("(module (table 2 1 funcref))",
                "size minimum must not be greater than maximum");
  expectInvalid("(module (memory 65537))", "memory size must be at most 65536 pages (4GiB)");
  expectInvalid("(module (memory 0 65537))", "memory size must be at most 65536 pages (4GiB)");
  expectInvalid("(module (import \"m\" \"mem\" (memory 3 2)))",
                "size minimum must not be greater than maximum");
}

TEST_CASE("at most one memory", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectInvalid("(module (memory 1) (memory 1))", "multiple memories");
  expectInvalid("(module (import \"m\" \"mem\" (memory 1)) (memory 1))", "multiple memories");
  expectValid("(module (table 1 funcref) (table 1 externref))");
}

TEST_CASE("global initializers", "[validation][module][constexpr]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (global i32 (i32.const 1)) (global i64 (i64.const 2))"
              " (global f32 (f32.const 3)) (global f64 (f64.const 4))"
              " (global v128 (v128.const i32x4 1 2 3 4))"
              " (global funcref (ref.null func)) (global externref (ref.null extern))"
              " (global (mut i32) (i32.const 0)))");
  expectInvalid("(module (global i32 (i64.const 0)))", "type mismatch");
  expectInvalid("(module (global funcref (ref.null extern)))", "type mismatch");
  expectInvalid("(module (global i32))", "type mismatch");
  expectInvalid("(module (global i32 (i32.const 0) (i32.const 0)))", "type mismatch");
  expectInvalid("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
                "constant expression required");
  expectInvalid("(module (global i32 (nop) (i32.const 1)))", "constant expression required");
}

TEST_CASE("global.get in constant expressions names imported immutable globals",
          "[validation][module][constexpr]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (import \"m\" \"g\" (global i32)) (global i32 (global.get 0)))");
  expectInvalid("(module (global i32 (global.get 0)))", "unknown global");
  // 2.0: defined globals are not visible to constant expressions.
  expectInvalid("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))",
                "unknown global");
  expectInvalid("(module (import \"m\" \"g\" (global (mut i32))) (global i32 (global.get 0)))",
                "constant expression required");
  expectInvalid("(module (import \"m\" \"g\" (global i64)) (global i32 (global.get 0)))",
                "type mismatch");
  expectInvalid("(module (import \"m\" \"g\" (global i32)) (memory 1)"
                " (data (global.get 1) \"\"))",
                "unknown global");
}

TEST_CASE("ref.func in constant expressions", "[validation][module][constexpr]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func) (global funcref (ref.func 0)))");
  expectInvalid("(module (func) (global funcref (ref.func 1)))", "unknown function");
  expectInvalid("(module (func) (global externref (ref.func 0)))", "type mismatch");
}

TEST_CASE("exports", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func (export \"a\")) (memory (export \"b\") 1)"
              " (table (export \"c\") 1 funcref) (global (export \"d\") i32 (i32.const 0)))");
  expectInvalid("(module (func (export \"a\")) (func (export \"a\")))", "duplicate export name");
  expectInvalid("(module (func (export \"a\")) (memory (export \"a\") 1))",
                "duplicate export name");
  expectInvalid("(module (export \"a\" (func 1)) (func))", "unknown function");
  expectInvalid("(module (export \"a\" (memory 0)))", "unknown memory");
  expectInvalid("(module (export \"a\" (table 0)))", "unknown table");
  expectInvalid("(module (export \"a\" (global 0)))", "unknown global");
}

TEST_CASE("start function", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (func) (start 0))");
  expectInvalid("(module (func (param i32)) (start 0))", "start function");
  expectInvalid("(module (func (result i32) i32.const 0) (start 0))", "start function");
  expectInvalid("(module (func) (start 1))", "unknown function");
}

TEST_CASE("element segments", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (table 2 funcref) (func) (elem (i32.const 0) func 0 0))");
  expectValid("(module (table 2 externref) (elem (i32.const 0) externref (ref.null extern)))");
  expectValid("(module (func) (elem funcref (ref.func 0) (ref.null func)) (elem declare func 0))");
  expectInvalid("(module (table 1 funcref) (func) (elem (i64.const 0) func 0))",
                "type mismatch");
  expectInvalid("(module (table 1 externref) (func) (elem (i32.const 0) func 0))",
                "type mismatch");
  expectInvalid("(module (table 1 funcref) (elem (i32.const 0) funcref (ref.null extern)))",
                "type mismatch");
  expectInvalid("(module (table 1 funcref) (elem (i32.const 0) func 3))", "unknown function");
  expectInvalid("(module (func) (elem (i32.const 0) func 0))", "unknown table");
  expectInvalid("(module (table 1 funcref) (elem (i32.const 0) funcref (i32.const 0)))",
                "type mismatch");
}

TEST_CASE("data segments", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectValid("(module (memory 1) (data (i32.const 0) \"abc\") (data \"passive\"))");
  expectValid("(module (data \"passive segments need no memory\"))");
  expectInvalid("(module (data (i32.const 0) \"a\"))", "unknown memory");
  expectInvalid("(module (memory 1) (data (f32.const 0) \"a\"))", "type mismatch");
}

TEST_CASE("ref.func in code needs a declaration", "[validation][module][code]") {
  WASMRT_REQUIRE_WAT2WASM();
  expectInvalid("(module (func (result funcref) ref.func 1) (func))",
                "undeclared function reference");
  expectInvalid("(module (func (result funcref) ref.func 0))", "undeclared function reference");
  expectValid("(module (func (result funcref) ref.func 1) (func) (elem declare func 1))");
  expectValid("(module (func (result funcref) ref.func 1) (func (export \"f\")))");
  expectValid("(module (func (result funcref) ref.func 1) (func)"
              " (global funcref (ref.func 1)))");
  expectValid("(module (table 1 funcref) (func (result funcref) ref.func 1) (func)"
              " (elem (i32.const 0) func 1))");
  expectInvalid("(module (func (result funcref) ref.func 5))", "unknown function");
}

TEST_CASE("memory.init and data.drop need the data count section", "[validation][module]") {
  std::vector<uint8_t> memoryInit = {0x00, 0x41, 0x00, 0x41, 0x00, 0x41,
                                     0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b};
  std::vector<uint8_t> dataSection = {0x01, 0x01, 0x00}; // one passive segment, 0 bytes
  auto without = ModuleBuilder()
                     .voidFunctions(1)
                     .section(5, {0x01, 0x00, 0x01})
                     .code({memoryInit})
                     .section(11, dataSection)
                     .bytes();
  requireError(check(without), ErrorKind::Malformed, "data count section required");

  auto withCount = ModuleBuilder()
                       .voidFunctions(1)
                       .section(5, {0x01, 0x00, 0x01})
                       .section(12, {0x01})
                       .code({memoryInit})
                       .section(11, dataSection)
                       .bytes();
  requireValid(check(withCount));

  std::vector<uint8_t> dropOne = {0x00, 0xfc, 0x09, 0x01, 0x0b};
  auto badIndex = ModuleBuilder()
                      .voidFunctions(1)
                      .section(12, {0x01})
                      .code({dropOne})
                      .section(11, dataSection)
                      .bytes();
  requireError(check(badIndex), ErrorKind::Invalid, "unknown data segment");

  // Without any data segment no index can be valid; text-to-binary tools omit
  // the data count section then, so this is reported as invalid.
  auto noData = ModuleBuilder().voidFunctions(1).code({dropOne}).bytes();
  requireError(check(noData), ErrorKind::Invalid, "unknown data segment");
}

TEST_CASE("module errors name the offset", "[validation][module]") {
  WASMRT_REQUIRE_WAT2WASM();
  Outcome outcome = checkText("(module (func (export \"a\")) (func (export \"a\")))");
  REQUIRE_FALSE(outcome.ok);
  CHECK(outcome.message.rfind("at offset 0x", 0) == 0);
  CHECK(outcome.message.find("duplicate export name \"a\"") != std::string::npos);
}
