#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wasmrt::internal {
// Reads a whole file; the error names the path and the OS reason.
Expected<std::vector<uint8_t>> readFileBytes(const std::string &path);
} // namespace wasmrt::internal
