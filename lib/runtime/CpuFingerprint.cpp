#include "runtime/CpuFingerprint.h"

#include "support/Checksum.h"

#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
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

CpuFingerprint computeFingerprint() {
  CpuidLeaf vendor = cpuid(0, 0, 0);
  uint32_t maxBasic = vendor.eax;
  uint32_t maxExtended = cpuid(0x80000000, 0, 0x80000000).eax;
  CpuidLeaf basic = cpuid(1, 0, maxBasic);
  basic.ebx = 0; // the APIC id and logical processor count differ per core
  uint64_t enabled = 0;
  if (basic.ecx & (1u << 27)) { // OSXSAVE: XCR0 says which register state the OS enabled
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    enabled = (uint64_t(edx) << 32) | eax;
  }
  // Identity and every leaf whose feature bits code generation reads.
  const CpuidLeaf leaves[] = {vendor, basic, cpuid(7, 0, maxBasic), cpuid(7, 1, maxBasic),
                              cpuid(0x80000001, 0, maxExtended)};
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
  uint32_t maxBasic = cpuid(0, 0, 0).eax;
  uint32_t maxExtended = cpuid(0x80000000, 0, 0x80000000).eax;
  return (cpuid(1, 0, maxBasic).ecx & kLeaf1Ecx) == kLeaf1Ecx &&
         (cpuid(0x80000001, 0, maxExtended).ecx & 1u);
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
