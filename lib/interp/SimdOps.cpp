#include "interp/SimdOps.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
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
// clang-format off
constexpr std::array<bool, kNumOpcodes> kSimdArithmetic = {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)          \
  (Prefix) == 0xFD && ImmKind::Imm != ImmKind::MemArg && ImmKind::Imm != ImmKind::MemArgLane,
#include "binary/Opcodes.def"
};
// clang-format on

// Each group of instructions is one function that returns nothing for the
// instructions of other groups.
using Result = std::optional<ValueSlot>;

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

template <typename T, typename F> ValueSlot lanewise(const ValueSlot &a, const ValueSlot &b, F f) {
  ValueSlot out{};
  for (unsigned i = 0; i < kLanes<T>; ++i)
    setLane<T>(out, i, T(f(lane<T>(a, i), lane<T>(b, i))));
  return out;
}

template <typename T, typename P>
ValueSlot compare(const ValueSlot &a, const ValueSlot &b, P pred) {
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

ValueSlot v128Const(const uint8_t *imm) {
  ValueSlot out;
  std::memcpy(out.bytes, imm, 16);
  return out;
}

// The lane index was validated against the lane count; masking only keeps a
// corrupt immediate from reading outside the slot.
template <typename T> unsigned laneIndex(const uint8_t *imm) { return imm[0] & (kLanes<T> - 1); }

// Extracted lanes are widened to the i32 result (sign- or zero-extended by the
// lane type) or copied bit for bit (i64, f32, f64 lanes are never converted,
// so NaN payloads survive).
template <typename T, typename Scalar>
ValueSlot extractLane(const ValueSlot &v, const uint8_t *imm) {
  return scalarSlot(Scalar(lane<T>(v, laneIndex<T>(imm))));
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

Result executeLanes(Opcode op, const uint8_t *imm, const ValueSlot *in) {
  switch (op) {
  case Opcode::V128Const: return v128Const(imm);
  case Opcode::I8x16Shuffle: return shuffle(in[0], in[1], imm);
  case Opcode::I8x16Swizzle: return swizzle(in[0], in[1]);
  case Opcode::I8x16Splat: return splat<uint8_t>(in[0]);
  case Opcode::I16x8Splat: return splat<uint16_t>(in[0]);
  case Opcode::I32x4Splat:
  case Opcode::F32x4Splat: return splat<uint32_t>(in[0]);
  case Opcode::I64x2Splat:
  case Opcode::F64x2Splat: return splat<uint64_t>(in[0]);
  case Opcode::I8x16ExtractLaneS: return extractLane<int8_t, int32_t>(in[0], imm);
  case Opcode::I8x16ExtractLaneU: return extractLane<uint8_t, uint32_t>(in[0], imm);
  case Opcode::I16x8ExtractLaneS: return extractLane<int16_t, int32_t>(in[0], imm);
  case Opcode::I16x8ExtractLaneU: return extractLane<uint16_t, uint32_t>(in[0], imm);
  case Opcode::I32x4ExtractLane:
  case Opcode::F32x4ExtractLane: return extractLane<uint32_t, uint32_t>(in[0], imm);
  case Opcode::I64x2ExtractLane:
  case Opcode::F64x2ExtractLane: return extractLane<uint64_t, uint64_t>(in[0], imm);
  case Opcode::I8x16ReplaceLane: return replaceLane<uint8_t>(in[0], in[1], imm);
  case Opcode::I16x8ReplaceLane: return replaceLane<uint16_t>(in[0], in[1], imm);
  case Opcode::I32x4ReplaceLane:
  case Opcode::F32x4ReplaceLane: return replaceLane<uint32_t>(in[0], in[1], imm);
  case Opcode::I64x2ReplaceLane:
  case Opcode::F64x2ReplaceLane: return replaceLane<uint64_t>(in[0], in[1], imm);
  default: return std::nullopt;
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

Result executeBitwise(Opcode op, const uint8_t *, const ValueSlot *in) {
  using U = uint64_t;
  switch (op) {
  case Opcode::V128Not: return lanewise<U>(in[0], [](U x) { return ~x; });
  case Opcode::V128And: return lanewise<U>(in[0], in[1], std::bit_and<U>{});
  case Opcode::V128AndNot: return lanewise<U>(in[0], in[1], [](U x, U y) { return x & ~y; });
  case Opcode::V128Or: return lanewise<U>(in[0], in[1], std::bit_or<U>{});
  case Opcode::V128Xor: return lanewise<U>(in[0], in[1], std::bit_xor<U>{});
  case Opcode::V128Bitselect: return bitselect(in[0], in[1], in[2]);
  case Opcode::V128AnyTrue: return anyTrue(in[0]);
  case Opcode::I8x16AllTrue: return allTrue<uint8_t>(in[0]);
  case Opcode::I16x8AllTrue: return allTrue<uint16_t>(in[0]);
  case Opcode::I32x4AllTrue: return allTrue<uint32_t>(in[0]);
  case Opcode::I64x2AllTrue: return allTrue<uint64_t>(in[0]);
  case Opcode::I8x16Bitmask: return bitmask<uint8_t>(in[0]);
  case Opcode::I16x8Bitmask: return bitmask<uint16_t>(in[0]);
  case Opcode::I32x4Bitmask: return bitmask<uint32_t>(in[0]);
  case Opcode::I64x2Bitmask: return bitmask<uint64_t>(in[0]);
  default: return std::nullopt;
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
constexpr auto addSat = [](auto x, auto y) {
  return saturate<decltype(x)>(int64_t(x) + int64_t(y));
};
constexpr auto subSat = [](auto x, auto y) {
  return saturate<decltype(x)>(int64_t(x) - int64_t(y));
};
constexpr auto avgr = [](auto x, auto y) { return (Wide<decltype(x)>(x) + y + 1) >> 1; };

int16_t q15mulrSat(int16_t x, int16_t y) {
  // The product is at most 2^30 in magnitude; only -1 * -1 (in Q15) saturates.
  return saturate<int16_t>((int32_t(x) * int32_t(y) + 0x4000) >> 15);
}

Result executeIntArith(Opcode op, const uint8_t *, const ValueSlot *in) {
  switch (op) {
  case Opcode::I8x16Add: return lanewise<uint8_t>(in[0], in[1], add);
  case Opcode::I8x16AddSatS: return lanewise<int8_t>(in[0], in[1], addSat);
  case Opcode::I8x16AddSatU: return lanewise<uint8_t>(in[0], in[1], addSat);
  case Opcode::I8x16Sub: return lanewise<uint8_t>(in[0], in[1], sub);
  case Opcode::I8x16SubSatS: return lanewise<int8_t>(in[0], in[1], subSat);
  case Opcode::I8x16SubSatU: return lanewise<uint8_t>(in[0], in[1], subSat);
  case Opcode::I8x16MinS: return lanewise<int8_t>(in[0], in[1], imin);
  case Opcode::I8x16MinU: return lanewise<uint8_t>(in[0], in[1], imin);
  case Opcode::I8x16MaxS: return lanewise<int8_t>(in[0], in[1], imax);
  case Opcode::I8x16MaxU: return lanewise<uint8_t>(in[0], in[1], imax);
  case Opcode::I8x16AvgrU: return lanewise<uint8_t>(in[0], in[1], avgr);
  case Opcode::I8x16Abs: return lanewise<int8_t>(in[0], iabs);
  case Opcode::I8x16Neg: return lanewise<uint8_t>(in[0], neg);
  case Opcode::I8x16Popcnt:
    return lanewise<uint8_t>(in[0], [](uint8_t x) { return std::popcount(x); });

  case Opcode::I16x8Add: return lanewise<uint16_t>(in[0], in[1], add);
  case Opcode::I16x8AddSatS: return lanewise<int16_t>(in[0], in[1], addSat);
  case Opcode::I16x8AddSatU: return lanewise<uint16_t>(in[0], in[1], addSat);
  case Opcode::I16x8Sub: return lanewise<uint16_t>(in[0], in[1], sub);
  case Opcode::I16x8SubSatS: return lanewise<int16_t>(in[0], in[1], subSat);
  case Opcode::I16x8SubSatU: return lanewise<uint16_t>(in[0], in[1], subSat);
  case Opcode::I16x8Mul: return lanewise<uint16_t>(in[0], in[1], mul);
  case Opcode::I16x8MinS: return lanewise<int16_t>(in[0], in[1], imin);
  case Opcode::I16x8MinU: return lanewise<uint16_t>(in[0], in[1], imin);
  case Opcode::I16x8MaxS: return lanewise<int16_t>(in[0], in[1], imax);
  case Opcode::I16x8MaxU: return lanewise<uint16_t>(in[0], in[1], imax);
  case Opcode::I16x8AvgrU: return lanewise<uint16_t>(in[0], in[1], avgr);
  case Opcode::I16x8Abs: return lanewise<int16_t>(in[0], iabs);
  case Opcode::I16x8Neg: return lanewise<uint16_t>(in[0], neg);
  case Opcode::I16x8Q15mulrSatS: return lanewise<int16_t>(in[0], in[1], q15mulrSat);

  case Opcode::I32x4Add: return lanewise<uint32_t>(in[0], in[1], add);
  case Opcode::I32x4Sub: return lanewise<uint32_t>(in[0], in[1], sub);
  case Opcode::I32x4Mul: return lanewise<uint32_t>(in[0], in[1], mul);
  case Opcode::I32x4MinS: return lanewise<int32_t>(in[0], in[1], imin);
  case Opcode::I32x4MinU: return lanewise<uint32_t>(in[0], in[1], imin);
  case Opcode::I32x4MaxS: return lanewise<int32_t>(in[0], in[1], imax);
  case Opcode::I32x4MaxU: return lanewise<uint32_t>(in[0], in[1], imax);
  case Opcode::I32x4Abs: return lanewise<int32_t>(in[0], iabs);
  case Opcode::I32x4Neg: return lanewise<uint32_t>(in[0], neg);

  case Opcode::I64x2Add: return lanewise<uint64_t>(in[0], in[1], add);
  case Opcode::I64x2Sub: return lanewise<uint64_t>(in[0], in[1], sub);
  case Opcode::I64x2Mul: return lanewise<uint64_t>(in[0], in[1], mul);
  case Opcode::I64x2Abs: return lanewise<int64_t>(in[0], iabs);
  case Opcode::I64x2Neg: return lanewise<uint64_t>(in[0], neg);
  default: return std::nullopt;
  }
}

// ---------------------------------------------------------------------------
// Comparisons: all-ones lanes for true. Float lanes compare as IEEE values, so
// every comparison with a NaN is false except ne.

Result executeCompare(Opcode op, const uint8_t *, const ValueSlot *in) {
  using Eq = std::equal_to<>;
  using Ne = std::not_equal_to<>;
  using Lt = std::less<>;
  using Gt = std::greater<>;
  using Le = std::less_equal<>;
  using Ge = std::greater_equal<>;
  switch (op) {
  case Opcode::I8x16Eq: return compare<uint8_t>(in[0], in[1], Eq{});
  case Opcode::I8x16Ne: return compare<uint8_t>(in[0], in[1], Ne{});
  case Opcode::I8x16LtS: return compare<int8_t>(in[0], in[1], Lt{});
  case Opcode::I8x16LtU: return compare<uint8_t>(in[0], in[1], Lt{});
  case Opcode::I8x16GtS: return compare<int8_t>(in[0], in[1], Gt{});
  case Opcode::I8x16GtU: return compare<uint8_t>(in[0], in[1], Gt{});
  case Opcode::I8x16LeS: return compare<int8_t>(in[0], in[1], Le{});
  case Opcode::I8x16LeU: return compare<uint8_t>(in[0], in[1], Le{});
  case Opcode::I8x16GeS: return compare<int8_t>(in[0], in[1], Ge{});
  case Opcode::I8x16GeU: return compare<uint8_t>(in[0], in[1], Ge{});

  case Opcode::I16x8Eq: return compare<uint16_t>(in[0], in[1], Eq{});
  case Opcode::I16x8Ne: return compare<uint16_t>(in[0], in[1], Ne{});
  case Opcode::I16x8LtS: return compare<int16_t>(in[0], in[1], Lt{});
  case Opcode::I16x8LtU: return compare<uint16_t>(in[0], in[1], Lt{});
  case Opcode::I16x8GtS: return compare<int16_t>(in[0], in[1], Gt{});
  case Opcode::I16x8GtU: return compare<uint16_t>(in[0], in[1], Gt{});
  case Opcode::I16x8LeS: return compare<int16_t>(in[0], in[1], Le{});
  case Opcode::I16x8LeU: return compare<uint16_t>(in[0], in[1], Le{});
  case Opcode::I16x8GeS: return compare<int16_t>(in[0], in[1], Ge{});
  case Opcode::I16x8GeU: return compare<uint16_t>(in[0], in[1], Ge{});

  case Opcode::I32x4Eq: return compare<uint32_t>(in[0], in[1], Eq{});
  case Opcode::I32x4Ne: return compare<uint32_t>(in[0], in[1], Ne{});
  case Opcode::I32x4LtS: return compare<int32_t>(in[0], in[1], Lt{});
  case Opcode::I32x4LtU: return compare<uint32_t>(in[0], in[1], Lt{});
  case Opcode::I32x4GtS: return compare<int32_t>(in[0], in[1], Gt{});
  case Opcode::I32x4GtU: return compare<uint32_t>(in[0], in[1], Gt{});
  case Opcode::I32x4LeS: return compare<int32_t>(in[0], in[1], Le{});
  case Opcode::I32x4LeU: return compare<uint32_t>(in[0], in[1], Le{});
  case Opcode::I32x4GeS: return compare<int32_t>(in[0], in[1], Ge{});
  case Opcode::I32x4GeU: return compare<uint32_t>(in[0], in[1], Ge{});

  case Opcode::I64x2Eq: return compare<uint64_t>(in[0], in[1], Eq{});
  case Opcode::I64x2Ne: return compare<uint64_t>(in[0], in[1], Ne{});
  case Opcode::I64x2LtS: return compare<int64_t>(in[0], in[1], Lt{});
  case Opcode::I64x2GtS: return compare<int64_t>(in[0], in[1], Gt{});
  case Opcode::I64x2LeS: return compare<int64_t>(in[0], in[1], Le{});
  case Opcode::I64x2GeS: return compare<int64_t>(in[0], in[1], Ge{});

  case Opcode::F32x4Eq: return compare<float>(in[0], in[1], Eq{});
  case Opcode::F32x4Ne: return compare<float>(in[0], in[1], Ne{});
  case Opcode::F32x4Lt: return compare<float>(in[0], in[1], Lt{});
  case Opcode::F32x4Gt: return compare<float>(in[0], in[1], Gt{});
  case Opcode::F32x4Le: return compare<float>(in[0], in[1], Le{});
  case Opcode::F32x4Ge: return compare<float>(in[0], in[1], Ge{});

  case Opcode::F64x2Eq: return compare<double>(in[0], in[1], Eq{});
  case Opcode::F64x2Ne: return compare<double>(in[0], in[1], Ne{});
  case Opcode::F64x2Lt: return compare<double>(in[0], in[1], Lt{});
  case Opcode::F64x2Gt: return compare<double>(in[0], in[1], Gt{});
  case Opcode::F64x2Le: return compare<double>(in[0], in[1], Le{});
  case Opcode::F64x2Ge: return compare<double>(in[0], in[1], Ge{});
  default: return std::nullopt;
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

Result executeShift(Opcode op, const uint8_t *, const ValueSlot *in) {
  switch (op) {
  case Opcode::I8x16Shl: return shift<uint8_t>(in[0], in[1], Shift::Left);
  case Opcode::I8x16ShrS: return shift<uint8_t>(in[0], in[1], Shift::RightSigned);
  case Opcode::I8x16ShrU: return shift<uint8_t>(in[0], in[1], Shift::RightUnsigned);
  case Opcode::I16x8Shl: return shift<uint16_t>(in[0], in[1], Shift::Left);
  case Opcode::I16x8ShrS: return shift<uint16_t>(in[0], in[1], Shift::RightSigned);
  case Opcode::I16x8ShrU: return shift<uint16_t>(in[0], in[1], Shift::RightUnsigned);
  case Opcode::I32x4Shl: return shift<uint32_t>(in[0], in[1], Shift::Left);
  case Opcode::I32x4ShrS: return shift<uint32_t>(in[0], in[1], Shift::RightSigned);
  case Opcode::I32x4ShrU: return shift<uint32_t>(in[0], in[1], Shift::RightUnsigned);
  case Opcode::I64x2Shl: return shift<uint64_t>(in[0], in[1], Shift::Left);
  case Opcode::I64x2ShrS: return shift<uint64_t>(in[0], in[1], Shift::RightSigned);
  case Opcode::I64x2ShrU: return shift<uint64_t>(in[0], in[1], Shift::RightUnsigned);
  default: return std::nullopt;
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
    setLane<To>(out, i,
                To(Exact<From>(lane<From>(a, 2 * i)) + Exact<From>(lane<From>(a, 2 * i + 1))));
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

Result executeWidenNarrow(Opcode op, const uint8_t *, const ValueSlot *in) {
  constexpr Half L = Half::Low, H = Half::High;
  switch (op) {
  case Opcode::I8x16NarrowI16x8S: return narrow<int16_t, int8_t>(in[0], in[1]);
  case Opcode::I8x16NarrowI16x8U: return narrow<int16_t, uint8_t>(in[0], in[1]);
  case Opcode::I16x8NarrowI32x4S: return narrow<int32_t, int16_t>(in[0], in[1]);
  case Opcode::I16x8NarrowI32x4U: return narrow<int32_t, uint16_t>(in[0], in[1]);

  case Opcode::I16x8ExtendLowI8x16S: return extend<int8_t, int16_t>(in[0], L);
  case Opcode::I16x8ExtendHighI8x16S: return extend<int8_t, int16_t>(in[0], H);
  case Opcode::I16x8ExtendLowI8x16U: return extend<uint8_t, uint16_t>(in[0], L);
  case Opcode::I16x8ExtendHighI8x16U: return extend<uint8_t, uint16_t>(in[0], H);
  case Opcode::I32x4ExtendLowI16x8S: return extend<int16_t, int32_t>(in[0], L);
  case Opcode::I32x4ExtendHighI16x8S: return extend<int16_t, int32_t>(in[0], H);
  case Opcode::I32x4ExtendLowI16x8U: return extend<uint16_t, uint32_t>(in[0], L);
  case Opcode::I32x4ExtendHighI16x8U: return extend<uint16_t, uint32_t>(in[0], H);
  case Opcode::I64x2ExtendLowI32x4S: return extend<int32_t, int64_t>(in[0], L);
  case Opcode::I64x2ExtendHighI32x4S: return extend<int32_t, int64_t>(in[0], H);
  case Opcode::I64x2ExtendLowI32x4U: return extend<uint32_t, uint64_t>(in[0], L);
  case Opcode::I64x2ExtendHighI32x4U: return extend<uint32_t, uint64_t>(in[0], H);

  case Opcode::I16x8ExtmulLowI8x16S: return extmul<int8_t, int16_t>(in[0], in[1], L);
  case Opcode::I16x8ExtmulHighI8x16S: return extmul<int8_t, int16_t>(in[0], in[1], H);
  case Opcode::I16x8ExtmulLowI8x16U: return extmul<uint8_t, uint16_t>(in[0], in[1], L);
  case Opcode::I16x8ExtmulHighI8x16U: return extmul<uint8_t, uint16_t>(in[0], in[1], H);
  case Opcode::I32x4ExtmulLowI16x8S: return extmul<int16_t, int32_t>(in[0], in[1], L);
  case Opcode::I32x4ExtmulHighI16x8S: return extmul<int16_t, int32_t>(in[0], in[1], H);
  case Opcode::I32x4ExtmulLowI16x8U: return extmul<uint16_t, uint32_t>(in[0], in[1], L);
  case Opcode::I32x4ExtmulHighI16x8U: return extmul<uint16_t, uint32_t>(in[0], in[1], H);
  case Opcode::I64x2ExtmulLowI32x4S: return extmul<int32_t, int64_t>(in[0], in[1], L);
  case Opcode::I64x2ExtmulHighI32x4S: return extmul<int32_t, int64_t>(in[0], in[1], H);
  case Opcode::I64x2ExtmulLowI32x4U: return extmul<uint32_t, uint64_t>(in[0], in[1], L);
  case Opcode::I64x2ExtmulHighI32x4U: return extmul<uint32_t, uint64_t>(in[0], in[1], H);

  case Opcode::I16x8ExtaddPairwiseI8x16S: return extaddPairwise<int8_t, int16_t>(in[0]);
  case Opcode::I16x8ExtaddPairwiseI8x16U: return extaddPairwise<uint8_t, uint16_t>(in[0]);
  case Opcode::I32x4ExtaddPairwiseI16x8S: return extaddPairwise<int16_t, int32_t>(in[0]);
  case Opcode::I32x4ExtaddPairwiseI16x8U: return extaddPairwise<uint16_t, uint32_t>(in[0]);
  case Opcode::I32x4DotI16x8S: return dot(in[0], in[1]);
  default: return std::nullopt;
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

Result executeFloatArith(Opcode op, const uint8_t *, const ValueSlot *in) {
  switch (op) {
  case Opcode::F32x4Abs: return absBits<float>(in[0]);
  case Opcode::F32x4Neg: return negBits<float>(in[0]);
  case Opcode::F32x4Sqrt: return lanewise<float>(in[0], fsqrt);
  case Opcode::F32x4Ceil: return lanewise<float>(in[0], fceil);
  case Opcode::F32x4Floor: return lanewise<float>(in[0], ffloor);
  case Opcode::F32x4Trunc: return lanewise<float>(in[0], ftrunc);
  case Opcode::F32x4Nearest: return lanewise<float>(in[0], fnearest);
  case Opcode::F32x4Add: return lanewise<float>(in[0], in[1], std::plus<float>{});
  case Opcode::F32x4Sub: return lanewise<float>(in[0], in[1], std::minus<float>{});
  case Opcode::F32x4Mul: return lanewise<float>(in[0], in[1], std::multiplies<float>{});
  case Opcode::F32x4Div: return lanewise<float>(in[0], in[1], std::divides<float>{});
  case Opcode::F32x4Min: return lanewise<float>(in[0], in[1], wasmMin);
  case Opcode::F32x4Max: return lanewise<float>(in[0], in[1], wasmMax);
  case Opcode::F32x4Pmin: return pminmax<float>(in[0], in[1], false);
  case Opcode::F32x4Pmax: return pminmax<float>(in[0], in[1], true);

  case Opcode::F64x2Abs: return absBits<double>(in[0]);
  case Opcode::F64x2Neg: return negBits<double>(in[0]);
  case Opcode::F64x2Sqrt: return lanewise<double>(in[0], fsqrt);
  case Opcode::F64x2Ceil: return lanewise<double>(in[0], fceil);
  case Opcode::F64x2Floor: return lanewise<double>(in[0], ffloor);
  case Opcode::F64x2Trunc: return lanewise<double>(in[0], ftrunc);
  case Opcode::F64x2Nearest: return lanewise<double>(in[0], fnearest);
  case Opcode::F64x2Add: return lanewise<double>(in[0], in[1], std::plus<double>{});
  case Opcode::F64x2Sub: return lanewise<double>(in[0], in[1], std::minus<double>{});
  case Opcode::F64x2Mul: return lanewise<double>(in[0], in[1], std::multiplies<double>{});
  case Opcode::F64x2Div: return lanewise<double>(in[0], in[1], std::divides<double>{});
  case Opcode::F64x2Min: return lanewise<double>(in[0], in[1], wasmMin);
  case Opcode::F64x2Max: return lanewise<double>(in[0], in[1], wasmMax);
  case Opcode::F64x2Pmin: return pminmax<double>(in[0], in[1], false);
  case Opcode::F64x2Pmax: return pminmax<double>(in[0], in[1], true);
  default: return std::nullopt;
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
template <typename From, typename To, typename Fn>
ValueSlot convertLanes(const ValueSlot &a, Fn f) {
  constexpr unsigned lanes = std::min(kLanes<From>, kLanes<To>);
  ValueSlot out{};
  for (unsigned i = 0; i < lanes; ++i)
    setLane<To>(out, i, To(f(lane<From>(a, i))));
  return out;
}

// Integer to float conversions and demote round to nearest even, as C++
// conversions do under the default rounding mode; promote is exact.
constexpr auto convert = [](auto x) { return x; };

Result executeConvert(Opcode op, const uint8_t *, const ValueSlot *in) {
  switch (op) {
  case Opcode::I32x4TruncSatF32x4S:
    return convertLanes<float, int32_t>(in[0], truncSat<int32_t, float>);
  case Opcode::I32x4TruncSatF32x4U:
    return convertLanes<float, uint32_t>(in[0], truncSat<uint32_t, float>);
  case Opcode::I32x4TruncSatF64x2SZero:
    return convertLanes<double, int32_t>(in[0], truncSat<int32_t, double>);
  case Opcode::I32x4TruncSatF64x2UZero:
    return convertLanes<double, uint32_t>(in[0], truncSat<uint32_t, double>);
  case Opcode::F32x4ConvertI32x4S: return convertLanes<int32_t, float>(in[0], convert);
  case Opcode::F32x4ConvertI32x4U: return convertLanes<uint32_t, float>(in[0], convert);
  case Opcode::F64x2ConvertLowI32x4S: return convertLanes<int32_t, double>(in[0], convert);
  case Opcode::F64x2ConvertLowI32x4U: return convertLanes<uint32_t, double>(in[0], convert);
  case Opcode::F32x4DemoteF64x2Zero: return convertLanes<double, float>(in[0], convert);
  case Opcode::F64x2PromoteLowF32x4: return convertLanes<float, double>(in[0], convert);
  default: return std::nullopt;
  }
}

} // namespace

bool isSimdArithmetic(Opcode op) {
  unsigned index = unsigned(op);
  return index < kNumOpcodes && kSimdArithmetic[index];
}

void executeSimd(Opcode op, const uint8_t *imm, const ValueSlot *operands, ValueSlot *result) {
  using Group = Result (*)(Opcode, const uint8_t *, const ValueSlot *);
  // Roughly by expected frequency; each miss costs one switch range check.
  static constexpr Group kGroups[] = {executeIntArith,    executeLanes,  executeBitwise,
                                      executeCompare,     executeShift,  executeFloatArith,
                                      executeWidenNarrow, executeConvert};
  for (Group group : kGroups) {
    if (Result out = group(op, imm, operands)) {
      *result = *out; // computed aside: *result may alias operands[0]
      return;
    }
  }
  std::abort(); // not an instruction isSimdArithmetic accepts
}

} // namespace wasmrt::internal::interp
