// Execution fuzzing driver: runs any module end to end and must never crash.
//   wasmrt_exec_driver [--bounds-checks] [-O N] FILE.wasm...
// For each file: decode, validate, compile, instantiate with stub imports
// (host functions returning zeros, and memories, tables and globals made to
// match the import types), then call every exported function with zero
// arguments. Invalid modules, link errors and traps are printed and are fine;
// the exit status is 0 unless the host itself fails (a valid module that does
// not compile, or an error that is not a trap where only traps are expected).
// A crash or sanitizer report is the failure scripts/fuzz-exec.sh looks for.
#include "binary/Decoder.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "support/File.h"
#include "validation/Validator.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

Value zeroOf(ValType type) {
  Value value;
  value.type = type;
  return value;
}

Expected<std::vector<Extern>> stubImports(Store &store, const Module &module) {
  std::vector<Extern> imports;
  for (const Import &import : module.imports) {
    Extern e{import.kind};
    switch (import.kind) {
    case ExternKind::Func: {
      auto func = store.createHostFunction(
          module.types[import.funcTypeIndex],
          [](Instance *, std::span<const Value>, std::span<Value> results)
              -> std::optional<TrapKind> {
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
    std::printf("%s: instantiate: %s\n", path.c_str(), instance.error().message().c_str());
    ErrorKind kind = instance.error().kind();
    return kind == ErrorKind::Trap || kind == ErrorKind::Unlinkable ? 0 : 1;
  }
  for (const Export &exported : module->exports) {
    if (exported.kind != ExternKind::Func)
      continue;
    std::vector<Value> args;
    for (ValType type : module->funcType(exported.index).params)
      args.push_back(zeroOf(type));
    auto results = (*instance)->invoke(exported.name, args);
    if (results) {
      std::printf("%s: %s: ok\n", path.c_str(), exported.name.c_str());
    } else if (results.error().kind() == ErrorKind::Trap) {
      std::string message = results.error().message();
      std::printf("%s: %s: trap: %s\n", path.c_str(), exported.name.c_str(),
                  message.substr(0, message.find('\n')).c_str());
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
    if (std::strcmp(argv[i], "--bounds-checks") == 0)
      config.memoryMode = MemoryMode::BoundsChecked;
    else if (std::strcmp(argv[i], "-O") == 0 && i + 1 < argc)
      config.optLevel = unsigned(std::atoi(argv[++i]));
    else
      files.push_back(argv[i]);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: wasmrt_exec_driver [--bounds-checks] [-O N] FILE.wasm...\n");
    return 2;
  }
  Engine engine(config, createCompilerBackend()); // linked in: see CMakeLists.txt
  int status = 0;
  for (const std::string &file : files)
    status |= runFile(engine, file);
  return status;
}
