// The one table from host errno values to wasi_snapshot_preview1 errno values.
#pragma once

#include "wasi/WasiTypes.h"

namespace wasmrt::wasi {

// Maps a Linux errno to its preview1 counterpart; unknown values become EIO.
Errno errnoFromHost(int hostErrno);

} // namespace wasmrt::wasi
