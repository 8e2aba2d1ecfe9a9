// Decodes a WebAssembly 2.0 binary into a Module in one pass. Malformed input
// yields an ErrorKind::Malformed error whose message names the byte offset.
// Decoding does not validate; call validateModule() next.
#pragma once

#include "binary/Features.h"
#include "binary/Module.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <span>
#include <vector>

namespace wasmrt::internal {

// The module views `bytes`; the caller keeps them alive as long as the module.
Expected<Module> decodeModule(std::span<const uint8_t> bytes, const Features &features = {});
// The module takes ownership of `bytes` (Module::storage).
Expected<Module> decodeModule(std::vector<uint8_t> &&bytes, const Features &features = {});

} // namespace wasmrt::internal
