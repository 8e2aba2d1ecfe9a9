#include "spec-tests/WastRunner.h"

#include "binary/Decoder.h"
#include "loader/CompilerLoader.h"
#include "spec-tests/RuntimeExecutor.h"
#include "support/File.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <ostream>
#include <utility>

namespace wasmrt::internal::spectest {

using text::Command;
using text::CommandKind;

namespace {

Error unsupported(std::string_view what) {
  return Error(ErrorKind::Unsupported, std::string(what) + " needs a runtime");
}

// Whether an error message satisfies a script's expected message: it contains
// it. The reference interpreter appends details to a few messages
// ("uninitialized element 2"); such a trailing number is not required.
bool messageMatches(const std::string &actual, std::string_view expected) {
  if (actual.find(expected) != std::string::npos)
    return true;
  size_t space = expected.find_last_of(' ');
  if (space == std::string_view::npos || space + 1 == expected.size())
    return false;
  std::string_view tail = expected.substr(space + 1);
  if (tail.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  return actual.find(expected.substr(0, space)) != std::string::npos;
}

// How far a module form got through encode -> decode -> validate.
enum class ModuleStage : uint8_t { Encode, Decode, Validate, Done };

struct ModuleCheck {
  ModuleStage failedAt = ModuleStage::Done;
  std::optional<Error> error;
  std::optional<Module> module; // set when failedAt == Done
};

ModuleCheck checkModule(const text::ScriptModule &script) {
  ModuleCheck check;
  auto bytes = text::encodeModuleForm(script.form);
  if (!bytes) {
    check.failedAt = ModuleStage::Encode;
    check.error = std::move(bytes).error();
    return check;
  }
  auto module = decodeModule(std::move(*bytes));
  if (!module) {
    check.failedAt = ModuleStage::Decode;
    check.error = std::move(module).error();
    return check;
  }
  if (auto valid = validateModule(*module); !valid) {
    check.failedAt = ModuleStage::Validate;
    check.error = std::move(valid).error();
    return check;
  }
  check.module = std::move(*module);
  return check;
}

const char *stageName(ModuleStage stage) {
  switch (stage) {
  case ModuleStage::Encode: return "text parsing";
  case ModuleStage::Decode: return "decoding";
  case ModuleStage::Validate: return "validation";
  case ModuleStage::Done: return "";
  }
  return "";
}

// Runs the commands of one script, counting and reporting outcomes.
class ScriptRun {
public:
  ScriptRun(std::string_view fileName, ScriptExecutor &executor, const WastOptions &options,
            std::ostream &out)
      : fileName_(fileName), executor_(executor), options_(options), out_(out) {}

  void run(const Command &command);
  // A form that could not be parsed into a command at all.
  void fail(text::SourceLocation location, std::string_view what, const Error &error);
  // A script whose S-expressions cannot be read; the error names line:column.
  void failScript(const Error &error);

  const WastSummary &summary() const { return summary_; }
  void printSkipReasons() const;

private:
  void pass() { ++summary_.passed; }
  void skip(const Command &command, const Error &reason);
  void fail(const Command &command, std::string_view what, const std::string &expected = {},
            const std::string &actual = {});
  // For runtime outcomes: Unsupported means skipped, anything else is a failure.
  void failOrSkip(const Command &command, const Error &error, std::string_view what);

  void runModule(const Command &command);
  void runMalformed(const Command &command);
  void runInvalid(const Command &command);
  void runInstantiationFailure(const Command &command, ErrorKind expectedKind);
  void runAction(const Command &command);
  void runAssertReturn(const Command &command);
  void runAssertTrap(const Command &command, bool exhaustion);

  std::string fileName_;
  ScriptExecutor &executor_;
  const WastOptions &options_;
  std::ostream &out_;
  WastSummary summary_;
  std::map<std::string, uint64_t> skipReasons_; // verbose report: reason -> count
};

void ScriptRun::skip(const Command &command, const Error &reason) {
  ++summary_.skipped;
  if (options_.verbose)
    ++skipReasons_[std::string(text::commandKindName(command.kind)) + ": " + reason.message()];
}

void ScriptRun::fail(const Command &command, std::string_view what, const std::string &expected,
                     const std::string &actual) {
  ++summary_.failed;
  out_ << fmt::format("{}:{}: {}: {}\n", fileName_, command.location.line,
                      text::commandKindName(command.kind), what);
  if (options_.verbose) {
    out_ << fmt::format("  expected: {}\n", expected.empty() ? "(nothing stated)" : expected);
    out_ << fmt::format("  actual:   {}\n", actual.empty() ? "(no error)" : actual);
  }
}

void ScriptRun::fail(text::SourceLocation location, std::string_view what, const Error &error) {
  ++summary_.failed;
  out_ << fmt::format("{}:{}: {}: {}\n", fileName_, location.line, what, error.describe());
}

void ScriptRun::failScript(const Error &error) {
  ++summary_.failed;
  out_ << fmt::format("{}: script: {}\n", fileName_, error.describe());
}

void ScriptRun::failOrSkip(const Command &command, const Error &error, std::string_view what) {
  if (error.kind() == ErrorKind::Unsupported)
    return skip(command, error);
  fail(command, fmt::format("{}: {}", what, error.describe()), command.message,
       error.describe());
}

void ScriptRun::printSkipReasons() const {
  for (const auto &[reason, count] : skipReasons_)
    out_ << fmt::format("  skipped {:>6}  {}\n", count, reason);
}

void ScriptRun::run(const Command &command) {
  switch (command.kind) {
  case CommandKind::Module: return runModule(command);
  case CommandKind::ModuleInstance: {
    auto done = executor_.instantiateDefinition(command.moduleName, command.definitionName);
    return done ? pass() : failOrSkip(command, done.error(), "instantiation failed");
  }
  case CommandKind::Register: {
    auto done = executor_.registerModule(command.registerName, command.moduleName);
    return done ? pass() : failOrSkip(command, done.error(), "register failed");
  }
  case CommandKind::Action: return runAction(command);
  case CommandKind::AssertReturn: return runAssertReturn(command);
  case CommandKind::AssertTrap:
    if (command.module)
      return runInstantiationFailure(command, ErrorKind::Trap);
    return runAssertTrap(command, false);
  case CommandKind::AssertExhaustion: return runAssertTrap(command, true);
  case CommandKind::AssertException:
    return skip(command, Error(ErrorKind::Unsupported, "exception handling is not supported"));
  case CommandKind::AssertMalformed: return runMalformed(command);
  case CommandKind::AssertInvalid: return runInvalid(command);
  case CommandKind::AssertUnlinkable:
    return runInstantiationFailure(command, ErrorKind::Unlinkable);
  case CommandKind::AssertUninstantiable:
    return runInstantiationFailure(command, ErrorKind::Trap);
  case CommandKind::AssertMalformedCustom:
  case CommandKind::AssertInvalidCustom:
    return skip(command, Error(ErrorKind::Unsupported, "custom annotations are not supported"));
  }
}

void ScriptRun::runModule(const Command &command) {
  const text::ScriptModule &script = *command.module;
  ModuleCheck check = checkModule(script);
  if (check.error)
    return fail(command, fmt::format("{} failed: {}", stageName(check.failedAt),
                                     check.error->describe()),
                "a valid module", check.error->describe());
  if (script.isDefinition)
    return pass();
  auto done = executor_.instantiate(script, std::move(*check.module));
  if (done)
    return pass();
  if (done.error().kind() == ErrorKind::Unsupported)
    return skip(command, done.error());
  fail(command, "instantiation failed: " + done.error().describe(), "a module instance",
       done.error().describe());
}

void ScriptRun::runMalformed(const Command &command) {
  ModuleCheck check = checkModule(*command.module);
  // Any stage may find the module malformed: function bodies are decoded only
  // when the validator walks them, so their malformed encodings surface there.
  if (check.error && check.error->kind() == ErrorKind::Malformed)
    return pass();
  std::string actual = check.error ? check.error->describe() : "the module is well-formed";
  fail(command,
       check.error ? fmt::format("expected a malformed module, but {} failed with {}",
                                 stageName(check.failedAt), actual)
                   : "expected a malformed module, but it is valid",
       "malformed module: " + command.message, actual);
}

void ScriptRun::runInvalid(const Command &command) {
  ModuleCheck check = checkModule(*command.module);
  if (check.failedAt == ModuleStage::Validate && check.error->kind() == ErrorKind::Invalid)
    return pass();
  std::string actual = check.error ? check.error->describe() : "the module is valid";
  fail(command,
       check.error ? fmt::format("expected an invalid module, but {} failed with {}",
                                 stageName(check.failedAt), actual)
                   : "expected an invalid module, but it is valid",
       "invalid module: " + command.message, actual);
}

// assert_unlinkable, assert_uninstantiable and assert_trap on a module: the
// module itself must be valid; only instantiating it may fail.
void ScriptRun::runInstantiationFailure(const Command &command, ErrorKind expectedKind) {
  ModuleCheck check = checkModule(*command.module);
  if (check.error)
    return fail(command, fmt::format("{} failed: {}", stageName(check.failedAt),
                                     check.error->describe()),
                "a valid module", check.error->describe());
  auto done = executor_.instantiate(*command.module, std::move(*check.module));
  if (done)
    return fail(command, "instantiation succeeded", command.message, {});
  if (done.error().kind() == ErrorKind::Unsupported)
    return skip(command, done.error());
  if (done.error().kind() == expectedKind &&
      messageMatches(done.error().message(), command.message))
    return pass();
  fail(command, "instantiation failed differently: " + done.error().describe(), command.message,
       done.error().describe());
}

void ScriptRun::runAction(const Command &command) {
  auto results = executor_.perform(*command.action);
  if (results)
    return pass();
  failOrSkip(command, results.error(), "action failed");
}

void ScriptRun::runAssertReturn(const Command &command) {
  auto results = executor_.perform(*command.action);
  if (!results)
    return failOrSkip(command, results.error(), "action failed");
  std::string expected, actual;
  for (const text::ExpectedResult &result : command.results)
    expected += (expected.empty() ? "" : " ") + text::toString(result);
  for (const text::ScriptConst &value : *results)
    actual += (actual.empty() ? "" : " ") + text::toString(value);
  bool ok = results->size() == command.results.size();
  for (size_t index = 0; ok && index < results->size(); ++index)
    ok = text::matchesResult(command.results[index], (*results)[index]);
  if (ok)
    return pass();
  fail(command, fmt::format("result mismatch: got [{}], expected [{}]", actual, expected),
       expected, actual);
}

void ScriptRun::runAssertTrap(const Command &command, bool exhaustion) {
  auto results = executor_.perform(*command.action);
  if (results)
    return fail(command, "returned normally, expected a trap", command.message, {});
  const Error &error = results.error();
  if (error.kind() == ErrorKind::Unsupported)
    return skip(command, error);
  bool exhausted = error.message().find("exhausted") != std::string::npos;
  // The trap message (which may go on with a backtrace) must contain the
  // script's text.
  bool sameMessage = messageMatches(error.message(), command.message);
  if (error.kind() == ErrorKind::Trap && sameMessage && (!exhaustion || exhausted))
    return pass();
  fail(command, "wrong failure: " + error.describe(), command.message, error.describe());
}

std::string formatSummary(const WastSummary &summary) {
  return fmt::format("{} passed, {} failed, {} skipped", summary.passed, summary.failed,
                     summary.skipped);
}

constexpr std::string_view kUsage =
    "usage: wasmrt wast [--verbose] [--bounds-checks] [-O LEVEL] [--compilation lazy|eager|aot]\n"
    "                   [--tier tiered|baseline|optimized|interp] [--first-tier interp|baseline]\n"
    "                   [--tier-up-threshold N] [--osr-check-interval N] FILE...\n";

// Whether args[i] is option `name`, as "--name VALUE" or "--name=VALUE"; then
// `value` is its value ("" when there is none) and i is at its last argument.
bool optionWithValue(std::span<const std::string> args, size_t &i, std::string_view name,
                     std::string &value) {
  const std::string &arg = args[i];
  if (arg == name) {
    value = i + 1 < args.size() ? args[++i] : "";
    return true;
  }
  if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
    value = arg.substr(name.size() + 1);
    return true;
  }
  return false;
}

// A whole number from 1 to 2^32 - 1, nothing else (no sign, no suffix).
std::optional<uint32_t> parsePositiveCount(const std::string &text) {
  uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value == 0)
    return std::nullopt;
  return value;
}

std::optional<WastOptions::Tier> parseTier(const std::string &text) {
  if (text == "tiered")
    return WastOptions::Tier::Tiered;
  if (text == "baseline")
    return WastOptions::Tier::Baseline;
  if (text == "optimized")
    return WastOptions::Tier::Optimized;
  if (text == "interp")
    return WastOptions::Tier::Interp;
  return std::nullopt;
}

// Parses `wasmrt wast`'s arguments into `options` and `files`; an exit status
// when the command ends here (usage error, --help).
std::optional<int> parseWastArgs(std::span<const std::string> args, WastOptions &options,
                                 std::vector<std::string> &files, std::ostream &out,
                                 std::ostream &err) {
  auto usage = [&](std::string_view message) {
    err << "wasmrt wast: " << message << "\n" << kUsage;
    return 2;
  };
  auto count = [&](std::string_view name, const std::string &value,
                   std::optional<uint32_t> &field) -> std::optional<int> {
    field = parsePositiveCount(value);
    if (field)
      return std::nullopt;
    return usage(fmt::format("{} needs a whole number from 1 to {}, got '{}'", name,
                             UINT32_MAX, value));
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    std::string value;
    std::optional<int> status;
    if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
    } else if (arg == "--bounds-checks") {
      options.boundsChecks = true;
    } else if (arg.starts_with("-O")) {
      std::string level = arg.size() > 2 ? arg.substr(2) : (i + 1 < args.size() ? args[++i] : "");
      if (level.size() != 1 || level[0] < '0' || level[0] > '3')
        return usage("-O needs a level from 0 to 3");
      options.optLevel = unsigned(level[0] - '0');
    } else if (optionWithValue(args, i, "--compilation", value)) {
      if (value != "lazy" && value != "eager" && value != "aot")
        return usage("--compilation needs lazy, eager or aot");
      options.lazyCompilation = value == "lazy";
      options.viaArtifact = value == "aot";
    } else if (optionWithValue(args, i, "--tier", value)) {
      std::optional<WastOptions::Tier> tier = parseTier(value);
      if (!tier)
        return usage(fmt::format("--tier needs tiered, baseline, optimized or interp, got '{}'", value));
      options.tier = *tier;
    } else if (optionWithValue(args, i, "--first-tier", value)) {
      if (value != "interp" && value != "baseline")
        return usage(fmt::format("--first-tier needs interp or baseline, got '{}'", value));
      options.interpreterFirst = value == "interp";
    } else if (optionWithValue(args, i, "--tier-up-threshold", value)) {
      status = count("--tier-up-threshold", value, options.tierUpThreshold);
    } else if (optionWithValue(args, i, "--osr-check-interval", value)) {
      status = count("--osr-check-interval", value, options.osrCheckInterval);
    } else if (arg == "--help" || arg == "-h") {
      out << kUsage;
      return 0;
    } else if (arg.starts_with("-") && arg != "-") {
      return usage("unknown option '" + arg + "'");
    } else {
      files.push_back(arg);
    }
    if (status)
      return status;
  }
  if (files.empty())
    return usage("no input files");
  return std::nullopt;
}

EngineConfig engineConfigFor(const WastOptions &options) {
  EngineConfig config;
  config.optLevel = options.optLevel;
  config.lazyCompilation = options.lazyCompilation;
  config.memoryMode = options.boundsChecks ? MemoryMode::BoundsChecked : MemoryMode::Guarded;
  switch (options.tier) {
  case WastOptions::Tier::Tiered: config.tiering = CompileOptions::Tiering::Tiered; break;
  case WastOptions::Tier::Baseline: config.tiering = CompileOptions::Tiering::Baseline; break;
  case WastOptions::Tier::Optimized: config.tiering = CompileOptions::Tiering::Optimized; break;
  case WastOptions::Tier::Interp: config.interpreter = true; break;
  }
  config.interpreterFirst = options.interpreterFirst;
  if (options.tierUpThreshold)
    config.tierUpThreshold = *options.tierUpThreshold;
  if (options.osrCheckInterval)
    config.osrCheckInterval = *options.osrCheckInterval;
  return config;
}

} // namespace

Expected<void> UnsupportedExecutor::instantiate(const text::ScriptModule &, Module &&) {
  return unsupported("instantiation");
}

Expected<void> UnsupportedExecutor::instantiateDefinition(const std::optional<std::string> &,
                                                          const std::optional<std::string> &) {
  return unsupported("instantiation");
}

Expected<void> UnsupportedExecutor::registerModule(const std::string &,
                                                   const std::optional<std::string> &) {
  return unsupported("register");
}

Expected<std::vector<text::ScriptConst>> UnsupportedExecutor::perform(const text::Action &action) {
  return unsupported(action.kind == text::ActionKind::Invoke ? "invoke" : "get");
}

WastSummary runWastSource(std::string_view source, std::string_view fileName,
                          ScriptExecutor &executor, const WastOptions &options,
                          std::ostream &out) {
  ScriptRun run(fileName, executor, options, out);
  auto forms = text::readSExprs(source);
  if (!forms) {
    run.failScript(forms.error());
    return run.summary();
  }
  if (!forms->empty() && text::isModuleFieldForm(forms->front())) {
    run.run(text::implicitModuleCommand(*forms));
  } else {
    // Parse command by command so one unparsable command does not hide the rest.
    for (const text::SExpr &form : *forms) {
      auto command = text::parseCommand(form);
      if (command)
        run.run(*command);
      else
        run.fail(form.location, "script", command.error());
    }
  }
  if (options.verbose)
    run.printSkipReasons();
  return run.summary();
}

int runWastCommand(std::span<const std::string> args, std::ostream &out, std::ostream &err) {
  WastOptions options;
  std::vector<std::string> files;
  if (std::optional<int> status = parseWastArgs(args, options, files, out, err))
    return *status;
  EngineConfig config = engineConfigFor(options);
  // Shared by all files: compiled glue and type ids are reused. The compiler
  // plugin is loaded when the first module is compiled.
  Engine engine(config, loadCompilerBackend);
  WastSummary total;
  bool unreadable = false;
  for (const std::string &file : files) {
    auto bytes = readFileBytes(file);
    if (!bytes) {
      err << "wasmrt wast: " << bytes.error().message() << "\n";
      unreadable = true;
      continue;
    }
    std::string_view source(reinterpret_cast<const char *>(bytes->data()), bytes->size());
    RuntimeExecutor executor(engine, options.viaArtifact); // every script starts without instances
    WastSummary summary = runWastSource(source, file, executor, options, out);
    out << file << ": " << formatSummary(summary) << "\n";
    total += summary;
  }
  out << formatSummary(total) << "\n";
  out.flush();
  if (unreadable)
    return 2;
  return total.failed == 0 ? 0 : 1;
}

} // namespace wasmrt::internal::spectest
