#include "text/WastScript.h"

#include "text/WatLiterals.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace wasmrt::internal::text {

namespace {

// --- Literals -------------------------------------------------------------

Error literalError(const SExpr &atom, LiteralStatus status) {
  return textError(atom.location, fmt::format("{} '{}'",
                                              status == LiteralStatus::OutOfRange
                                                  ? "constant out of range"
                                                  : "unexpected token",
                                              atom.text));
}

// The bits of an integer literal of `bitWidth` bits; signed and unsigned
// spellings are both accepted, as in `iN.const`.
Expected<uint64_t> intBits(const SExpr &atom, unsigned bitWidth) {
  if (!atom.isNumber())
    return textError(atom.location, "unexpected token, expected an integer");
  uint64_t bits = 0;
  if (LiteralStatus status = parseIntLiteral(atom.text, bitWidth, bits);
      status != LiteralStatus::Ok)
    return literalError(atom, status);
  return bits;
}

Expected<uint64_t> floatBits(const SExpr &atom, unsigned bitWidth) {
  // inf and nan forms may lex as keywords or numbers depending on their sign.
  if (!atom.isNumber() && !atom.isKeyword())
    return textError(atom.location, "unexpected token, expected a float");
  LiteralStatus status;
  uint64_t bits = 0;
  if (bitWidth == 32) {
    uint32_t bits32 = 0;
    status = parseF32Literal(atom.text, bits32);
    bits = bits32;
  } else {
    status = parseF64Literal(atom.text, bits);
  }
  if (status != LiteralStatus::Ok)
    return literalError(atom, status);
  return bits;
}

std::optional<NanPattern> nanPattern(const SExpr &atom) {
  if (!atom.isAtom())
    return std::nullopt;
  if (atom.text == "nan:canonical")
    return NanPattern::Canonical;
  if (atom.text == "nan:arithmetic")
    return NanPattern::Arithmetic;
  return std::nullopt;
}

std::optional<V128Shape> parseShape(const SExpr &atom) {
  static const struct {
    const char *name;
    V128Shape shape;
  } kShapes[] = {{"i8x16", V128Shape::I8x16}, {"i16x8", V128Shape::I16x8},
                 {"i32x4", V128Shape::I32x4}, {"i64x2", V128Shape::I64x2},
                 {"f32x4", V128Shape::F32x4}, {"f64x2", V128Shape::F64x2}};
  if (!atom.isKeyword())
    return std::nullopt;
  for (const auto &entry : kShapes)
    if (atom.text == entry.name)
      return entry.shape;
  return std::nullopt;
}

bool isFloatShape(V128Shape shape) {
  return shape == V128Shape::F32x4 || shape == V128Shape::F64x2;
}

Expected<uint64_t> laneBits(const SExpr &atom, V128Shape shape) {
  unsigned bitWidth = v128LaneBytes(shape) * 8;
  return isFloatShape(shape) ? floatBits(atom, bitWidth) : intBits(atom, bitWidth);
}

uint64_t readLane(const V128 &value, V128Shape shape, uint32_t lane) {
  uint32_t size = v128LaneBytes(shape);
  uint64_t bits = 0;
  for (uint32_t i = 0; i < size; ++i)
    bits |= uint64_t(value.bytes[lane * size + i]) << (8 * i);
  return bits;
}

void writeLane(V128 &value, V128Shape shape, uint32_t lane, uint64_t bits) {
  uint32_t size = v128LaneBytes(shape);
  for (uint32_t i = 0; i < size; ++i)
    value.bytes[lane * size + i] = uint8_t(bits >> (8 * i));
}

// Checks a `(keyword arg...)` list has exactly `count` arguments.
Expected<void> expectArgs(const SExpr &form, size_t count) {
  if (form.items.size() != count + 1)
    return textError(form.location,
                     fmt::format("'{}' expects {} operand{}", form.head(), count,
                                 count == 1 ? "" : "s"));
  return {};
}

// (v128.const SHAPE lane...), each lane a literal or (results only) a NaN pattern.
Expected<void> parseV128Lanes(const SExpr &form, bool allowNanPatterns, V128Shape &shape,
                              std::vector<LaneResult> &lanes) {
  if (form.items.size() < 2)
    return textError(form.location, "expected a v128 shape");
  auto parsed = parseShape(form.items[1]);
  if (!parsed)
    return textError(form.items[1].location, "unknown v128 shape '" + form.items[1].text + "'");
  shape = *parsed;
  uint32_t count = v128LaneCount(shape);
  if (form.items.size() != count + 2)
    return textError(form.location, fmt::format("wrong number of lane literals for {}, expected {}",
                                                v128ShapeName(shape), count));
  for (uint32_t lane = 0; lane < count; ++lane) {
    const SExpr &atom = form.items[lane + 2];
    if (auto nan = nanPattern(atom)) {
      if (!allowNanPatterns || !isFloatShape(shape))
        return textError(atom.location, "unexpected NaN pattern '" + atom.text + "'");
      lanes.push_back({0, *nan});
      continue;
    }
    auto bits = laneBits(atom, shape);
    if (!bits)
      return std::move(bits).error();
    lanes.push_back({*bits, NanPattern::None});
  }
  return {};
}

std::string floatText(uint64_t bits, bool isF32) {
  if (isF32)
    return fmt::format("{} (0x{:08x})", std::bit_cast<float>(uint32_t(bits)), bits);
  return fmt::format("{} (0x{:016x})", std::bit_cast<double>(bits), bits);
}

std::string laneText(uint64_t bits, V128Shape shape) {
  switch (shape) {
  case V128Shape::F32x4: return fmt::format("{}", std::bit_cast<float>(uint32_t(bits)));
  case V128Shape::F64x2: return fmt::format("{}", std::bit_cast<double>(bits));
  default: return fmt::format("0x{:x}", bits);
  }
}

const char *nanName(NanPattern nan) {
  return nan == NanPattern::Canonical ? "nan:canonical" : "nan:arithmetic";
}

bool matchesFloat(uint64_t bits, uint64_t expected, NanPattern nan, bool isF32) {
  uint64_t expMask = isF32 ? 0x7f800000u : 0x7ff0000000000000u;
  uint64_t quietBit = isF32 ? 0x00400000u : 0x0008000000000000u;
  uint64_t signMask = isF32 ? 0x80000000u : 0x8000000000000000u;
  switch (nan) {
  case NanPattern::None: return bits == expected;
  case NanPattern::Canonical: return (bits & ~signMask) == (expMask | quietBit);
  case NanPattern::Arithmetic: return (bits & (expMask | quietBit)) == (expMask | quietBit);
  }
  return false;
}

// --- Modules and actions --------------------------------------------------

SExpr keywordAtom(std::string text, SourceLocation location) {
  SExpr atom;
  atom.atomKind = AtomKind::Keyword;
  atom.text = std::move(text);
  atom.location = location;
  return atom;
}

// (module definition? $id? ...), (module $id? binary ...), (module $id? quote ...)
Expected<ScriptModule> parseModule(const SExpr &form) {
  if (!form.isListOf("module"))
    return textError(form.location, "expected a module");
  ScriptModule module;
  module.location = form.location;
  module.form.isList = true;
  module.form.location = form.location;
  module.form.items.push_back(form.items[0]);
  size_t index = 1;
  if (index < form.items.size() && form.items[index].isKeyword("definition")) {
    module.isDefinition = true;
    ++index;
  }
  size_t bodyStart = index;
  if (index < form.items.size() && form.items[index].isId())
    module.name = form.items[index++].text;
  if (index < form.items.size() && form.items[index].isKeyword("binary"))
    module.format = ModuleFormat::Binary;
  else if (index < form.items.size() && form.items[index].isKeyword("quote"))
    module.format = ModuleFormat::Quote;
  module.form.items.insert(module.form.items.end(), form.items.begin() + long(bodyStart),
                           form.items.end());
  return module;
}

// (invoke $mod? "name" const*) or (get $mod? "name")
Expected<Action> parseAction(const SExpr &form) {
  Action action;
  action.location = form.location;
  if (form.isListOf("invoke"))
    action.kind = ActionKind::Invoke;
  else if (form.isListOf("get"))
    action.kind = ActionKind::Get;
  else
    return textError(form.location, "expected an action (invoke or get)");
  size_t index = 1;
  if (index < form.items.size() && form.items[index].isId())
    action.moduleName = form.items[index++].text;
  if (index >= form.items.size() || !form.items[index].isString())
    return textError(form.location, "expected an export name string");
  action.field = form.items[index++].text;
  if (action.kind == ActionKind::Get && index != form.items.size())
    return textError(form.items[index].location, "unexpected operand of 'get'");
  for (; index < form.items.size(); ++index) {
    auto value = parseConst(form.items[index]);
    if (!value)
      return std::move(value).error();
    action.args.push_back(std::move(*value));
  }
  return action;
}

// The optional trailing failure message of an assertion.
Expected<std::string> assertionMessage(const SExpr &form, size_t index) {
  if (index == form.items.size())
    return std::string();
  if (index + 1 != form.items.size() || !form.items[index].isString())
    return textError(form.items[index].location, "expected the failure message string");
  return form.items[index].text;
}

struct CommandName {
  const char *name;
  CommandKind kind;
};

const CommandName kCommandNames[] = {
    {"module", CommandKind::Module},
    {"module", CommandKind::ModuleInstance},
    {"register", CommandKind::Register},
    {"action", CommandKind::Action},
    {"assert_return", CommandKind::AssertReturn},
    {"assert_trap", CommandKind::AssertTrap},
    {"assert_exhaustion", CommandKind::AssertExhaustion},
    {"assert_exception", CommandKind::AssertException},
    {"assert_malformed", CommandKind::AssertMalformed},
    {"assert_invalid", CommandKind::AssertInvalid},
    {"assert_unlinkable", CommandKind::AssertUnlinkable},
    {"assert_uninstantiable", CommandKind::AssertUninstantiable},
    {"assert_malformed_custom", CommandKind::AssertMalformedCustom},
    {"assert_invalid_custom", CommandKind::AssertInvalidCustom},
};

// The assertions whose operand is a module followed by a message.
std::optional<CommandKind> moduleAssertionKind(std::string_view head) {
  static const CommandKind kKinds[] = {
      CommandKind::AssertMalformed,       CommandKind::AssertInvalid,
      CommandKind::AssertUnlinkable,      CommandKind::AssertUninstantiable,
      CommandKind::AssertMalformedCustom, CommandKind::AssertInvalidCustom};
  for (CommandKind kind : kKinds)
    if (head == commandKindName(kind))
      return kind;
  return std::nullopt;
}

Expected<Command> parseModuleCommand(const SExpr &form) {
  Command command;
  command.location = form.location;
  if (form.items.size() >= 2 && form.items[1].isKeyword("instance")) {
    // (module instance $inst? $def?)
    command.kind = CommandKind::ModuleInstance;
    size_t index = 2;
    if (index < form.items.size() && form.items[index].isId())
      command.moduleName = form.items[index++].text;
    if (index < form.items.size() && form.items[index].isId())
      command.definitionName = form.items[index++].text;
    if (index != form.items.size())
      return textError(form.items[index].location, "unexpected token in module instance");
    return command;
  }
  command.kind = CommandKind::Module;
  auto module = parseModule(form);
  if (!module)
    return std::move(module).error();
  command.module = std::move(*module);
  return command;
}

Expected<Command> parseRegister(const SExpr &form) {
  Command command;
  command.kind = CommandKind::Register;
  command.location = form.location;
  if (form.items.size() < 2 || !form.items[1].isString())
    return textError(form.location, "expected the registered name string");
  command.registerName = form.items[1].text;
  if (form.items.size() == 3 && form.items[2].isId())
    command.moduleName = form.items[2].text;
  else if (form.items.size() != 2)
    return textError(form.location, "unexpected operand of 'register'");
  return command;
}

// The assertions about an action: assert_return, assert_trap (with an action),
// assert_exhaustion, assert_exception.
Expected<Command> parseActionAssertion(const SExpr &form, CommandKind kind) {
  Command command;
  command.kind = kind;
  command.location = form.location;
  if (form.items.size() < 2)
    return textError(form.location, "expected an action");
  auto action = parseAction(form.items[1]);
  if (!action)
    return std::move(action).error();
  command.action = std::move(*action);
  if (kind == CommandKind::AssertReturn) {
    for (size_t index = 2; index < form.items.size(); ++index) {
      auto result = parseExpectedResult(form.items[index]);
      if (!result)
        return std::move(result).error();
      command.results.push_back(std::move(*result));
    }
    return command;
  }
  auto message = assertionMessage(form, 2);
  if (!message)
    return std::move(message).error();
  command.message = std::move(*message);
  return command;
}

Expected<Command> parseModuleAssertion(const SExpr &form, CommandKind kind) {
  Command command;
  command.kind = kind;
  command.location = form.location;
  if (form.items.size() < 2)
    return textError(form.location, "expected a module");
  auto module = parseModule(form.items[1]);
  if (!module)
    return std::move(module).error();
  command.module = std::move(*module);
  auto message = assertionMessage(form, 2);
  if (!message)
    return std::move(message).error();
  command.message = std::move(*message);
  return command;
}

} // namespace

// --- Public helpers -------------------------------------------------------

const char *v128ShapeName(V128Shape shape) {
  switch (shape) {
  case V128Shape::I8x16: return "i8x16";
  case V128Shape::I16x8: return "i16x8";
  case V128Shape::I32x4: return "i32x4";
  case V128Shape::I64x2: return "i64x2";
  case V128Shape::F32x4: return "f32x4";
  case V128Shape::F64x2: return "f64x2";
  }
  return "?";
}

uint32_t v128LaneBytes(V128Shape shape) {
  switch (shape) {
  case V128Shape::I8x16: return 1;
  case V128Shape::I16x8: return 2;
  case V128Shape::I32x4:
  case V128Shape::F32x4: return 4;
  case V128Shape::I64x2:
  case V128Shape::F64x2: return 8;
  }
  return 4;
}

uint32_t v128LaneCount(V128Shape shape) { return 16 / v128LaneBytes(shape); }

const char *commandKindName(CommandKind kind) {
  if (kind == CommandKind::ModuleInstance)
    return "module instance";
  for (const auto &entry : kCommandNames)
    if (entry.kind == kind)
      return entry.name;
  return "?";
}

std::string toString(const ScriptConst &value) {
  switch (value.kind) {
  case ConstKind::I32: return fmt::format("(i32.const {})", int32_t(uint32_t(value.bits)));
  case ConstKind::I64: return fmt::format("(i64.const {})", int64_t(value.bits));
  case ConstKind::F32: return "(f32.const " + floatText(value.bits, true) + ")";
  case ConstKind::F64: return "(f64.const " + floatText(value.bits, false) + ")";
  case ConstKind::V128: {
    std::string text = fmt::format("(v128.const {}", v128ShapeName(value.shape));
    for (uint32_t lane = 0; lane < v128LaneCount(value.shape); ++lane)
      text += " " + laneText(readLane(value.v128, value.shape, lane), value.shape);
    return text + ")";
  }
  case ConstKind::RefNull: return "(ref.null " + value.heapType + ")";
  case ConstKind::RefExtern: return fmt::format("(ref.extern {})", value.bits);
  case ConstKind::RefHost: return fmt::format("(ref.host {})", value.bits);
  case ConstKind::RefFunc: return "(ref.func)";
  }
  return "?";
}

std::string toString(const ExpectedResult &result) {
  switch (result.kind) {
  case ResultKind::I32: return fmt::format("(i32.const {})", int32_t(uint32_t(result.bits)));
  case ResultKind::I64: return fmt::format("(i64.const {})", int64_t(result.bits));
  case ResultKind::F32:
  case ResultKind::F64: {
    bool isF32 = result.kind == ResultKind::F32;
    std::string text = isF32 ? "(f32.const " : "(f64.const ";
    text += result.nan == NanPattern::None ? floatText(result.bits, isF32) : nanName(result.nan);
    return text + ")";
  }
  case ResultKind::V128: {
    std::string text = fmt::format("(v128.const {}", v128ShapeName(result.shape));
    for (const LaneResult &lane : result.lanes)
      text += " " + (lane.nan == NanPattern::None ? laneText(lane.bits, result.shape)
                                                   : std::string(nanName(lane.nan)));
    return text + ")";
  }
  case ResultKind::RefNull:
    return result.heapType.empty() ? "(ref.null)" : "(ref.null " + result.heapType + ")";
  case ResultKind::RefExtern:
    return result.payload ? fmt::format("(ref.extern {})", *result.payload) : "(ref.extern)";
  case ResultKind::RefHost: return fmt::format("(ref.host {})", result.payload.value_or(0));
  case ResultKind::RefFunc: return "(ref.func)";
  case ResultKind::RefOther: return "(ref." + result.heapType + ")";
  case ResultKind::Either: {
    std::string text = "(either";
    for (const ExpectedResult &alternative : result.alternatives)
      text += " " + toString(alternative);
    return text + ")";
  }
  }
  return "?";
}

bool matchesResult(const ExpectedResult &expected, const ScriptConst &value) {
  switch (expected.kind) {
  case ResultKind::I32:
    return value.kind == ConstKind::I32 && uint32_t(value.bits) == uint32_t(expected.bits);
  case ResultKind::I64: return value.kind == ConstKind::I64 && value.bits == expected.bits;
  case ResultKind::F32:
    return value.kind == ConstKind::F32 &&
           matchesFloat(uint32_t(value.bits), expected.bits, expected.nan, true);
  case ResultKind::F64:
    return value.kind == ConstKind::F64 &&
           matchesFloat(value.bits, expected.bits, expected.nan, false);
  case ResultKind::V128: {
    if (value.kind != ConstKind::V128)
      return false;
    for (uint32_t lane = 0; lane < expected.lanes.size(); ++lane) {
      uint64_t bits = readLane(value.v128, expected.shape, lane);
      const LaneResult &pattern = expected.lanes[lane];
      bool ok = isFloatShape(expected.shape)
                    ? matchesFloat(bits, pattern.bits, pattern.nan,
                                   expected.shape == V128Shape::F32x4)
                    : bits == pattern.bits;
      if (!ok)
        return false;
    }
    return true;
  }
  case ResultKind::RefNull:
    return value.kind == ConstKind::RefNull &&
           (expected.heapType.empty() || value.heapType.empty() ||
            expected.heapType == value.heapType);
  case ResultKind::RefExtern:
    return value.kind == ConstKind::RefExtern &&
           (!expected.payload || *expected.payload == value.bits);
  case ResultKind::RefHost:
    return value.kind == ConstKind::RefHost && expected.payload == value.bits;
  case ResultKind::RefFunc: return value.kind == ConstKind::RefFunc;
  case ResultKind::RefOther: return false; // no value representation before GC support
  case ResultKind::Either:
    for (const ExpectedResult &alternative : expected.alternatives)
      if (matchesResult(alternative, value))
        return true;
    return false;
  }
  return false;
}

// --- Constants and results --------------------------------------------------

Expected<ScriptConst> parseConst(const SExpr &form) {
  ScriptConst value;
  std::string_view head = form.head();
  auto scalar = [&](ConstKind kind, bool isFloat, unsigned bitWidth) -> Expected<ScriptConst> {
    if (auto ok = expectArgs(form, 1); !ok)
      return std::move(ok).error();
    auto bits = isFloat ? floatBits(form.items[1], bitWidth) : intBits(form.items[1], bitWidth);
    if (!bits)
      return std::move(bits).error();
    value.kind = kind;
    value.bits = *bits;
    return value;
  };
  if (head == "i32.const")
    return scalar(ConstKind::I32, false, 32);
  if (head == "i64.const")
    return scalar(ConstKind::I64, false, 64);
  if (head == "f32.const")
    return scalar(ConstKind::F32, true, 32);
  if (head == "f64.const")
    return scalar(ConstKind::F64, true, 64);
  if (head == "v128.const") {
    std::vector<LaneResult> lanes;
    if (auto ok = parseV128Lanes(form, false, value.shape, lanes); !ok)
      return std::move(ok).error();
    value.kind = ConstKind::V128;
    for (uint32_t lane = 0; lane < lanes.size(); ++lane)
      writeLane(value.v128, value.shape, lane, lanes[lane].bits);
    return value;
  }
  if (head == "ref.null") {
    if (auto ok = expectArgs(form, 1); !ok)
      return std::move(ok).error();
    if (!form.items[1].isKeyword() && !form.items[1].isId())
      return textError(form.items[1].location, "expected a heap type");
    value.kind = ConstKind::RefNull;
    value.heapType = form.items[1].text;
    return value;
  }
  if (head == "ref.extern" || head == "ref.host") {
    if (auto ok = scalar(ConstKind::I32, false, 32); !ok)
      return std::move(ok).error();
    value.kind = head == "ref.extern" ? ConstKind::RefExtern : ConstKind::RefHost;
    return value;
  }
  if (form.isList)
    return textError(form.location, "unknown constant '" + std::string(head) + "'");
  return textError(form.location, "expected a constant");
}

Expected<ExpectedResult> parseExpectedResult(const SExpr &form) {
  ExpectedResult result;
  std::string_view head = form.head();
  if ((head == "f32.const" || head == "f64.const") && form.items.size() == 2) {
    if (auto nan = nanPattern(form.items[1])) {
      result.kind = head == "f32.const" ? ResultKind::F32 : ResultKind::F64;
      result.nan = *nan;
      return result;
    }
  }
  if (head == "v128.const") {
    if (auto ok = parseV128Lanes(form, true, result.shape, result.lanes); !ok)
      return std::move(ok).error();
    result.kind = ResultKind::V128;
    return result;
  }
  if (head == "either") {
    result.kind = ResultKind::Either;
    for (size_t index = 1; index < form.items.size(); ++index) {
      auto alternative = parseExpectedResult(form.items[index]);
      if (!alternative)
        return std::move(alternative).error();
      result.alternatives.push_back(std::move(*alternative));
    }
    if (result.alternatives.empty())
      return textError(form.location, "'either' expects at least one result");
    return result;
  }
  // Patterns without an operand: (ref.null), (ref.extern), (ref.func), (ref.struct), ...
  if (head.starts_with("ref.") && form.items.size() == 1) {
    std::string_view category = head.substr(4);
    result.kind = category == "null"     ? ResultKind::RefNull
                  : category == "extern" ? ResultKind::RefExtern
                  : category == "func"   ? ResultKind::RefFunc
                                         : ResultKind::RefOther;
    if (result.kind == ResultKind::RefOther)
      result.heapType = category;
    return result;
  }
  if (head == "ref.func") { // (ref.func $f / N): any function reference will do for now
    result.kind = ResultKind::RefFunc;
    return result;
  }
  auto value = parseConst(form);
  if (!value)
    return std::move(value).error();
  switch (value->kind) {
  case ConstKind::I32: result.kind = ResultKind::I32; break;
  case ConstKind::I64: result.kind = ResultKind::I64; break;
  case ConstKind::F32: result.kind = ResultKind::F32; break;
  case ConstKind::F64: result.kind = ResultKind::F64; break;
  case ConstKind::RefNull: result.kind = ResultKind::RefNull; break;
  case ConstKind::RefExtern: result.kind = ResultKind::RefExtern; break;
  case ConstKind::RefHost: result.kind = ResultKind::RefHost; break;
  case ConstKind::V128:
  case ConstKind::RefFunc: return textError(form.location, "unexpected result form");
  }
  result.bits = value->bits;
  result.heapType = value->heapType;
  if (value->kind == ConstKind::RefExtern || value->kind == ConstKind::RefHost)
    result.payload = value->bits;
  return result;
}

// --- Commands ---------------------------------------------------------------

bool isModuleFieldForm(const SExpr &form) {
  static const char *const kFields[] = {"type",   "import", "func", "table", "memory", "global",
                                        "export", "start",  "elem", "data",  "tag",    "rec"};
  std::string_view head = form.head();
  for (const char *field : kFields)
    if (head == field)
      return true;
  return false;
}

Expected<Command> parseCommand(const SExpr &form) {
  std::string_view head = form.head();
  if (head.empty())
    return textError(form.location, "expected a command");
  if (head == "module")
    return parseModuleCommand(form);
  if (head == "register")
    return parseRegister(form);
  if (head == "invoke" || head == "get") {
    auto action = parseAction(form);
    if (!action)
      return std::move(action).error();
    Command command;
    command.kind = CommandKind::Action;
    command.location = form.location;
    command.action = std::move(*action);
    return command;
  }
  if (head == "assert_return")
    return parseActionAssertion(form, CommandKind::AssertReturn);
  if (head == "assert_exhaustion")
    return parseActionAssertion(form, CommandKind::AssertExhaustion);
  if (head == "assert_exception")
    return parseActionAssertion(form, CommandKind::AssertException);
  if (head == "assert_trap") {
    // Either an action that traps or a module whose instantiation traps.
    if (form.items.size() >= 2 && form.items[1].isListOf("module"))
      return parseModuleAssertion(form, CommandKind::AssertTrap);
    return parseActionAssertion(form, CommandKind::AssertTrap);
  }
  if (auto kind = moduleAssertionKind(head))
    return parseModuleAssertion(form, *kind);
  return textError(form.location, "unknown command '" + std::string(head) + "'");
}

Command implicitModuleCommand(const std::vector<SExpr> &forms) {
  Command command;
  command.kind = CommandKind::Module;
  SourceLocation location = forms.empty() ? SourceLocation{} : forms.front().location;
  command.location = location;
  ScriptModule module;
  module.location = location;
  module.form.isList = true;
  module.form.location = location;
  module.form.items.push_back(keywordAtom("module", location));
  module.form.items.insert(module.form.items.end(), forms.begin(), forms.end());
  command.module = std::move(module);
  return command;
}

Expected<Script> parseScriptForms(const std::vector<SExpr> &forms) {
  Script script;
  if (!forms.empty() && isModuleFieldForm(forms.front())) {
    script.commands.push_back(implicitModuleCommand(forms));
    return script;
  }
  for (const SExpr &form : forms) {
    auto command = parseCommand(form);
    if (!command)
      return std::move(command).error();
    script.commands.push_back(std::move(*command));
  }
  return script;
}

Expected<Script> parseScript(std::string_view source) {
  auto forms = readSExprs(source);
  if (!forms)
    return std::move(forms).error();
  return parseScriptForms(*forms);
}

} // namespace wasmrt::internal::text
