// What native code compiled for "this host" may assume about the CPU, read
// without LLVM: precompiled artifacts and cache entries record it at compile
// time and load only where it is the same.
#pragma once

#include "abi/ArtifactFormat.h"

#include <array>
#include <cstdint>

namespace wasmrt::internal {

using CpuFingerprint = std::array<uint8_t, 32>;

// A digest of the processor's identity and of every feature bit code
// generation can depend on, including what the OS enabled (x86-64: CPUID
// vendor, family/model/stepping and feature leaves, XCR0; AArch64: HWCAP and
// HWCAP2). Equal on every core of a machine; never all zero.
CpuFingerprint hostCpuFingerprint();

// The architecture wasmrt was built for.
abi::artifact::TargetArch hostArch();

// Whether this CPU has the baseline features portable code for `arch` uses
// (x86-64-v2; Armv8-A with FP and NEON); false for another architecture.
bool hostMeetsBaseline(abi::artifact::TargetArch arch);

} // namespace wasmrt::internal
