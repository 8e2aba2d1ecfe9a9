// Helpers for validator tests: assemble modules from text with wat2wasm or
// from raw sections, then decode and validate them.
#pragma once

#include "binary/Features.h"
#include "binary/Module.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::test {

// True when the build found wat2wasm.
bool haveWat2Wasm();
// Assembles a module in the text format (without wabt's own validation).
// Returns nullopt and prints wat2wasm's output when assembly fails.
std::optional<std::vector<uint8_t>> wat2wasm(std::string_view text);

// The result of decoding then validating a module.
struct Outcome {
  bool ok = false;
  std::optional<ErrorKind> kind; // set when !ok
  std::string message;           // set when !ok
  std::vector<FunctionFacts> facts;
};
Outcome check(const std::vector<uint8_t> &bytes, const Features &features = {});
// Assembles `text` first; an assembly failure is reported as ok=false with
// kind unset.
Outcome checkText(std::string_view text, const Features &features = {});

// Minimal binary module assembly for cases the text format cannot express.
class ModuleBuilder {
public:
  ModuleBuilder();
  // Appends a section with the given id and contents.
  ModuleBuilder &section(uint8_t id, std::initializer_list<uint8_t> contents);
  ModuleBuilder &section(uint8_t id, const std::vector<uint8_t> &contents);
  // Type section with the single type [] -> [], function section declaring
  // `numFuncs` functions of that type.
  ModuleBuilder &voidFunctions(uint32_t numFuncs);
  // Code section with one body per entry: each is local declarations plus
  // instructions; the size prefixes are added here.
  ModuleBuilder &code(std::initializer_list<std::vector<uint8_t>> bodies);
  const std::vector<uint8_t> &bytes() const { return bytes_; }

private:
  std::vector<uint8_t> bytes_;
};

} // namespace wasmrt::internal::test

// Catch2 assertions over Outcome; used by the validation test files.
#include <catch2/catch.hpp>

#define WASMRT_REQUIRE_WAT2WASM()                                                          \
  do {                                                                                     \
    if (!::wasmrt::internal::test::haveWat2Wasm()) {                                                 \
      WARN("wat2wasm not found; test skipped");                                            \
      return;                                                                              \
    }                                                                                      \
  } while (false)

namespace wasmrt::internal::test {

inline void requireValid(const Outcome &outcome) {
  INFO(outcome.message);
  REQUIRE(outcome.ok);
}

inline void requireError(const Outcome &outcome, ErrorKind kind, std::string_view phrase) {
  INFO("message: " << outcome.message);
  REQUIRE_FALSE(outcome.ok);
  REQUIRE(outcome.kind.has_value());
  CHECK(errorKindName(*outcome.kind) == std::string(errorKindName(kind)));
  CHECK(outcome.message.find(phrase) != std::string::npos);
}

inline void expectValid(std::string_view text) {
  INFO("module: " << text);
  requireValid(checkText(text));
}

inline void expectInvalid(std::string_view text, std::string_view phrase) {
  INFO("module: " << text);
  requireError(checkText(text), ErrorKind::Invalid, phrase);
}

} // namespace wasmrt::internal::test
