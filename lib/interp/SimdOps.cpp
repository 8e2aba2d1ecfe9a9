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

// ---------------------------------------------------------------------------
// Integer arithmetic

constexpr auto add = [](auto x, auto y) { return Wide<decltype(x)>(x) + Wide<decltype(x)>(y); };
constexpr auto sub = [](auto x, auto y) { return Wide<decltype(x)>(x) - Wide<decltype(x)>(y); };
constexpr auto mul = [](auto x, auto y) { return Wide<decltype(x)>(x) * Wide<decltype(x)>(y); };
constexpr auto neg = [](auto x) { return Wide<decltype(x)>(0) - Wide<decltype(x)>(x); };
// |INT_MIN| wraps to INT_MIN, as the spec's iabs does.
constexpr auto iabs = [](auto x) { return x < 0 ? neg(x) : Wide<decltype(x)>(x); };
constexpr auto imin = [](auto x, auto y) { return y < x ? y : x; };
constexpr auto imax = [](auto x, auto y) { return x < y ? y : x; };
// Only for lanes of at most 16 bits, whose exact sums fit in int64_t.
constexpr auto addSat = [](auto x, auto y) { return saturate<decltype(x)>(int64_t(x) + int64_t(y)); };
constexpr auto subSat = [](auto x, auto y) { return saturate<decltype(x)>(int64_t(x) - int64_t(y)); };
constexpr auto avgr = [](auto x, auto y) { return (Wide<decltype(x)>(x) + y + 1) >> 1; };

int16_t q15mulrSat(int16_t x, int16_t y) {
  // The product is at most 2^30 in magnitude; only -1 * -1 (in Q15) saturates.
  return saturate<int16_t>((int32_t(x) * int32_t(y) + 0x4000) >> 15);
}

bool executeIntArith(Opcode op, const ValueSlot *in, ValueSlot &out) {
  switch (op) {
  case Opcode::I8x16Add: out = lanewise<uint8_t>(in[0], in[1], add); return true;
  case Opcode::I8x16AddSatS: out = lanewise<int8_t>(in[0], in[1], addSat); return true;
  case Opcode::I8x16AddSatU: out = lanewise<uint8_t>(in[0], in[1], addSat); return true;
  case Opcode::I8x16Sub: out = lanewise<uint8_t>(in[0], in[1], sub); return true;
  case Opcode::I8x16SubSatS: out = lanewise<int8_t>(in[0], in[1], subSat); return true;
  case Opcode::I8x16SubSatU: out = lanewise<uint8_t>(in[0], in[1], subSat); return true;
  case Opcode::I8x16MinS: out = lanewise<int8_t>(in[0], in[1], imin); return true;
  case Opcode::I8x16MinU: out = lanewise<uint8_t>(in[0], in[1], imin); return true;
  case Opcode::I8x16MaxS: out = lanewise<int8_t>(in[0], in[1], imax); return true;
  case Opcode::I8x16MaxU: out = lanewise<uint8_t>(in[0], in[1], imax); return true;
  case Opcode::I8x16AvgrU: out = lanewise<uint8_t>(in[0], in[1], avgr); return true;
  case Opcode::I8x16Abs: out = lanewise<int8_t>(in[0], iabs); return true;
  case Opcode::I8x16Neg: out = lanewise<uint8_t>(in[0], neg); return true;
  case Opcode::I8x16Popcnt: out = lanewise<uint8_t>(in[0], [](uint8_t x) { return std::popcount(x); }); return true;

  case Opcode::I16x8Add: out = lanewise<uint16_t>(in[0], in[1], add); return true;
  case Opcode::I16x8AddSatS: out = lanewise<int16_t>(in[0], in[1], addSat); return true;
  case Opcode::I16x8AddSatU: out = lanewise<uint16_t>(in[0], in[1], addSat); return true;
  case Opcode::I16x8Sub: out = lanewise<uint16_t>(in[0], in[1], sub); return true;
  case Opcode::I16x8SubSatS: out = lanewise<int16_t>(in[0], in[1], subSat); return true;
  case Opcode::I16x8SubSatU: out = lanewise<uint16_t>(in[0], in[1], subSat); return true;
  case Opcode::I16x8Mul: out = lanewise<uint16_t>(in[0], in[1], mul); return true;
  case Opcode::I16x8MinS: out = lanewise<int16_t>(in[0], in[1], imin); return true;
  case Opcode::I16x8MinU: out = lanewise<uint16_t>(in[0], in[1], imin); return true;
  case Opcode::I16x8MaxS: out = lanewise<int16_t>(in[0], in[1], imax); return true;
  case Opcode::I16x8MaxU: out = lanewise<uint16_t>(in[0], in[1], imax); return true;
  case Opcode::I16x8AvgrU: out = lanewise<uint16_t>(in[0], in[1], avgr); return true;
  case Opcode::I16x8Abs: out = lanewise<int16_t>(in[0], iabs); return true;
  case Opcode::I16x8Neg: out = lanewise<uint16_t>(in[0], neg); return true;
  case Opcode::I16x8Q15mulrSatS: out = lanewise<int16_t>(in[0], in[1], q15mulrSat); return true;

  case Opcode::I32x4Add: out = lanewise<uint32_t>(in[0], in[1], add); return true;
  case Opcode::I32x4Sub: out = lanewise<uint32_t>(in[0], in[1], sub); return true;
  case Opcode::I32x4Mul: out = lanewise<uint32_t>(in[0], in[1], mul); return true;
  case Opcode::I32x4MinS: out = lanewise<int32_t>(in[0], in[1], imin); return true;
  case Opcode::I32x4MinU: out = lanewise<uint32_t>(in[0], in[1], imin); return true;
  case Opcode::I32x4MaxS: out = lanewise<int32_t>(in[0], in[1], imax); return true;
  case Opcode::I32x4MaxU: out = lanewise<uint32_t>(in[0], in[1], imax); return true;
  case Opcode::I32x4Abs: out = lanewise<int32_t>(in[0], iabs); return true;
  case Opcode::I32x4Neg: out = lanewise<uint32_t>(in[0], neg); return true;

  case Opcode::I64x2Add: out = lanewise<uint64_t>(in[0], in[1], add); return true;
  case Opcode::I64x2Sub: out = lanewise<uint64_t>(in[0], in[1], sub); return true;
  case Opcode::I64x2Mul: out = lanewise<uint64_t>(in[0], in[1], mul); return true;
  case Opcode::I64x2Abs: out = lanewise<int64_t>(in[0], iabs); return true;
  case Opcode::I64x2Neg: out = lanewise<uint64_t>(in[0], neg); return true;
  default: return false;
  }
}

// ---------------------------------------------------------------------------
// Comparisons: all-ones lanes for true. Float lanes compare as IEEE values, so
// every comparison with a NaN is false except ne.

bool executeCompare(Opcode op, const ValueSlot *in, ValueSlot &out) {
  using Eq = std::equal_to<>;
  using Ne = std::not_equal_to<>;
  using Lt = std::less<>;
  using Gt = std::greater<>;
  using Le = std::less_equal<>;
  using Ge = std::greater_equal<>;
  switch (op) {
  case Opcode::I8x16Eq: out = compare<uint8_t>(in[0], in[1], Eq{}); return true;
  case Opcode::I8x16Ne: out = compare<uint8_t>(in[0], in[1], Ne{}); return true;
  case Opcode::I8x16LtS: out = compare<int8_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I8x16LtU: out = compare<uint8_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I8x16GtS: out = compare<int8_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I8x16GtU: out = compare<uint8_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I8x16LeS: out = compare<int8_t>(in[0], in[1], Le{}); return true;
  case Opcode::I8x16LeU: out = compare<uint8_t>(in[0], in[1], Le{}); return true;
  case Opcode::I8x16GeS: out = compare<int8_t>(in[0], in[1], Ge{}); return true;
  case Opcode::I8x16GeU: out = compare<uint8_t>(in[0], in[1], Ge{}); return true;

  case Opcode::I16x8Eq: out = compare<uint16_t>(in[0], in[1], Eq{}); return true;
  case Opcode::I16x8Ne: out = compare<uint16_t>(in[0], in[1], Ne{}); return true;
  case Opcode::I16x8LtS: out = compare<int16_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I16x8LtU: out = compare<uint16_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I16x8GtS: out = compare<int16_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I16x8GtU: out = compare<uint16_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I16x8LeS: out = compare<int16_t>(in[0], in[1], Le{}); return true;
  case Opcode::I16x8LeU: out = compare<uint16_t>(in[0], in[1], Le{}); return true;
  case Opcode::I16x8GeS: out = compare<int16_t>(in[0], in[1], Ge{}); return true;
  case Opcode::I16x8GeU: out = compare<uint16_t>(in[0], in[1], Ge{}); return true;

  case Opcode::I32x4Eq: out = compare<uint32_t>(in[0], in[1], Eq{}); return true;
  case Opcode::I32x4Ne: out = compare<uint32_t>(in[0], in[1], Ne{}); return true;
  case Opcode::I32x4LtS: out = compare<int32_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I32x4LtU: out = compare<uint32_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I32x4GtS: out = compare<int32_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I32x4GtU: out = compare<uint32_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I32x4LeS: out = compare<int32_t>(in[0], in[1], Le{}); return true;
  case Opcode::I32x4LeU: out = compare<uint32_t>(in[0], in[1], Le{}); return true;
  case Opcode::I32x4GeS: out = compare<int32_t>(in[0], in[1], Ge{}); return true;
  case Opcode::I32x4GeU: out = compare<uint32_t>(in[0], in[1], Ge{}); return true;

  case Opcode::I64x2Eq: out = compare<uint64_t>(in[0], in[1], Eq{}); return true;
  case Opcode::I64x2Ne: out = compare<uint64_t>(in[0], in[1], Ne{}); return true;
  case Opcode::I64x2LtS: out = compare<int64_t>(in[0], in[1], Lt{}); return true;
  case Opcode::I64x2GtS: out = compare<int64_t>(in[0], in[1], Gt{}); return true;
  case Opcode::I64x2LeS: out = compare<int64_t>(in[0], in[1], Le{}); return true;
  case Opcode::I64x2GeS: out = compare<int64_t>(in[0], in[1], Ge{}); return true;

  case Opcode::F32x4Eq: out = compare<float>(in[0], in[1], Eq{}); return true;
  case Opcode::F32x4Ne: out = compare<float>(in[0], in[1], Ne{}); return true;
  case Opcode::F32x4Lt: out = compare<float>(in[0], in[1], Lt{}); return true;
  case Opcode::F32x4Gt: out = compare<float>(in[0], in[1], Gt{}); return true;
  case Opcode::F32x4Le: out = compare<float>(in[0], in[1], Le{}); return true;
  case Opcode::F32x4Ge: out = compare<float>(in[0], in[1], Ge{}); return true;

  case Opcode::F64x2Eq: out = compare<double>(in[0], in[1], Eq{}); return true;
  case Opcode::F64x2Ne: out = compare<double>(in[0], in[1], Ne{}); return true;
  case Opcode::F64x2Lt: out = compare<double>(in[0], in[1], Lt{}); return true;
  case Opcode::F64x2Gt: out = compare<double>(in[0], in[1], Gt{}); return true;
  case Opcode::F64x2Le: out = compare<double>(in[0], in[1], Le{}); return true;
  case Opcode::F64x2Ge: out = compare<double>(in[0], in[1], Ge{}); return true;
  default: return false;
  }
}

// ---------------------------------------------------------------------------
// Shifts: the count is taken modulo the lane width.

enum class Shift { Left, RightSigned, RightUnsigned };

template <typename U> ValueSlot shift(const ValueSlot &v, const ValueSlot &count, Shift kind) {
  using S = std::make_signed_t<U>;
  unsigned n = lane<uint32_t>(count, 0) % (8 * sizeof(U));
  switch (kind) {
  case Shift::Left: return lanewise<U>(v, [n](U x) { return Wide<U>(x) << n; });
  // C++20 defines >> of a negative value as an arithmetic shift.
  case Shift::RightSigned: return lanewise<S>(v, [n](S x) { return x >> n; });
  case Shift::RightUnsigned: break;
  }
  return lanewise<U>(v, [n](U x) { return x >> n; });
}

bool executeShift(Opcode op, const ValueSlot *in, ValueSlot &out) {
  switch (op) {
  case Opcode::I8x16Shl: out = shift<uint8_t>(in[0], in[1], Shift::Left); return true;
  case Opcode::I8x16ShrS: out = shift<uint8_t>(in[0], in[1], Shift::RightSigned); return true;
  case Opcode::I8x16ShrU: out = shift<uint8_t>(in[0], in[1], Shift::RightUnsigned); return true;
  case Opcode::I16x8Shl: out = shift<uint16_t>(in[0], in[1], Shift::Left); return true;
  case Opcode::I16x8ShrS: out = shift<uint16_t>(in[0], in[1], Shift::RightSigned); return true;
  case Opcode::I16x8ShrU: out = shift<uint16_t>(in[0], in[1], Shift::RightUnsigned); return true;
  case Opcode::I32x4Shl: out = shift<uint32_t>(in[0], in[1], Shift::Left); return true;
  case Opcode::I32x4ShrS: out = shift<uint32_t>(in[0], in[1], Shift::RightSigned); return true;
  case Opcode::I32x4ShrU: out = shift<uint32_t>(in[0], in[1], Shift::RightUnsigned); return true;
  case Opcode::I64x2Shl: out = shift<uint64_t>(in[0], in[1], Shift::Left); return true;
  case Opcode::I64x2ShrS: out = shift<uint64_t>(in[0], in[1], Shift::RightSigned); return true;
  case Opcode::I64x2ShrU: out = shift<uint64_t>(in[0], in[1], Shift::RightUnsigned); return true;
  default: return false;
  }
}

// ---------------------------------------------------------------------------
// Narrowing and widening. From is the signed or unsigned input lane type, To
// the result lane type; products and sums are formed in 64 bits, where they
// are exact.

template <typename From>
using Exact = std::conditional_t<std::is_signed_v<From>, int64_t, uint64_t>;

// Both narrowings read their inputs as signed; the unsigned one saturates to
// [0, max].
template <typename From, typename To> ValueSlot narrow(const ValueSlot &a, const ValueSlot &b) {
  constexpr unsigned half = kLanes<From>;
  ValueSlot out{};
  for (unsigned i = 0; i < half; ++i) {
    setLane<To>(out, i, saturate<To>(lane<From>(a, i)));
    setLane<To>(out, half + i, saturate<To>(lane<From>(b, i)));
  }
  return out;
}

enum class Half : unsigned { Low = 0, High = 1 };

template <typename From, typename To> ValueSlot extend(const ValueSlot &a, Half half) {
  constexpr unsigned lanes = kLanes<To>;
  ValueSlot out{};
  for (unsigned i = 0; i < lanes; ++i)
    setLane<To>(out, i, To(lane<From>(a, unsigned(half) * lanes + i)));
  return out;
}

template <typename From, typename To>
ValueSlot extmul(const ValueSlot &a, const ValueSlot &b, Half half) {
  constexpr unsigned lanes = kLanes<To>;
  ValueSlot out{};
  for (unsigned i = 0; i < lanes; ++i) {
    unsigned j = unsigned(half) * lanes + i;
    setLane<To>(out, i, To(Exact<From>(lane<From>(a, j)) * Exact<From>(lane<From>(b, j))));
  }
  return out;
}

template <typename From, typename To> ValueSlot extaddPairwise(const ValueSlot &a) {
  ValueSlot out{};
  for (unsigned i = 0; i < kLanes<To>; ++i)
    setLane<To>(out, i, To(Exact<From>(lane<From>(a, 2 * i)) + Exact<From>(lane<From>(a, 2 * i + 1))));
  return out;
}

ValueSlot dot(const ValueSlot &a, const ValueSlot &b) {
  ValueSlot out{};
  for (unsigned i = 0; i < 4; ++i) {
    int64_t sum = int64_t(lane<int16_t>(a, 2 * i)) * lane<int16_t>(b, 2 * i) +
                  int64_t(lane<int16_t>(a, 2 * i + 1)) * lane<int16_t>(b, 2 * i + 1);
    // Only 2 * (-32768)^2 = 2^31 exceeds i32; it wraps to INT32_MIN.
    setLane<uint32_t>(out, i, uint32_t(sum));
  }
  return out;
}

bool executeWidenNarrow(Opcode op, const ValueSlot *in, ValueSlot &out) {
  constexpr Half L = Half::Low, H = Half::High;
  switch (op) {
  case Opcode::I8x16NarrowI16x8S: out = narrow<int16_t, int8_t>(in[0], in[1]); return true;
  case Opcode::I8x16NarrowI16x8U: out = narrow<int16_t, uint8_t>(in[0], in[1]); return true;
  case Opcode::I16x8NarrowI32x4S: out = narrow<int32_t, int16_t>(in[0], in[1]); return true;
  case Opcode::I16x8NarrowI32x4U: out = narrow<int32_t, uint16_t>(in[0], in[1]); return true;

  case Opcode::I16x8ExtendLowI8x16S: out = extend<int8_t, int16_t>(in[0], L); return true;
  case Opcode::I16x8ExtendHighI8x16S: out = extend<int8_t, int16_t>(in[0], H); return true;
  case Opcode::I16x8ExtendLowI8x16U: out = extend<uint8_t, uint16_t>(in[0], L); return true;
  case Opcode::I16x8ExtendHighI8x16U: out = extend<uint8_t, uint16_t>(in[0], H); return true;
  case Opcode::I32x4ExtendLowI16x8S: out = extend<int16_t, int32_t>(in[0], L); return true;
  case Opcode::I32x4ExtendHighI16x8S: out = extend<int16_t, int32_t>(in[0], H); return true;
  case Opcode::I32x4ExtendLowI16x8U: out = extend<uint16_t, uint32_t>(in[0], L); return true;
  case Opcode::I32x4ExtendHighI16x8U: out = extend<uint16_t, uint32_t>(in[0], H); return true;
  case Opcode::I64x2ExtendLowI32x4S: out = extend<int32_t, int64_t>(in[0], L); return true;
  case Opcode::I64x2ExtendHighI32x4S: out = extend<int32_t, int64_t>(in[0], H); return true;
  case Opcode::I64x2ExtendLowI32x4U: out = extend<uint32_t, uint64_t>(in[0], L); return true;
  case Opcode::I64x2ExtendHighI32x4U: out = extend<uint32_t, uint64_t>(in[0], H); return true;

  case Opcode::I16x8ExtmulLowI8x16S: out = extmul<int8_t, int16_t>(in[0], in[1], L); return true;
  case Opcode::I16x8ExtmulHighI8x16S: out = extmul<int8_t, int16_t>(in[0], in[1], H); return true;
  case Opcode::I16x8ExtmulLowI8x16U: out = extmul<uint8_t, uint16_t>(in[0], in[1], L); return true;
  case Opcode::I16x8ExtmulHighI8x16U: out = extmul<uint8_t, uint16_t>(in[0], in[1], H); return true;
  case Opcode::I32x4ExtmulLowI16x8S: out = extmul<int16_t, int32_t>(in[0], in[1], L); return true;
  case Opcode::I32x4ExtmulHighI16x8S: out = extmul<int16_t, int32_t>(in[0], in[1], H); return true;
  case Opcode::I32x4ExtmulLowI16x8U: out = extmul<uint16_t, uint32_t>(in[0], in[1], L); return true;
  case Opcode::I32x4ExtmulHighI16x8U: out = extmul<uint16_t, uint32_t>(in[0], in[1], H); return true;
  case Opcode::I64x2ExtmulLowI32x4S: out = extmul<int32_t, int64_t>(in[0], in[1], L); return true;
  case Opcode::I64x2ExtmulHighI32x4S: out = extmul<int32_t, int64_t>(in[0], in[1], H); return true;
  case Opcode::I64x2ExtmulLowI32x4U: out = extmul<uint32_t, uint64_t>(in[0], in[1], L); return true;
  case Opcode::I64x2ExtmulHighI32x4U: out = extmul<uint32_t, uint64_t>(in[0], in[1], H); return true;

  case Opcode::I16x8ExtaddPairwiseI8x16S: out = extaddPairwise<int8_t, int16_t>(in[0]); return true;
  case Opcode::I16x8ExtaddPairwiseI8x16U: out = extaddPairwise<uint8_t, uint16_t>(in[0]); return true;
  case Opcode::I32x4ExtaddPairwiseI16x8S: out = extaddPairwise<int16_t, int32_t>(in[0]); return true;
  case Opcode::I32x4ExtaddPairwiseI16x8U: out = extaddPairwise<uint16_t, uint32_t>(in[0]); return true;
  case Opcode::I32x4DotI16x8S: out = dot(in[0], in[1]); return true;
  default: return false;
  }
}

// ---------------------------------------------------------------------------
// Float arithmetic. add/sub/mul/div/sqrt use the host's IEEE operations, whose
// NaN results (the default NaN or a quietened input) are among those the spec
// allows.

template <typename F> constexpr Bits<F> kSignBit = Bits<F>(1) << (8 * sizeof(F) - 1);

// The spec's fmin/fmax: any NaN operand gives a NaN (canonical here, which the
// spec allows whatever the inputs), and -0 orders below +0.
constexpr auto wasmMin = [](auto x, auto y) {
  using F = decltype(x);
  if (std::isnan(x) || std::isnan(y))
    return std::numeric_limits<F>::quiet_NaN();
  if (x == y) // also -0 == +0: prefer the negative one
    return std::signbit(x) ? x : y;
  return x < y ? x : y;
};

constexpr auto wasmMax = [](auto x, auto y) {
  using F = decltype(x);
  if (std::isnan(x) || std::isnan(y))
    return std::numeric_limits<F>::quiet_NaN();
  if (x == y)
    return std::signbit(x) ? y : x;
  return x < y ? y : x;
};

// pmin/pmax return one operand unchanged (a NaN keeps its payload, even a
// signalling one), so they select bit patterns rather than float values.
template <typename F> ValueSlot pminmax(const ValueSlot &a, const ValueSlot &b, bool isMax) {
  using U = Bits<F>;
  return lanewise<U>(a, b, [isMax](U x, U y) {
    F fx = std::bit_cast<F>(x), fy = std::bit_cast<F>(y);
    bool pickY = isMax ? fx < fy : fy < fx; // pmin: b < a ? b : a; pmax: a < b ? b : a
    return pickY ? y : x;
  });
}

// abs and neg only touch the sign bit, also of NaNs.
template <typename F> ValueSlot absBits(const ValueSlot &a) {
  return lanewise<Bits<F>>(a, [](Bits<F> x) { return Bits<F>(x & ~kSignBit<F>); });
}
template <typename F> ValueSlot negBits(const ValueSlot &a) {
  return lanewise<Bits<F>>(a, [](Bits<F> x) { return Bits<F>(x ^ kSignBit<F>); });
}

// The spec's ceil/floor/trunc/nearest turn a signalling NaN into an arithmetic
// (quiet) one, but C library implementations may return it unchanged, so NaNs
// are quietened here: setting the quiet bit keeps canonical NaNs canonical.
template <typename F> F quietNan(F x) {
  constexpr Bits<F> quiet = Bits<F>(1) << (std::numeric_limits<F>::digits - 2);
  return std::bit_cast<F>(Bits<F>(std::bit_cast<Bits<F>>(x) | quiet));
}

constexpr auto fsqrt = [](auto x) { return std::sqrt(x); };
constexpr auto fceil = [](auto x) { return std::isnan(x) ? quietNan(x) : std::ceil(x); };
constexpr auto ffloor = [](auto x) { return std::isnan(x) ? quietNan(x) : std::floor(x); };
constexpr auto ftrunc = [](auto x) { return std::isnan(x) ? quietNan(x) : std::trunc(x); };
// Round half to even: nearbyint under the default rounding mode, which wasm
// code cannot change.
constexpr auto fnearest = [](auto x) { return std::isnan(x) ? quietNan(x) : std::nearbyint(x); };

bool executeFloatArith(Opcode op, const ValueSlot *in, ValueSlot &out) {
  switch (op) {
  case Opcode::F32x4Abs: out = absBits<float>(in[0]); return true;
  case Opcode::F32x4Neg: out = negBits<float>(in[0]); return true;
  case Opcode::F32x4Sqrt: out = lanewise<float>(in[0], fsqrt); return true;
  case Opcode::F32x4Ceil: out = lanewise<float>(in[0], fceil); return true;
  case Opcode::F32x4Floor: out = lanewise<float>(in[0], ffloor); return true;
  case Opcode::F32x4Trunc: out = lanewise<float>(in[0], ftrunc); return true;
  case Opcode::F32x4Nearest: out = lanewise<float>(in[0], fnearest); return true;
  case Opcode::F32x4Add: out = lanewise<float>(in[0], in[1], std::plus<float>{}); return true;
  case Opcode::F32x4Sub: out = lanewise<float>(in[0], in[1], std::minus<float>{}); return true;
  case Opcode::F32x4Mul: out = lanewise<float>(in[0], in[1], std::multiplies<float>{}); return true;
  case Opcode::F32x4Div: out = lanewise<float>(in[0], in[1], std::divides<float>{}); return true;
  case Opcode::F32x4Min: out = lanewise<float>(in[0], in[1], wasmMin); return true;
  case Opcode::F32x4Max: out = lanewise<float>(in[0], in[1], wasmMax); return true;
  case Opcode::F32x4Pmin: out = pminmax<float>(in[0], in[1], false); return true;
  case Opcode::F32x4Pmax: out = pminmax<float>(in[0], in[1], true); return true;

  case Opcode::F64x2Abs: out = absBits<double>(in[0]); return true;
  case Opcode::F64x2Neg: out = negBits<double>(in[0]); return true;
  case Opcode::F64x2Sqrt: out = lanewise<double>(in[0], fsqrt); return true;
  case Opcode::F64x2Ceil: out = lanewise<double>(in[0], fceil); return true;
  case Opcode::F64x2Floor: out = lanewise<double>(in[0], ffloor); return true;
  case Opcode::F64x2Trunc: out = lanewise<double>(in[0], ftrunc); return true;
  case Opcode::F64x2Nearest: out = lanewise<double>(in[0], fnearest); return true;
  case Opcode::F64x2Add: out = lanewise<double>(in[0], in[1], std::plus<double>{}); return true;
  case Opcode::F64x2Sub: out = lanewise<double>(in[0], in[1], std::minus<double>{}); return true;
  case Opcode::F64x2Mul: out = lanewise<double>(in[0], in[1], std::multiplies<double>{}); return true;
  case Opcode::F64x2Div: out = lanewise<double>(in[0], in[1], std::divides<double>{}); return true;
  case Opcode::F64x2Min: out = lanewise<double>(in[0], in[1], wasmMin); return true;
  case Opcode::F64x2Max: out = lanewise<double>(in[0], in[1], wasmMax); return true;
  case Opcode::F64x2Pmin: out = pminmax<double>(in[0], in[1], false); return true;
  case Opcode::F64x2Pmax: out = pminmax<double>(in[0], in[1], true); return true;
  default: return false;
  }
}

// ---------------------------------------------------------------------------
// Conversions

// The spec's trunc_sat: NaN gives 0, out-of-range values saturate. The bounds
// are powers of two, exact in both float formats, and every value that passes
// them truncates to a representable integer (no UB in the cast).
template <typename Int, typename F> Int truncSat(F x) {
  constexpr F limit = std::is_signed_v<Int> ? F(2147483648.0) : F(4294967296.0);
  if (std::isnan(x))
    return 0;
  if (std::is_signed_v<Int> ? x < -limit : x <= F(-1.0))
    return std::numeric_limits<Int>::min();
  if (x >= limit)
    return std::numeric_limits<Int>::max();
  return Int(x);
}

// Lane i of the result from lane i of the input. Where the result has fewer
// lanes, only the low input lanes are read (convert_low, promote_low); where it
// has more, its high lanes are zero (the _zero forms).
template <typename From, typename To, typename Fn> ValueSlot convertLanes(const ValueSlot &a, Fn f) {
  constexpr unsigned lanes = std::min(kLanes<From>, kLanes<To>);
  ValueSlot out{};
  for (unsigned i = 0; i < lanes; ++i)
    setLane<To>(out, i, To(f(lane<From>(a, i))));
  return out;
}

// Integer to float conversions and demote round to nearest even, as C++
// conversions do under the default rounding mode; promote is exact.
constexpr auto convert = [](auto x) { return x; };

bool executeConvert(Opcode op, const ValueSlot *in, ValueSlot &out) {
  switch (op) {
  case Opcode::I32x4TruncSatF32x4S: out = convertLanes<float, int32_t>(in[0], truncSat<int32_t, float>); return true;
  case Opcode::I32x4TruncSatF32x4U: out = convertLanes<float, uint32_t>(in[0], truncSat<uint32_t, float>); return true;
  case Opcode::I32x4TruncSatF64x2SZero: out = convertLanes<double, int32_t>(in[0], truncSat<int32_t, double>); return true;
  case Opcode::I32x4TruncSatF64x2UZero: out = convertLanes<double, uint32_t>(in[0], truncSat<uint32_t, double>); return true;
  case Opcode::F32x4ConvertI32x4S: out = convertLanes<int32_t, float>(in[0], convert); return true;
  case Opcode::F32x4ConvertI32x4U: out = convertLanes<uint32_t, float>(in[0], convert); return true;
  case Opcode::F64x2ConvertLowI32x4S: out = convertLanes<int32_t, double>(in[0], convert); return true;
  case Opcode::F64x2ConvertLowI32x4U: out = convertLanes<uint32_t, double>(in[0], convert); return true;
  case Opcode::F32x4DemoteF64x2Zero: out = convertLanes<double, float>(in[0], convert); return true;
  case Opcode::F64x2PromoteLowF32x4: out = convertLanes<float, double>(in[0], convert); return true;
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
  bool handled = executeIntArith(op, operands, out) || executeLanes(op, imm, operands, out) ||
                 executeBitwise(op, operands, out) || executeCompare(op, operands, out) ||
                 executeShift(op, operands, out) || executeWidenNarrow(op, operands, out) ||
                 executeFloatArith(op, operands, out) || executeConvert(op, operands, out);
  if (!handled)
    std::abort(); // not an instruction isSimdArithmetic accepts
  *result = out;
}

} // namespace wasmrt::internal::interp
