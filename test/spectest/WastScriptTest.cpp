#include "text/WastScript.h"

#include <catch2/catch.hpp>

#include <string_view>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::text;

namespace {

Script parse(std::string_view source) {
  auto script = parseScript(source);
  INFO((script ? std::string() : script.error().describe()));
  REQUIRE(script);
  return std::move(*script);
}

Command parseOne(std::string_view source) {
  Script script = parse(source);
  REQUIRE(script.commands.size() == 1);
  return std::move(script.commands[0]);
}

ExpectedResult result(std::string_view source) {
  Command command = parseOne(std::string("(assert_return (invoke \"f\") ") + std::string(source) +
                             ")");
  REQUIRE(command.results.size() == 1);
  return command.results[0];
}

ScriptConst arg(std::string_view source) {
  Command command = parseOne(std::string("(invoke \"f\" ") + std::string(source) + ")");
  REQUIRE(command.action->args.size() == 1);
  return command.action->args[0];
}

ScriptConst scalar(ConstKind kind, uint64_t bits) {
  ScriptConst value;
  value.kind = kind;
  value.bits = bits;
  return value;
}

} // namespace

TEST_CASE("modules keep their form, name, format and line") {
  Script script = parse("(module $m (func))\n"
                        "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
                        "(module $q quote \"(func)\")\n"
                        "(module definition $d (memory 1))\n"
                        "(module instance $i $d)\n");
  REQUIRE(script.commands.size() == 5);
  const Command &text = script.commands[0];
  CHECK(text.kind == CommandKind::Module);
  CHECK(text.location.line == 1);
  CHECK(text.module->name == "$m");
  CHECK(text.module->format == ModuleFormat::Text);
  CHECK(text.module->form.isListOf("module"));
  CHECK(text.module->form.items.size() == 3);

  CHECK(script.commands[1].module->format == ModuleFormat::Binary);
  CHECK(!script.commands[1].module->name);
  CHECK(script.commands[1].location.line == 2);
  CHECK(script.commands[2].module->format == ModuleFormat::Quote);
  CHECK(script.commands[2].module->name == "$q");

  const Command &definition = script.commands[3];
  CHECK(definition.module->isDefinition);
  CHECK(definition.module->name == "$d");
  // `definition` is dropped so the form encodes like any module.
  REQUIRE(definition.module->form.items.size() == 3);
  CHECK(definition.module->form.items[1].text == "$d");

  const Command &instance = script.commands[4];
  CHECK(instance.kind == CommandKind::ModuleInstance);
  CHECK(instance.moduleName == "$i");
  CHECK(instance.definitionName == "$d");
}

TEST_CASE("register and actions") {
  Script script = parse("(register \"M\" $m)\n(register \"N\")\n"
                        "(invoke $m \"add\" (i32.const 1) (i64.const -2))\n(get \"g\")\n");
  REQUIRE(script.commands.size() == 4);
  CHECK(script.commands[0].kind == CommandKind::Register);
  CHECK(script.commands[0].registerName == "M");
  CHECK(script.commands[0].moduleName == "$m");
  CHECK(!script.commands[1].moduleName);

  const Action &invoke = *script.commands[2].action;
  CHECK(script.commands[2].kind == CommandKind::Action);
  CHECK(invoke.kind == ActionKind::Invoke);
  CHECK(invoke.moduleName == "$m");
  CHECK(invoke.field == "add");
  REQUIRE(invoke.args.size() == 2);
  CHECK(invoke.args[0] == scalar(ConstKind::I32, 1));
  CHECK(invoke.args[1] == scalar(ConstKind::I64, uint64_t(-2)));

  const Action &get = *script.commands[3].action;
  CHECK(get.kind == ActionKind::Get);
  CHECK(get.field == "g");
  CHECK(!get.moduleName);
}

TEST_CASE("every assertion kind") {
  Script script = parse(
      "(assert_return (invoke \"f\") (i32.const 7) (f32.const nan:canonical))\n"
      "(assert_trap (invoke \"f\") \"unreachable\")\n"
      "(assert_trap (module (func $f unreachable) (start $f)) \"unreachable\")\n"
      "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n"
      "(assert_exception (invoke \"throw\"))\n"
      "(assert_malformed (module quote \"(func\") \"unexpected end\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_unlinkable (module (import \"x\" \"y\" (func))) \"unknown import\")\n"
      "(assert_uninstantiable (module (func $f unreachable) (start $f)) \"unreachable\")\n");
  REQUIRE(script.commands.size() == 9);
  const CommandKind kinds[] = {
      CommandKind::AssertReturn,     CommandKind::AssertTrap,      CommandKind::AssertTrap,
      CommandKind::AssertExhaustion, CommandKind::AssertException, CommandKind::AssertMalformed,
      CommandKind::AssertInvalid,    CommandKind::AssertUnlinkable,
      CommandKind::AssertUninstantiable};
  for (size_t i = 0; i < script.commands.size(); ++i) {
    CHECK(script.commands[i].kind == kinds[i]);
    CHECK(script.commands[i].location.line == i + 1);
  }
  CHECK(script.commands[0].results.size() == 2);
  CHECK(script.commands[1].action);
  CHECK(script.commands[1].message == "unreachable");
  CHECK(script.commands[2].module);
  CHECK(!script.commands[2].action);
  CHECK(script.commands[3].message == "call stack exhausted");
  CHECK(script.commands[5].module->format == ModuleFormat::Quote);
  CHECK(script.commands[5].message == "unexpected end");
  CHECK(script.commands[6].message == "type mismatch");
  CHECK(std::string(commandKindName(CommandKind::AssertUninstantiable)) ==
        "assert_uninstantiable");
}

TEST_CASE("a script of module fields is one implicit module") {
  Script script = parse("(func) (memory 0) (func (export \"f\"))");
  REQUIRE(script.commands.size() == 1);
  CHECK(script.commands[0].kind == CommandKind::Module);
  CHECK(script.commands[0].module->form.items.size() == 4);
  CHECK(script.commands[0].module->form.items[0].isKeyword("module"));
}

TEST_CASE("integer constants") {
  CHECK(arg("(i32.const 0xffffffff)") == scalar(ConstKind::I32, 0xffffffff));
  CHECK(arg("(i32.const -1)") == scalar(ConstKind::I32, 0xffffffff));
  CHECK(arg("(i32.const -0x80000000)") == scalar(ConstKind::I32, 0x80000000));
  CHECK(arg("(i32.const 1_000)") == scalar(ConstKind::I32, 1000));
  CHECK(arg("(i64.const 18446744073709551615)") == scalar(ConstKind::I64, ~uint64_t(0)));
  CHECK(arg("(i64.const -9223372036854775808)") ==
        scalar(ConstKind::I64, 0x8000000000000000));
  CHECK(!parseScript("(invoke \"f\" (i32.const 0x100000000))"));
  CHECK(!parseScript("(invoke \"f\" (i32.const -2147483649))"));
  CHECK(!parseScript("(invoke \"f\" (i32.const))"));
  CHECK(!parseScript("(invoke \"f\" (i32.const 1 2))"));
}

TEST_CASE("float constants") {
  CHECK(arg("(f32.const 1.5)") == scalar(ConstKind::F32, 0x3fc00000));
  CHECK(arg("(f32.const -0x1p-1)") == scalar(ConstKind::F32, 0xbf000000));
  CHECK(arg("(f32.const nan:0x200000)") == scalar(ConstKind::F32, 0x7fa00000));
  CHECK(arg("(f32.const -inf)") == scalar(ConstKind::F32, 0xff800000));
  CHECK(arg("(f64.const nan)") == scalar(ConstKind::F64, 0x7ff8000000000000));
  CHECK(arg("(f64.const 0x1p+1023)") == scalar(ConstKind::F64, 0x7fe0000000000000));
  // NaN patterns are results, never arguments.
  CHECK(!parseScript("(invoke \"f\" (f32.const nan:canonical))"));
}

TEST_CASE("v128 constants and reference arguments") {
  ScriptConst value = arg("(v128.const i16x8 1 2 3 4 5 6 7 -1)");
  CHECK(value.kind == ConstKind::V128);
  CHECK(value.shape == V128Shape::I16x8);
  CHECK(value.v128.bytes[0] == 1);
  CHECK(value.v128.bytes[1] == 0);
  CHECK(value.v128.bytes[14] == 0xff);
  CHECK(value.v128.bytes[15] == 0xff);
  ScriptConst floats = arg("(v128.const f32x4 1.0 0 0 -0)");
  CHECK(floats.v128.bytes[3] == 0x3f);
  CHECK(floats.v128.bytes[15] == 0x80);
  CHECK(!parseScript("(invoke \"f\" (v128.const i32x4 1 2 3))"));
  CHECK(!parseScript("(invoke \"f\" (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))"));
  CHECK(!parseScript("(invoke \"f\" (v128.const i64 1 2))"));

  ScriptConst null = arg("(ref.null extern)");
  CHECK(null.kind == ConstKind::RefNull);
  CHECK(null.heapType == "extern");
  CHECK(arg("(ref.extern 42)") == scalar(ConstKind::RefExtern, 42));
}

TEST_CASE("expected results and NaN patterns") {
  ExpectedResult canonical = result("(f32.const nan:canonical)");
  CHECK(canonical.kind == ResultKind::F32);
  CHECK(canonical.nan == NanPattern::Canonical);
  CHECK(matchesResult(canonical, scalar(ConstKind::F32, 0x7fc00000)));
  CHECK(matchesResult(canonical, scalar(ConstKind::F32, 0xffc00000)));
  CHECK(!matchesResult(canonical, scalar(ConstKind::F32, 0x7fc00001)));
  CHECK(!matchesResult(canonical, scalar(ConstKind::F64, 0x7ff8000000000000)));

  ExpectedResult arithmetic = result("(f64.const nan:arithmetic)");
  CHECK(arithmetic.nan == NanPattern::Arithmetic);
  CHECK(matchesResult(arithmetic, scalar(ConstKind::F64, 0x7ff8000000000001)));
  CHECK(matchesResult(arithmetic, scalar(ConstKind::F64, 0xfff8000000000000)));
  CHECK(!matchesResult(arithmetic, scalar(ConstKind::F64, 0x7ff0000000000001)));

  // Exact NaNs compare bit for bit.
  ExpectedResult exact = result("(f32.const nan:0x200000)");
  CHECK(exact.nan == NanPattern::None);
  CHECK(matchesResult(exact, scalar(ConstKind::F32, 0x7fa00000)));
  CHECK(!matchesResult(exact, scalar(ConstKind::F32, 0x7fc00000)));

  ExpectedResult ints = result("(i32.const -1)");
  CHECK(matchesResult(ints, scalar(ConstKind::I32, 0xffffffff)));
  CHECK(!matchesResult(ints, scalar(ConstKind::I64, 0xffffffff)));
}

TEST_CASE("v128 results with per-lane NaN patterns") {
  ExpectedResult lanes = result("(v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0)");
  CHECK(lanes.kind == ResultKind::V128);
  REQUIRE(lanes.lanes.size() == 4);
  CHECK(lanes.lanes[0].nan == NanPattern::Canonical);
  CHECK(lanes.lanes[1].bits == 0x3f800000);
  CHECK(lanes.lanes[2].nan == NanPattern::Arithmetic);
  CHECK(lanes.lanes[3].bits == 0x80000000);

  ScriptConst value = arg("(v128.const i32x4 0x7fc00000 0x3f800000 0xffe00000 0x80000000)");
  CHECK(matchesResult(lanes, value));
  value.v128.bytes[4] = 1; // lane 1 no longer 1.0
  CHECK(!matchesResult(lanes, value));
  CHECK(!parseScript("(assert_return (invoke \"f\") (v128.const i32x4 nan:canonical 0 0 0))"));
}

TEST_CASE("reference results and either") {
  CHECK(result("(ref.null func)").kind == ResultKind::RefNull);
  CHECK(result("(ref.null func)").heapType == "func");
  ExpectedResult anyFunc = result("(ref.func)");
  CHECK(anyFunc.kind == ResultKind::RefFunc);
  CHECK(matchesResult(anyFunc, scalar(ConstKind::RefFunc, 0)));
  ExpectedResult extern1 = result("(ref.extern 1)");
  CHECK(extern1.payload == 1);
  CHECK(matchesResult(extern1, scalar(ConstKind::RefExtern, 1)));
  CHECK(!matchesResult(extern1, scalar(ConstKind::RefExtern, 2)));
  CHECK(matchesResult(result("(ref.extern)"), scalar(ConstKind::RefExtern, 2)));
  CHECK(result("(ref.struct)").kind == ResultKind::RefOther);

  ExpectedResult either = result("(either (i32.const 1) (i32.const 2))");
  CHECK(either.kind == ResultKind::Either);
  CHECK(either.alternatives.size() == 2);
  CHECK(matchesResult(either, scalar(ConstKind::I32, 2)));
  CHECK(!matchesResult(either, scalar(ConstKind::I32, 3)));
  CHECK(toString(either) == "(either (i32.const 1) (i32.const 2))");
}

TEST_CASE("script errors name the line") {
  auto unknown = parseScript("\n(assert_bogus (invoke \"f\"))");
  REQUIRE(!unknown);
  CHECK(unknown.error().kind() == ErrorKind::Malformed);
  CHECK(unknown.error().message().find("2:") == 0);
  CHECK(!parseScript("(invoke)"));
  CHECK(!parseScript("(register $m)"));
  CHECK(!parseScript("(assert_invalid (func) \"x\")"));
  CHECK(!parseScript("(assert_trap (invoke \"f\") 42)"));
}
