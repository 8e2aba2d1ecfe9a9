// Loading precompiled artifacts (abi/ArtifactFormat.h, docs/AOT.md): checks,
// maps and binds an artifact's code without LLVM. The result is a
// CompiledModule like the JIT's, so instances cannot tell the difference.
//
// Trust: an artifact is native code. Loading one is as trusted as running a
// binary: the checks below reject truncated, corrupted, other-version,
// other-target and other-CPU artifacts with a clear error, but cannot make a
// deliberately crafted artifact safe. Load only artifacts you produced (or
// that your cache directory, writable only by you, holds).
#pragma once

#include "abi/ArtifactFormat.h"
#include "binary/Features.h"
#include "binary/Module.h"
#include "compiler/Compiler.h"
#include "wasmrt/Error.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace wasmrt::internal {

// What the engine that will run the artifact compiles with: generated code
// depends on these, so they must match the artifact's.
struct ArtifactRequirements {
  bool explicitBoundsChecks = false;
  bool epochInterruption = false;
  bool consumeFuel = false;
  Features features; // to decode the embedded module
};

struct LoadedArtifact {
  // The embedded module, decoded (its bytes stay in the mapped file).
  std::shared_ptr<const Module> module;
  std::unique_ptr<CompiledModule> code;
  std::array<uint8_t, 32> sourceHash{};
  std::string description; // "key: value" lines
};

// Whether `bytes` begin with the artifact magic (to tell an artifact from a
// wasm module, whose magic is "\0asm").
bool looksLikeArtifact(std::span<const uint8_t> bytes);

// Maps the artifact file at `path`: its code pages come from the file (shared
// with every process running it), never written.
Expected<LoadedArtifact> loadArtifactFile(const std::string &path,
                                          const ArtifactRequirements &requirements);
// The same from bytes in memory (copied into fresh code pages).
Expected<LoadedArtifact> loadArtifactBytes(std::span<const uint8_t> bytes,
                                           const ArtifactRequirements &requirements);

// An artifact already mapped read-only (e.g. by the code cache): `owner`
// keeps `bytes` mapped for as long as the result lives; the code pages are
// mapped from `fd`, which the caller may close afterwards.
Expected<LoadedArtifact> loadArtifactMapped(std::shared_ptr<const void> owner,
                                            std::span<const uint8_t> bytes, int fd,
                                            const ArtifactRequirements &requirements);

// The address of a library routine generated code may call
// (abi/LibraryRoutines.h), or nullptr.
void *libraryRoutineAddress(std::string_view name);

} // namespace wasmrt::internal
