// Internal: translates one Wasm function body to LLVM IR in a single pass.
//
// The operand stack and the control stack exist only at compile time: stack
// entries are SSA values, and values flowing into a label (block/if results,
// loop parameters) become phi nodes of the label's block. Locals are entry-
// block allocas that mem2reg/SROA promote. Code after an unconditional branch
// is skipped up to the matching `else`/`end` (it has no effect and its stack
// is polymorphic).
//
// The emitters are split by opcode group: Translator.cpp (driver, variables,
// parametric), EmitControl.cpp, EmitNumeric.cpp, EmitConversions.cpp,
// EmitMemory.cpp, EmitTables.cpp, EmitCalls.cpp, and for SIMD (v128 values
// are <16 x i8> everywhere and bitcast to the lane shape per instruction)
// EmitSimdLanes.cpp, EmitSimdArith.cpp, EmitSimdConvert.cpp, EmitSimdMemory.cpp.
#pragma once

#include "binary/InstrReader.h"
#include "compiler/ModuleEmitter.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/IRBuilder.h>

#include <array>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace wasmrt::internal::compiler {

// Whether stores of more than one byte are preceded by a probe of their last
// byte (EmitMemory.cpp): guarded mode on AArch64, or when forced.
bool needsStoreProbes(const CompileOptions &options, const std::string &targetTriple);

class FunctionTranslator {
public:
  explicit FunctionTranslator(ModuleEmitter &module);
  // Translates defined function `definedIndex` into its wasmrt_func_<i>, or
  // into its OSR entry (variant.osrEntry).
  Expected<void> translate(uint32_t definedIndex, const FunctionVariant &variant = {});

private:
  enum class FrameKind : uint8_t { Function, Block, Loop, If, Else };
  struct Frame {
    FrameKind kind = FrameKind::Block;
    uint32_t numParams = 0;
    uint32_t numResults = 0;
    size_t height = 0; // operand stack size below the frame's parameters
    llvm::BasicBlock *endBlock = nullptr;  // continuation; holds the result phis
    llvm::BasicBlock *loopHeader = nullptr; // Loop: branch target; parameter phis
    llvm::BasicBlock *elseBlock = nullptr;  // If before its `else`
    llvm::SmallVector<llvm::PHINode *, 2> endPhis;
    llvm::SmallVector<llvm::PHINode *, 2> loopPhis;
    // OSR entry only (EmitTiering.cpp): the operand stack below the frame,
    // merged at the loop head and at the end, and as it was on entry.
    llvm::SmallVector<llvm::PHINode *, 2> osrBelowPhis;
    llvm::SmallVector<llvm::PHINode *, 2> endBelowPhis;
    llvm::SmallVector<llvm::Value *, 2> belowAtEntry;
    llvm::SmallVector<llvm::Value *, 2> ifParams; // re-pushed at `else`
  };

  // Translator.cpp: driver and small instruction groups.
  void beginFunction(uint32_t definedIndex);
  bool translateBody(InstrReader &reader);
  bool skipUnreachable(const Instr &in);
  bool emit(const Instr &in, InstrReader &reader);
  bool emitSimple(const Instr &in);
  void emitVariable(const Instr &in);
  void emitSelect();
  void emitConstant(const Instr &in);
  void emitStackCheck();
  void emitEpochCheck();
  void chargeFuel();
  void finishFunction();
  bool fail(ErrorKind kind, const Instr &in, std::string_view what);

  // Operand stack.
  void push(llvm::Value *value) { stack_.push_back(value); }
  llvm::Value *pop() {
    llvm::Value *value = stack_.back();
    stack_.pop_back();
    return value;
  }
  std::span<llvm::Value *const> top(size_t count) const {
    return std::span<llvm::Value *const>(stack_).last(count);
  }

  // Instance context access. Loads of fields that are fixed for an instance's
  // lifetime are placed once in the entry block and marked invariant.
  llvm::Value *contextField(size_t offset, llvm::Type *type);
  llvm::Value *entryLoad(llvm::Value *base, uint64_t byteOffset, llvm::Type *type);
  llvm::Value *globalCell(uint32_t globalIndex);
  llvm::Value *funcRef(uint32_t funcIndex);
  llvm::Value *tableData(uint32_t tableIndex);
  llvm::Value *typeId(uint32_t typeIndex);
  llvm::Value *contextArray(size_t offset, llvm::Value *&cache);

  // Traps: one cold block per kind and function calls wasmrt_trap.
  llvm::BasicBlock *trapBlock(abi::TrapKind kind);
  void trapIf(llvm::Value *condition, abi::TrapKind kind);
  void callRuntime(RuntimeEntry entry, std::initializer_list<llvm::Value *> args);
  llvm::Value *callRuntimeValue(RuntimeEntry entry, std::initializer_list<llvm::Value *> args);

  // EmitTiering.cpp: hotness counting in baseline code and on-stack
  // replacement (the transfer in baseline code, the entry in optimized code).
  void emitHotnessCount(uint32_t loop);
  void emitOsrTransfer(llvm::Value *osrEntry, uint32_t loop);
  void beginOsrEntry();
  void enterOsrLoop(Frame &frame, uint32_t loop);
  llvm::Value *stateSlot(llvm::Value *state, size_t slot);

  // EmitControl.cpp
  void blockSignature(const BlockType &type, std::span<const ValType> &params,
                      std::span<const ValType> &results) const;
  Frame &pushFrame(FrameKind kind, std::span<const ValType> params,
                   std::span<const ValType> results);
  void emitBlock(const Instr &in);
  void emitLoop(const Instr &in);
  void emitIf(const Instr &in);
  void emitElse();
  void emitEnd();
  void emitBr(uint32_t depth);
  void emitBrIf(uint32_t depth);
  void emitBrTable(std::span<const uint32_t> targets);
  void emitReturn();
  void emitUnreachable();
  Frame &frameAt(uint32_t depth) { return frames_[frames_.size() - 1 - depth]; }
  llvm::BasicBlock *branchTarget(Frame &frame);
  void addIncoming(Frame &frame, llvm::BasicBlock *from);
  void closeFrame(Frame &frame);
  void restoreBelow(const Frame &frame);
  void markUnreachable();

  // EmitNumeric.cpp
  llvm::Value *emitNumeric(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitCompare(Opcode op, llvm::Value *a, llvm::Value *b);
  llvm::Value *emitIntArith(Opcode op, llvm::Value *a, llvm::Value *b);
  llvm::Value *emitDivRem(Opcode op, llvm::Value *a, llvm::Value *b);
  llvm::Value *emitFloatArith(Opcode op, llvm::Value *a, llvm::Value *b);
  llvm::Value *emitMinMax(bool isMin, llvm::Value *a, llvm::Value *b);
  llvm::Value *fenceIdentity(llvm::Value *value);
  llvm::Value *emitUnary(Opcode op, llvm::Value *a);
  llvm::Value *emitSignBits(Opcode op, llvm::Value *a, llvm::Value *b);

  // EmitConversions.cpp
  llvm::Value *emitConversion(Opcode op, llvm::Value *a);
  llvm::Value *emitTruncTrapping(llvm::Value *a, llvm::IntegerType *to, bool isSigned);
  llvm::Value *emitTruncSat(llvm::Value *a, llvm::IntegerType *to, bool isSigned);

  // EmitMemory.cpp
  // Guarded mode: marks a linear-memory load for KeepTrappingLoadsPass, which
  // keeps it even if its value is never used (its trap is its effect).
  void markTrappingLoad(llvm::LoadInst *load);
  void emitLoad(const Instr &in);
  void emitStore(const Instr &in);
  void emitMemoryInstr(const Instr &in);
  llvm::Value *memoryAddress(llvm::Value *address, uint64_t offset, uint64_t size);
  // memoryAddress for a store, with its probe where the target needs one.
  llvm::Value *storeAddress(llvm::Value *address, uint64_t offset, unsigned width);
  void loadMemoryState();
  llvm::Value *memoryBase();
  void emitDrop();

  // EmitSimdLanes.cpp: dispatch, constants, shuffles, lanes, bitwise, masks.
  bool emitSimd(const Instr &in);
  void emitSimdLaneInstr(const Instr &in);
  llvm::Value *emitSimdBitwise(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitSimdSplat(Opcode op, llvm::Value *scalar);
  llvm::Value *emitSimdMask(Opcode op, llvm::Value *a);
  llvm::Value *emitSwizzle(llvm::Value *a, llvm::Value *indices);
  // The lane shape an opcode's mnemonic names ("i16x8." -> <8 x i16>;
  // "v128." -> <16 x i8>).
  llvm::FixedVectorType *simdType(Opcode op);
  llvm::FixedVectorType *vectorType(llvm::Type *lane, unsigned count) const {
    return llvm::FixedVectorType::get(lane, count);
  }
  llvm::Value *asLanes(llvm::Value *v128, llvm::Type *type) {
    return b_.CreateBitCast(v128, type);
  }
  llvm::Value *asV128(llvm::Value *vector) { return b_.CreateBitCast(vector, m_.v128Ty); }
  llvm::Value *halves(llvm::Value *vector, bool high); // low or high half of the lanes
  llvm::Value *evenOdd(llvm::Value *vector, bool odd); // even or odd lanes

  // EmitSimdArith.cpp
  llvm::Value *emitSimdCompare(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitSimdIntArith(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitSimdFloatArith(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitQ15MulrSat(llvm::Value *a, llvm::Value *b); // <8 x i16> lanes

  // EmitSimdConvert.cpp: operations that change the lane width or kind.
  llvm::Value *emitSimdConvert(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitSimdWiden(Opcode op, std::span<llvm::Value *const> args);
  llvm::Value *emitSimdNarrow(Opcode op, llvm::Value *a, llvm::Value *b);

  // EmitSimdMemory.cpp
  void emitSimdMemory(const Instr &in);
  void emitSimdLaneMemory(const Instr &in, unsigned width);

  // EmitTables.cpp
  void emitTableInstr(const Instr &in);
  void emitReference(const Instr &in);
  llvm::Value *tableElementAddress(uint32_t tableIndex, llvm::Value *index,
                                   abi::TrapKind outOfBounds);

  // EmitCalls.cpp
  void emitCall(uint32_t funcIndex);
  void emitCallIndirect(uint32_t typeIndex, uint32_t tableIndex);
  void emitCallThrough(uint32_t typeIndex, llvm::Value *callee, llvm::Value *calleeContext);
  // Pops the parameters of a call of type `typeIndex`, first one first.
  llvm::SmallVector<llvm::Value *, 8> popCallArgs(uint32_t typeIndex);
  llvm::CallInst *createCall(uint32_t typeIndex, llvm::Value *callee, llvm::Value *calleeContext,
                             std::span<llvm::Value *const> params);
  // Pushes a call's results (null when there are none).
  void pushCallResults(uint32_t typeIndex, llvm::Value *results);

  ModuleEmitter &m_;
  llvm::LLVMContext &context_;
  llvm::IRBuilder<> b_;
  const bool boundsChecks_;
  const bool probeStores_; // guarded mode, target may write part of a faulting store

  // Per function.
  FunctionVariant variant_;
  uint32_t loopsEmitted_ = 0;                     // ordinal of the next emitted loop
  llvm::GlobalVariable *hotness_ = nullptr;       // countHotness: calls + iterations left
  llvm::SwitchInst *osrSwitch_ = nullptr;         // OSR entry: loop index -> loop entry
  uint32_t funcIndex_ = 0;
  const FuncType *type_ = nullptr;
  const FunctionFacts *facts_ = nullptr;
  llvm::Function *function_ = nullptr;
  llvm::Value *ctx_ = nullptr;
  llvm::Instruction *entryPoint_ = nullptr; // entry-block insertion point for invariants
  std::vector<llvm::AllocaInst *> locals_;
  std::vector<llvm::Type *> localTypes_;
  std::vector<llvm::Value *> stack_;
  std::vector<Frame> frames_;
  bool reachable_ = true;
  uint32_t skipDepth_ = 0; // nesting of skipped blocks inside unreachable code
  uint64_t pendingFuel_ = 0; // instructions since the last fuel charge
  std::array<llvm::BasicBlock *, 16> trapBlocks_{};
  // Cached entry-block values.
  llvm::Value *globalsArray_ = nullptr;
  llvm::Value *tablesArray_ = nullptr;
  llvm::Value *funcRefsArray_ = nullptr;
  llvm::Value *typeIdsArray_ = nullptr;
  llvm::Value *fuelCounter_ = nullptr;
  std::unordered_map<uint32_t, llvm::Value *> globalCells_;
  std::unordered_map<uint32_t, llvm::Value *> funcRefs_;
  std::unordered_map<uint32_t, llvm::Value *> tableDatas_;
  std::unordered_map<uint32_t, llvm::Value *> typeIds_;
  // Memory 0: guarded mode loads the base once; bounds-check mode keeps base
  // and size in allocas (promoted to SSA) and reloads them after calls.
  llvm::Value *memoryBase_ = nullptr;
  llvm::AllocaInst *memoryBaseVar_ = nullptr;
  llvm::AllocaInst *memorySizeVar_ = nullptr;
  std::optional<Error> error_;
};

} // namespace wasmrt::internal::compiler
