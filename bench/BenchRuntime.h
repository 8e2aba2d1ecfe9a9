// Helpers shared by the runtime benchmarks: load a module from bytes, a file
// or WAT text, and instantiate it with stub imports.
#pragma once
#include "binary/Decoder.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "support/File.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <memory>
#include <string>
#include <vector>

namespace wasmrt::internal::bench {

// Decodes and validates; the module owns its bytes.
inline Expected<std::shared_ptr<const Module>> decodeAndValidate(std::vector<uint8_t> bytes) {
  auto storage = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  auto module = decodeModule(std::span<const uint8_t>(*storage));
  if (!module)
    return std::move(module).error();
  module->storage = storage;
  if (auto valid = validateModule(*module); !valid)
    return std::move(valid).error();
  return std::shared_ptr<const Module>(std::make_shared<Module>(std::move(*module)));
}

inline Expected<std::shared_ptr<const Module>> moduleFromFile(const std::string &path) {
  auto bytes = readFileBytes(path);
  if (!bytes)
    return std::move(bytes).error();
  return decodeAndValidate(std::move(*bytes));
}

inline Expected<std::shared_ptr<const Module>> moduleFromWat(std::string_view wat) {
  auto bytes = text::parseWat(wat);
  if (!bytes)
    return std::move(bytes).error();
  return decodeAndValidate(std::move(*bytes));
}

// Function imports become host functions that trap (the kernels import none
// they call); other imports are not supported here.
inline Expected<Instance *> instantiateWithStubs(Store &store,
                                                 std::shared_ptr<const LoadedModule> loaded) {
  std::vector<Extern> imports;
  for (const Import &import : loaded->module->imports) {
    if (import.kind != ExternKind::Func)
      return Error(ErrorKind::Unsupported, "benchmark modules may import functions only");
    auto func = store.createHostFunction(
        loaded->module->types[import.funcTypeIndex],
        [](Instance *, std::span<const Value>, std::span<Value>) -> std::optional<TrapKind> {
          return TrapKind::Unreachable;
        });
    if (!func)
      return std::move(func).error();
    imports.push_back(Extern{ExternKind::Func, *func});
  }
  return store.instantiate(std::move(loaded), imports);
}

} // namespace wasmrt::internal::bench
