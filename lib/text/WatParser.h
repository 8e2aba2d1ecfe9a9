// The WebAssembly text format (WAT) to binary modules.
#pragma once

#include "text/SExpr.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace wasmrt::internal::text {

struct WatOptions {
  // Adds a "name" custom section with the module and function identifiers.
  bool emitNames = false;
};

// Encodes a `(module ...)` form to binary: `(module $id? field*)`,
// `(module $id? binary "..."*)` (the strings concatenated) and
// `(module $id? quote "..."*)` (concatenated, then parsed as module text).
// Errors are ErrorKind::Malformed with "LINE:COL: message".
Expected<std::vector<uint8_t>> encodeModuleForm(const SExpr &moduleForm,
                                                const WatOptions &options = {});

// A whole .wat file: either one `(module ...)` or a bare sequence of fields.
Expected<std::vector<uint8_t>> parseWat(std::string_view source,
                                        const WatOptions &options = {});

} // namespace wasmrt::internal::text
