// Why wasm execution stopped abnormally. The one definition is abi::TrapKind in
// abi/RuntimeAbi.h (generated code passes these values to wasmrt_trap), so the
// runtime uses it directly. RuntimeAbi.h includes no LLVM header.
#pragma once

#include "abi/RuntimeAbi.h"

namespace wasmrt::internal {

using TrapKind = abi::TrapKind;
using abi::trapMessage;

// One past the largest TrapKind value (values start at 1; 0 is no trap).
inline constexpr unsigned kTrapKindCount = unsigned(TrapKind::CompilationFailed) + 1;

} // namespace wasmrt::internal
