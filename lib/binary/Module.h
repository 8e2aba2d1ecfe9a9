// The decoded form of a module. Code bodies, constant expressions, data
// segment contents and custom sections are views into the module bytes (no
// copies); `storage` keeps those bytes alive when the module owns them.
#pragma once

#include "binary/Types.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace wasmrt::internal {

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t funcTypeIndex = 0; // kind == Func
  TableType table;            // kind == Table
  MemoryType memory;          // kind == Memory
  GlobalType global;          // kind == Global
  size_t offset = 0;          // of the import entry
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  size_t offset = 0;
};

// A constant expression's raw instructions, including the final `end`.
// Validated by the validator, evaluated by the runtime with InstrReader.
struct ConstExpr {
  std::span<const uint8_t> bytes;
  size_t offset = 0; // module offset of bytes[0]
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElementSegment {
  SegmentMode mode = SegmentMode::Active;
  ValType elemType = ValType::FuncRef;
  uint32_t tableIndex = 0;  // Active only
  ConstExpr offsetExpr;     // Active only
  // Exactly one of these is used: encodings 0-3 list function indices,
  // encodings 4-7 list constant expressions.
  bool usesExprs = false;
  std::vector<uint32_t> funcIndices;
  std::vector<ConstExpr> exprs;
  size_t offset = 0;
  size_t size() const { return usesExprs ? exprs.size() : funcIndices.size(); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active; // never Declarative
  uint32_t memoryIndex = 0;
  ConstExpr offsetExpr; // Active only
  std::span<const uint8_t> bytes;
  size_t offset = 0;
};

struct LocalGroup {
  uint32_t count;
  ValType type;
};

struct FunctionBody {
  std::vector<LocalGroup> locals;
  uint64_t numLocals = 0; // sum of the group counts (declared locals only)
  // The instructions, from after the local declarations through the final
  // `end` of the body.
  std::span<const uint8_t> code;
  size_t codeOffset = 0; // module offset of code[0]
  size_t bodyOffset = 0; // module offset of the body's size field
};

struct NameSection {
  std::optional<std::string> moduleName;
  std::unordered_map<uint32_t, std::string> functionNames;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> localNames;
};

struct CustomSection {
  std::string name;
  std::span<const uint8_t> data;
  size_t offset = 0; // of the section contents
};

// Facts the validator computes per defined function, for the compiler.
struct FunctionFacts {
  uint32_t maxOperandStackDepth = 0;
  uint32_t maxControlDepth = 0;
  bool hasCalls = false;        // call or call_indirect
  bool hasIndirectCalls = false;
  bool usesMemory = false;      // any load/store/memory.* instruction
  bool usesTables = false;
  bool hasLoops = false;
  // Functions this one calls with `call`, each once, in order of first call
  // (for lazy compilation's speculation: what runs next).
  std::vector<uint32_t> directCallees;
};

struct Module {
  std::vector<FuncType> types;
  std::vector<Import> imports;

  // Index spaces: imported entries first, then defined ones.
  std::vector<uint32_t> funcs; // type index of every function
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> globals;
  uint32_t numImportedFuncs = 0;
  uint32_t numImportedTables = 0;
  uint32_t numImportedMemories = 0;
  uint32_t numImportedGlobals = 0;

  std::vector<Global> definedGlobals; // globals[numImportedGlobals + i]
  std::vector<Export> exports;
  std::optional<uint32_t> startFunc;
  std::vector<ElementSegment> elements;
  std::optional<uint32_t> dataCount; // from the data count section
  std::vector<FunctionBody> code;    // funcs[numImportedFuncs + i]
  std::vector<DataSegment> data;
  NameSection names;
  std::vector<CustomSection> customSections;

  // Filled by validateModule(): one entry per defined function.
  std::vector<FunctionFacts> functionFacts;

  // Owns the bytes the spans above point into, when the module owns them.
  std::shared_ptr<const std::vector<uint8_t>> storage;
  // Or keeps them alive when they live elsewhere (e.g. the mapped file of a
  // precompiled artifact, which embeds the module).
  std::shared_ptr<const void> externalStorage;

  uint32_t numDefinedFuncs() const { return uint32_t(code.size()); }
  const FuncType &funcType(uint32_t funcIndex) const { return types[funcs[funcIndex]]; }
  // The name-section name of a function, or nullptr.
  const std::string *functionName(uint32_t funcIndex) const {
    auto found = names.functionNames.find(funcIndex);
    return found == names.functionNames.end() ? nullptr : &found->second;
  }
};

} // namespace wasmrt::internal
