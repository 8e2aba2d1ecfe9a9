// C library routines that generated code may call: code generation lowers a
// few operations to them where the target lacks an instruction (e.g.
// roundeven without SSE4.1) or for large copies. The JIT resolves them in
// the process; an artifact binds them at load through its data segment.
// Nothing else outside generated code is ever reachable from it.
#pragma once

#include <algorithm>
#include <iterator>
#include <string_view>

// X(name) for each routine.
#define WASMRT_LIBRARY_ROUTINES(X)                                                                \
  X(ceil) X(ceilf) X(floor) X(floorf) X(trunc) X(truncf) X(roundeven) X(roundevenf) X(rint)       \
  X(rintf) X(nearbyint) X(nearbyintf) X(sqrt) X(sqrtf) X(fmin) X(fminf) X(fmax) X(fmaxf)          \
  X(memcpy) X(memmove) X(memset)

namespace wasmrt::abi {

inline bool isLibraryRoutine(std::string_view name) {
#define WASMRT_LIBRARY_ROUTINE_NAME(routine) #routine,
  static constexpr std::string_view kNames[] = {WASMRT_LIBRARY_ROUTINES(WASMRT_LIBRARY_ROUTINE_NAME)};
#undef WASMRT_LIBRARY_ROUTINE_NAME
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

} // namespace wasmrt::abi
