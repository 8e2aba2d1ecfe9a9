#include "interp/SimdOps.h"

#include <catch2/catch.hpp>

using namespace wasmrt::internal;
using namespace wasmrt::internal::interp;

TEST_CASE("isSimdArithmetic excludes memory instructions") {
  CHECK(isSimdArithmetic(Opcode::V128Const));
  CHECK(isSimdArithmetic(Opcode::I8x16Shuffle));
  CHECK_FALSE(isSimdArithmetic(Opcode::V128Load));
  CHECK_FALSE(isSimdArithmetic(Opcode::V128Load8Lane));
  CHECK_FALSE(isSimdArithmetic(Opcode::I32Add));
}
