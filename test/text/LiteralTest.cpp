#include "text/WatLiterals.h"

#include <catch2/catch.hpp>

using namespace wasmrt::internal::text;

namespace {
uint64_t intOk(std::string_view text, unsigned bits) {
  uint64_t value = 0;
  INFO(text);
  REQUIRE(parseIntLiteral(text, bits, value) == LiteralStatus::Ok);
  return value;
}
LiteralStatus intStatus(std::string_view text, unsigned bits) {
  uint64_t value = 0;
  return parseIntLiteral(text, bits, value);
}
uint32_t f32Ok(std::string_view text) {
  uint32_t bits = 0;
  INFO(text);
  REQUIRE(parseF32Literal(text, bits) == LiteralStatus::Ok);
  return bits;
}
uint64_t f64Ok(std::string_view text) {
  uint64_t bits = 0;
  INFO(text);
  REQUIRE(parseF64Literal(text, bits) == LiteralStatus::Ok);
  return bits;
}
LiteralStatus f32Status(std::string_view text) {
  uint32_t bits = 0;
  return parseF32Literal(text, bits);
}
LiteralStatus f64Status(std::string_view text) {
  uint64_t bits = 0;
  return parseF64Literal(text, bits);
}
} // namespace

TEST_CASE("Integer literals: bounds of i32 and i64") {
  CHECK(intOk("0xffffffff", 32) == 0xffffffff);
  CHECK(intOk("4294967295", 32) == 0xffffffff);
  CHECK(intOk("-2147483648", 32) == 0x80000000);
  CHECK(intOk("-0x80000000", 32) == 0x80000000);
  CHECK(intOk("-1", 32) == 0xffffffff);
  CHECK(intOk("+42", 32) == 42);
  CHECK(intStatus("4294967296", 32) == LiteralStatus::OutOfRange);
  CHECK(intStatus("-2147483649", 32) == LiteralStatus::OutOfRange);
  CHECK(intStatus("0x100000000", 32) == LiteralStatus::OutOfRange);
  CHECK(intOk("18446744073709551615", 64) == UINT64_MAX);
  CHECK(intOk("-9223372036854775808", 64) == 0x8000000000000000);
  CHECK(intStatus("18446744073709551616", 64) == LiteralStatus::OutOfRange);
  CHECK(intStatus("-0x8000000000000001", 64) == LiteralStatus::OutOfRange);
  CHECK(intStatus("0x10000000000000000", 64) == LiteralStatus::OutOfRange);
  CHECK(intOk("-128", 8) == 0x80);
  CHECK(intOk("255", 8) == 0xff);
  CHECK(intStatus("256", 8) == LiteralStatus::OutOfRange);
}

TEST_CASE("Integer literals: underscores only between digits") {
  CHECK(intOk("1_000_000", 32) == 1000000);
  CHECK(intOk("0xff_ff", 32) == 0xffff);
  for (const char *bad : {"_100", "+_100", "-_100", "99_", "1__000", "_0x100", "0_x100",
                          "0x_100", "0x00_", "0xff__ffff", "", "-", "0x", "1a", "0xg"})
    CHECK(intStatus(bad, 32) == LiteralStatus::Syntax);
}

TEST_CASE("Float literals: decimal and hex, correctly rounded") {
  CHECK(f32Ok("0x1.fffffep127") == 0x7f7fffff);
  CHECK(f32Ok("-0x1.fffffep127") == 0xff7fffff);
  CHECK(f32Ok("1.5") == 0x3fc00000);
  CHECK(f32Ok("0x1.8p1") == 0x40400000);
  CHECK(f32Ok("1e10") == 0x501502f9);
  CHECK(f32Ok("1.") == 0x3f800000);
  CHECK(f32Ok("1.e1") == 0x41200000);
  CHECK(f32Ok("0x1p-149") == 0x00000001);
  CHECK(f32Ok("1_000.000_1") == f32Ok("1000.0001"));
  CHECK(f32Ok("-0") == 0x80000000);
  // Ties to even: the f32 literal must not round through double first.
  CHECK(f32Ok("+0x1.00000100000000000p-50") == 0x26800000);
  CHECK(f32Ok("+0x1.00000100000000001p-50") == 0x26800001);
  CHECK(f32Ok("1.00000005960464477539062499") == 0x3f800000);
  CHECK(f32Ok("1.000000059604644775390625001") == 0x3f800001);
  // Just below the rounding boundary to infinity stays finite.
  CHECK(f32Ok("0x1.fffffefffffffp127") == 0x7f7fffff);
  CHECK(f64Ok("0x1.fffffffffffffp1023") == 0x7fefffffffffffff);
  CHECK(f64Ok("1.7976931348623157e308") == 0x7fefffffffffffff);
  CHECK(f64Ok("0.1") == 0x3fb999999999999a);
  CHECK(f64Ok("4.9406564584124654e-324") == 1);
}

TEST_CASE("Float literals: overflow to infinity is out of range") {
  CHECK(f32Status("0x1p128") == LiteralStatus::OutOfRange);
  CHECK(f32Status("0x1.ffffffp127") == LiteralStatus::OutOfRange);
  CHECK(f32Status("1e39") == LiteralStatus::OutOfRange);
  CHECK(f64Status("0x1p1024") == LiteralStatus::OutOfRange);
  CHECK(f64Status("1e309") == LiteralStatus::OutOfRange);
  CHECK(f64Status("-1e309") == LiteralStatus::OutOfRange);
}

TEST_CASE("Float literals: inf, nan and payloads") {
  CHECK(f32Ok("inf") == 0x7f800000);
  CHECK(f32Ok("-inf") == 0xff800000);
  CHECK(f32Ok("nan") == 0x7fc00000);
  CHECK(f32Ok("-nan") == 0xffc00000);
  CHECK(f32Ok("nan:0x1") == 0x7f800001);
  CHECK(f32Ok("+nan:0x7fffff") == 0x7fffffff);
  CHECK(f32Ok("nan:0x20_0000") == 0x7fa00000);
  CHECK(f32Status("nan:0x800000") == LiteralStatus::OutOfRange);
  CHECK(f32Status("nan:0x0") == LiteralStatus::OutOfRange);
  CHECK(f64Ok("nan") == 0x7ff8000000000000);
  CHECK(f64Ok("-nan:0xfffffffffffff") == 0xffffffffffffffff);
  CHECK(f64Status("nan:0x10000000000000") == LiteralStatus::OutOfRange);
  CHECK(f64Status("nan:1") == LiteralStatus::Syntax);
}

TEST_CASE("Float literals: syntax errors") {
  for (const char *bad : {"", "1e", "1e+", "0x", "0x1p", ".5", "1.5.", "1_", "1._5", "0x1.p",
                          "0x1e+1p1", "infinity", "nan:", "1f", "0x1.8g", "_1.0"})
    CHECK(f64Status(bad) == LiteralStatus::Syntax);
}
