// Real modules produced by clang-19 for wasm32-wasi decode and validate, and
// carry the facts later layers rely on.
#include "binary/Decoder.h"
#include "support/File.h"
#include "validation/Validator.h"

#include <catch2/catch.hpp>

#include <string>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {
Module decodeAndValidateProgram(const std::string &name) {
  std::string path = std::string(WASMRT_PROGRAMS_DIR) + "/" + name + ".wasm";
  auto bytes = readFileBytes(path);
  REQUIRE(bytes);
  auto module = decodeModule(std::move(*bytes));
  INFO(path << ": " << (module ? std::string() : module.error().message()));
  REQUIRE(module);
  auto valid = validateModule(*module);
  INFO((valid ? std::string() : valid.error().message()));
  REQUIRE(valid);
  return std::move(*module);
}

bool importsFrom(const Module &module, const std::string &moduleName, const std::string &name) {
  for (const Import &import : module.imports)
    if (import.module == moduleName && import.name == name)
      return true;
  return false;
}
} // namespace

TEST_CASE("clang-built WASI programs decode and validate") {
  const char *names[] = {"hello_O2", "hello_O0", "compute_O2", "compute_O0", "files_O2", "simd_O2"};
  for (const char *name : names) {
    SECTION(name) {
      Module module = decodeAndValidateProgram(name);
      CHECK(module.numDefinedFuncs() > 0);
      CHECK(module.functionFacts.size() == module.numDefinedFuncs());
      CHECK(module.memories.size() == 1);
      CHECK(importsFrom(module, "wasi_snapshot_preview1", "fd_write"));
      bool exportsStart = false;
      for (const Export &exported : module.exports)
        exportsStart |= exported.name == "_start" && exported.kind == ExternKind::Func;
      CHECK(exportsStart);
    }
  }
}

TEST_CASE("the name section of a clang-built program names its functions") {
  Module module = decodeAndValidateProgram("compute_O0");
  bool foundMain = false;
  for (const auto &[index, name] : module.names.functionNames)
    foundMain |= name == "main" || name == "__main_void" || name == "__original_main";
  CHECK(foundMain);
}

TEST_CASE("validator facts reflect the code of a real program") {
  Module module = decodeAndValidateProgram("compute_O2");
  bool anyCalls = false, anyMemory = false, anyLoops = false, anyIndirect = false;
  for (const FunctionFacts &facts : module.functionFacts) {
    anyCalls |= facts.hasCalls;
    anyMemory |= facts.usesMemory;
    anyLoops |= facts.hasLoops;
    anyIndirect |= facts.hasIndirectCalls;
    CHECK(facts.maxControlDepth >= 1);
  }
  CHECK(anyCalls);
  CHECK(anyMemory);
  CHECK(anyLoops);
  CHECK(anyIndirect); // qsort's comparator
}
