#include "interp/SimdOps.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>

namespace wasmrt::internal::interp {

namespace {

using abi::ValueSlot;

// Lanes are read and written with memcpy in host byte order, which matches the
// little-endian slot format only on little-endian hosts (x86-64 and AArch64).
static_assert(std::endian::native == std::endian::little,
              "SimdOps reads slot lanes in host byte order");

// Derived from the opcode table so that a new 0xFD instruction cannot be
// forgotten here: everything under the prefix except the memory accesses.
constexpr std::array<bool, kNumOpcodes> kSimdArithmetic = {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)          \
  (Prefix) == 0xFD && ImmKind::Imm != ImmKind::MemArg && ImmKind::Imm != ImmKind::MemArgLane,
#include "binary/Opcodes.def"
};

// ---------------------------------------------------------------------------
// Lane access and lane-generic helpers

template <typename T> constexpr unsigned kLanes = 16 / sizeof(T);

template <size_t Size> struct UIntOfSizeT;
template <> struct UIntOfSizeT<1> { using type = uint8_t; };
template <> struct UIntOfSizeT<2> { using type = uint16_t; };
template <> struct UIntOfSizeT<4> { using type = uint32_t; };
template <> struct UIntOfSizeT<8> { using type = uint64_t; };
template <typename T> using Bits = typename UIntOfSizeT<sizeof(T)>::type;

// C++ promotes lanes narrower than int to signed int, where products such as
// 0xFFFF * 0xFFFF overflow; unsigned int (or the lane's own unsigned type) keeps
// wrap-around modular, as the spec's iadd/isub/imul are.
template <typename T>
using Wide = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <typename T> T lane(const ValueSlot &v, unsigned i) {
  T x;
  std::memcpy(&x, v.bytes + i * sizeof(T), sizeof(T));
  return x;
}

template <typename T> void setLane(ValueSlot &v, unsigned i, T x) {
  std::memcpy(v.bytes + i * sizeof(T), &x, sizeof(T));
}

// Scalar results go to the slot's low bytes; the rest are zeroed only so that
// results are reproducible (the format leaves them unspecified).
template <typename T> ValueSlot scalarSlot(T x) {
  ValueSlot out{};
  setLane(out, 0, x);
  return out;
}

template <typename T, typename F> ValueSlot lanewise(const ValueSlot &a, F f) {
  ValueSlot out{};
  for (unsigned i = 0; i < kLanes<T>; ++i)
    setLane<T>(out, i, T(f(lane<T>(a, i))));
  return out;
}

template <typename T, typename F>
ValueSlot lanewise(const ValueSlot &a, const ValueSlot &b, F f) {
  ValueSlot out{};
  for (unsigned i = 0; i < kLanes<T>; ++i)
    setLane<T>(out, i, T(f(lane<T>(a, i), lane<T>(b, i))));
  return out;
}

template <typename T, typename P> ValueSlot compare(const ValueSlot &a, const ValueSlot &b, P pred) {
  using Mask = Bits<T>;
  ValueSlot out{};
  for (unsigned i = 0; i < kLanes<T>; ++i)
    setLane<Mask>(out, i, pred(lane<T>(a, i), lane<T>(b, i)) ? Mask(~Mask(0)) : Mask(0));
  return out;
}

template <typename T> ValueSlot splat(const ValueSlot &scalar) {
  T x = lane<T>(scalar, 0); // the low bytes of an i32 are its truncation
  ValueSlot out{};
  for (unsigned i = 0; i < kLanes<T>; ++i)
    setLane<T>(out, i, x);
  return out;
}

template <typename T> T saturate(int64_t x) {
  return T(std::clamp<int64_t>(x, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}

// ---------------------------------------------------------------------------
// Constants, splats, lanes, shuffle, swizzle

// The lane index was validated against the lane count; masking only keeps a
// corrupt immediate from reading outside the slot.
template <typename T> unsigned laneIndex(const uint8_t *imm) { return imm[0] & (kLanes<T> - 1); }

// Extracted lanes are widened to the i32 result (sign- or zero-extended by the
// lane type) or copied bit for bit (i64, f32, f64 lanes are never converted,
// so NaN payloads survive).
template <typename T, typename Result> ValueSlot extractLane(const ValueSlot &v, const uint8_t *imm) {
  return scalarSlot(Result(lane<T>(v, laneIndex<T>(imm))));
}

template <typename T>
ValueSlot replaceLane(const ValueSlot &v, const ValueSlot &scalar, const uint8_t *imm) {
  ValueSlot out = v;
  setLane<T>(out, laneIndex<T>(imm), lane<T>(scalar, 0));
  return out;
}

ValueSlot shuffle(const ValueSlot &a, const ValueSlot &b, const uint8_t *imm) {
  ValueSlot out{};
  for (unsigned i = 0; i < 16; ++i) {
    unsigned index = imm[i] & 31; // validated < 32; the mask is defensive
    out.bytes[i] = index < 16 ? a.bytes[index] : b.bytes[index - 16];
  }
  return out;
}

ValueSlot swizzle(const ValueSlot &a, const ValueSlot &indices) {
  ValueSlot out{};
  for (unsigned i = 0; i < 16; ++i)
    out.bytes[i] = indices.bytes[i] < 16 ? a.bytes[indices.bytes[i]] : 0;
  return out;
}

bool executeLanes(Opcode op, const uint8_t *imm, const ValueSlot *in, ValueSlot &out) {
  switch (op) {
  case Opcode::V128Const: std::memcpy(out.bytes, imm, 16); return true;
  case Opcode::I8x16Shuffle: out = shuffle(in[0], in[1], imm); return true;
  case Opcode::I8x16Swizzle: out = swizzle(in[0], in[1]); return true;
  case Opcode::I8x16Splat: out = splat<uint8_t>(in[0]); return true;
  case Opcode::I16x8Splat: out = splat<uint16_t>(in[0]); return true;
  case Opcode::I32x4Splat:
  case Opcode::F32x4Splat: out = splat<uint32_t>(in[0]); return true;
  case Opcode::I64x2Splat:
  case Opcode::F64x2Splat: out = splat<uint64_t>(in[0]); return true;
  case Opcode::I8x16ExtractLaneS: out = extractLane<int8_t, int32_t>(in[0], imm); return true;
  case Opcode::I8x16ExtractLaneU: out = extractLane<uint8_t, uint32_t>(in[0], imm); return true;
  case Opcode::I16x8ExtractLaneS: out = extractLane<int16_t, int32_t>(in[0], imm); return true;
  case Opcode::I16x8ExtractLaneU: out = extractLane<uint16_t, uint32_t>(in[0], imm); return true;
  case Opcode::I32x4ExtractLane:
  case Opcode::F32x4ExtractLane: out = extractLane<uint32_t, uint32_t>(in[0], imm); return true;
  case Opcode::I64x2ExtractLane:
  case Opcode::F64x2ExtractLane: out = extractLane<uint64_t, uint64_t>(in[0], imm); return true;
  case Opcode::I8x16ReplaceLane: out = replaceLane<uint8_t>(in[0], in[1], imm); return true;
  case Opcode::I16x8ReplaceLane: out = replaceLane<uint16_t>(in[0], in[1], imm); return true;
  case Opcode::I32x4ReplaceLane:
  case Opcode::F32x4ReplaceLane: out = replaceLane<uint32_t>(in[0], in[1], imm); return true;
  case Opcode::I64x2ReplaceLane:
  case Opcode::F64x2ReplaceLane: out = replaceLane<uint64_t>(in[0], in[1], imm); return true;
  default: return false;
  }
}

// ---------------------------------------------------------------------------
// Bitwise operations and the boolean reductions

template <typename T> ValueSlot allTrue(const ValueSlot &v) {
  bool all = true;
  for (unsigned i = 0; i < kLanes<T>; ++i)
    all = all && lane<T>(v, i) != 0;
  return scalarSlot<uint32_t>(all ? 1 : 0);
}

template <typename T> ValueSlot bitmask(const ValueSlot &v) {
  uint32_t mask = 0;
  for (unsigned i = 0; i < kLanes<T>; ++i)
    mask |= uint32_t(std::make_signed_t<T>(lane<T>(v, i)) < 0) << i;
  return scalarSlot(mask);
}

ValueSlot anyTrue(const ValueSlot &v) {
  uint64_t any = lane<uint64_t>(v, 0) | lane<uint64_t>(v, 1);
  return scalarSlot<uint32_t>(any != 0 ? 1 : 0);
}

ValueSlot bitselect(const ValueSlot &a, const ValueSlot &b, const ValueSlot &mask) {
  ValueSlot out{};
  for (unsigned i = 0; i < 2; ++i) {
    uint64_t m = lane<uint64_t>(mask, i);
    setLane<uint64_t>(out, i, (lane<uint64_t>(a, i) & m) | (lane<uint64_t>(b, i) & ~m));
  }
  return out;
}

bool executeBitwise(Opcode op, const ValueSlot *in, ValueSlot &out) {
  using U = uint64_t;
  switch (op) {
  case Opcode::V128Not: out = lanewise<U>(in[0], [](U x) { return ~x; }); return true;
  case Opcode::V128And: out = lanewise<U>(in[0], in[1], std::bit_and<U>{}); return true;
  case Opcode::V128AndNot: out = lanewise<U>(in[0], in[1], [](U x, U y) { return x & ~y; }); return true;
  case Opcode::V128Or: out = lanewise<U>(in[0], in[1], std::bit_or<U>{}); return true;
  case Opcode::V128Xor: out = lanewise<U>(in[0], in[1], std::bit_xor<U>{}); return true;
  case Opcode::V128Bitselect: out = bitselect(in[0], in[1], in[2]); return true;
  case Opcode::V128AnyTrue: out = anyTrue(in[0]); return true;
  case Opcode::I8x16AllTrue: out = allTrue<uint8_t>(in[0]); return true;
  case Opcode::I16x8AllTrue: out = allTrue<uint16_t>(in[0]); return true;
  case Opcode::I32x4AllTrue: out = allTrue<uint32_t>(in[0]); return true;
  case Opcode::I64x2AllTrue: out = allTrue<uint64_t>(in[0]); return true;
  case Opcode::I8x16Bitmask: out = bitmask<uint8_t>(in[0]); return true;
  case Opcode::I16x8Bitmask: out = bitmask<uint16_t>(in[0]); return true;
  case Opcode::I32x4Bitmask: out = bitmask<uint32_t>(in[0]); return true;
  case Opcode::I64x2Bitmask: out = bitmask<uint64_t>(in[0]); return true;
  default: return false;
  }
}

} // namespace

bool isSimdArithmetic(Opcode op) {
  unsigned index = unsigned(op);
  return index < kNumOpcodes && kSimdArithmetic[index];
}

void executeSimd(Opcode op, const uint8_t *imm, const ValueSlot *operands, ValueSlot *result) {
  // Computed aside because *result may alias operands[0].
  ValueSlot out{};
  bool handled = executeLanes(op, imm, operands, out) || executeBitwise(op, operands, out);
  if (!handled)
    std::abort(); // not an instruction isSimdArithmetic accepts
  *result = out;
}

} // namespace wasmrt::internal::interp
