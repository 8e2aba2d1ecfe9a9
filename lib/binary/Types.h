// WebAssembly types as the binary format encodes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasmrt::internal {

// Value types; the enumerator values are the binary encodings.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

inline bool isRefType(ValType type) {
  return type == ValType::FuncRef || type == ValType::ExternRef;
}
inline bool isNumericType(ValType type) { return !isRefType(type); }
// Maps an encoded byte to a value type; false if it is none.
bool decodeValType(uint8_t byte, ValType &out);
const char *valTypeName(ValType type); // "i32", "funcref", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType &) const = default;
};
std::string toString(const FuncType &type); // "(i32, i64) -> (f32)"

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const Limits &) const = default;
};

struct TableType {
  ValType elemType = ValType::FuncRef;
  Limits limits;
  bool operator==(const TableType &) const = default;
};

struct MemoryType {
  Limits limits; // in 64 KiB pages
  bool operator==(const MemoryType &) const = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool isMutable = false;
  bool operator==(const GlobalType &) const = default;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char *externKindName(ExternKind kind); // "func", "table", ...

constexpr uint64_t kWasmPageSize = 65536;
constexpr uint64_t kMaxMemoryPages = 65536; // 4 GiB for 32-bit memories

// A 128-bit SIMD value, little-endian lane order.
struct V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128 &) const = default;
};

} // namespace wasmrt::internal
