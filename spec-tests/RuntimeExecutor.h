// The runtime-backed ScriptExecutor: one Store per script, modules compiled by
// a shared Engine, `register` through a Linker that also holds the spec
// tests' `spectest` host module.
#pragma once

#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"
#include "spec-tests/WastRunner.h"

#include <map>
#include <optional>
#include <string>

namespace wasmrt::internal::spectest {

// Defines the `spectest` module of the reference interpreter in `linker`:
// print* functions (they print nothing), global_i32/i64 = 666,
// global_f32/f64 = 666.6, table (10, max 20, funcref), memory (1, max 2).
Expected<void> defineSpectestModule(Store &store, Linker &linker);

// Host-side representation of (ref.extern N): a non-null pointer holding N + 1.
void *externRefFromPayload(uint64_t payload);
uint64_t payloadFromExternRef(const void *ref);

class RuntimeExecutor final : public ScriptExecutor {
public:
  // `viaArtifact`: compile each module into an artifact and run it from there.
  explicit RuntimeExecutor(Engine &engine, bool viaArtifact = false);

  Expected<void> instantiate(const text::ScriptModule &script, Module &&module) override;
  Expected<void> instantiateDefinition(const std::optional<std::string> &instanceName,
                                       const std::optional<std::string> &definitionName) override;
  Expected<void> registerModule(const std::string &as,
                                const std::optional<std::string> &moduleName) override;
  Expected<std::vector<text::ScriptConst>> perform(const text::Action &action) override;

private:
  // A script module: an instance, or why it could not be compiled (SIMD):
  // commands that use it are then skipped too.
  struct Slot {
    Instance *instance = nullptr;
    std::optional<Error> unsupported;
  };
  Expected<Instance *> find(const std::optional<std::string> &name) const;

  // The module's code: JIT-compiled, or through an artifact (viaArtifact_).
  Expected<std::shared_ptr<const LoadedModule>> load(std::shared_ptr<const Module> module);

  Engine &engine_;
  bool viaArtifact_ = false;
  Store store_;
  Linker linker_;
  std::optional<Error> setupError_;
  std::optional<Slot> current_;
  std::map<std::string, Slot> named_;
  // Registered names of unsupported modules: modules importing them are skipped.
  std::map<std::string, Error> unsupportedNames_;
};

} // namespace wasmrt::internal::spectest
