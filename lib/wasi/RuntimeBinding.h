// The binding of the WASI preview1 core (Wasi.h) to the internal runtime: every
// function of WasiFunctions.def as a host function of `wasi_snapshot_preview1`.
//
// This is the one place that uses the internal runtime API (Store, Linker, Instance)
// from lib/wasi; it moves to the public embedding API (include/wasmrt) once that
// exists (see docs/WASI.md, "Binding").
#pragma once

#include "runtime/Store.h"
#include "wasi/WasiContext.h"
#include "wasmrt/Error.h"

namespace wasmrt::wasi {

inline constexpr const char *kPreview1Module = "wasi_snapshot_preview1";

// Creates one host function per preview1 import in `store`, each bound to `context`,
// and defines them in `linker` under "wasi_snapshot_preview1". `context` must outlive
// every call. Each call reads the calling instance's memory (its export "memory", else
// memory 0) afresh. proc_exit records the exit code in `context` and unwinds the guest
// with TrapKind::HostTrap: after a trap, `context.exitCode()` tells an exit apart from
// a real trap.
Expected<void> defineWasi(internal::Store &store, internal::Linker &linker,
                          WasiContext &context);

} // namespace wasmrt::wasi
