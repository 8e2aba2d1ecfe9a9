// Module-level validation rules; function bodies are checked by CodeValidator
// and constant expressions by validateConstExpr.
#include "validation/Validator.h"

#include "validation/CodeValidator.h"
#include "validation/ConstExprValidator.h"

#include <fmt/format.h>

#include <string_view>
#include <unordered_set>

namespace wasmrt::internal {

namespace {

Error invalidAt(size_t offset, std::string_view message) {
  return Error(ErrorKind::Invalid, fmt::format("at offset {:#x}: {}", offset, message));
}

Error invalid(std::string message) { return Error(ErrorKind::Invalid, std::move(message)); }

class ModuleValidator {
public:
  ModuleValidator(Module &module, const Features &features)
      : module_(module), features_(features), declaredFuncRefs_(module.funcs.size(), 0) {}

  Expected<void> run();

private:
  Expected<void> checkShape() const;
  Expected<void> checkTypeIndices() const;
  Expected<void> checkTablesAndMemories() const;
  Expected<void> checkGlobals();
  Expected<void> checkElements();
  Expected<void> checkData();
  Expected<void> checkStart() const;
  Expected<void> checkExports();
  Expected<void> checkCode();

  Module &module_;
  const Features &features_;
  // Functions that ref.func may name in a body (C.refs in the spec).
  std::vector<uint8_t> declaredFuncRefs_;
};

Expected<void> checkLimits(const Limits &limits, uint64_t range, std::string_view rangeMessage,
                           const std::string &what) {
  if (limits.min > range || (limits.max && *limits.max > range))
    return invalid(fmt::format("{}: {}", what, rangeMessage));
  if (limits.max && limits.min > *limits.max)
    return invalid(fmt::format("{}: size minimum must not be greater than maximum", what));
  return {};
}

std::string describe(std::string_view kind, uint32_t index, const Module &module,
                     uint32_t numImported) {
  if (index >= numImported)
    return fmt::format("{} {}", kind, index);
  // Imported entries are the first imports of their kind, in order.
  uint32_t seen = 0;
  for (const Import &import : module.imports) {
    bool match = (kind == "table" && import.kind == ExternKind::Table) ||
                 (kind == "memory" && import.kind == ExternKind::Memory);
    if (match && seen++ == index)
      return fmt::format("{} {} (import at offset {:#x})", kind, index, import.offset);
  }
  return fmt::format("{} {}", kind, index);
}

Expected<void> ModuleValidator::run() {
  for (auto check : {&ModuleValidator::checkShape, &ModuleValidator::checkTypeIndices,
                     &ModuleValidator::checkTablesAndMemories}) {
    if (auto result = (this->*check)(); !result)
      return result;
  }
  for (auto check : {&ModuleValidator::checkGlobals, &ModuleValidator::checkElements,
                     &ModuleValidator::checkData, &ModuleValidator::checkExports}) {
    if (auto result = (this->*check)(); !result)
      return result;
  }
  if (auto result = checkStart(); !result)
    return result;
  return checkCode();
}

// The decoder guarantees these; checking them keeps a decoder bug from
// turning into out-of-bounds reads here.
Expected<void> ModuleValidator::checkShape() const {
  const Module &m = module_;
  if (m.numImportedFuncs > m.funcs.size() || m.code.size() != m.funcs.size() - m.numImportedFuncs)
    return Error(ErrorKind::Malformed, "function and code section have inconsistent lengths");
  if (m.numImportedGlobals > m.globals.size() ||
      m.definedGlobals.size() != m.globals.size() - m.numImportedGlobals)
    return Error(ErrorKind::Internal, "global index space does not match the global section");
  return {};
}

Expected<void> ModuleValidator::checkTypeIndices() const {
  for (const Import &import : module_.imports)
    if (import.kind == ExternKind::Func && import.funcTypeIndex >= module_.types.size())
      return invalidAt(import.offset, fmt::format("unknown type {}", import.funcTypeIndex));
  for (size_t i = 0; i < module_.funcs.size(); ++i)
    if (module_.funcs[i] >= module_.types.size())
      return invalid(fmt::format("function {}: unknown type {}", i, module_.funcs[i]));
  return {};
}

Expected<void> ModuleValidator::checkTablesAndMemories() const {
  const Module &m = module_;
  for (uint32_t i = 0; i < m.tables.size(); ++i) {
    if (!isRefType(m.tables[i].elemType))
      return invalid(fmt::format("{}: type mismatch: table elements must be references",
                                 describe("table", i, m, m.numImportedTables)));
    if (auto result = checkLimits(m.tables[i].limits, UINT32_MAX,
                                  "table size must be at most 2^32-1",
                                  describe("table", i, m, m.numImportedTables));
        !result)
      return result;
  }
  for (uint32_t i = 0; i < m.memories.size(); ++i) {
    if (auto result = checkLimits(m.memories[i].limits, kMaxMemoryPages,
                                  "memory size must be at most 65536 pages (4GiB)",
                                  describe("memory", i, m, m.numImportedMemories));
        !result)
      return result;
  }
  if (m.memories.size() > 1)
    return invalid(fmt::format("multiple memories: the module has {}", m.memories.size()));
  return {};
}

Expected<void> ModuleValidator::checkGlobals() {
  for (size_t i = 0; i < module_.definedGlobals.size(); ++i) {
    const Global &global = module_.definedGlobals[i];
    std::string what = fmt::format("global {}", module_.numImportedGlobals + i);
    if (auto result = validateConstExpr(module_, global.init, global.type.type,
                                        declaredFuncRefs_, what);
        !result)
      return result;
  }
  return {};
}

Expected<void> ModuleValidator::checkElements() {
  for (size_t i = 0; i < module_.elements.size(); ++i) {
    const ElementSegment &seg = module_.elements[i];
    std::string what = fmt::format("element segment {}", i);
    if (!isRefType(seg.elemType))
      return invalidAt(seg.offset, "type mismatch: element segments hold references");
    if (seg.usesExprs) {
      for (const ConstExpr &expr : seg.exprs)
        if (auto result = validateConstExpr(module_, expr, seg.elemType, declaredFuncRefs_, what);
            !result)
          return result;
    } else {
      if (seg.elemType != ValType::FuncRef)
        return invalidAt(seg.offset, "type mismatch: function index lists are funcref");
      for (uint32_t func : seg.funcIndices) {
        if (func >= module_.funcs.size())
          return invalidAt(seg.offset, fmt::format("{}: unknown function {}", what, func));
        declaredFuncRefs_[func] = 1;
      }
    }
    if (seg.mode != SegmentMode::Active)
      continue;
    if (seg.tableIndex >= module_.tables.size())
      return invalidAt(seg.offset, fmt::format("{}: unknown table {}", what, seg.tableIndex));
    if (auto result =
            validateConstExpr(module_, seg.offsetExpr, ValType::I32, declaredFuncRefs_, what);
        !result)
      return result;
    ValType tableType = module_.tables[seg.tableIndex].elemType;
    if (tableType != seg.elemType)
      return invalidAt(seg.offset,
                       fmt::format("{}: type mismatch: {} segment for table {} of type {}", what,
                                   valTypeName(seg.elemType), seg.tableIndex,
                                   valTypeName(tableType)));
  }
  return {};
}

Expected<void> ModuleValidator::checkData() {
  for (size_t i = 0; i < module_.data.size(); ++i) {
    const DataSegment &seg = module_.data[i];
    if (seg.mode != SegmentMode::Active)
      continue;
    std::string what = fmt::format("data segment {}", i);
    if (seg.memoryIndex >= module_.memories.size())
      return invalidAt(seg.offset, fmt::format("{}: unknown memory {}", what, seg.memoryIndex));
    if (auto result =
            validateConstExpr(module_, seg.offsetExpr, ValType::I32, declaredFuncRefs_, what);
        !result)
      return result;
  }
  return {};
}

Expected<void> ModuleValidator::checkStart() const {
  if (!module_.startFunc)
    return {};
  uint32_t func = *module_.startFunc;
  if (func >= module_.funcs.size())
    return invalid(fmt::format("start function: unknown function {}", func));
  const FuncType &type = module_.funcType(func);
  if (!type.params.empty() || !type.results.empty())
    return invalid(fmt::format("start function {} must have type () -> (), has {}", func,
                               toString(type)));
  return {};
}

Expected<void> ModuleValidator::checkExports() {
  std::unordered_set<std::string_view> names;
  names.reserve(module_.exports.size());
  for (const Export &exp : module_.exports) {
    size_t limit = 0;
    switch (exp.kind) {
    case ExternKind::Func: limit = module_.funcs.size(); break;
    case ExternKind::Table: limit = module_.tables.size(); break;
    case ExternKind::Memory: limit = module_.memories.size(); break;
    case ExternKind::Global: limit = module_.globals.size(); break;
    }
    if (exp.index >= limit) {
      const char *kind = exp.kind == ExternKind::Func ? "function" : externKindName(exp.kind);
      return invalidAt(exp.offset, fmt::format("unknown {} {}", kind, exp.index));
    }
    if (exp.kind == ExternKind::Func)
      declaredFuncRefs_[exp.index] = 1;
    if (!names.insert(exp.name).second)
      return invalidAt(exp.offset, fmt::format("duplicate export name \"{}\"", exp.name));
  }
  return {};
}

Expected<void> ModuleValidator::checkCode() {
  CodeValidator validator(module_, features_, declaredFuncRefs_);
  std::vector<FunctionFacts> facts;
  facts.reserve(module_.code.size());
  for (uint32_t i = 0; i < module_.code.size(); ++i) {
    auto result = validator.validate(i);
    if (!result)
      return std::move(result).error();
    facts.push_back(*result);
  }
  module_.functionFacts = std::move(facts);
  return {};
}

} // namespace

Expected<void> validateModule(Module &module, const Features &features) {
  return ModuleValidator(module, features).run();
}

} // namespace wasmrt::internal
