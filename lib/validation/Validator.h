// Validates a decoded module against the WebAssembly 2.0 typing rules.
// Failures are ErrorKind::Invalid errors naming the offset, and for code the
// function index and instruction. On success fills Module::functionFacts.
#pragma once

#include "binary/Features.h"
#include "binary/Module.h"
#include "wasmrt/Error.h"

namespace wasmrt::internal {

Expected<void> validateModule(Module &module, const Features &features = {});

} // namespace wasmrt::internal
