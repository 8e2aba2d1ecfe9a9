#include "validation/CodeValidator.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace wasmrt::internal {

// Deliberately not constexpr and never defined: reaching it while building
// kTraits at compile time turns a bad signature in Opcodes.def into a compile error.
void badSignatureInOpcodesDef();

namespace {

// The type of an operand the polymorphic stack produced; matches anything.
constexpr ValType kUnknown = ValType(0);

// Locals up to this many are looked up in a flat array; the rest by run.
constexpr uint64_t kMaxDenseLocals = 1u << 16;

// What the validator needs per opcode, decoded from Opcodes.def at compile
// time so the hot loop needs no call to look it up.
struct OpTraits {
  uint8_t numParams = 0;
  uint8_t numResults = 0;
  ValType params[3] = {};
  ValType result = ValType::I32;
  ImmKind imm = ImmKind::None;
  uint8_t naturalAlignLog2 = 0;
  uint8_t laneCount = 0;
  bool checkImmediates = false; // memory arguments and lane indices
};

constexpr ValType sigType(char c) {
  switch (c) {
  case 'i': return ValType::I32;
  case 'I': return ValType::I64;
  case 'f': return ValType::F32;
  case 'F': return ValType::F64;
  case 'V': return ValType::V128;
  default: badSignatureInOpcodesDef(); return ValType::I32;
  }
}

constexpr OpTraits makeTraits(std::string_view signature, ImmKind imm, uint8_t align,
                              uint8_t lanes) {
  OpTraits traits;
  traits.imm = imm;
  traits.naturalAlignLog2 = align;
  traits.laneCount = lanes;
  traits.checkImmediates = imm == ImmKind::MemArg || imm == ImmKind::MemArgLane ||
                           imm == ImmKind::Lane || imm == ImmKind::Shuffle;
  if (signature == "*")
    return traits;
  size_t colon = signature.find(':');
  if (colon == std::string_view::npos || colon > 3 || signature.size() - colon - 1 > 1)
    badSignatureInOpcodesDef();
  for (size_t i = 0; i < colon; ++i)
    traits.params[traits.numParams++] = sigType(signature[i]);
  if (colon + 1 < signature.size()) {
    traits.result = sigType(signature[colon + 1]);
    traits.numResults = 1;
  }
  return traits;
}

constexpr OpTraits kTraits[] = {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)                     \
  makeTraits(Sig, ImmKind::Imm, Align, Lanes),
#include "binary/Opcodes.def"
};
static_assert(std::size(kTraits) == kNumOpcodes);

std::span<const ValType> singleType(ValType type) {
  static constexpr ValType kTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,
                                       ValType::F64,  ValType::V128,    ValType::FuncRef,
                                       ValType::ExternRef};
  for (const ValType &candidate : kTypes)
    if (candidate == type)
      return {&candidate, 1};
  return {};
}

const char *typeName(ValType type) { return type == kUnknown ? "unknown" : valTypeName(type); }

bool isNumOrUnknown(ValType type) { return type == kUnknown || isNumericType(type); }

bool opcodeEnabled(Opcode op, const Features &features) {
  const OpcodeInfo &info = opcodeInfo(op);
  if (info.prefix == 0xFD)
    return features.simd;
  if (info.prefix == 0xFC) {
    if (info.code <= 0x07)
      return features.saturatingFloatToInt;
    switch (op) {
    case Opcode::MemoryInit: case Opcode::DataDrop: case Opcode::MemoryCopy:
    case Opcode::MemoryFill: case Opcode::TableInit: case Opcode::ElemDrop:
    case Opcode::TableCopy:
      return features.bulkMemory;
    default:
      return features.referenceTypes;
    }
  }
  if (info.code >= 0xC0 && info.code <= 0xC4)
    return features.signExtension;
  switch (op) {
  case Opcode::SelectTyped: case Opcode::TableGet: case Opcode::TableSet:
  case Opcode::RefNull: case Opcode::RefIsNull: case Opcode::RefFunc:
    return features.referenceTypes;
  default:
    return true;
  }
}

} // namespace

CodeValidator::CodeValidator(const Module &module, const Features &features,
                             const std::vector<uint8_t> &declaredFuncRefs)
    : module_(module), declaredFuncRefs_(declaredFuncRefs) {
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    enabled_[i] = opcodeEnabled(Opcode(i), features);
    allFeatures_ = allFeatures_ && enabled_[i];
  }
  stack_.reserve(256);
  ctrl_.reserve(64);
}

namespace {

// Removes repeated values, keeping each one's first position: O(n log n), as
// a large function may make thousands of calls.
void keepFirstOccurrences(std::vector<uint32_t> &values) {
  std::vector<std::pair<uint32_t, uint32_t>> byValue; // (value, position)
  byValue.reserve(values.size());
  for (uint32_t i = 0; i < values.size(); ++i)
    byValue.emplace_back(values[i], i);
  std::sort(byValue.begin(), byValue.end());
  std::vector<bool> keep(values.size(), false);
  for (size_t i = 0; i < byValue.size(); ++i)
    if (i == 0 || byValue[i].first != byValue[i - 1].first)
      keep[byValue[i].second] = true;
  size_t kept = 0;
  for (size_t i = 0; i < values.size(); ++i)
    if (keep[i])
      values[kept++] = values[i];
  values.resize(kept);
}

} // namespace

Expected<FunctionFacts> CodeValidator::validate(uint32_t definedIndex) {
  funcIndex_ = module_.numImportedFuncs + definedIndex;
  const FunctionBody &body = module_.code[definedIndex];
  stack_.clear();
  ctrl_.clear();
  maxStack_ = 0;
  maxCtrl_ = 0;
  facts_ = FunctionFacts{};
  error_.reset();
  current_ = nullptr;
  if (!run(body))
    return std::move(*error_);
  facts_.maxOperandStackDepth = uint32_t(maxStack_);
  facts_.maxControlDepth = uint32_t(maxCtrl_);
  keepFirstOccurrences(facts_.directCallees);
  return std::move(facts_);
}

void CodeValidator::setupLocals(const FuncType &type, const FunctionBody &body) {
  locals_.assign(type.params.begin(), type.params.end());
  localRuns_.clear();
  numLocals_ = type.params.size();
  for (const LocalGroup &group : body.locals) {
    numLocals_ += group.count;
    // Huge local counts are legal; keep them as runs instead of expanding.
    if (localRuns_.empty() && numLocals_ <= kMaxDenseLocals)
      locals_.insert(locals_.end(), group.count, group.type);
    else
      localRuns_.push_back({numLocals_, group.type});
  }
}

ValType CodeValidator::localType(uint32_t index) const {
  if (index < locals_.size())
    return locals_[index];
  auto run = std::upper_bound(localRuns_.begin(), localRuns_.end(), uint64_t(index),
                              [](uint64_t value, const LocalRun &r) { return value < r.end; });
  return run->type;
}

bool CodeValidator::run(const FunctionBody &body) {
  const FuncType &type = module_.funcType(funcIndex_);
  setupLocals(type, body);
  InstrReader reader(body.code, body.codeOffset);
  reader_ = &reader;
  pushFrame(Opcode::Block, {}, type.results);
  Instr in;
  while (!reader.atEnd()) {
    if (!reader.next(in)) [[unlikely]] {
      error_ = reader.reader().makeError(ErrorKind::Malformed);
      return false;
    }
    current_ = &in;
    if (!step(in)) [[unlikely]]
      return false;
    if (ctrl_.empty()) {
      if (!reader.atEnd())
        return fail("END opcode expected: instructions after the function's final end",
                    ErrorKind::Malformed);
      return true;
    }
  }
  current_ = nullptr;
  return fail("unexpected end of section or function: END opcode expected",
              ErrorKind::Malformed);
}

bool CodeValidator::step(const Instr &in) {
  if (!allFeatures_ && !enabled_[unsigned(in.op)]) [[unlikely]]
    return fail("unknown operator: instruction needs a disabled feature",
                ErrorKind::Malformed);
  switch (in.op) {
  case Opcode::LocalGet:
    // The most frequent instruction; its common case stays in the loop.
    if (in.index < locals_.size()) [[likely]] {
      push(locals_[in.index]);
      return true;
    }
    return variable(in);
  case Opcode::Unreachable: case Opcode::Block: case Opcode::Loop: case Opcode::If:
  case Opcode::Else: case Opcode::End: case Opcode::Br: case Opcode::BrIf:
  case Opcode::BrTable: case Opcode::Return:
    return control(in);
  case Opcode::Call: case Opcode::CallIndirect:
    return call(in);
  case Opcode::Drop: case Opcode::Select: case Opcode::SelectTyped:
    return parametric(in);
  case Opcode::LocalSet: case Opcode::LocalTee:
  case Opcode::GlobalGet: case Opcode::GlobalSet:
    return variable(in);
  case Opcode::TableGet: case Opcode::TableSet: case Opcode::TableGrow:
  case Opcode::TableSize: case Opcode::TableFill: case Opcode::TableCopy:
  case Opcode::TableInit: case Opcode::ElemDrop:
    return table(in);
  case Opcode::RefNull: case Opcode::RefIsNull: case Opcode::RefFunc:
    return reference(in);
  case Opcode::MemoryInit: case Opcode::DataDrop: case Opcode::MemoryCopy:
  case Opcode::MemoryFill: case Opcode::MemorySize: case Opcode::MemoryGrow:
    return bulkMemory(in);
  default:
    break;
  }
  const OpTraits &traits = kTraits[unsigned(in.op)];
  if (traits.checkImmediates && !immediates(in))
    return false;
  for (unsigned i = traits.numParams; i-- > 0;)
    if (!pop(traits.params[i]))
      return false;
  if (traits.numResults)
    push(traits.result);
  return true;
}

bool CodeValidator::simple(Opcode op) {
  const OpTraits &traits = kTraits[unsigned(op)];
  for (unsigned i = traits.numParams; i-- > 0;)
    if (!pop(traits.params[i]))
      return false;
  if (traits.numResults)
    push(traits.result);
  return true;
}

// Memory accesses and SIMD lane immediates.
bool CodeValidator::immediates(const Instr &in) {
  const OpTraits &info = kTraits[unsigned(in.op)];
  switch (info.imm) {
  case ImmKind::MemArg:
  case ImmKind::MemArgLane:
    if (!checkMemory(in.memArg.memoryIndex))
      return false;
    if (in.memArg.alignLog2 > info.naturalAlignLog2) [[unlikely]] {
      // 2.0 encodes the alignment exponent in a u32 whose values from 32 up
      // are reserved, so they are an encoding error rather than a type error.
      if (in.memArg.alignLog2 >= 32)
        return fail("malformed memop flags", ErrorKind::Malformed);
      return fail("alignment must not be larger than natural");
    }
    facts_.usesMemory = true;
    if (info.imm == ImmKind::MemArgLane && in.lane >= info.laneCount)
      return fail(fmt::format("invalid lane index {}", in.lane));
    return true;
  case ImmKind::Lane:
    if (in.lane >= info.laneCount)
      return fail(fmt::format("invalid lane index {}", in.lane));
    return true;
  case ImmKind::Shuffle:
    for (uint8_t lane : in.v128.bytes)
      if (lane >= info.laneCount)
        return fail(fmt::format("invalid lane index {}", lane));
    return true;
  default:
    return true;
  }
}

bool CodeValidator::control(const Instr &in) {
  const Frame *target = nullptr;
  switch (in.op) {
  case Opcode::Unreachable:
    setUnreachable();
    return true;
  case Opcode::Block: case Opcode::Loop: case Opcode::If:
    return blockStart(in);
  case Opcode::Else: case Opcode::End:
    return elseOrEnd(in);
  case Opcode::Br:
    if (!label(in.index, target) || !popAll(labelTypes(*target)))
      return false;
    setUnreachable();
    return true;
  case Opcode::BrIf: {
    if (!pop(ValType::I32) || !label(in.index, target))
      return false;
    std::span<const ValType> types = labelTypes(*target);
    if (!popAll(types))
      return false;
    pushAll(types);
    return true;
  }
  case Opcode::BrTable:
    return branchTable();
  case Opcode::Return:
    if (!popAll(ctrl_.front().results))
      return false;
    setUnreachable();
    return true;
  default:
    return fail("internal error: not a control instruction", ErrorKind::Internal);
  }
}

bool CodeValidator::blockStart(const Instr &in) {
  std::span<const ValType> params, results;
  if (!resolveBlockType(in.blockType, params, results))
    return false;
  if (in.op == Opcode::If && !pop(ValType::I32))
    return false;
  if (!popAll(params))
    return false;
  if (in.op == Opcode::Loop)
    facts_.hasLoops = true;
  pushFrame(in.op, params, results);
  pushAll(params);
  return true;
}

bool CodeValidator::elseOrEnd(const Instr &in) {
  if (in.op == Opcode::Else) {
    Frame &top = ctrl_.back();
    if (top.op != Opcode::If)
      return fail("else without matching if", ErrorKind::Malformed);
    if (!endFrame())
      return false;
    top.op = Opcode::Else;
    top.unreachable = false;
    pushAll(top.params);
    return true;
  }
  Frame top = ctrl_.back();
  if (!endFrame())
    return false;
  // An `if` without `else` has an implicit empty else branch, which must
  // turn the block's parameters into its results unchanged.
  if (top.op == Opcode::If && !std::ranges::equal(top.params, top.results))
    return fail(fmt::format("type mismatch: if without else must have matching parameter "
                            "and result types"));
  ctrl_.pop_back();
  pushAll(top.results);
  return true;
}

// All targets must have the same arity, and the operands must match every
// target's label types. The operands stay in place while each target is
// checked, as in the spec's pop_vals/push_vals formulation.
bool CodeValidator::branchTable() {
  if (!pop(ValType::I32))
    return false;
  std::span<const uint32_t> targets = reader_->brTableTargets();
  const Frame *target = nullptr;
  if (!label(targets.back(), target))
    return false;
  size_t arity = labelTypes(*target).size();
  for (uint32_t depth : targets) {
    if (!label(depth, target))
      return false;
    std::span<const ValType> types = labelTypes(*target);
    if (types.size() != arity)
      return fail(fmt::format("type mismatch: br_table target {} has arity {}, expected {}",
                              depth, types.size(), arity));
    if (!checkLabelOperands(types))
      return false;
  }
  setUnreachable();
  return true;
}

bool CodeValidator::checkLabelOperands(std::span<const ValType> types) {
  const Frame &top = ctrl_.back();
  size_t available = stack_.size() - top.height;
  for (size_t k = 0; k < types.size(); ++k) {
    ValType expected = types[types.size() - 1 - k];
    if (k >= available) {
      if (top.unreachable)
        return true;
      return fail(fmt::format("type mismatch: expected {}, got nothing", typeName(expected)));
    }
    ValType actual = stack_[stack_.size() - 1 - k];
    if (actual != expected && actual != kUnknown)
      return mismatch(expected, actual);
  }
  return true;
}

bool CodeValidator::call(const Instr &in) {
  facts_.hasCalls = true;
  const FuncType *type = nullptr;
  if (in.op == Opcode::Call) {
    if (in.index >= module_.funcs.size())
      return fail(fmt::format("unknown function {}", in.index));
    type = &module_.funcType(in.index);
    facts_.directCallees.push_back(in.index);
  } else {
    facts_.hasIndirectCalls = true;
    facts_.usesTables = true;
    if (!checkTable(in.index2))
      return false;
    if (module_.tables[in.index2].elemType != ValType::FuncRef)
      return fail(fmt::format("type mismatch: call_indirect table {} is not a funcref table",
                              in.index2));
    if (in.index >= module_.types.size())
      return fail(fmt::format("unknown type {}", in.index));
    type = &module_.types[in.index];
    if (!pop(ValType::I32))
      return false;
  }
  if (!popAll(type->params))
    return false;
  pushAll(type->results);
  return true;
}

bool CodeValidator::variable(const Instr &in) {
  switch (in.op) {
  case Opcode::LocalGet: case Opcode::LocalSet: case Opcode::LocalTee: {
    if (in.index >= numLocals_)
      return fail(fmt::format("unknown local {}", in.index));
    ValType type = localType(in.index);
    if (in.op == Opcode::LocalGet) {
      push(type);
      return true;
    }
    if (!pop(type))
      return false;
    if (in.op == Opcode::LocalTee)
      push(type);
    return true;
  }
  default: {
    if (in.index >= module_.globals.size())
      return fail(fmt::format("unknown global {}", in.index));
    const GlobalType &global = module_.globals[in.index];
    if (in.op == Opcode::GlobalGet) {
      push(global.type);
      return true;
    }
    if (!global.isMutable)
      return fail(fmt::format("global is immutable: global {}", in.index));
    return pop(global.type);
  }
  }
}

bool CodeValidator::parametric(const Instr &in) {
  ValType first = kUnknown, second = kUnknown;
  switch (in.op) {
  case Opcode::Drop:
    return popAny(first);
  case Opcode::Select:
    if (!pop(ValType::I32) || !popAny(first) || !popAny(second))
      return false;
    // Untyped select only works on numeric and vector operands; references
    // need the typed form.
    if (!isNumOrUnknown(first) || !isNumOrUnknown(second))
      return fail(fmt::format("type mismatch: select without a type annotation needs "
                              "numeric or vector operands, got {} and {}",
                              typeName(second), typeName(first)));
    if (first != second && first != kUnknown && second != kUnknown)
      return mismatch(second, first);
    push(first == kUnknown ? second : first);
    return true;
  default: {
    if (in.selectTypeCount != 1)
      return fail("invalid result arity");
    ValType type = in.refType;
    if (!pop(ValType::I32) || !pop(type) || !pop(type))
      return false;
    push(type);
    return true;
  }
  }
}

bool CodeValidator::table(const Instr &in) {
  facts_.usesTables = true;
  if (in.op == Opcode::ElemDrop)
    return checkElem(in.index);
  if (in.op == Opcode::TableInit) {
    if (!checkTable(in.index2) || !checkElem(in.index))
      return false;
    if (module_.elements[in.index].elemType != module_.tables[in.index2].elemType)
      return fail(fmt::format("type mismatch: element segment {} of type {} does not fit "
                              "table {} of type {}",
                              in.index, valTypeName(module_.elements[in.index].elemType),
                              in.index2, valTypeName(module_.tables[in.index2].elemType)));
    return simple(in.op);
  }
  if (!checkTable(in.index))
    return false;
  ValType elem = module_.tables[in.index].elemType;
  switch (in.op) {
  case Opcode::TableGet:
    if (!pop(ValType::I32))
      return false;
    push(elem);
    return true;
  case Opcode::TableSet:
    return pop(elem) && pop(ValType::I32);
  case Opcode::TableGrow:
    if (!pop(ValType::I32) || !pop(elem))
      return false;
    push(ValType::I32);
    return true;
  case Opcode::TableFill:
    return pop(ValType::I32) && pop(elem) && pop(ValType::I32);
  case Opcode::TableCopy:
    if (!checkTable(in.index2))
      return false;
    if (module_.tables[in.index2].elemType != elem)
      return fail(fmt::format("type mismatch: table.copy between table {} of type {} and "
                              "table {} of type {}",
                              in.index, valTypeName(elem), in.index2,
                              valTypeName(module_.tables[in.index2].elemType)));
    return simple(in.op);
  default: // table.size
    return simple(in.op);
  }
}

bool CodeValidator::reference(const Instr &in) {
  switch (in.op) {
  case Opcode::RefNull:
    push(in.refType);
    return true;
  case Opcode::RefIsNull: {
    ValType type = kUnknown;
    if (!popAny(type))
      return false;
    if (type != kUnknown && !isRefType(type))
      return fail(fmt::format("type mismatch: expected a reference, got {}", typeName(type)));
    push(ValType::I32);
    return true;
  }
  default:
    if (in.index >= module_.funcs.size())
      return fail(fmt::format("unknown function {}", in.index));
    if (!declaredFuncRefs_[in.index])
      return fail(fmt::format("undeclared function reference {}", in.index));
    push(ValType::FuncRef);
    return true;
  }
}

bool CodeValidator::bulkMemory(const Instr &in) {
  facts_.usesMemory = true;
  switch (in.op) {
  case Opcode::MemoryInit:
    if (!checkDataCount() || !checkMemory(in.index2) || !checkDataIndex(in.index))
      return false;
    break;
  case Opcode::DataDrop:
    if (!checkDataCount() || !checkDataIndex(in.index))
      return false;
    break;
  case Opcode::MemoryCopy:
    if (!checkMemory(in.index) || !checkMemory(in.index2))
      return false;
    break;
  default: // memory.fill, memory.size, memory.grow
    if (!checkMemory(in.index))
      return false;
    break;
  }
  return simple(in.op);
}

bool CodeValidator::checkMemory(uint32_t index) {
  if (index >= module_.memories.size()) [[unlikely]]
    return fail(fmt::format("unknown memory {}", index));
  return true;
}

bool CodeValidator::checkTable(uint32_t index) {
  if (index >= module_.tables.size()) [[unlikely]]
    return fail(fmt::format("unknown table {}", index));
  return true;
}

bool CodeValidator::checkElem(uint32_t index) {
  if (index >= module_.elements.size()) [[unlikely]]
    return fail(fmt::format("unknown elem segment {}", index));
  return true;
}

// The binary format only allows data indices in code after a data count
// section. Without any data segments at all no index can be valid, so that case
// is reported as the validation error it also is: text-to-binary converters
// (like wabt) omit the data count section when there are no data segments.
bool CodeValidator::checkDataCount() {
  if (!module_.dataCount && !module_.data.empty()) [[unlikely]]
    return fail("data count section required", ErrorKind::Malformed);
  return true;
}

bool CodeValidator::checkDataIndex(uint32_t index) {
  if (index >= module_.dataCount.value_or(0)) [[unlikely]]
    return fail(fmt::format("unknown data segment {}", index));
  return true;
}

bool CodeValidator::popSlow(ValType expected) {
  const Frame &top = ctrl_.back();
  if (stack_.size() == top.height) {
    if (top.unreachable)
      return true;
    return fail(fmt::format("type mismatch: expected {}, got nothing", typeName(expected)));
  }
  ValType actual = stack_.back();
  stack_.pop_back();
  if (actual == expected || actual == kUnknown || expected == kUnknown)
    return true;
  return mismatch(expected, actual);
}

bool CodeValidator::popAny(ValType &out) {
  const Frame &top = ctrl_.back();
  if (stack_.size() == top.height) {
    if (top.unreachable) {
      out = kUnknown;
      return true;
    }
    return fail("type mismatch: expected an operand, got nothing");
  }
  out = stack_.back();
  stack_.pop_back();
  return true;
}

bool CodeValidator::popAll(std::span<const ValType> types) {
  for (size_t i = types.size(); i-- > 0;)
    if (!pop(types[i]))
      return false;
  return true;
}

void CodeValidator::setUnreachable() {
  Frame &top = ctrl_.back();
  stack_.resize(top.height);
  top.unreachable = true;
}

bool CodeValidator::resolveBlockType(const BlockType &type, std::span<const ValType> &params,
                                     std::span<const ValType> &results) {
  switch (type.kind) {
  case BlockType::Kind::Empty:
    params = {};
    results = {};
    return true;
  case BlockType::Kind::Value:
    params = {};
    results = singleType(type.valueType);
    return true;
  case BlockType::Kind::TypeIndex:
    if (type.typeIndex >= module_.types.size())
      return fail(fmt::format("unknown type {}", type.typeIndex));
    params = module_.types[type.typeIndex].params;
    results = module_.types[type.typeIndex].results;
    return true;
  }
  return true;
}

void CodeValidator::pushFrame(Opcode op, std::span<const ValType> params,
                              std::span<const ValType> results) {
  ctrl_.push_back(Frame{params, results, uint32_t(stack_.size()), op, false});
  if (ctrl_.size() > maxCtrl_)
    maxCtrl_ = ctrl_.size();
}

// Checks that the innermost frame's operands are exactly its results and
// leaves the stack at the frame's entry height.
bool CodeValidator::endFrame() {
  const Frame &top = ctrl_.back();
  if (!popAll(top.results))
    return false;
  if (stack_.size() != top.height)
    return fail(fmt::format("type mismatch: {} values remain on the stack at the end of the "
                            "block",
                            stack_.size() - top.height));
  return true;
}

bool CodeValidator::label(uint32_t depth, const Frame *&out) {
  if (depth >= ctrl_.size())
    return fail(fmt::format("unknown label {}", depth));
  out = &ctrl_[ctrl_.size() - 1 - depth];
  return true;
}

bool CodeValidator::fail(std::string message, ErrorKind kind) {
  if (error_)
    return false;
  std::string where = fmt::format("function {}", funcIndex_);
  if (current_)
    where += fmt::format(" at offset {:#x} ({})", current_->offset, opcodeName(current_->op));
  else if (reader_)
    where += fmt::format(" at offset {:#x}", reader_->offset());
  error_ = Error(kind, fmt::format("{}: {}", where, message));
  return false;
}

bool CodeValidator::mismatch(ValType expected, ValType actual) {
  return fail(fmt::format("type mismatch: expected {}, got {}", typeName(expected),
                          typeName(actual)));
}

} // namespace wasmrt::internal
