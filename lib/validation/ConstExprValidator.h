// Validates constant expressions: global initializers, segment offsets and
// element expressions, under the WebAssembly 2.0 rules.
#pragma once

#include "binary/Module.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace wasmrt::internal {

// Checks that `expr` is a constant expression producing exactly one value of
// type `expected`. `global.get` may only name immutable imported globals.
// Every function named by `ref.func` is marked in `declaredFuncRefs` (sized to
// the function index space), since constant expressions declare references.
// `what` names the expression's owner in messages, e.g. "global 2".
Expected<void> validateConstExpr(const Module &module, const ConstExpr &expr, ValType expected,
                                 std::vector<uint8_t> &declaredFuncRefs, std::string_view what);

} // namespace wasmrt::internal
