#include "loader/CompilerLoader.h"
#include "spec-tests/RuntimeExecutor.h"
#include "spec-tests/WastRunner.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::spectest;

namespace {

struct Run {
  WastSummary summary;
  std::string output;
};

Run runWith(ScriptExecutor &executor, std::string_view source, bool verbose) {
  std::ostringstream out;
  WastOptions options;
  options.verbose = verbose;
  Run run;
  run.summary = runWastSource(source, "test.wast", executor, options, out);
  run.output = out.str();
  return run;
}

// On the runtime (guarded memories unless `boundsChecks`).
Run runSource(std::string_view source, bool verbose = false, bool boundsChecks = false) {
  EngineConfig config;
  config.memoryMode = boundsChecks ? MemoryMode::BoundsChecked : MemoryMode::Guarded;
  Engine engine(config, loadCompilerBackend); // as runWastCommand does
  RuntimeExecutor executor(engine);
  return runWith(executor, source, verbose);
}

// Without a runtime: everything that needs one is skipped.
Run runUnsupported(std::string_view source, bool verbose = false) {
  UnsupportedExecutor executor;
  return runWith(executor, source, verbose);
}

std::string lastLine(const std::string &text) {
  std::string trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.find_last_of('\n') + 1);
}

// A script written to a temporary file, removed at the end of the test.
class TempScript {
public:
  TempScript(std::string name, std::string_view source) {
    const char *dir = std::getenv("WASMRT_TEST_DATA");
    path_ = (dir ? std::filesystem::path(dir) : std::filesystem::temp_directory_path()) / name;
    std::ofstream(path_) << source;
  }
  ~TempScript() { std::remove(path_.c_str()); }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

int runCommand(std::vector<std::string> args, std::string &out, std::string &err) {
  std::ostringstream outStream, errStream;
  int status = runWastCommand(args, outStream, errStream);
  out = outStream.str();
  err = errStream.str();
  return status;
}

constexpr std::string_view kValidBinary =
    R"wast((module binary "\00asm\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00"
                      "\0a\06\01\04\00\41\00\0b"))wast";
// The same function without its result value: type mismatch.
constexpr std::string_view kInvalidBinary =
    R"wast((module binary "\00asm\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00"
                      "\0a\04\01\02\00\0b"))wast";

} // namespace

TEST_CASE("valid modules pass, broken ones fail") {
  Run ok = runSource(std::string(kValidBinary) + "\n(module (func (result i32) (i32.const 1)))");
  CHECK(ok.summary.passed == 2);
  CHECK(ok.summary.failed == 0);
  CHECK(ok.output.empty());

  Run bad = runSource(std::string("\n") + std::string(kInvalidBinary));
  CHECK(bad.summary.passed == 0);
  CHECK(bad.summary.failed == 1);
  CHECK(bad.output.find("test.wast:2: module: validation failed") == 0);
}

TEST_CASE("assert_malformed passes only for malformed modules") {
  Run run = runSource(R"wast(
    (assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
    (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
    (assert_malformed (module binary "\00asm\01\00\00\00") "should be malformed")
    (assert_malformed (module binary "\00asm\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00"
                       "\0a\05\01\03\00\ff\0b") "illegal opcode")
  )wast");
  CHECK(run.summary.passed == 3);
  CHECK(run.summary.failed == 1);
  CHECK(run.output.find("test.wast:4: assert_malformed:") == 0);
}

TEST_CASE("assert_invalid passes only for well-formed invalid modules") {
  Run run = runSource("(assert_invalid " + std::string(kInvalidBinary) + " \"type mismatch\")\n" +
                      "(assert_invalid (module (func (result i32) (i64.const 0))) \"type mismatch\")\n"
                      "(assert_invalid " + std::string(kValidBinary) + " \"type mismatch\")\n" +
                      "(assert_invalid (module binary \"\\00asm\") \"type mismatch\")\n");
  CHECK(run.summary.passed == 2);
  CHECK(run.summary.failed == 2);
}

TEST_CASE("without a runtime, execution commands are skipped, never passed") {
  Run run = runUnsupported(R"wast(
    (module $m (func (export "f") (result i32) (i32.const 1)))
    (register "m" $m)
    (invoke "f")
    (get "g")
    (assert_return (invoke "f") (i32.const 1))
    (assert_trap (invoke "f") "unreachable")
    (assert_exhaustion (invoke "f") "call stack exhausted")
    (assert_exception (invoke "f"))
    (assert_unlinkable (module (import "no" "where" (func))) "unknown import")
    (assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")
    (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
  )wast", true);
  CHECK(run.summary.passed == 0);
  CHECK(run.summary.failed == 0);
  CHECK(run.summary.skipped == 11);
  // Verbose mode explains the skips.
  CHECK(run.output.find("skipped") != std::string::npos);
}

constexpr std::string_view kExecutionScript = R"wast(
  (module $m
    (global (export "g") i32 (i32.const 7))
    (memory (export "mem") 1)
    (func (export "f") (result i32) (i32.const 1))
    (func (export "trap") unreachable)
    (func $r (export "runaway") (call $r))
    (func (export "id") (param externref) (result externref) (local.get 0))
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
  (register "m" $m)
  (invoke "f")
  (assert_return (get "g") (i32.const 7))
  (assert_return (invoke "f") (i32.const 1))
  (assert_return (invoke "id" (ref.extern 0)) (ref.extern 0))
  (assert_return (invoke "id" (ref.null extern)) (ref.null extern))
  (assert_trap (invoke "trap") "unreachable")
  (assert_trap (invoke "load" (i32.const 65534)) "out of bounds memory access")
  (assert_exhaustion (invoke "runaway") "call stack exhausted")
  (module (import "m" "mem" (memory 1)) (import "spectest" "print_i32" (func (param i32))))
  (assert_unlinkable (module (import "no" "where" (func))) "unknown import")
  (assert_unlinkable (module (import "m" "f" (func (param i32)))) "incompatible import type")
  (assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")
  (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
)wast";

TEST_CASE("execution commands run on the runtime, in both memory modes") {
  for (bool boundsChecks : {false, true}) {
    Run run = runSource(kExecutionScript, true, boundsChecks);
    INFO(run.output);
    CHECK(run.summary.passed == 15);
    CHECK(run.summary.failed == 0);
    CHECK(run.summary.skipped == 0);
  }
}

TEST_CASE("wrong results and trap messages fail") {
  Run run = runSource(R"wast(
    (module (func (export "f") (result i32) (i32.const 1)) (func (export "t") unreachable))
    (assert_return (invoke "f") (i32.const 2))
    (assert_trap (invoke "t") "integer overflow")
    (assert_trap (invoke "f") "unreachable")
    (assert_trap (invoke "t") "unreachable")
  )wast");
  CHECK(run.summary.passed == 2);
  CHECK(run.summary.failed == 3);
}

TEST_CASE("SIMD modules execute with v128 arguments and results") {
  Run run = runSource(R"wast(
    (module (func (export "add") (param v128 v128) (result v128)
      (i32x4.add (local.get 0) (local.get 1))))
    (assert_return (invoke "add" (v128.const i32x4 1 2 3 4) (v128.const i32x4 10 20 30 40))
                   (v128.const i32x4 11 22 33 44))
    (assert_return (invoke "add" (v128.const i32x4 1 2 3 4) (v128.const i32x4 0 0 0 0))
                   (v128.const i32x4 1 2 3 5))
  )wast");
  CHECK(run.summary.passed == 2);
  CHECK(run.summary.failed == 1);
  CHECK(run.summary.skipped == 0);
}

TEST_CASE("unsupported modules are skipped with what uses them") {
  // Module definitions are Wasm 3.0: the definition itself decodes and
  // validates (a pass), but instantiating it is not supported yet.
  Run run = runSource(R"wast(
    (module definition $d (func (export "f") (result i32) (i32.const 1)))
    (module instance $i $d)
    (assert_return (invoke $i "f") (i32.const 1))
  )wast");
  CHECK(run.summary.passed == 1);
  CHECK(run.summary.failed == 0);
  CHECK(run.summary.skipped == 2);
}

TEST_CASE("a module assertion with an invalid module fails instead of skipping") {
  Run run = runSource("(assert_unlinkable " + std::string(kInvalidBinary) + " \"unknown import\")");
  CHECK(run.summary.failed == 1);
  CHECK(run.summary.skipped == 0);
}

TEST_CASE("script errors are failures, the rest still runs") {
  Run run = runSource("(assert_bogus)\n(module)\n");
  CHECK(run.summary.failed == 1);
  CHECK(run.summary.passed == 1);
  CHECK(run.output.find("test.wast:1:") == 0);

  Run unreadable = runSource("(module");
  CHECK(unreadable.summary.failed == 1);
}

TEST_CASE("verbose failures show expected and actual") {
  Run run = runSource("(assert_invalid (module) \"type mismatch\")", true);
  CHECK(run.summary.failed == 1);
  CHECK(run.output.find("expected: invalid module: type mismatch") != std::string::npos);
  CHECK(run.output.find("actual:") != std::string::npos);
}

TEST_CASE("wast command: summary line and exit codes") {
  TempScript good("runner-good.wast",
                  "(module (func (export \"f\")))\n(assert_return (invoke \"f\"))\n");
  TempScript bad("runner-bad.wast", "(assert_invalid (module) \"type mismatch\")\n");
  std::string out, err;

  CHECK(runCommand({good.path()}, out, err) == 0);
  CHECK(lastLine(out) == "2 passed, 0 failed, 0 skipped");
  CHECK(out.find(good.path() + ": 2 passed, 0 failed, 0 skipped") != std::string::npos);

  CHECK(runCommand({"--verbose", good.path(), bad.path()}, out, err) == 1);
  CHECK(lastLine(out) == "2 passed, 1 failed, 0 skipped");

  CHECK(runCommand({good.path(), "/nonexistent/x.wast"}, out, err) == 2);
  CHECK(err.find("/nonexistent/x.wast") != std::string::npos);
  CHECK(lastLine(out) == "2 passed, 0 failed, 0 skipped");

  CHECK(runCommand({}, out, err) == 2);
  CHECK(runCommand({"--bogus", good.path()}, out, err) == 2);
  CHECK(runCommand({"--help"}, out, err) == 0);
  CHECK(runCommand({"--bounds-checks", "-O", "0", good.path()}, out, err) == 0);
  CHECK(lastLine(out) == "2 passed, 0 failed, 0 skipped");
  CHECK(runCommand({"-O3", good.path()}, out, err) == 0);
  CHECK(runCommand({"-O", "7", good.path()}, out, err) == 2);
}

TEST_CASE("wast command: tiers") {
  // Hot enough to tier up at thresholds of 2: $fac by its calls, the loops of
  // "collatz" and "scan" by on-stack replacement; "scan" to 1000000 reads past
  // the end of memory after 16 iterations. (Its sum is returned: in guarded
  // mode, optimized code may drop a load whose value is dead, and its trap.)
  TempScript hot("runner-tiers.wast", R"wast(
    (module
      (memory 1)
      (func $fac (export "fac") (param i64) (result i64)
        (if (result i64) (i64.le_u (local.get 0) (i64.const 1))
          (then (i64.const 1))
          (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
      (func (export "collatz") (param $n i64) (result i32) (local $steps i32)
        (block $done (loop $next
          (br_if $done (i64.eq (local.get $n) (i64.const 1)))
          (local.set $n (select (i64.add (i64.mul (local.get $n) (i64.const 3)) (i64.const 1))
                                (i64.shr_u (local.get $n) (i64.const 1))
                                (i32.wrap_i64 (i64.and (local.get $n) (i64.const 1)))))
          (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
          (br $next)))
        (local.get $steps))
      (func (export "scan") (param $end i32) (result i32) (local $address i32) (local $sum i32)
        (loop $next
          (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $address))))
          (local.set $address (i32.add (local.get $address) (i32.const 4096)))
          (br_if $next (i32.le_u (local.get $address) (local.get $end))))
        (local.get $sum)))
    (assert_return (invoke "fac" (i64.const 20)) (i64.const 2432902008176640000))
    (assert_return (invoke "fac" (i64.const 5)) (i64.const 120))
    (assert_return (invoke "collatz" (i64.const 837799)) (i32.const 524))
    (assert_return (invoke "collatz" (i64.const 6)) (i32.const 8))
    (assert_return (invoke "scan" (i32.const 65532)) (i32.const 0))
    (assert_trap (invoke "scan" (i32.const 1000000)) "out of bounds memory access")
  )wast");
  std::string out, err;
  using Args = std::vector<std::string>;
  auto joined = [](const Args &args) {
    std::string text;
    for (const std::string &arg : args)
      text += (text.empty() ? "" : " ") + arg;
    return text;
  };
  for (const Args &tier :
       {Args{"--tier", "baseline"}, Args{"--tier=optimized"}, Args{"--tier", "tiered"},
        Args{"--tier", "tiered", "--tier-up-threshold", "2", "--osr-check-interval", "1"},
        Args{"--tier-up-threshold=1", "--osr-check-interval=1", "--compilation", "eager"},
        Args{"--tier", "baseline", "--compilation=eager"}, Args{"--tier", "interp"},
        Args{"--tier=interp", "--bounds-checks"}}) {
    Args args = tier;
    args.push_back(hot.path());
    INFO(joined(tier));
    CHECK(runCommand(args, out, err) == 0);
    CHECK(lastLine(out) == "7 passed, 0 failed, 0 skipped");
  }

  for (const Args &bad :
       {Args{"--tier", "fast"}, Args{"--tier"}, Args{"--tier-up-threshold", "0"},
        Args{"--tier-up-threshold=-1"}, Args{"--tier-up-threshold", "4294967296"},
        Args{"--osr-check-interval", "1x"}, Args{"--osr-check-interval", "+5"}}) {
    Args args = bad;
    args.push_back(hot.path());
    INFO(joined(bad));
    CHECK(runCommand(args, out, err) == 2);
    CHECK(err.find("usage: wasmrt wast") != std::string::npos);
  }
  CHECK(runCommand({"--tier", "fast", hot.path()}, out, err) == 2);
  CHECK(err.find("--tier needs tiered, baseline, optimized or interp, got 'fast'") != std::string::npos);
  CHECK(runCommand({"--osr-check-interval", "0", hot.path()}, out, err) == 2);
  CHECK(err.find("--osr-check-interval needs a whole number from 1 to 4294967295, got '0'") !=
        std::string::npos);
}
