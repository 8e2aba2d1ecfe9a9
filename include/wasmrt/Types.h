// Public WebAssembly types: value types, function types and the types of
// imports and exports. They mirror the internal binary-format types (which the
// public headers must not include); lib/api converts between the two.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt {

enum class ValType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef };

// "i32", "funcref", ...
const char *valTypeName(ValType type);
inline bool isRefType(ValType type) {
  return type == ValType::FuncRef || type == ValType::ExternRef;
}

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType &) const = default;
  // "(i32, i32) -> (i64)"
  std::string toString() const;
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const Limits &) const = default;
};

struct MemoryType {
  Limits limits; // in 64 KiB pages
  bool operator==(const MemoryType &) const = default;
};

struct TableType {
  ValType elemType = ValType::FuncRef;
  Limits limits; // in elements
  bool operator==(const TableType &) const = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool isMutable = false;
  bool operator==(const GlobalType &) const = default;
};

enum class ExternKind : uint8_t { Func, Table, Memory, Global };
const char *externKindName(ExternKind kind); // "func", "table", ...

// The type of an import or export: `kind` says which member is meaningful.
struct ExternType {
  ExternKind kind = ExternKind::Func;
  FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct ImportType {
  std::string module;
  std::string name;
  ExternType type;
};

struct ExportType {
  std::string name;
  ExternType type;
};

// A 128-bit SIMD value, lanes in little-endian order.
struct V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128 &) const = default;
};

// An externref: an opaque host pointer that wasm code can pass around but not
// look into. wasmrt never dereferences or frees it; null is nullptr.
struct ExternRef {
  void *ptr = nullptr;
  bool operator==(const ExternRef &) const = default;
};

} // namespace wasmrt
