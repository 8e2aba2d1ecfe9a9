#include "runtime/CpuFingerprint.h"

#include "support/Checksum.h"

#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <sys/platform/x86.h>
#define WASMRT_GLIBC_CPUID_CACHE 1
#endif
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace wasmrt::internal {

namespace art = abi::artifact;

#if defined(__x86_64__)
namespace {

struct CpuidLeaf {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// Leaves above the processor's maximum read as zero. In a virtual machine
// every CPUID traps to the hypervisor (tens of microseconds each on the
// machines we measured), so the caller asks for the maximum once.
CpuidLeaf cpuid(uint32_t leaf, uint32_t subleaf, uint32_t maxLeaf) {
  CpuidLeaf r;
  if (leaf <= maxLeaf)
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

// The feature leaves as the C library read them at start-up (glibc >= 2.33
// keeps the raw registers of leaves 1, 7.0, 7.1 and 0x80000001, zero above the
// maximum leaf), else by CPUID. Each CPUID saved is a trap less (~4.6 us on
// the development VM; docs/PERFORMANCE.md).
enum class Leaf { Basic, Structured, Structured1, Extended };
CpuidLeaf featureLeaf(Leaf leaf, uint32_t maxBasic, uint32_t maxExtended) {
#ifdef WASMRT_GLIBC_CPUID_CACHE
  unsigned index = leaf == Leaf::Basic         ? CPUID_INDEX_1
                   : leaf == Leaf::Structured  ? CPUID_INDEX_7
                   : leaf == Leaf::Structured1 ? CPUID_INDEX_7_ECX_1
                                               : CPUID_INDEX_80000001;
  const cpuid_feature *cached = __x86_get_cpuid_feature_leaf(index);
  CpuidLeaf r;
  r.eax = cached->cpuid_array[0];
  r.ebx = cached->cpuid_array[1];
  r.ecx = cached->cpuid_array[2];
  r.edx = cached->cpuid_array[3];
  return r;
#else
  switch (leaf) {
  case Leaf::Basic: return cpuid(1, 0, maxBasic);
  case Leaf::Structured: return cpuid(7, 0, maxBasic);
  case Leaf::Structured1: return cpuid(7, 1, maxBasic);
  case Leaf::Extended: return cpuid(0x80000001, 0, maxExtended);
  }
  return {};
#endif
}

CpuFingerprint computeFingerprint() {
  CpuidLeaf vendor = cpuid(0, 0, 0);
  uint32_t maxBasic = vendor.eax;
  uint32_t maxExtended = cpuid(0x80000000, 0, 0x80000000).eax;
  CpuidLeaf basic = featureLeaf(Leaf::Basic, maxBasic, maxExtended);
  basic.ebx = 0; // the APIC id and logical processor count differ per core
  uint64_t enabled = 0;
  if (basic.ecx & (1u << 27)) { // OSXSAVE: XCR0 says which register state the OS enabled
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    enabled = (uint64_t(edx) << 32) | eax;
  }
  // Identity and every leaf whose feature bits code generation reads.
  const CpuidLeaf leaves[] = {vendor, basic, featureLeaf(Leaf::Structured, maxBasic, maxExtended),
                              featureLeaf(Leaf::Structured1, maxBasic, maxExtended),
                              featureLeaf(Leaf::Extended, maxBasic, maxExtended)};
  uint64_t words[2] = {enabled, maxExtended};
  Checksum128 digest = checksum128(
      {{reinterpret_cast<const uint8_t *>(leaves), sizeof leaves},
       {reinterpret_cast<const uint8_t *>(words), sizeof words}});
  CpuFingerprint fingerprint{};
  std::memcpy(fingerprint.data(), "x86_64", 6);
  std::memcpy(fingerprint.data() + 16, digest.data(), digest.size());
  return fingerprint;
}

} // namespace

CpuFingerprint hostCpuFingerprint() {
  // The CPU does not change under a running process: computed once.
  static const CpuFingerprint fingerprint = computeFingerprint();
  return fingerprint;
}

art::TargetArch hostArch() { return art::TargetArch::X86_64; }

bool hostMeetsBaseline(art::TargetArch arch) {
  if (arch != art::TargetArch::X86_64)
    return false;
  // x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B, LAHF/SAHF.
  constexpr uint32_t kLeaf1Ecx = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) |
                                 (1u << 23);
#ifdef WASMRT_GLIBC_CPUID_CACHE
  uint32_t maxBasic = 0, maxExtended = 0; // unused: the cached leaves are zero above the maximum
#else
  uint32_t maxBasic = cpuid(0, 0, 0).eax;
  uint32_t maxExtended = cpuid(0x80000000, 0, 0x80000000).eax;
#endif
  return (featureLeaf(Leaf::Basic, maxBasic, maxExtended).ecx & kLeaf1Ecx) == kLeaf1Ecx &&
         (featureLeaf(Leaf::Extended, maxBasic, maxExtended).ecx & 1u);
}

#elif defined(__aarch64__)

CpuFingerprint hostCpuFingerprint() {
  // HWCAP/HWCAP2 come from the auxiliary vector: no system call, no trap.
  uint64_t words[2] = {getauxval(AT_HWCAP), getauxval(AT_HWCAP2)};
  Checksum128 digest = checksum128({{reinterpret_cast<const uint8_t *>(words), sizeof words}});
  CpuFingerprint fingerprint{};
  std::memcpy(fingerprint.data(), "aarch64", 7);
  std::memcpy(fingerprint.data() + 16, digest.data(), digest.size());
  return fingerprint;
}

art::TargetArch hostArch() { return art::TargetArch::AArch64; }

bool hostMeetsBaseline(art::TargetArch arch) {
  constexpr unsigned long kFp = 1ul << 0, kAsimd = 1ul << 1;
  return arch == art::TargetArch::AArch64 && (getauxval(AT_HWCAP) & (kFp | kAsimd)) == (kFp | kAsimd);
}

#else
#error "wasmrt supports x86_64 and aarch64 hosts"
#endif

} // namespace wasmrt::internal
