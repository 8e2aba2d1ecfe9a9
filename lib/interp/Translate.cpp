// Translation of a validated function body into the interpreter's internal
// code (Translate.h), in one pass with InstrReader.
//
// What is statically reachable, where fuel is charged and how loops are
// numbered follow the compiler's translator exactly (Translator.cpp
// translateBody/skipUnreachable/endsFuelRun, EmitControl.cpp), because fuel
// must run out at the same instruction in both tiers and OSR names loops by
// the compiler's numbers:
// - code after br, br_table, return and unreachable is skipped up to the
//   matching else/end; so is the code after the end of a block or if that
//   nothing reaches (neither a branch nor the fall-through), and after the end
//   of a loop whose body does not fall through;
// - every reachable instruction counts one unit; the count is charged before
//   each control instruction (that instruction included); an else or end met
//   while skipping is neither counted nor charged;
// - loops are numbered in the order they are met in reachable code.
#include "interp/Translate.h"

#include "binary/InstrReader.h"

#include <algorithm>
#include <cstring>

namespace wasmrt::internal::interp {

namespace {

constexpr uint32_t kNoFixup = UINT32_MAX;

class Translator {
public:
  Translator(const Module &module, const TranslateOptions &options, FunctionCode &out)
      : m_(module), options_(options), out_(out), code_(out.code) {}

  bool translate(const FunctionBody &body, const FuncType &type);

private:
  enum class Kind : uint8_t { Function, Block, Loop, If, Else };
  struct Ctl {
    Kind kind;
    uint32_t height;  // operand stack height below the block's parameters
    uint32_t params;
    uint32_t results;
    uint32_t start = 0;           // loops: the header's code offset
    uint32_t fixups = kNoFixup;   // chain of words to patch with the end's offset
    uint32_t elseFixup = kNoFixup;
    bool reached = false;         // a reachable branch targets the end
  };

  void emit(uint32_t word) { code_.push_back(word); }
  void emitOp(uint16_t operation, uint16_t aux = 0) {
    lastInstr_ = here();
    code_.push_back(uint32_t(operation) | uint32_t(aux) << 16);
  }
  void emit64(uint64_t value) {
    emit(uint32_t(value));
    emit(uint32_t(value >> 32));
  }
  uint32_t here() const { return uint32_t(code_.size()); }
  // A branch target at the current position: the previous instruction may no
  // longer be fused with the next.
  uint32_t label() {
    labelAt_ = here();
    return labelAt_;
  }
  // The previous instruction, if it is `operation`, `words` long and ends here
  // with no branch target in between: its position, else UINT32_MAX.
  uint32_t previous(uint16_t operation, uint32_t words) const {
    if (labelAt_ == here() || lastInstr_ + words != here() ||
        uint16_t(code_[lastInstr_]) != operation)
      return UINT32_MAX;
    return lastInstr_;
  }
  bool fuseI32Binary(Opcode wasm);
  // An i32 comparison just before a conditional branch (taken when the
  // comparison is `ifTrue`) becomes one instruction; its target is emitted next.
  bool fuseCompareBranch(bool ifTrue);
  // Drops an i32.eqz just before a conditional branch, which then branches
  // on the opposite condition.
  bool invertedCondition() {
    uint32_t at = previous(op(Opcode::I32Eqz), 1);
    if (at == UINT32_MAX)
      return false;
    code_.resize(at);
    return true;
  }
  void push(uint32_t n = 1) {
    height_ += n;
    maxHeight_ = std::max(maxHeight_, height_);
  }
  void pop(uint32_t n = 1) { height_ -= n; }
  Ctl &at(uint32_t depth) { return ctls_[ctls_.size() - 1 - depth]; }
  void resolve(uint32_t chain, uint32_t target) {
    while (chain != kNoFixup) {
      uint32_t next = code_[chain];
      code_[chain] = target;
      chain = next;
    }
  }
  void markUnreachable() {
    reachable_ = false;
    skipDepth_ = 0;
  }
  void blockSignature(const BlockType &type, uint32_t &params, uint32_t &results) const;
  void emitTarget(Ctl &ctl);
  // Target, arity and drop of a branch to `ctl` at the current height.
  void emitBranchOperands(Ctl &ctl);
  void emitBranch(uint32_t depth);
  void emitBrIf(uint32_t depth);
  void emitBrTable(std::span<const uint32_t> targets);
  void emitCall(uint32_t typeIndex);
  bool skipUnreachable(const Instr &in);
  bool translateControl(const Instr &in, InstrReader &reader);
  bool translateOther(const Instr &in);
  bool translateSimple(const Instr &in, const OpcodeInfo &info);

  const Module &m_;
  const TranslateOptions &options_;
  FunctionCode &out_;
  std::vector<uint32_t> &code_;
  // The access width of a value of `type`: 0 (32 bits), 1 (64) or 2 (128).
  static int widthOf(ValType type) {
    return type == ValType::I32 || type == ValType::F32 ? 0 : type == ValType::V128 ? 2 : 1;
  }
  void emitVariable(Opcode wasm, int width, uint32_t index);

  std::vector<Ctl> ctls_;
  std::vector<uint8_t> localWidths_;
  uint32_t height_ = 0;
  uint32_t maxHeight_ = 0;
  bool reachable_ = true;
  uint32_t skipDepth_ = 0;
  uint32_t pendingFuel_ = 0;
  uint32_t lastInstr_ = UINT32_MAX;
  uint32_t labelAt_ = UINT32_MAX;
};

void Translator::blockSignature(const BlockType &type, uint32_t &params,
                                uint32_t &results) const {
  switch (type.kind) {
  case BlockType::Kind::Empty: params = results = 0; return;
  case BlockType::Kind::Value:
    params = 0;
    results = 1;
    return;
  case BlockType::Kind::TypeIndex:
    params = uint32_t(m_.types[type.typeIndex].params.size());
    results = uint32_t(m_.types[type.typeIndex].results.size());
    return;
  }
}

void Translator::emitTarget(Ctl &ctl) {
  if (ctl.kind == Kind::Loop) {
    emit(ctl.start);
    return;
  }
  uint32_t link = ctl.fixups;
  ctl.fixups = here();
  ctl.reached = true;
  emit(link);
}

void Translator::emitBranchOperands(Ctl &ctl) {
  uint32_t arity = ctl.kind == Kind::Loop ? ctl.params : ctl.results;
  // The function's end returns the top `results` values wherever they are.
  uint32_t drop = ctl.kind == Kind::Function ? 0 : height_ - arity - ctl.height;
  emitTarget(ctl);
  emit(arity);
  emit(drop);
}

void Translator::emitBranch(uint32_t depth) {
  Ctl &ctl = at(depth);
  uint32_t arity = ctl.kind == Kind::Loop ? ctl.params : ctl.results;
  if (ctl.kind == Kind::Function || height_ == ctl.height + arity) {
    emitOp(op(InternalOp::Jump));
    emitTarget(ctl);
  } else {
    emitOp(op(InternalOp::BrMove));
    emitBranchOperands(ctl);
  }
  markUnreachable();
}

void Translator::emitBrIf(uint32_t depth) {
  pop(); // the condition
  Ctl &ctl = at(depth);
  uint32_t arity = ctl.kind == Kind::Loop ? ctl.params : ctl.results;
  if (ctl.kind == Kind::Function || height_ == ctl.height + arity) {
    if (!fuseCompareBranch(true))
      emitOp(op(invertedCondition() ? InternalOp::BrUnless : InternalOp::BrIfJump));
    emitTarget(ctl);
    return;
  }
  emitOp(op(InternalOp::BrUnless));
  uint32_t skip = here();
  emit(kNoFixup);
  emitOp(op(InternalOp::BrMove));
  emitBranchOperands(ctl);
  code_[skip] = label();
}

void Translator::emitBrTable(std::span<const uint32_t> targets) {
  pop(); // the index
  emitOp(op(InternalOp::BrTableX));
  emit(uint32_t(targets.size() - 1));
  for (uint32_t depth : targets)
    emitBranchOperands(at(depth));
  markUnreachable();
}

// Every call ends with the callee's type index and its parameter and result
// counts, for the paths that leave the interpreter (host, native code).
void Translator::emitCall(uint32_t typeIndex) {
  const FuncType &type = m_.types[typeIndex];
  emit(typeIndex);
  emit(uint32_t(type.params.size()));
  emit(uint32_t(type.results.size()));
  pop(uint32_t(type.params.size()));
  push(uint32_t(type.results.size()));
}

bool Translator::skipUnreachable(const Instr &in) {
  switch (in.op) {
  case Opcode::Block:
  case Opcode::Loop:
  case Opcode::If: ++skipDepth_; return true;
  case Opcode::Else:
  case Opcode::End:
    if (skipDepth_ == 0)
      return false; // handled like reachable ones, without fuel
    if (in.op == Opcode::End)
      --skipDepth_;
    return true;
  default: return true;
  }
}

bool Translator::translateControl(const Instr &in, InstrReader &reader) {
  switch (in.op) {
  case Opcode::Unreachable:
    emitOp(op(Opcode::Unreachable));
    markUnreachable();
    return true;
  case Opcode::Block:
  case Opcode::Loop:
  case Opcode::If: {
    uint32_t params = 0, results = 0;
    blockSignature(in.blockType, params, results);
    if (in.op == Opcode::If)
      pop();
    Ctl ctl{in.op == Opcode::Block  ? Kind::Block
            : in.op == Opcode::Loop ? Kind::Loop
                                    : Kind::If,
            height_ - params, params, results};
    if (in.op == Opcode::Loop) {
      ctl.start = label();
      if (options_.loopHeads) {
        emitOp(op(InternalOp::LoopHead));
        emit(out_.loops);
      }
      ++out_.loops;
    } else if (in.op == Opcode::If) {
      if (!fuseCompareBranch(false))
        emitOp(op(invertedCondition() ? InternalOp::BrIfJump : InternalOp::BrUnless));
      ctl.elseFixup = here();
      emit(kNoFixup);
    }
    ctls_.push_back(ctl);
    return true;
  }
  case Opcode::Else: {
    Ctl &ctl = ctls_.back();
    if (reachable_) {
      emitOp(op(InternalOp::Jump));
      emitTarget(ctl);
    }
    resolve(ctl.elseFixup, label());
    ctl.elseFixup = kNoFixup;
    ctl.kind = Kind::Else;
    height_ = ctl.height + ctl.params;
    reachable_ = true;
    return true;
  }
  case Opcode::End: {
    Ctl ctl = ctls_.back();
    ctls_.pop_back();
    bool after = ctl.kind == Kind::Loop ? reachable_
                                        : reachable_ || ctl.reached || ctl.kind == Kind::If;
    resolve(ctl.elseFixup, label());
    resolve(ctl.fixups, here());
    if (ctl.kind == Kind::Function) {
      emitOp(op(InternalOp::ReturnX));
      return true;
    }
    height_ = ctl.height + ctl.results;
    maxHeight_ = std::max(maxHeight_, height_);
    reachable_ = after;
    skipDepth_ = 0;
    return true;
  }
  case Opcode::Br: emitBranch(in.index); return true;
  case Opcode::BrIf: emitBrIf(in.index); return true;
  case Opcode::BrTable: emitBrTable(reader.brTableTargets()); return true;
  case Opcode::Return:
    emitOp(op(InternalOp::ReturnX));
    markUnreachable();
    return true;
  case Opcode::Call:
    emitOp(op(in.index < m_.numImportedFuncs ? InternalOp::CallImport : InternalOp::CallDefined));
    emit(in.index);
    emitCall(m_.funcs[in.index]);
    return true;
  case Opcode::CallIndirect:
    pop(); // the table index
    emitOp(op(InternalOp::CallIndirectX));
    emit(in.index2); // table
    emitCall(in.index);
    return true;
  default: return false;
  }
}

void Translator::emitVariable(Opcode wasm, int width, uint32_t index) {
  static constexpr InternalOp kNarrow[] = {InternalOp::LocalGet32, InternalOp::LocalSet32,
                                           InternalOp::LocalTee32, InternalOp::GlobalGet32,
                                           InternalOp::GlobalSet32};
  static constexpr InternalOp kWide[] = {InternalOp::LocalGet128, InternalOp::LocalSet128,
                                         InternalOp::LocalTee128, InternalOp::GlobalGet128,
                                         InternalOp::GlobalSet128};
  // Opcodes.def orders them local.get, local.set, local.tee, global.get, global.set.
  static_assert(op(Opcode::GlobalSet) - op(Opcode::LocalGet) == 4);
  size_t which = size_t(op(wasm) - op(Opcode::LocalGet));
  emitOp(width == 1 ? op(wasm) : op(width == 0 ? kNarrow[which] : kWide[which]));
  emit(index);
}

// Instructions with their own stack effect ("*" in Opcodes.def) or immediates.
bool Translator::translateOther(const Instr &in) {
  switch (in.op) {
  case Opcode::Nop: return true;
  case Opcode::Drop: emitOp(op(Opcode::Drop)); pop(); return true;
  case Opcode::Select:
  case Opcode::SelectTyped: emitOp(op(Opcode::Select)); pop(2); return true;
  case Opcode::LocalGet: emitVariable(in.op, localWidths_[in.index], in.index); push(); return true;
  case Opcode::LocalSet: emitVariable(in.op, localWidths_[in.index], in.index); pop(); return true;
  case Opcode::LocalTee: emitVariable(in.op, localWidths_[in.index], in.index); return true;
  case Opcode::GlobalGet:
    emitVariable(in.op, widthOf(m_.globals[in.index].type), in.index);
    push();
    return true;
  case Opcode::GlobalSet:
    emitVariable(in.op, widthOf(m_.globals[in.index].type), in.index);
    pop();
    return true;
  case Opcode::TableGet: emitOp(op(in.op)); emit(in.index); return true;
  case Opcode::TableSet: emitOp(op(in.op)); emit(in.index); pop(2); return true;
  case Opcode::TableSize: emitOp(op(in.op)); emit(in.index); push(); return true;
  case Opcode::TableGrow: emitOp(op(in.op)); emit(in.index); pop(); return true;
  case Opcode::TableFill: emitOp(op(in.op)); emit(in.index); pop(3); return true;
  case Opcode::TableCopy:
    emitOp(op(in.op));
    emit(in.index);
    emit(in.index2);
    pop(3);
    return true;
  case Opcode::TableInit:
    emitOp(op(in.op));
    emit(in.index2); // table
    emit(in.index);  // element segment
    pop(3);
    return true;
  case Opcode::ElemDrop: emitOp(op(in.op)); emit(in.index); return true;
  case Opcode::MemoryInit: emitOp(op(in.op)); emit(in.index); pop(3); return true;
  case Opcode::DataDrop: emitOp(op(in.op)); emit(in.index); return true;
  case Opcode::RefNull: emitOp(op(in.op)); push(); return true;
  case Opcode::RefIsNull: emitOp(op(in.op)); return true;
  case Opcode::RefFunc: emitOp(op(in.op)); emit(in.index); push(); return true;
  case Opcode::I32Const: emitOp(op(in.op)); emit(uint32_t(in.value.i32)); push(); return true;
  case Opcode::F32Const: emitOp(op(in.op)); emit(in.value.f32Bits); push(); return true;
  case Opcode::I64Const: emitOp(op(in.op)); emit64(uint64_t(in.value.i64)); push(); return true;
  case Opcode::F64Const: emitOp(op(in.op)); emit64(in.value.f64Bits); push(); return true;
  case Opcode::V128Const:
    emitOp(op(in.op));
    for (int i = 0; i < 4; ++i) {
      uint32_t word;
      std::memcpy(&word, in.v128.bytes + 4 * i, 4);
      emit(word);
    }
    push();
    return true;
  default: return false;
  }
}

// An i32 binary operator whose right operand was just pushed by i32.const or
// a 32-bit local.get becomes one fused instruction.
bool Translator::fuseI32Binary(Opcode wasm) {
  if (op(wasm) < op(Opcode::I32Eqz) || op(wasm) > op(Opcode::I32Rotr) ||
      opcodeInfo(wasm).signature != "ii:i")
    return false;
  uint32_t at = previous(op(Opcode::I32Const), 2);
  uint16_t fused = i32ConstRhs(wasm);
  if (at == UINT32_MAX) {
    at = previous(op(InternalOp::LocalGet32), 2);
    fused = i32LocalRhs(wasm);
  }
  if (at == UINT32_MAX)
    return false;
  uint32_t operand = code_[at + 1];
  code_.resize(at);
  emitOp(fused);
  emit(operand);
  return true;
}

bool Translator::fuseCompareBranch(bool ifTrue) {
  if (lastInstr_ == UINT32_MAX || labelAt_ == here())
    return false;
  uint16_t previousOp = uint16_t(code_[lastInstr_]);
  Rhs rhs = Rhs::Stack;
  Opcode compare;
  auto within = [&](uint16_t first, uint16_t last) {
    return previousOp >= first && previousOp <= last;
  };
  if (within(op(Opcode::I32Eq), op(Opcode::I32GeU))) {
    compare = Opcode(previousOp);
  } else if (within(i32ConstRhs(Opcode::I32Eq), i32ConstRhs(Opcode::I32GeU))) {
    rhs = Rhs::Const;
    compare = Opcode(previousOp - i32ConstRhs(Opcode::I32Eqz) + op(Opcode::I32Eqz));
  } else if (within(i32LocalRhs(Opcode::I32Eq), i32LocalRhs(Opcode::I32GeU))) {
    rhs = Rhs::Local;
    compare = Opcode(previousOp - i32LocalRhs(Opcode::I32Eqz) + op(Opcode::I32Eqz));
  } else {
    return false;
  }
  uint32_t words = rhs == Rhs::Stack ? 1 : 2;
  if (lastInstr_ + words != here())
    return false;
  uint32_t operand = rhs == Rhs::Stack ? 0 : code_[lastInstr_ + 1];
  code_.resize(lastInstr_);
  emitOp(i32CompareBranch(compare, rhs, ifTrue));
  if (rhs != Rhs::Stack)
    emit(operand);
  return true;
}

// Instructions fully described by their Opcodes.def signature: numeric ones,
// memory accesses (immediate: the offset, then the lane) and SIMD.
bool Translator::translateSimple(const Instr &in, const OpcodeInfo &info) {
  size_t colon = info.signature.find(':');
  if (colon == std::string_view::npos)
    return false;
  uint32_t pops = uint32_t(colon);
  uint32_t pushes = uint32_t(info.signature.size() - colon - 1);
  bool memArg = info.imm == ImmKind::MemArg || info.imm == ImmKind::MemArgLane;
  if (info.prefix == 0xFD && !memArg && in.op != Opcode::V128Const) {
    uint32_t immWords = info.imm == ImmKind::Lane ? 1 : info.imm == ImmKind::Shuffle ? 4 : 0;
    emitOp(op(InternalOp::SimdArith), uint16_t(pops | immWords << 8));
    emit(op(in.op));
    if (info.imm == ImmKind::Lane) {
      emit(in.lane);
    } else if (info.imm == ImmKind::Shuffle) {
      for (int i = 0; i < 4; ++i) {
        uint32_t word;
        std::memcpy(&word, in.v128.bytes + 4 * i, 4);
        emit(word);
      }
    }
  } else if (!fuseI32Binary(in.op)) {
    emitOp(op(in.op));
    if (memArg) {
      // Memory64 is not part of Wasm 2.0: offsets are u32.
      if (in.memArg.offset > UINT32_MAX)
        return false;
      emit(uint32_t(in.memArg.offset));
      if (info.imm == ImmKind::MemArgLane)
        emit(in.lane);
    } else if (info.imm != ImmKind::None && info.imm != ImmKind::MemIdx &&
               info.imm != ImmKind::MemoryCopy) {
      return false;
    }
  }
  pop(pops);
  push(pushes);
  return true;
}

bool Translator::translate(const FunctionBody &body, const FuncType &type) {
  localWidths_.reserve(out_.numLocals);
  for (ValType param : type.params)
    localWidths_.push_back(uint8_t(widthOf(param)));
  for (const LocalGroup &group : body.locals)
    localWidths_.insert(localWidths_.end(), group.count, uint8_t(widthOf(group.type)));
  ctls_.push_back(Ctl{Kind::Function, 0, 0, out_.numResults});
  InstrReader reader(body.code, body.codeOffset);
  Instr in;
  while (!ctls_.empty()) {
    if (!reader.next(in))
      return false;
    if (!reachable_ && skipUnreachable(in))
      continue;
    if (reachable_ && options_.consumeFuel) {
      ++pendingFuel_;
      if (endsFuelRun(in.op)) {
        emitOp(op(InternalOp::Fuel));
        emit(pendingFuel_);
        pendingFuel_ = 0;
      }
    }
    if (translateControl(in, reader) || translateOther(in))
      continue;
    if (!translateSimple(in, opcodeInfo(in.op)))
      return false;
  }
  out_.frameSlots = out_.numLocals + maxHeight_;
  return true;
}

} // namespace

std::unique_ptr<FunctionCode> translateFunction(const Module &module, uint32_t funcIndex,
                                                const TranslateOptions &options) {
  auto out = std::make_unique<FunctionCode>();
  const FunctionBody &body = module.code[funcIndex - module.numImportedFuncs];
  const FuncType &type = module.funcType(funcIndex);
  out->funcIndex = funcIndex;
  out->typeIndex = module.funcs[funcIndex];
  out->numParams = uint32_t(type.params.size());
  out->numLocals = uint32_t(type.params.size() + body.numLocals);
  out->numResults = uint32_t(type.results.size());
  out->bytecodeSize = body.code.size();
  // About one word per byte of bytecode, measured on the kernels.
  out->code.reserve(body.code.size() + 8);
  Translator translator(module, options, *out);
  if (!translator.translate(body, type))
    return nullptr;
  out->code.shrink_to_fit();
  return out;
}

} // namespace wasmrt::internal::interp
