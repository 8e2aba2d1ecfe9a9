#include "CompilerTestUtil.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;
using abi::TrapKind;

namespace {

std::unique_ptr<TestInstance> make(std::string_view wat, unsigned optLevel = 2) {
  std::string error;
  auto instance = TestInstance::create(wat, testOptions(optLevel), {}, &error);
  INFO(error);
  REQUIRE(instance);
  return instance;
}

// Binary and unary operators as exported functions named after the operator.
std::string binaryOps(std::string_view type, std::initializer_list<std::string_view> ops,
                      std::string_view result = {}) {
  std::string r(result.empty() ? type : result);
  std::string wat = "(module\n";
  for (std::string_view op : ops)
    wat += "(func (export \"" + std::string(op) + "\") (param " + std::string(type) + " " +
           std::string(type) + ") (result " + r + ") (" + std::string(type) + "." +
           std::string(op) + " (local.get 0) (local.get 1)))\n";
  return wat + ")";
}
std::string unaryOps(std::string_view type, std::initializer_list<std::string_view> ops,
                     std::string_view result = {}) {
  std::string r(result.empty() ? type : result);
  std::string wat = "(module\n";
  for (std::string_view op : ops)
    wat += "(func (export \"" + std::string(op) + "\") (param " + std::string(type) +
           ") (result " + r + ") (" + std::string(type) + "." + std::string(op) +
           " (local.get 0)))\n";
  return wat + ")";
}

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
uint64_t bitsOf(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

} // namespace

TEST_CASE("i32 arithmetic, division traps and shifts", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(binaryOps("i32", {"add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "shl",
                                  "shr_s", "shr_u", "rotl", "rotr", "and", "or", "xor"}),
                optLevel);
  CHECK(m->call("add", {i32(INT32_MAX), i32(1)}).i32() == INT32_MIN);
  CHECK(m->call("sub", {i32(INT32_MIN), i32(1)}).i32() == INT32_MAX);
  CHECK(m->call("mul", {i32(0x10000), i32(0x10000)}).i32() == 0);
  CHECK(m->call("div_s", {i32(-7), i32(2)}).i32() == -3);
  CHECK(m->call("div_u", {i32(-7), i32(2)}).u32() == 0x7FFFFFFCu);
  CHECK(m->call("div_s", {i32(1), i32(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("div_u", {i32(1), i32(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("rem_s", {i32(1), i32(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("rem_u", {i32(1), i32(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("div_s", {i32(INT32_MIN), i32(-1)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("rem_s", {i32(INT32_MIN), i32(-1)}).i32() == 0);
  CHECK(m->call("rem_s", {i32(-7), i32(2)}).i32() == -1);
  CHECK(m->call("rem_u", {i32(-7), i32(2)}).i32() == 1);
  CHECK(m->call("shl", {i32(1), i32(33)}).i32() == 2);
  CHECK(m->call("shr_s", {i32(INT32_MIN), i32(31 + 32)}).i32() == -1);
  CHECK(m->call("shr_u", {i32(INT32_MIN), i32(-1)}).i32() == 1);
  CHECK(m->call("rotl", {i32(0x80000001), i32(1)}).u32() == 3u);
  CHECK(m->call("rotr", {i32(3), i32(33)}).u32() == 0x80000001u);
  CHECK(m->call("xor", {i32(-1), i32(0x0F0F0F0F)}).u32() == 0xF0F0F0F0u);
}

TEST_CASE("i64 arithmetic and bit counting", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(binaryOps("i64", {"add", "mul", "div_s", "div_u", "rem_s", "rem_u", "shl",
                                  "shr_s", "rotl", "rotr"}),
                optLevel);
  CHECK(m->call("add", {i64(INT64_MAX), i64(1)}).i64() == INT64_MIN);
  CHECK(m->call("div_s", {i64(INT64_MIN), i64(-1)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("div_u", {i64(5), i64(0)}).trapped(TrapKind::IntegerDivideByZero));
  CHECK(m->call("rem_s", {i64(INT64_MIN), i64(-1)}).i64() == 0);
  CHECK(m->call("rem_u", {i64(-1), i64(10)}).u64() == UINT64_MAX % 10);
  CHECK(m->call("shl", {i64(1), i64(65)}).i64() == 2);
  CHECK(m->call("shr_s", {i64(INT64_MIN), i64(127)}).i64() == -1);
  CHECK(m->call("rotl", {i64(INT64_MIN), i64(65)}).i64() == 1);
  CHECK(m->call("rotr", {i64(1), i64(1)}).u64() == 0x8000000000000000ull);

  auto u = make(unaryOps("i64", {"clz", "ctz", "popcnt", "extend8_s", "extend16_s",
                                 "extend32_s"}),
                optLevel);
  auto u32 = make(unaryOps("i32", {"clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"}),
                  optLevel);
  CHECK(u->call("clz", {i64(0)}).i64() == 64);
  CHECK(u->call("ctz", {i64(0)}).i64() == 64);
  CHECK(u->call("popcnt", {i64(-1)}).i64() == 64);
  CHECK(u->call("extend8_s", {i64(0x80)}).i64() == -128);
  CHECK(u->call("extend16_s", {i64(0x7FFF)}).i64() == 0x7FFF);
  CHECK(u->call("extend32_s", {i64(0x80000000)}).i64() == INT32_MIN);
  CHECK(u32->call("clz", {i32(0)}).i32() == 32);
  CHECK(u32->call("ctz", {i32(0x80000000)}).i32() == 31);
  CHECK(u32->call("popcnt", {i32(0x55)}).i32() == 4);
  CHECK(u32->call("eqz", {i32(0)}).i32() == 1);
  CHECK(u32->call("extend8_s", {i32(0xFF)}).i32() == -1);
  CHECK(u32->call("extend16_s", {i32(0x18000)}).i32() == -32768);
}

TEST_CASE("float min/max follow Wasm NaN and signed-zero rules", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(binaryOps("f32", {"min", "max", "copysign"}), optLevel);
  auto d = make(binaryOps("f64", {"min", "max", "copysign"}), optLevel);
  CHECK(m->call("min", {f32(-0.0f), f32(0.0f)}).load<uint32_t>(0) == 0x80000000u);
  CHECK(m->call("min", {f32(0.0f), f32(-0.0f)}).load<uint32_t>(0) == 0x80000000u);
  CHECK(m->call("max", {f32(-0.0f), f32(0.0f)}).load<uint32_t>(0) == 0u);
  CHECK(m->call("max", {f32(0.0f), f32(-0.0f)}).load<uint32_t>(0) == 0u);
  CHECK(m->call("min", {f32(1.0f), f32(2.0f)}).f32() == 1.0f);
  CHECK(m->call("max", {f32(1.0f), f32(2.0f)}).f32() == 2.0f);
  // A NaN operand gives a NaN; a signalling one comes back quiet.
  uint32_t nan = m->call("min", {f32(1.0f), f32Bits(0x7FA00000)}).load<uint32_t>(0);
  CHECK((nan & 0x7FC00000u) == 0x7FC00000u);
  nan = m->call("max", {f32Bits(0xFFC00001), f32(1.0f)}).load<uint32_t>(0);
  CHECK((nan & 0x7FC00000u) == 0x7FC00000u);
  CHECK(std::isnan(d->call("min", {f64(NAN), f64(-INFINITY)}).f64()));
  CHECK(std::isnan(d->call("max", {f64(INFINITY), f64(NAN)}).f64()));
  CHECK(d->call("min", {f64(-0.0), f64(0.0)}).u64() == 0x8000000000000000ull);
  // copysign only moves the sign bit, payload untouched.
  CHECK(m->call("copysign", {f32Bits(0x7FA00001), f32(-1.0f)}).load<uint32_t>(0) == 0xFFA00001u);
  CHECK(d->call("copysign", {f64(2.0), f64(-0.0)}).f64() == -2.0);
}

TEST_CASE("float rounding and sign operations are exact", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(unaryOps("f32", {"nearest", "ceil", "floor", "trunc", "abs", "neg", "sqrt"}),
                optLevel);
  auto d = make(unaryOps("f64", {"nearest", "abs", "neg"}), optLevel);
  CHECK(m->call("nearest", {f32(0.5f)}).f32() == 0.0f);
  CHECK(m->call("nearest", {f32(1.5f)}).f32() == 2.0f);
  CHECK(m->call("nearest", {f32(2.5f)}).f32() == 2.0f);
  CHECK(m->call("nearest", {f32(-0.5f)}).load<uint32_t>(0) == 0x80000000u);
  CHECK(m->call("ceil", {f32(-0.5f)}).load<uint32_t>(0) == 0x80000000u);
  CHECK(m->call("floor", {f32(-0.5f)}).f32() == -1.0f);
  CHECK(m->call("trunc", {f32(-1.7f)}).f32() == -1.0f);
  CHECK(m->call("sqrt", {f32(4.0f)}).f32() == 2.0f);
  CHECK(d->call("nearest", {f64(-2.5)}).f64() == -2.0);
  CHECK(d->call("nearest", {f64(4503599627370497.0)}).f64() == 4503599627370497.0);
  // abs/neg on NaNs: only the sign bit changes (signalling NaNs stay signalling).
  CHECK(m->call("abs", {f32Bits(0xFFA00001)}).load<uint32_t>(0) == 0x7FA00001u);
  CHECK(m->call("neg", {f32Bits(0x7FA00001)}).load<uint32_t>(0) == 0xFFA00001u);
  CHECK(d->call("neg", {f64Bits(0x7FF0000000000001)}).u64() == 0xFFF0000000000001ull);
  CHECK(d->call("abs", {f64Bits(0xFFF4000000000000)}).u64() == 0x7FF4000000000000ull);
}

TEST_CASE("constants and reinterpretations keep NaN payloads", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (func (export "f32nan") (result i32) (i32.reinterpret_f32 (f32.const nan:0x200001)))
    (func (export "f64nan") (result i64) (i64.reinterpret_f64 (f64.const -nan:0x4000000000001)))
    (func (export "f32bits") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
    (func (export "f32ret") (result f32) (f32.const nan:0x1))
  ))",
                optLevel);
  CHECK(m->call("f32nan").u32() == 0x7FA00001u);
  CHECK(m->call("f64nan").u64() == 0xFFF4000000000001ull);
  CHECK(m->call("f32bits", {i32(0x7F800001)}).load<uint32_t>(0) == 0x7F800001u);
  CHECK(m->call("f32ret").load<uint32_t>(0) == 0x7F800001u);
}

TEST_CASE("float comparisons with NaN", "[compiler][numeric]") {
  auto m = make(binaryOps("f64", {"eq", "ne", "lt", "gt", "le", "ge"}, "i32"));
  for (const char *op : {"eq", "lt", "gt", "le", "ge"})
    CHECK(m->call(op, {f64(NAN), f64(NAN)}).i32() == 0);
  CHECK(m->call("ne", {f64(NAN), f64(NAN)}).i32() == 1);
  CHECK(m->call("eq", {f64(0.0), f64(-0.0)}).i32() == 1);
  CHECK(m->call("le", {f64(1.0), f64(1.0)}).i32() == 1);
}

TEST_CASE("trapping float to int conversions check NaN and range exactly", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (func (export "i32_f32_s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
    (func (export "i32_f32_u") (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
    (func (export "i32_f64_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
    (func (export "i32_f64_u") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
    (func (export "i64_f32_s") (param f32) (result i64) (i64.trunc_f32_s (local.get 0)))
    (func (export "i64_f64_s") (param f64) (result i64) (i64.trunc_f64_s (local.get 0)))
    (func (export "i64_f64_u") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
  ))",
                optLevel);
  CHECK(m->call("i32_f32_s", {f32(NAN)}).trapped(TrapKind::InvalidConversionToInteger));
  CHECK(m->call("i32_f32_s", {f32(2147483648.0f)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i32_f32_s", {f32(-2147483648.0f)}).i32() == INT32_MIN);
  CHECK(m->call("i32_f32_s", {f32(-2147483904.0f)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i32_f32_u", {f32(-0.9f)}).i32() == 0);
  CHECK(m->call("i32_f32_u", {f32(-1.0f)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i32_f32_u", {f32(4294967040.0f)}).u32() == 4294967040u);
  CHECK(m->call("i32_f32_u", {f32(4294967296.0f)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i32_f64_s", {f64(-2147483648.9)}).i32() == INT32_MIN);
  CHECK(m->call("i32_f64_s", {f64(-2147483649.0)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i32_f64_s", {f64(2147483647.9)}).i32() == INT32_MAX);
  CHECK(m->call("i32_f64_u", {f64(4294967295.9)}).u32() == UINT32_MAX);
  CHECK(m->call("i32_f64_u", {f64(4294967296.0)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i32_f64_u", {f64(-INFINITY)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i64_f32_s", {f32(-9223372036854775808.0f)}).i64() == INT64_MIN);
  CHECK(m->call("i64_f32_s", {f32(9223372036854775808.0f)}).trapped(TrapKind::IntegerOverflow));
  CHECK(m->call("i64_f64_s", {f64(NAN)}).trapped(TrapKind::InvalidConversionToInteger));
  CHECK(m->call("i64_f64_u", {f64(18446744073709549568.0)}).u64() == 18446744073709549568ull);
  CHECK(m->call("i64_f64_u", {f64(18446744073709551616.0)}).trapped(TrapKind::IntegerOverflow));
}

TEST_CASE("saturating and int to float conversions", "[compiler][numeric]") {
  unsigned optLevel = GENERATE(0u, 2u);
  auto m = make(R"((module
    (func (export "sat_s") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
    (func (export "sat_u") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0)))
    (func (export "f32_u64") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
    (func (export "f64_u64") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
    (func (export "f32_s32") (param i32) (result f32) (f32.convert_i32_s (local.get 0)))
    (func (export "f64_u32") (param i32) (result f64) (f64.convert_i32_u (local.get 0)))
    (func (export "demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
    (func (export "promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
    (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
    (func (export "extend_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
    (func (export "extend_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
  ))",
                optLevel);
  CHECK(m->call("sat_s", {f32(NAN)}).i32() == 0);
  CHECK(m->call("sat_s", {f32(1e10f)}).i32() == INT32_MAX);
  CHECK(m->call("sat_s", {f32(-1e10f)}).i32() == INT32_MIN);
  CHECK(m->call("sat_u", {f64(-5.0)}).u64() == 0);
  CHECK(m->call("sat_u", {f64(1e30)}).u64() == UINT64_MAX);
  // Correct rounding of 64-bit values that do not fit the mantissa.
  CHECK(m->call("f32_u64", {i64(int64_t(0x8000008000000001ull))}).load<uint32_t>(0) ==
        bitsOf(float(0x8000008000000001ull)));
  CHECK(m->call("f32_u64", {i64(-1)}).f32() == 18446744073709551616.0f);
  CHECK(m->call("f64_u64", {i64(int64_t(0x8000000000000401ull))}).u64() ==
        bitsOf(double(0x8000000000000401ull)));
  CHECK(m->call("f32_s32", {i32(16777217)}).f32() == 16777216.0f);
  CHECK(m->call("f64_u32", {i32(-1)}).f64() == 4294967295.0);
  CHECK(m->call("demote", {f64(1e300)}).f32() == INFINITY);
  CHECK(std::isnan(m->call("demote", {f64(NAN)}).f32()));
  CHECK(m->call("promote", {f32(0.1f)}).f64() == double(0.1f));
  CHECK(m->call("wrap", {i64(0x123456789)}).u32() == 0x23456789u);
  CHECK(m->call("extend_u", {i32(-1)}).i64() == 0xFFFFFFFFll);
  CHECK(m->call("extend_s", {i32(-1)}).i64() == -1);
}
