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

CpuidLeaf cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  CpuidLeaf r;
  if (!__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx))
    return {};
  return r;
}

uint64_t xcr0() {
  if (!(cpuid(1).ecx & (1u << 27))) // OSXSAVE
    return 0;
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (uint64_t(edx) << 32) | eax;
}

} // namespace

CpuFingerprint hostCpuFingerprint() {
  std::vector<uint32_t> words;
  auto add = [&](const CpuidLeaf &leaf, bool withEbx = true) {
    words.insert(words.end(), {leaf.eax, withEbx ? leaf.ebx : 0, leaf.ecx, leaf.edx});
  };
  add(cpuid(0));
  add(cpuid(1), /*withEbx=*/false); // EBX holds the APIC id: differs per core
  add(cpuid(7, 0));
  add(cpuid(7, 1));
  add(cpuid(0xd, 1));
  add(cpuid(0x14, 0));
  add(cpuid(0x19, 0));
  add(cpuid(0x80000001));
  uint64_t enabled = xcr0();
  words.push_back(uint32_t(enabled));
  words.push_back(uint32_t(enabled >> 32));
  Checksum128 digest = checksum128(
      {{reinterpret_cast<const uint8_t *>(words.data()), words.size() * sizeof(uint32_t)}});
  CpuFingerprint fingerprint{};
  std::memcpy(fingerprint.data(), "x86_64", 6);
  std::memcpy(fingerprint.data() + 16, digest.data(), digest.size());
  return fingerprint;
}

art::TargetArch hostArch() { return art::TargetArch::X86_64; }

bool hostMeetsBaseline(art::TargetArch arch) {
  if (arch != art::TargetArch::X86_64)
    return false;
  // x86-64-v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B, LAHF/SAHF.
  constexpr uint32_t kLeaf1Ecx = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) |
                                 (1u << 23);
  return (cpuid(1).ecx & kLeaf1Ecx) == kLeaf1Ecx && (cpuid(0x80000001).ecx & 1u);
}

#elif defined(__aarch64__)

CpuFingerprint hostCpuFingerprint() {
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
