// Helpers shared by the public-API tests.
#pragma once

#include "wasmrt/wasmrt.h"

#include <catch2/catch.hpp>

#include <string_view>

namespace wasmrt::test {

// The module of `text` (WAT); fails the test with the error if it does not compile.
inline Module compileWat(const Engine &engine, std::string_view text) {
  auto module = Module::fromWat(engine, text);
  if (!module)
    FAIL(module.error().describe());
  return std::move(*module);
}

} // namespace wasmrt::test
