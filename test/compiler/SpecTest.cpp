// Runs the spec test suite's core-2.0 scripts against the compiler alone:
// every module that imports at most spectest functions is compiled (in both
// memory modes) and its assert_return / assert_trap / assert_exhaustion
// commands are executed through the test harness. Modules importing memories, tables,
// globals or other modules are skipped (the runtime's spec runner covers them).
#include "CompilerTestUtil.h"

#include "binary/Decoder.h"
#include "support/File.h"
#include "text/WastScript.h"
#include "text/WatParser.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::test;

namespace {

struct SpecStats {
  int modules = 0, skippedModules = 0, assertions = 0, skippedAssertions = 0;
  std::vector<std::string> failures;
};

std::vector<std::pair<std::string, HostFunction>> spectestFunctions() {
  std::vector<std::pair<std::string, HostFunction>> functions;
  for (const char *name : {"print", "print_i32", "print_i64", "print_f32", "print_f64",
                           "print_i32_f32", "print_f64_f64"})
    functions.emplace_back(name, [](abi::ValueSlot *) { return 0u; });
  return functions;
}

// Import module names, or nullopt when the bytes do not decode.
std::optional<std::vector<Import>> importsOf(const std::vector<uint8_t> &bytes) {
  auto module = decodeModule(std::span<const uint8_t>(bytes));
  if (!module)
    return std::nullopt;
  return module->imports;
}

// Assertions this runner cannot judge, as "file:line" with the reason.
bool knownSkip(const std::string &file, uint32_t line) {
  static const std::pair<const char *, uint32_t> skips[] = {
      // A line comment ended by a lone CR: the text layer's lexer, not the compiler.
      {"comments.wast", 105},
  };
  for (const auto &[name, skipLine] : skips)
    if (file == name && line == skipLine)
      return true;
  return false;
}

std::optional<Value> toValue(const text::ScriptConst &c) {
  switch (c.kind) {
  case text::ConstKind::I32: return i32(int32_t(uint32_t(c.bits)));
  case text::ConstKind::I64: return i64(int64_t(c.bits));
  case text::ConstKind::F32: return f32Bits(uint32_t(c.bits));
  case text::ConstKind::F64: return f64Bits(c.bits);
  case text::ConstKind::RefNull: return ref(nullptr);
  // Host references are the payload + 1, so (ref.extern 0) is not null.
  case text::ConstKind::RefExtern: return ref(reinterpret_cast<void *>(uintptr_t(c.bits + 1)));
  case text::ConstKind::V128: return vec(c.v128);
  default: return std::nullopt;
  }
}

text::ScriptConst fromResult(ValType type, const Outcome &outcome, size_t i) {
  text::ScriptConst c;
  switch (type) {
  case ValType::I32: c.kind = text::ConstKind::I32; c.bits = outcome.u32(i); break;
  case ValType::I64: c.kind = text::ConstKind::I64; c.bits = outcome.u64(i); break;
  case ValType::F32: c.kind = text::ConstKind::F32; c.bits = outcome.u32(i); break;
  case ValType::F64: c.kind = text::ConstKind::F64; c.bits = outcome.u64(i); break;
  case ValType::FuncRef:
  case ValType::ExternRef: {
    void *p = outcome.ref(i);
    if (!p) {
      c.kind = text::ConstKind::RefNull;
      c.heapType = type == ValType::FuncRef ? "func" : "extern";
    } else if (type == ValType::FuncRef) {
      c.kind = text::ConstKind::RefFunc;
    } else {
      c.kind = text::ConstKind::RefExtern;
      c.bits = uint64_t(reinterpret_cast<uintptr_t>(p)) - 1;
    }
    break;
  }
  case ValType::V128: c.kind = text::ConstKind::V128; c.v128 = outcome.v128(i); break;
  }
  return c;
}

class SpecRunner {
public:
  SpecRunner(std::string file, unsigned optLevel, bool boundsChecks, SpecStats &stats)
      : file_(std::move(file)), optLevel_(optLevel), boundsChecks_(boundsChecks), stats_(stats) {}

  void run(const text::Script &script) {
    for (const text::Command &command : script.commands)
      runCommand(command);
  }

private:
  void fail(const text::Command &command, const std::string &what) {
    stats_.failures.push_back(file_ + ":" + std::to_string(command.location.line) + ": " + what);
  }

  void runCommand(const text::Command &command) {
    using K = text::CommandKind;
    switch (command.kind) {
    case K::Module: defineModule(command); return;
    case K::Register:
      registered_[command.registerName] =
          command.moduleName ? named_[*command.moduleName] : current_;
      return;
    case K::Action:
    case K::AssertReturn:
    case K::AssertTrap:
    case K::AssertExhaustion:
      if (command.action) {
        runAction(command);
        return;
      }
      ++stats_.skippedAssertions;
      break;
    default: break;
    }
    // A module this runner does not instantiate may still have been
    // instantiated (partly) by a real runtime and changed its imports.
    if (command.module && !command.module->isDefinition)
      if (auto bytes = text::encodeModuleForm(command.module->form))
        taintExporters(importsOf(*bytes).value_or(std::vector<Import>{}));
  }

  void taintExporters(const std::vector<Import> &imports) {
    for (const Import &import : imports)
      if (auto exporter = registered_.find(import.module); exporter != registered_.end())
        tainted_.insert(exporter->second);
  }

  void defineModule(const text::Command &command) {
    current_ = nullptr;
    if (command.module->isDefinition)
      return;
    auto bytes = text::encodeModuleForm(command.module->form);
    if (!bytes)
      return fail(command, "cannot encode module: " + bytes.error().describe());
    std::optional<std::vector<Import>> imports = importsOf(*bytes);
    bool supported = true;
    for (const Import &import : imports.value_or(std::vector<Import>{})) {
      if (import.kind == ExternKind::Func && import.module == "spectest")
        continue;
      supported = false;
    }
    // A skipped module could have changed the exporters' tables or memories.
    if (!supported)
      taintExporters(*imports);
    if (!supported) {
      ++stats_.skippedModules;
    } else {
      std::string error;
      CompileOptions options = testOptions(optLevel_, boundsChecks_);
      auto instance =
          TestInstance::createFromBinary(std::move(*bytes), options, spectestFunctions(), &error);
      ++stats_.modules;
      if (!instance)
        return fail(command, "module: " + error);
      current_ = instance.get();
      instances_.push_back(std::move(instance));
    }
    if (command.module->name)
      named_[*command.module->name] = current_;
  }

  void runAction(const text::Command &command) {
    const text::Action &action = *command.action;
    TestInstance *instance = action.moduleName ? named_[*action.moduleName] : current_;
    if (!instance || action.kind != text::ActionKind::Invoke || tainted_.count(instance) ||
        knownSkip(file_, command.location.line)) {
      ++stats_.skippedAssertions;
      return;
    }
    std::vector<Value> args;
    for (const text::ScriptConst &arg : action.args) {
      std::optional<Value> value = toValue(arg);
      if (!value) {
        ++stats_.skippedAssertions;
        return;
      }
      args.push_back(*value);
    }
    uint32_t funcIndex = instance->exportedFunction(action.field);
    if (funcIndex == UINT32_MAX)
      return fail(command, "no export " + action.field);
    const FuncType &type = instance->module().funcType(funcIndex);
    ++stats_.assertions;
    Outcome outcome = instance->callIndex(funcIndex, args);
    check(command, type, outcome);
  }

  void check(const text::Command &command, const FuncType &type, const Outcome &outcome) {
    using K = text::CommandKind;
    std::string where = command.action->field;
    if (command.kind == K::AssertTrap || command.kind == K::AssertExhaustion) {
      if (!outcome.trap)
        return fail(command, where + ": expected trap \"" + command.message + "\"");
      std::string_view got = abi::trapMessage(*outcome.trap);
      if (!std::string_view(command.message).starts_with(got) &&
          !got.starts_with(command.message))
        fail(command, where + ": trapped with \"" + std::string(got) + "\", expected \"" +
                          command.message + "\"");
      return;
    }
    if (outcome.trap)
      return fail(command, where + ": unexpected trap " + abi::trapMessage(*outcome.trap));
    if (command.kind != K::AssertReturn)
      return;
    if (command.results.size() != type.results.size())
      return fail(command, where + ": result count");
    for (size_t i = 0; i < command.results.size(); ++i) {
      text::ScriptConst got = fromResult(type.results[i], outcome, i);
      if (!text::matchesResult(command.results[i], got))
        fail(command, where + ": result " + std::to_string(i) + " is " + text::toString(got) +
                          ", expected " + text::toString(command.results[i]));
    }
  }

  std::string file_;
  unsigned optLevel_;
  bool boundsChecks_;
  SpecStats &stats_;
  TestInstance *current_ = nullptr;
  std::map<std::string, TestInstance *> named_;
  std::map<std::string, TestInstance *> registered_;
  std::set<TestInstance *> tainted_;
  std::vector<std::unique_ptr<TestInstance>> instances_;
};

// Runs every .wast file of `dir` (sorted) and returns the per-file counts.
std::vector<std::pair<std::string, SpecStats>> runDirectory(const std::filesystem::path &dir,
                                                            unsigned optLevel,
                                                            bool boundsChecks) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".wast")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, SpecStats>> results;
  for (const fs::path &file : files) {
    // Exhausts the native stack of the reference interpreter only.
    if (file.filename() == "skip-stack-guard-page.wast")
      continue;
    auto source = readFileBytes(file.string());
    REQUIRE(source);
    auto script = text::parseScript(
        std::string_view(reinterpret_cast<const char *>(source->data()), source->size()));
    if (!script)
      continue; // the text layer's own tests cover parse failures
    SpecStats stats;
    SpecRunner(file.filename().string(), optLevel, boundsChecks, stats).run(*script);
    results.emplace_back(file.filename().string(), std::move(stats));
  }
  return results;
}

SpecStats total(const std::vector<std::pair<std::string, SpecStats>> &results) {
  SpecStats sum;
  for (const auto &[file, stats] : results) {
    sum.modules += stats.modules;
    sum.skippedModules += stats.skippedModules;
    sum.assertions += stats.assertions;
    sum.skippedAssertions += stats.skippedAssertions;
    sum.failures.insert(sum.failures.end(), stats.failures.begin(), stats.failures.end());
  }
  return sum;
}

} // namespace

TEST_CASE("spec core-2.0 scripts (compiler only)", "[compiler][spec]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(WASMRT_TESTSUITE_DIR) / "core-2.0";
  if (!fs::is_directory(dir)) {
    WARN("no spec test suite at " << dir.string());
    return;
  }
  // (O0, bounds checks), (O2, bounds checks), (O2, guard pages)
  auto [optLevel, boundsChecks] =
      GENERATE(std::make_pair(0u, true), std::make_pair(2u, true), std::make_pair(2u, false));
  SpecStats stats = total(runDirectory(dir, optLevel, boundsChecks));
  INFO("O" << optLevel << (boundsChecks ? " bounds checks: " : " guard pages: ")
           << stats.modules << " modules (" << stats.skippedModules << " skipped), "
           << stats.assertions << " assertions (" << stats.skippedAssertions << " skipped)");
  for (size_t i = 0; i < stats.failures.size() && i < 50; ++i)
    UNSCOPED_INFO(stats.failures[i]);
  CHECK(stats.failures.empty());
  CHECK(stats.assertions > 10000);
}

// The 58 SIMD scripts, in all four combinations of optimisation level and
// memory mode. WASMRT_SPEC_REPORT=1 prints the per-file counts.
TEST_CASE("spec core-2.0 simd scripts (compiler only)", "[compiler][spec][simd]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(WASMRT_TESTSUITE_DIR) / "core-2.0" / "simd";
  if (!fs::is_directory(dir)) {
    WARN("no spec test suite at " << dir.string());
    return;
  }
  auto [optLevel, boundsChecks] =
      GENERATE(std::make_pair(0u, true), std::make_pair(0u, false), std::make_pair(2u, true),
               std::make_pair(2u, false));
  auto results = runDirectory(dir, optLevel, boundsChecks);
  if (std::getenv("WASMRT_SPEC_REPORT")) {
    for (const auto &[file, stats] : results)
      std::printf("O%u %s %-40s %5d passed %3zu failed %4d skipped; modules: %d compiled, "
                  "%d skipped\n",
                  optLevel, boundsChecks ? "bounds" : "guards", file.c_str(),
                  stats.assertions - int(stats.failures.size()), stats.failures.size(),
                  stats.skippedAssertions, stats.modules, stats.skippedModules);
  }
  SpecStats stats = total(results);
  INFO("simd O" << optLevel << (boundsChecks ? " bounds checks: " : " guard pages: ")
                << results.size() << " files, " << stats.modules << " modules ("
                << stats.skippedModules << " skipped), " << stats.assertions << " assertions ("
                << stats.skippedAssertions << " skipped)");
  for (size_t i = 0; i < stats.failures.size() && i < 50; ++i)
    UNSCOPED_INFO(stats.failures[i]);
  CHECK(results.size() == 58);
  CHECK(stats.failures.empty());
  CHECK(stats.assertions > 20000);
}
