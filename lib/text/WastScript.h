// The .wast script format of the WebAssembly spec tests, as an AST: module
// definitions, actions (invoke/get) and assertions with their expected results.
// Module forms are kept as S-expressions; encodeModuleForm() turns them into
// bytes when a runner needs them.
#pragma once

#include "binary/Types.h"
#include "text/SExpr.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::text {

// The lane interpretation of a v128.const.
enum class V128Shape : uint8_t { I8x16, I16x8, I32x4, I64x2, F32x4, F64x2 };
const char *v128ShapeName(V128Shape shape); // "i8x16", ...
uint32_t v128LaneCount(V128Shape shape);
uint32_t v128LaneBytes(V128Shape shape);

// A concrete value: an argument of an action, or a result an executor returns.
enum class ConstKind : uint8_t {
  I32,
  I64,
  F32,
  F64,
  V128,
  RefNull,   // heapType says which null ("func", "extern", ...)
  RefExtern, // payload is the host value N of (ref.extern N)
  RefHost,   // Wasm 3.0 (ref.host N)
  RefFunc,   // a non-null function reference (results only)
};

struct ScriptConst {
  ConstKind kind = ConstKind::I32;
  uint64_t bits = 0; // I32/I64 value, F32/F64 bit pattern, or the ref payload
  V128 v128;
  V128Shape shape = V128Shape::I32x4; // how v128 was written (for messages)
  std::string heapType;               // RefNull only

  bool operator==(const ScriptConst &) const = default;
};
std::string toString(const ScriptConst &value); // "i32:42", "f32:0x7fc00000", ...

// What a float result may be: an exact bit pattern, or any NaN of a class.
enum class NanPattern : uint8_t { None, Canonical, Arithmetic };

struct LaneResult {
  uint64_t bits = 0; // exact lane bits when nan == None
  NanPattern nan = NanPattern::None;
};

// One expected result of assert_return.
enum class ResultKind : uint8_t {
  I32,
  I64,
  F32,       // bits, or nan pattern
  F64,
  V128,      // shape + lanes, each exact or a nan pattern
  RefNull,   // heapType (empty: any null, Wasm 3.0 `(ref.null)`)
  RefExtern, // payload, or any extern reference when absent
  RefHost,   // payload
  RefFunc,   // any non-null function reference
  RefOther,  // a Wasm 3.0 category pattern such as (ref.struct); heapType names it
  Either,    // Wasm 3.0: any of `alternatives`
};

struct ExpectedResult {
  ResultKind kind = ResultKind::I32;
  uint64_t bits = 0;
  NanPattern nan = NanPattern::None;
  V128Shape shape = V128Shape::I32x4;
  std::vector<LaneResult> lanes;
  std::string heapType;
  std::optional<uint64_t> payload;
  std::vector<ExpectedResult> alternatives;
};
std::string toString(const ExpectedResult &result);

// True if `value` satisfies the pattern. NaN patterns follow the spec:
// canonical = quiet NaN with an all-zero payload beyond the quiet bit,
// arithmetic = any NaN with the quiet bit set.
bool matchesResult(const ExpectedResult &expected, const ScriptConst &value);

// How a module form spells its contents.
enum class ModuleFormat : uint8_t { Text, Binary, Quote };

struct ScriptModule {
  std::optional<std::string> name; // "$id" as written
  ModuleFormat format = ModuleFormat::Text;
  bool isDefinition = false; // Wasm 3.0 `(module definition ...)`: not instantiated
  // `(module $id? ...)` without `definition`, ready for encodeModuleForm().
  SExpr form;
  SourceLocation location;
};

enum class ActionKind : uint8_t { Invoke, Get };

struct Action {
  ActionKind kind = ActionKind::Invoke;
  std::optional<std::string> moduleName; // "$id"; the latest module when absent
  std::string field;                     // export name
  std::vector<ScriptConst> args;         // Invoke only
  SourceLocation location;
};

enum class CommandKind : uint8_t {
  Module,               // module
  ModuleInstance,       // Wasm 3.0 (module instance $inst? $def?)
  Register,             // (register "name" $mod?)
  Action,               // a bare (invoke ...) or (get ...)
  AssertReturn,         // action + results
  AssertTrap,           // action or module + message
  AssertExhaustion,     // action + message
  AssertException,      // action (exception handling)
  AssertMalformed,      // module + message
  AssertInvalid,        // module + message
  AssertUnlinkable,     // module + message
  AssertUninstantiable, // module + message
  AssertMalformedCustom, // Wasm 3.0 custom-annotation checks: module + message
  AssertInvalidCustom,
};
const char *commandKindName(CommandKind kind); // "assert_return", ...

// One script command. Which members are used depends on `kind` (see above).
struct Command {
  CommandKind kind = CommandKind::Module;
  SourceLocation location;
  std::optional<ScriptModule> module;
  std::optional<Action> action;
  std::vector<ExpectedResult> results;
  std::string message;                  // expected failure message of assertions
  std::string registerName;             // Register: the name modules import it as
  std::optional<std::string> moduleName; // Register: "$mod"; ModuleInstance: "$inst"
  std::optional<std::string> definitionName; // ModuleInstance: "$def"
};

struct Script {
  std::vector<Command> commands;
};

// Parses one top-level form of a script. Errors: ErrorKind::Malformed,
// "LINE:COL: message".
Expected<Command> parseCommand(const SExpr &form);

// The single module of a script made only of module fields.
Command implicitModuleCommand(const std::vector<SExpr> &forms);

// Parses a whole script. A script made only of module fields (`(func) ...`)
// is one implicit module, as in the spec's reference interpreter.
Expected<Script> parseScript(std::string_view source);
// The same for already read top-level forms.
Expected<Script> parseScriptForms(const std::vector<SExpr> &forms);

// Parses a constant (i32.const 1), (v128.const i8x16 ...), (ref.null func), ...
Expected<ScriptConst> parseConst(const SExpr &form);
// Parses an expected result: a constant, a NaN pattern, (ref.func), (either ...).
Expected<ExpectedResult> parseExpectedResult(const SExpr &form);

// True if a script's top-level forms are module fields rather than commands.
bool isModuleFieldForm(const SExpr &form);

} // namespace wasmrt::internal::text
