#pragma once

namespace wasmrt {
// The version of the wasmrt library, "MAJOR.MINOR.PATCH".
const char *versionString();
} // namespace wasmrt
