// A wasm value as the runtime's C++ API passes it: a type and its bits.
#pragma once

#include "binary/Types.h"

#include <cstdint>
#include <cstring>

namespace wasmrt::internal {

struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;   // i32 (zero-extended), i64, or the f32/f64 bit pattern
  void *ref = nullptr; // funcref (const abi::FuncRef *) or externref; null is nullptr
  V128 v128;           // V128 only

  static Value i32(int32_t v) { return {ValType::I32, uint32_t(v), nullptr, {}}; }
  static Value i64(int64_t v) { return {ValType::I64, uint64_t(v), nullptr, {}}; }
  static Value f32Bits(uint32_t bits) { return {ValType::F32, bits, nullptr, {}}; }
  static Value f64Bits(uint64_t bits) { return {ValType::F64, bits, nullptr, {}}; }
  static Value f32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return f32Bits(bits);
  }
  static Value f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return f64Bits(bits);
  }
  static Value funcRef(const void *ref) {
    return {ValType::FuncRef, 0, const_cast<void *>(ref), {}};
  }
  static Value externRef(void *ref) { return {ValType::ExternRef, 0, ref, {}}; }
  static Value v128Value(const V128 &bytes) {
    Value value{ValType::V128, 0, nullptr, {}};
    value.v128 = bytes;
    return value;
  }

  int32_t asI32() const { return int32_t(uint32_t(bits)); }
  int64_t asI64() const { return int64_t(bits); }
  float asF32() const {
    float v;
    uint32_t b = uint32_t(bits);
    std::memcpy(&v, &b, 4);
    return v;
  }
  double asF64() const {
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
};

} // namespace wasmrt::internal
