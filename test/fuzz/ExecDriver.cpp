// Execution fuzzing driver: runs any module end to end and must never crash.
//   wasmrt_exec_driver [--bounds-checks] [-O N] [--eager]
//                      [--tier tiered|baseline|optimized] [--tier-up-threshold N]
//                      [--log] FILE.wasm...
// For each file: decode, validate, compile, instantiate with stub imports
// (host functions returning zeros, and memories, tables and globals made to
// match the import types), then call every exported function with zero
// arguments. Invalid modules, link errors and traps are printed and are fine;
// the exit status is 0 unless the host itself fails (a valid module that does
// not compile, or an error that is not a trap where only traps are expected).
// A crash or sanitizer report is the failure scripts/fuzz-exec.sh looks for.
//
// --log prints, in order, every call of an import and every export's outcome
// with exact values, one line each, for scripts/fuzz-diff.py to compare with
// an independent interpreter and with other configurations:
//   import MODULE.NAME ARG...          export NAME => VALUE...
//   export NAME => trap MESSAGE        instantiate => trap MESSAGE
// where a value is i32:U, i64:U (unsigned decimal), f32:0xBITS, f64:0xBITS,
// v128:0xW0,0xW1,0xW2,0xW3 (little-endian 32-bit lanes) or ref:null|ref:nonnull.
// Exports with parameters are skipped, as the reference interpreter does.
#include "binary/Decoder.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "support/File.h"
#include "validation/Validator.h"

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

Value zeroOf(ValType type) {
  Value value;
  value.type = type;
  return value;
}

bool logMode = false; // --log; set once in main before anything runs

std::string formatValue(const Value &value) {
  switch (value.type) {
  case ValType::I32: return "i32:" + std::to_string(uint32_t(value.bits));
  case ValType::I64: return "i64:" + std::to_string(value.bits);
  case ValType::F32: {
    char text[32];
    std::snprintf(text, sizeof text, "f32:0x%08x", unsigned(uint32_t(value.bits)));
    return text;
  }
  case ValType::F64: {
    char text[32];
    std::snprintf(text, sizeof text, "f64:0x%016llx", (unsigned long long)value.bits);
    return text;
  }
  case ValType::V128: {
    uint32_t lanes[4];
    std::memcpy(lanes, &value.v128, sizeof lanes);
    char text[64];
    std::snprintf(text, sizeof text, "v128:0x%08x,0x%08x,0x%08x,0x%08x", unsigned(lanes[0]),
                  unsigned(lanes[1]), unsigned(lanes[2]), unsigned(lanes[3]));
    return text;
  }
  default: return value.ref ? "ref:nonnull" : "ref:null";
  }
}

std::string formatValues(std::span<const Value> values) {
  std::string text;
  for (const Value &value : values)
    text += " " + formatValue(value);
  return text;
}

std::string firstLine(const std::string &message) { return message.substr(0, message.find('\n')); }

Expected<std::vector<Extern>> stubImports(Store &store, const Module &module) {
  std::vector<Extern> imports;
  for (const Import &import : module.imports) {
    Extern e{import.kind};
    switch (import.kind) {
    case ExternKind::Func: {
      std::string name = import.module + "." + import.name;
      auto func = store.createHostFunction(
          module.types[import.funcTypeIndex],
          [name](Instance *, std::span<const Value> args, std::span<Value> results)
              -> std::optional<TrapKind> {
            if (logMode)
              std::printf("import %s%s\n", name.c_str(), formatValues(args).c_str());
            for (Value &result : results)
              result = zeroOf(result.type);
            return std::nullopt;
          });
      if (!func)
        return std::move(func).error();
      e.func = *func;
      break;
    }
    case ExternKind::Table: {
      auto table = store.createTable(import.table);
      if (!table)
        return std::move(table).error();
      e.table = *table;
      break;
    }
    case ExternKind::Memory: {
      auto memory = store.createMemory(import.memory);
      if (!memory)
        return std::move(memory).error();
      e.memory = *memory;
      break;
    }
    case ExternKind::Global:
      e.global = store.createGlobal(import.global, zeroOf(import.global.type));
      break;
    default:
      return Error(ErrorKind::Unsupported, "import kind");
    }
    imports.push_back(e);
  }
  return imports;
}

// 0: fine (including invalid modules and traps); 1: the host failed.
int runFile(Engine &engine, const std::string &path) {
  auto bytes = readFileBytes(path);
  if (!bytes) {
    std::fprintf(stderr, "%s\n", bytes.error().message().c_str());
    return 1;
  }
  auto storage = std::make_shared<const std::vector<uint8_t>>(std::move(*bytes));
  auto decoded = decodeModule(std::span<const uint8_t>(*storage));
  if (!decoded) {
    std::printf("%s: malformed: %s\n", path.c_str(), decoded.error().message().c_str());
    return 0;
  }
  decoded->storage = storage;
  if (auto valid = validateModule(*decoded); !valid) {
    std::printf("%s: invalid: %s\n", path.c_str(), valid.error().message().c_str());
    return 0;
  }
  auto module = std::make_shared<const Module>(std::move(*decoded));
  auto loaded = engine.load(module);
  if (!loaded) {
    // Every valid Wasm 2.0 module must compile.
    std::fprintf(stderr, "%s: compile error: %s\n", path.c_str(),
                 loaded.error().message().c_str());
    return 1;
  }
  Store store(engine);
  auto imports = stubImports(store, *module);
  if (!imports) {
    std::printf("%s: imports: %s\n", path.c_str(), imports.error().message().c_str());
    return 0;
  }
  auto instance = store.instantiate(*loaded, *imports);
  if (!instance) {
    if (logMode && instance.error().kind() == ErrorKind::Trap)
      std::printf("instantiate => trap %s\n", firstLine(instance.error().message()).c_str());
    else
      std::printf("%s: instantiate: %s\n", path.c_str(), instance.error().message().c_str());
    ErrorKind kind = instance.error().kind();
    return kind == ErrorKind::Trap || kind == ErrorKind::Unlinkable ? 0 : 1;
  }
  for (const Export &exported : module->exports) {
    if (exported.kind != ExternKind::Func)
      continue;
    // The reference interpreter (wasm-interp --run-all-exports) runs only the
    // exports without parameters; with --log, so do we, in the same order.
    if (logMode && !module->funcType(exported.index).params.empty())
      continue;
    std::vector<Value> args;
    for (ValType type : module->funcType(exported.index).params)
      args.push_back(zeroOf(type));
    auto results = (*instance)->invoke(exported.name, args);
    if (results && logMode) {
      std::printf("export %s =>%s\n", exported.name.c_str(), formatValues(*results).c_str());
    } else if (results) {
      std::printf("%s: %s: ok\n", path.c_str(), exported.name.c_str());
    } else if (results.error().kind() == ErrorKind::Trap && logMode) {
      std::printf("export %s => trap %s\n", exported.name.c_str(),
                  firstLine(results.error().message()).c_str());
    } else if (results.error().kind() == ErrorKind::Trap) {
      std::printf("%s: %s: trap: %s\n", path.c_str(), exported.name.c_str(),
                  firstLine(results.error().message()).c_str());
    } else {
      std::fprintf(stderr, "%s: %s: %s\n", path.c_str(), exported.name.c_str(),
                   results.error().message().c_str());
      return 1;
    }
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  EngineConfig config;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--bounds-checks") {
      config.memoryMode = MemoryMode::BoundsChecked;
    } else if (arg == "-O" && hasValue) {
      config.optLevel = unsigned(std::atoi(argv[++i]));
    } else if (arg == "--eager") {
      config.lazyCompilation = false;
    } else if (arg == "--log") {
      logMode = true;
    } else if (arg == "--tier" && hasValue) {
      std::string_view tier = argv[++i];
      if (tier == "tiered")
        config.tiering = CompileOptions::Tiering::Tiered;
      else if (tier == "baseline")
        config.tiering = CompileOptions::Tiering::Baseline;
      else if (tier == "optimized")
        config.tiering = CompileOptions::Tiering::Optimized;
      else {
        files.clear(); // usage below
        break;
      }
    } else if (arg == "--tier-up-threshold" && hasValue) {
      config.tierUpThreshold = uint32_t(std::max(1L, std::atol(argv[++i])));
      config.osrCheckInterval = config.tierUpThreshold;
    } else if (arg.starts_with("-")) {
      files.clear();
      break;
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: wasmrt_exec_driver [--bounds-checks] [-O N] [--eager] "
                         "[--tier tiered|baseline|optimized] [--tier-up-threshold N] [--log] "
                         "FILE.wasm...\n");
    return 2;
  }
  Engine engine(config, createCompilerBackend()); // linked in: see CMakeLists.txt
  int status = 0;
  for (const std::string &file : files)
    status |= runFile(engine, file);
  return status;
}
