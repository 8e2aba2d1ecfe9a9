#include "wasmrt/Version.h"

namespace wasmrt {
const char *versionString() { return WASMRT_VERSION_STRING; }
} // namespace wasmrt
