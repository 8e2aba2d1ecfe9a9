// A compiled module: validated and JIT-compiled once, then instantiated any
// number of times in any number of stores. A Module is an immutable,
// copyable handle; copies share the code and may be used from any thread.
#pragma once

#include "wasmrt/Engine.h"
#include "wasmrt/Error.h"
#include "wasmrt/Types.h"

#include <cstdint>
#include <functional>
#include <string>
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

  // --- Ahead-of-time compilation (docs/AOT.md).
  //
  // An artifact holds the module and its native code for one target, compiled
  // with the engine's optLevel, memory mode, fuel and epoch settings; it runs
  // in engines configured the same way. Loading an artifact is as trusted as
  // running a native binary: deserialize() rejects truncated, corrupted,
  // other-version, other-target and other-CPU artifacts with a clear error,
  // but cannot make a deliberately crafted one safe. Deserialize only
  // artifacts you produced.
  struct PrecompileOptions {
    // "": this host (its CPU's features; loads only on the same kind of CPU).
    // "x86_64" or "aarch64": portable code for that architecture's baseline.
    std::string target;
    // Functions compiled so far and in all, from compile threads, one at a time.
    std::function<void(uint32_t done, uint32_t total)> onProgress;
  };
  // Compiles a binary module into an artifact, on Config::compileThreads threads.
  static Expected<std::vector<uint8_t>> precompile(const Engine &engine,
                                                   std::span<const uint8_t> wasm,
                                                   const PrecompileOptions &options = {});
  // This module's code as an artifact (compiled again, whole, for this host).
  Expected<std::vector<uint8_t>> serialize() const;
  // A module from an artifact in memory (its code copied into fresh pages).
  static Expected<Module> deserialize(const Engine &engine, std::span<const uint8_t> artifact);
  // A module from an artifact file, whose code pages are mapped from the file
  // and shared by every process running it. No compiler is loaded.
  static Expected<Module> deserializeFile(const Engine &engine, const std::string &path);
  // Whether `bytes` begin like an artifact rather than a wasm module.
  static bool isArtifact(std::span<const uint8_t> bytes);
  // How this module's code was obtained: "jit", "artifact", "cache-hit" or
  // "cache-store" (compiled ahead of time on a cache miss and stored).
  const char *codeSource() const;

  std::vector<ImportType> imports() const;
  std::vector<ExportType> exports() const;
  const Engine &engine() const;

  // Internal: Impl is opaque outside the library.
  struct Impl;
  explicit Module(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  const std::shared_ptr<const Impl> &impl() const { return impl_; }

private:
  std::shared_ptr<const Impl> impl_;
};

} // namespace wasmrt
