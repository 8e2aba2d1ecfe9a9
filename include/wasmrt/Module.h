// A compiled module: validated and JIT-compiled once, then instantiated any
// number of times in any number of stores. A Module is an immutable,
// copyable handle; copies share the code and may be used from any thread.
#pragma once

#include "wasmrt/Engine.h"
#include "wasmrt/Error.h"
#include "wasmrt/Types.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace wasmrt {

class Module {
public:
  // Decodes, validates and compiles a binary module (ErrorKind::Malformed,
  // ErrorKind::Invalid, ...).
  static Expected<Module> compile(const Engine &engine, std::span<const uint8_t> bytes);
  // The same from the text format (a .wat file's contents).
  static Expected<Module> fromWat(const Engine &engine, std::string_view text);
  // Decodes and validates only (no code generation).
  static Expected<void> validate(const Engine &engine, std::span<const uint8_t> bytes);

  std::vector<ImportType> imports() const;
  std::vector<ExportType> exports() const;
  const Engine &engine() const;

  struct Impl;
  const std::shared_ptr<const Impl> &impl() const { return impl_; }

private:
  explicit Module(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

} // namespace wasmrt
