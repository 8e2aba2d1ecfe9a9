// The spec-test runner behind `wasmrt wast`: runs .wast scripts of the official
// WebAssembly test suite and counts passed, failed and skipped commands.
//
// Module checks (encode, decode, validate) run here. Everything that needs a
// runtime (instantiation, invoke/get, register) goes through a ScriptExecutor:
// RuntimeExecutor (RuntimeExecutor.h) runs it on wasmrt's runtime. Whatever an
// executor reports as unsupported (ErrorKind::Unsupported, e.g. SIMD modules
// the compiler rejects) is counted as skipped, never passed.
#pragma once

#include "binary/Module.h"
#include "text/WastScript.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::spectest {

struct WastSummary {
  uint64_t passed = 0, failed = 0, skipped = 0;
  WastSummary &operator+=(const WastSummary &other) {
    passed += other.passed;
    failed += other.failed;
    skipped += other.skipped;
    return *this;
  }
};

// The execution side of a script. Any method may fail with
// ErrorKind::Unsupported, which makes the runner skip the command.
class ScriptExecutor {
public:
  virtual ~ScriptExecutor() = default;
  // Instantiates a decoded, validated module and makes it the current one
  // (also reachable by `script.name`). Errors: Unlinkable, Trap, ...
  virtual Expected<void> instantiate(const text::ScriptModule &script, Module &&module) = 0;
  // Wasm 3.0 (module instance $inst $def): instantiates a module definition.
  virtual Expected<void> instantiateDefinition(const std::optional<std::string> &instanceName,
                                               const std::optional<std::string> &definitionName) = 0;
  // Makes a module's exports importable under `as`.
  virtual Expected<void> registerModule(const std::string &as,
                                        const std::optional<std::string> &moduleName) = 0;
  // Runs invoke/get. A trap is ErrorKind::Trap; call-stack exhaustion is a
  // Trap whose message contains "exhausted".
  virtual Expected<std::vector<text::ScriptConst>> perform(const text::Action &action) = 0;
};

// The executor of a build without a runtime: everything is unsupported.
class UnsupportedExecutor final : public ScriptExecutor {
public:
  Expected<void> instantiate(const text::ScriptModule &, Module &&) override;
  Expected<void> instantiateDefinition(const std::optional<std::string> &,
                                       const std::optional<std::string> &) override;
  Expected<void> registerModule(const std::string &, const std::optional<std::string> &) override;
  Expected<std::vector<text::ScriptConst>> perform(const text::Action &) override;
};

struct WastOptions {
  bool verbose = false;     // print expected vs actual messages and skip reasons
  bool boundsChecks = false; // explicit bounds checks instead of guard pages
  unsigned optLevel = 2;     // -O LEVEL, 0..3
  bool lazyCompilation = true; // --compilation lazy|eager
  // --compilation aot: every module is compiled ahead of time into an
  // artifact, which is then loaded and run (a round trip through the
  // artifact format, docs/AOT.md).
  bool viaArtifact = false;
  // --tier: which code lazily compiled functions run (EngineConfig::tiering,
  // docs/COMPILER.md "Tiers"). Eager and aot compilation ignore Tiered.
  // Interp: no compiler at all, every function interpreted (docs/INTERPRETER.md).
  enum class Tier : uint8_t { Tiered, Baseline, Optimized, Interp };
  Tier tier = Tier::Tiered;
  // --first-tier interp|baseline: Tiered only (EngineConfig::interpreterFirst).
  bool interpreterFirst = false;
  // --tier-up-threshold, --osr-check-interval (Tiered only; 1 or more). Unset:
  // the engine's defaults.
  std::optional<uint32_t> tierUpThreshold;
  std::optional<uint32_t> osrCheckInterval;
};

// Runs one script's source. Failures are printed to `out` as
// "FILE:LINE: COMMAND: what went wrong".
WastSummary runWastSource(std::string_view source, std::string_view fileName,
                          ScriptExecutor &executor, const WastOptions &options,
                          std::ostream &out);

// Runs `wasmrt wast [--verbose] [--bounds-checks] [-O LEVEL] [--compilation MODE]
// [--tier MODE] [--tier-up-threshold N] [--osr-check-interval N] FILE...`; `args`
// are the arguments after `wast`.
// Prints per-file counts and, as the very last line, "N passed, N failed, N skipped".
// Returns the process exit status: 0 only when nothing failed, 1 if any
// command failed, 2 for usage errors or unreadable files.
int runWastCommand(std::span<const std::string> args, std::ostream &out, std::ostream &err);

} // namespace wasmrt::internal::spectest
