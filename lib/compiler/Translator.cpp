// The translation driver: function set-up, the instruction loop and dispatch,
// variables, parametric instructions, constants, context access and traps.
#include "compiler/FunctionTranslator.h"

#include <fmt/format.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

namespace wasmrt::internal::compiler {

using abi::TrapKind;

FunctionTranslator::FunctionTranslator(ModuleEmitter &module)
    : m_(module), context_(module.context()), b_(module.context()),
      boundsChecks_(module.options().explicitBoundsChecks),
      probeStores_(needsStoreProbes(module.options(), module.out().getTargetTriple())) {}

bool FunctionTranslator::fail(ErrorKind kind, const Instr &in, std::string_view what) {
  error_.emplace(kind, fmt::format("function {}: {} at offset {:#x}: {}", funcIndex_,
                                   opcodeName(in.op), in.offset, what));
  return false;
}

Expected<void> FunctionTranslator::translate(uint32_t definedIndex,
                                             const FunctionVariant &variant) {
  const Module &wasm = m_.wasm();
  funcIndex_ = wasm.numImportedFuncs + definedIndex;
  type_ = &wasm.funcType(funcIndex_);
  facts_ = definedIndex < wasm.functionFacts.size() ? &wasm.functionFacts[definedIndex] : nullptr;
  variant_ = variant;
  function_ = variant.osrEntry ? m_.defineOsrEntry(funcIndex_) : m_.wasmFunction(funcIndex_);
  error_.reset();

  beginFunction(definedIndex);
  const FunctionBody &body = wasm.code[definedIndex];
  InstrReader reader(body.code, body.codeOffset);
  if (!translateBody(reader))
    return std::move(*error_);
  finishFunction();

  if (m_.options().verifyIR) {
    std::string message;
    llvm::raw_string_ostream out(message);
    if (llvm::verifyFunction(*function_, &out))
      return Error(ErrorKind::Internal,
                   fmt::format("function {}: generated invalid IR: {}", funcIndex_, message));
  }
  return {};
}

void FunctionTranslator::beginFunction(uint32_t definedIndex) {
  const FunctionBody &body = m_.wasm().code[definedIndex];
  locals_.clear();
  localTypes_.clear();
  stack_.clear();
  frames_.clear();
  trapBlocks_.fill(nullptr);
  globalsArray_ = tablesArray_ = funcRefsArray_ = typeIdsArray_ = fuelCounter_ = nullptr;
  globalCells_.clear();
  funcRefs_.clear();
  tableDatas_.clear();
  typeIds_.clear();
  memoryBase_ = nullptr;
  memoryBaseVar_ = memorySizeVar_ = nullptr;
  reachable_ = true;
  skipDepth_ = 0;
  loopsEmitted_ = 0;
  hotness_ = nullptr;
  osrSwitch_ = nullptr;

  b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", function_));
  ctx_ = function_->getArg(0);
  size_t numLocals = type_->params.size() + size_t(body.numLocals);
  locals_.reserve(numLocals);
  localTypes_.reserve(numLocals);
  for (size_t i = 0; i < type_->params.size(); ++i) {
    llvm::Type *type = m_.valType(type_->params[i]);
    locals_.push_back(b_.CreateAlloca(type));
    localTypes_.push_back(type);
  }
  for (const LocalGroup &group : body.locals) {
    llvm::Type *type = m_.valType(group.type);
    for (uint32_t i = 0; i < group.count; ++i) {
      locals_.push_back(b_.CreateAlloca(type));
      localTypes_.push_back(type);
    }
  }
  // Invariant context loads are inserted before this placeholder, so they
  // dominate the whole body; it is erased when the function is done.
  entryPoint_ = b_.CreateAlloca(m_.i8Ty);
  if (variant_.osrEntry) {
    for (size_t i = 0; i < locals_.size(); ++i)
      b_.CreateStore(b_.CreateAlignedLoad(localTypes_[i], stateSlot(function_->getArg(1), i),
                                          llvm::Align(16)),
                     locals_[i]);
  } else {
    for (size_t i = 0; i < type_->params.size(); ++i)
      b_.CreateStore(function_->getArg(unsigned(2 + i)), locals_[i]);
    for (size_t i = type_->params.size(); i < locals_.size(); ++i)
      b_.CreateStore(llvm::Constant::getNullValue(localTypes_[i]), locals_[i]);
  }

  if (!m_.wasm().memories.empty() && (!facts_ || facts_->usesMemory))
    loadMemoryState();
  pushFrame(FrameKind::Function, {}, type_->results);
  emitStackCheck();
  pendingFuel_ = 0;
  if (variant_.osrEntry) {
    beginOsrEntry();
    return;
  }
  if (m_.options().epochInterruption)
    emitEpochCheck();
  if (variant_.countHotness)
    emitHotnessCount(kNoLoop);
}

void FunctionTranslator::emitEpochCheck() {
  // The counter is bumped by other threads: an unordered atomic load, re-read
  // at every check. The deadline may change during host calls.
  llvm::Value *counter = entryLoad(ctx_, abi::kEpochCounterOffset, m_.ptrTy);
  llvm::LoadInst *epoch = b_.CreateLoad(m_.i64Ty, counter);
  epoch->setAtomic(llvm::AtomicOrdering::Monotonic);
  epoch->setAlignment(llvm::Align(8));
  llvm::Value *deadline = contextField(abi::kEpochDeadlineOffset, m_.i64Ty);
  trapIf(b_.CreateICmpUGE(epoch, deadline), TrapKind::Interrupted);
}

void FunctionTranslator::chargeFuel() {
  if (pendingFuel_ == 0)
    return;
  // The counter is the store's and shared by all its instances: a call into
  // another instance draws on it too, so it is charged through memory.
  llvm::Value *counter = contextArray(abi::kFuelCounterOffset, fuelCounter_);
  llvm::Value *left = b_.CreateSub(b_.CreateLoad(m_.i64Ty, counter), b_.getInt64(pendingFuel_));
  b_.CreateStore(left, counter);
  pendingFuel_ = 0;
  trapIf(b_.CreateICmpSLT(left, b_.getInt64(0)), TrapKind::OutOfFuel);
}

void FunctionTranslator::emitStackCheck() {
  // Leaf functions with small frames run in the reserve the runtime keeps
  // below the limit; everything else checks before it can recurse.
  if (facts_ && !facts_->hasCalls &&
      locals_.size() + facts_->maxOperandStackDepth < 256)
    return;
  llvm::Function *frameAddress = llvm::Intrinsic::getDeclaration(
      &m_.out(), llvm::Intrinsic::frameaddress, {m_.ptrTy});
  llvm::Value *frame = b_.CreatePtrToInt(b_.CreateCall(frameAddress, {b_.getInt32(0)}), m_.i64Ty);
  llvm::Value *limit = contextField(abi::kStackLimitOffset, m_.i64Ty);
  trapIf(b_.CreateICmpULT(frame, limit), TrapKind::CallStackExhausted);
}

void FunctionTranslator::finishFunction() {
  entryPoint_->eraseFromParent();
  entryPoint_ = nullptr;
  for (llvm::BasicBlock *block : trapBlocks_)
    if (block)
      block->insertInto(function_);
}

bool FunctionTranslator::translateBody(InstrReader &reader) {
  Instr in;
  while (!frames_.empty()) {
    if (!reader.next(in)) [[unlikely]] {
      error_.emplace(reader.reader().makeError(ErrorKind::Malformed));
      return false;
    }
    if (!reachable_) {
      skipUnreachable(in);
      continue;
    }
    if (m_.options().consumeFuel) {
      ++pendingFuel_;
      if (endsFuelRun(in.op))
        chargeFuel();
    }
    if (!emit(in, reader)) [[unlikely]]
      return false;
  }
  return true;
}

bool FunctionTranslator::skipUnreachable(const Instr &in) {
  switch (in.op) {
  case Opcode::Block:
  case Opcode::Loop:
  case Opcode::If:
    ++skipDepth_;
    return true;
  case Opcode::Else:
    if (skipDepth_ == 0)
      emitElse();
    return true;
  case Opcode::End:
    if (skipDepth_ == 0)
      emitEnd();
    else
      --skipDepth_;
    return true;
  default:
    return true;
  }
}

bool FunctionTranslator::emit(const Instr &in, InstrReader &reader) {
  switch (in.op) {
  case Opcode::Unreachable: emitUnreachable(); return true;
  case Opcode::Nop: return true;
  case Opcode::Block: emitBlock(in); return true;
  case Opcode::Loop: emitLoop(in); return true;
  case Opcode::If: emitIf(in); return true;
  case Opcode::Else: emitElse(); return true;
  case Opcode::End: emitEnd(); return true;
  case Opcode::Br: emitBr(in.index); return true;
  case Opcode::BrIf: emitBrIf(in.index); return true;
  case Opcode::BrTable: emitBrTable(reader.brTableTargets()); return true;
  case Opcode::Return: emitReturn(); return true;
  case Opcode::Call: emitCall(in.index); return true;
  case Opcode::CallIndirect: emitCallIndirect(in.index, in.index2); return true;
  case Opcode::Drop: emitDrop(); return true;
  case Opcode::Select:
  case Opcode::SelectTyped: emitSelect(); return true;
  case Opcode::LocalGet:
  case Opcode::LocalSet:
  case Opcode::LocalTee:
  case Opcode::GlobalGet:
  case Opcode::GlobalSet: emitVariable(in); return true;
  case Opcode::TableGet:
  case Opcode::TableSet:
  case Opcode::TableGrow:
  case Opcode::TableSize:
  case Opcode::TableFill:
  case Opcode::TableCopy:
  case Opcode::TableInit:
  case Opcode::ElemDrop: emitTableInstr(in); return true;
  case Opcode::RefNull:
  case Opcode::RefIsNull:
  case Opcode::RefFunc: emitReference(in); return true;
  case Opcode::MemorySize:
  case Opcode::MemoryGrow:
  case Opcode::MemoryInit:
  case Opcode::DataDrop:
  case Opcode::MemoryCopy:
  case Opcode::MemoryFill: emitMemoryInstr(in); return true;
  case Opcode::I32Const:
  case Opcode::I64Const:
  case Opcode::F32Const:
  case Opcode::F64Const: emitConstant(in); return true;
  default: break;
  }
  const OpcodeInfo &info = opcodeInfo(in.op);
  if (info.prefix == 0xFD)
    return emitSimd(in);
  if (info.imm == ImmKind::MemArg) {
    // Loads produce a value ("i:T"); stores do not ("iT:").
    if (info.signature.back() == ':')
      emitStore(in);
    else
      emitLoad(in);
    return true;
  }
  return emitSimple(in);
}

// Instructions typed entirely by their Opcodes.def signature ("ab:c") with no
// immediates: numeric operators and conversions.
bool FunctionTranslator::emitSimple(const Instr &in) {
  const OpcodeInfo &info = opcodeInfo(in.op);
  size_t colon = info.signature.find(':');
  if (info.imm != ImmKind::None || colon == std::string_view::npos || colon > 2 ||
      info.signature.size() - colon - 1 != 1)
    return fail(ErrorKind::Internal, in, "instruction has no emitter");
  std::span<llvm::Value *const> args = top(colon);
  llvm::Value *result = emitNumeric(in.op, args);
  if (!result && colon == 1)
    result = emitConversion(in.op, args[0]);
  if (!result)
    return fail(ErrorKind::Internal, in, "instruction has no emitter");
  stack_.resize(stack_.size() - colon);
  push(result);
  return true;
}

void FunctionTranslator::emitVariable(const Instr &in) {
  switch (in.op) {
  case Opcode::LocalGet:
    push(b_.CreateLoad(localTypes_[in.index], locals_[in.index]));
    return;
  case Opcode::LocalSet:
    b_.CreateStore(pop(), locals_[in.index]);
    return;
  case Opcode::LocalTee:
    b_.CreateStore(stack_.back(), locals_[in.index]);
    return;
  case Opcode::GlobalGet: {
    const GlobalType &global = m_.wasm().globals[in.index];
    llvm::LoadInst *load = b_.CreateLoad(m_.valType(global.type), globalCell(in.index));
    // An immutable global's cell never changes once the instance exists.
    if (!global.isMutable)
      load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
    push(load);
    return;
  }
  case Opcode::GlobalSet:
    b_.CreateStore(pop(), globalCell(in.index));
    return;
  default:
    return;
  }
}

void FunctionTranslator::emitSelect() {
  llvm::Value *condition = pop();
  llvm::Value *ifFalse = pop();
  llvm::Value *ifTrue = pop();
  push(b_.CreateSelect(b_.CreateICmpNE(condition, b_.getInt32(0)), ifTrue, ifFalse));
}

void FunctionTranslator::emitConstant(const Instr &in) {
  switch (in.op) {
  case Opcode::I32Const:
    push(b_.getInt32(uint32_t(in.value.i32)));
    return;
  case Opcode::I64Const:
    push(b_.getInt64(uint64_t(in.value.i64)));
    return;
  // Built from the bit pattern, so NaN payloads survive exactly.
  case Opcode::F32Const:
    push(llvm::ConstantFP::get(
        context_, llvm::APFloat(llvm::APFloat::IEEEsingle(), llvm::APInt(32, in.value.f32Bits))));
    return;
  case Opcode::F64Const:
    push(llvm::ConstantFP::get(
        context_, llvm::APFloat(llvm::APFloat::IEEEdouble(), llvm::APInt(64, in.value.f64Bits))));
    return;
  default:
    return;
  }
}

llvm::Value *FunctionTranslator::contextField(size_t offset, llvm::Type *type) {
  return b_.CreateLoad(type, b_.CreateConstInBoundsGEP1_64(m_.i8Ty, ctx_, offset));
}

llvm::Value *FunctionTranslator::entryLoad(llvm::Value *base, uint64_t byteOffset,
                                           llvm::Type *type) {
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  b_.SetInsertPoint(entryPoint_);
  llvm::LoadInst *load =
      b_.CreateLoad(type, b_.CreateConstInBoundsGEP1_64(m_.i8Ty, base, byteOffset));
  load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(context_, {}));
  return load;
}

llvm::Value *FunctionTranslator::contextArray(size_t offset, llvm::Value *&cache) {
  if (!cache)
    cache = entryLoad(ctx_, offset, m_.ptrTy);
  return cache;
}

llvm::Value *FunctionTranslator::globalCell(uint32_t globalIndex) {
  llvm::Value *&cell = globalCells_[globalIndex];
  if (!cell)
    cell = entryLoad(contextArray(abi::kGlobalsOffset, globalsArray_), uint64_t(globalIndex) * 8,
                     m_.ptrTy);
  return cell;
}

llvm::Value *FunctionTranslator::funcRef(uint32_t funcIndex) {
  llvm::Value *&ref = funcRefs_[funcIndex];
  if (!ref)
    ref = entryLoad(contextArray(abi::kFuncRefsOffset, funcRefsArray_), uint64_t(funcIndex) * 8,
                    m_.ptrTy);
  return ref;
}

llvm::Value *FunctionTranslator::tableData(uint32_t tableIndex) {
  llvm::Value *&table = tableDatas_[tableIndex];
  if (!table)
    table = entryLoad(contextArray(abi::kTablesOffset, tablesArray_), uint64_t(tableIndex) * 8,
                      m_.ptrTy);
  return table;
}

llvm::Value *FunctionTranslator::typeId(uint32_t typeIndex) {
  llvm::Value *&id = typeIds_[typeIndex];
  if (!id)
    id = entryLoad(contextArray(abi::kTypeIdsOffset, typeIdsArray_), uint64_t(typeIndex) * 4,
                   m_.i32Ty);
  return id;
}

llvm::BasicBlock *FunctionTranslator::trapBlock(TrapKind kind) {
  llvm::BasicBlock *&block = trapBlocks_[size_t(kind) % trapBlocks_.size()];
  if (!block) {
    // Detached until finishFunction, so the cold blocks end up last.
    block = llvm::BasicBlock::Create(context_, "trap");
    llvm::IRBuilder<> builder(block);
    builder.CreateCall(m_.runtimeEntry(RuntimeEntry::wasmrt_trap),
                       {ctx_, builder.getInt32(uint32_t(kind))});
    builder.CreateUnreachable();
  }
  return block;
}

void FunctionTranslator::trapIf(llvm::Value *condition, TrapKind kind) {
  // Checks the IRBuilder folded away (e.g. division by a non-zero constant).
  if (auto *constant = llvm::dyn_cast<llvm::ConstantInt>(condition); constant && constant->isZero())
    return;
  auto *next = llvm::BasicBlock::Create(context_, "", function_);
  llvm::MDNode *weights = llvm::MDBuilder(context_).createBranchWeights(1, 1u << 20);
  b_.CreateCondBr(condition, trapBlock(kind), next, weights);
  b_.SetInsertPoint(next);
}

void FunctionTranslator::callRuntime(RuntimeEntry entry,
                                     std::initializer_list<llvm::Value *> args) {
  b_.CreateCall(m_.runtimeEntry(entry), args);
}

llvm::Value *FunctionTranslator::callRuntimeValue(RuntimeEntry entry,
                                                  std::initializer_list<llvm::Value *> args) {
  return b_.CreateCall(m_.runtimeEntry(entry), args);
}

Expected<void> translateChunk(const Module &wasm, const CompileOptions &options,
                              llvm::Module &out, uint32_t firstDefined, uint32_t endDefined,
                              bool withGlue, const FunctionVariant &variant) {
  ModuleEmitter emitter(wasm, options, out);
  if (variant.interpreterThunk) {
    for (uint32_t i = firstDefined; i < endDefined; ++i)
      emitter.defineInterpreterThunk(wasm.numImportedFuncs + i);
  } else {
    FunctionTranslator translator(emitter);
    for (uint32_t i = firstDefined; i < endDefined; ++i) {
      if (auto done = translator.translate(i, variant); !done)
        return done;
      uint32_t funcIndex = wasm.numImportedFuncs + i;
      if (variant.osrEntry && options.interpreterEntry)
        emitter.defineOsrArrayEntry(funcIndex, out.getFunction(osrEntrySymbol(funcIndex)));
    }
  }
  if (withGlue) {
    for (uint32_t typeIndex = 0; typeIndex < wasm.types.size(); ++typeIndex) {
      emitter.defineEntryTrampoline(typeIndex);
      emitter.defineHostAdapter(typeIndex);
    }
  }
  return {};
}

} // namespace wasmrt::internal::compiler
