// Instances and the Linker that creates them.
#pragma once

#include "wasmrt/Error.h"
#include "wasmrt/Module.h"
#include "wasmrt/Objects.h"
#include "wasmrt/Store.h"
#include "wasmrt/Typed.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wasmrt {

// An instantiated module, owned by its store (a copyable handle).
class Instance {
public:
  // Instantiates a module without imports (ErrorKind::Unlinkable otherwise).
  static Expected<Instance> create(Store &store, const Module &module);

  std::optional<Extern> getExport(std::string_view name) const;
  // The export `name` of the given kind, or ErrorKind::Usage ("unknown export ...").
  Expected<Func> getFunc(std::string_view name) const;
  Expected<Memory> getMemory(std::string_view name) const;
  Expected<Table> getTable(std::string_view name) const;
  Expected<Global> getGlobal(std::string_view name) const;
  // An exported function checked against the C++ signature once, e.g.
  // `instance.typedFunc<int32_t(int32_t, int32_t)>("add")`.
  template <typename Sig> Expected<TypedFunc<Sig>> typedFunc(std::string_view name) const {
    auto func = getFunc(name);
    if (!func)
      return std::move(func).error();
    return TypedFunc<Sig>::check(*func);
  }
  std::vector<ExportType> exports() const;

  Instance(detail::StoreState *store, void *instance) : store_(store), instance_(instance) {}
  void *raw() const { return instance_; }

private:
  detail::StoreState *store_;
  void *instance_;
};

// Definitions by (module, name) for resolving imports. Host functions defined
// with defineFunc are store-independent: each store that instantiates through
// the linker gets its own copy, so one Linker may serve many stores (and
// threads, once no more definitions are added). Objects of a store (Extern,
// defineInstance) may only be used to instantiate into that store.
class Linker {
public:
  Linker();
  ~Linker();
  Linker(const Linker &);
  Linker &operator=(const Linker &);

  void define(const std::string &module, const std::string &name, const Extern &value);
  // Every export of `instance`, under `module`.
  void defineInstance(const std::string &module, const Instance &instance);
  // A host function, created in each store on first use.
  void defineFunc(const std::string &module, const std::string &name, const FuncType &type,
                  HostCallback callback);
  // The same with the type deduced from a C++ callable (see Typed.h).
  template <typename F>
  void defineFunc(const std::string &module, const std::string &name, F &&callable);

  // Resolves `module`'s imports ("unknown import ..." / "incompatible import
  // type ...", ErrorKind::Unlinkable), instantiates it and runs its start
  // function (a trap is ErrorKind::Trap).
  Expected<Instance> instantiate(Store &store, const Module &module) const;

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};

template <typename F>
void Linker::defineFunc(const std::string &module, const std::string &name, F &&callable) {
  auto [type, callback] = detail::typedHost(std::forward<F>(callable));
  defineFunc(module, name, type, std::move(callback));
}

} // namespace wasmrt
