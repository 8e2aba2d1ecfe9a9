// Validates function bodies with the algorithm of the spec's validation
// appendix: an operand stack whose entries may be "unknown" (the polymorphic
// stack after unreachable/br/br_table/return) and a stack of control frames.
//
// One CodeValidator is reused for every function of a module so that its
// stacks are allocated once; validating an instruction never allocates.
#pragma once

#include "binary/Features.h"
#include "binary/InstrReader.h"
#include "binary/Module.h"
#include "wasmrt/Error.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wasmrt::internal {

class CodeValidator {
public:
  // `declaredFuncRefs[i]` is nonzero when function i may be named by ref.func
  // in a body (it occurs in an element segment, an export or a global
  // initializer). Both referenced objects must outlive the validator.
  CodeValidator(const Module &module, const Features &features,
                const std::vector<uint8_t> &declaredFuncRefs);

  // Validates the body of defined function `definedIndex` (0 is the first
  // function of the code section).
  Expected<FunctionFacts> validate(uint32_t definedIndex);

private:
  struct Frame {
    std::span<const ValType> params;
    std::span<const ValType> results;
    uint32_t height = 0; // operand stack size when the frame was entered
    Opcode op = Opcode::Block; // Block, Loop, If or Else
    bool unreachable = false;
  };

  bool run(const FunctionBody &body);
  bool step(const Instr &in);
  void setupLocals(const FuncType &type, const FunctionBody &body);
  ValType localType(uint32_t index) const;

  // Instruction groups typed by hand (signature "*" or extra immediate checks).
  bool control(const Instr &in);
  bool blockStart(const Instr &in);
  bool elseOrEnd(const Instr &in);
  bool branchTable();
  bool call(const Instr &in);
  bool variable(const Instr &in);
  bool parametric(const Instr &in);
  bool table(const Instr &in);
  bool reference(const Instr &in);
  bool bulkMemory(const Instr &in);
  bool immediates(const Instr &in);
  bool simple(Opcode op);

  // Operand stack.
  void push(ValType type) {
    stack_.push_back(type);
    if (stack_.size() > maxStack_)
      maxStack_ = stack_.size();
  }
  void pushAll(std::span<const ValType> types) {
    for (ValType type : types)
      push(type);
  }
  bool pop(ValType expected) {
    const Frame &top = ctrl_.back();
    if (stack_.size() > top.height && stack_.back() == expected) [[likely]] {
      stack_.pop_back();
      return true;
    }
    return popSlow(expected);
  }
  bool popSlow(ValType expected);
  bool popAny(ValType &out);
  bool popAll(std::span<const ValType> types);
  bool checkLabelOperands(std::span<const ValType> types);
  void setUnreachable();

  // Control stack.
  bool resolveBlockType(const BlockType &type, std::span<const ValType> &params,
                        std::span<const ValType> &results);
  void pushFrame(Opcode op, std::span<const ValType> params, std::span<const ValType> results);
  bool endFrame();
  std::span<const ValType> labelTypes(const Frame &frame) const {
    return frame.op == Opcode::Loop ? frame.params : frame.results;
  }
  bool label(uint32_t depth, const Frame *&out);

  // Immediate checks shared by several groups.
  bool checkMemory(uint32_t index);
  bool checkTable(uint32_t index);
  bool checkElem(uint32_t index);
  bool checkDataCount();
  bool checkDataIndex(uint32_t index);

  bool fail(std::string message, ErrorKind kind = ErrorKind::Invalid);
  bool mismatch(ValType expected, ValType actual);

  const Module &module_;
  const std::vector<uint8_t> &declaredFuncRefs_;
  bool allFeatures_ = true;
  std::array<bool, kNumOpcodes> enabled_{};

  // Per-function state, reused across functions.
  uint32_t funcIndex_ = 0;
  const Instr *current_ = nullptr;
  InstrReader *reader_ = nullptr;
  std::vector<ValType> stack_;
  std::vector<Frame> ctrl_;
  std::vector<ValType> locals_; // dense prefix of the local types
  struct LocalRun {
    uint64_t end; // one past the last local index of the run
    ValType type;
  };
  std::vector<LocalRun> localRuns_; // locals past the dense prefix
  uint64_t numLocals_ = 0;
  size_t maxStack_ = 0;
  size_t maxCtrl_ = 0;
  FunctionFacts facts_;
  std::optional<Error> error_;
};

} // namespace wasmrt::internal
