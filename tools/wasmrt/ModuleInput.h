#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wasmrt::cli {

// Reads a module file and returns its binary form: `.wasm` bytes as they are,
// WebAssembly text (detected by the missing "\0asm" magic) encoded to binary.
Expected<std::vector<uint8_t>> loadModuleBinary(const std::string &path);

// Whether the file begins like a precompiled artifact (docs/AOT.md); reads
// only its first bytes. False if it cannot be read (the caller reports that).
bool isArtifactFile(const std::string &path);

} // namespace wasmrt::cli
