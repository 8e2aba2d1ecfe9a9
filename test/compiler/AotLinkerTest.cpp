// AotLinker on hand-written objects: every relocation kind it accepts, for
// both targets. The objects (test/compiler/linker/*.s) are assembled at build
// time by the host's clang; each function returns a value it can only produce
// if its relocation was resolved right. On the host's architecture the linked
// image is mapped and bound the way the artifact loader does it and every
// function is called (the AArch64 half runs in the cross build, under qemu);
// the other architecture's objects are linked and their layout checked.
//
// Code generation emits only a few of these kinds today (AArch64: CALL26,
// ADR_PREL_PG_HI21, ADD/LDST64/LDST128_ABS_LO12_NC), so without this test the
// others would first run when LLVM or the module emitter changes.
#ifdef WASMRT_LINKER_TEST_OBJECTS

#include "abi/ArtifactFormat.h"
#include "compiler/AotLinker.h"

#include <catch2/catch.hpp>
#include <llvm/Support/MemoryBuffer.h>

#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

using namespace wasmrt;
using namespace wasmrt::internal::compiler;
namespace art = wasmrt::abi::artifact;

namespace {

// The one symbol the objects leave to be bound at load.
extern "C" uint64_t linker_test_external() { return 1234; }

bool isLinkerTestExternal(std::string_view name) { return name == "linker_test_external"; }

struct Arch {
  const char *name;
  art::TargetArch arch;
  uint32_t segmentAlign; // as AotCompiler.cpp chooses it
};
constexpr Arch kX86{"x86_64", art::TargetArch::X86_64, 4096};
constexpr Arch kAArch64{"aarch64", art::TargetArch::AArch64, 65536};
#if defined(__x86_64__)
constexpr art::TargetArch kHost = art::TargetArch::X86_64;
#elif defined(__aarch64__)
constexpr art::TargetArch kHost = art::TargetArch::AArch64;
#endif

Expected<LinkedImage> link(const Arch &arch, std::initializer_list<const char *> names) {
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects;
  for (const char *name : names) {
    std::string path = std::string(WASMRT_LINKER_TEST_OBJECTS) + "/" + arch.name + "-" + name + ".o";
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      FAIL("cannot read " << path << ": " << buffer.getError().message());
    objects.push_back(std::move(*buffer));
  }
  return linkObjects(objects, {arch.arch, arch.segmentAlign, &isLinkerTestExternal});
}

// The image mapped as lib/runtime/Artifact.cpp maps it: text, rodata and data
// at their offsets from one base, slots bound, text made executable.
class MappedImage {
public:
  explicit MappedImage(const LinkedImage &image) {
    uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
    size_ = image.dataOffset + (image.data.size() + page - 1) / page * page;
    void *mapped = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(mapped != MAP_FAILED);
    base_ = static_cast<uint8_t *>(mapped);
    std::memcpy(base_, image.text.data(), image.text.size());
    std::memcpy(base_ + image.rodataOffset, image.rodata.data(), image.rodata.size());
    std::memcpy(base_ + image.dataOffset, image.data.data(), image.data.size());
    for (const art::Binding &binding : image.bindings) {
      uintptr_t value = 0;
      if (binding.kind == uint32_t(art::BindingKind::ImageRelative)) {
        value = reinterpret_cast<uintptr_t>(base_) + binding.value;
      } else {
        REQUIRE(std::string_view(image.names.c_str() + binding.value) == "linker_test_external");
        value = reinterpret_cast<uintptr_t>(&linker_test_external);
      }
      std::memcpy(base_ + image.dataOffset + binding.dataOffset, &value, sizeof value);
    }
    __builtin___clear_cache(reinterpret_cast<char *>(base_),
                            reinterpret_cast<char *>(base_ + image.text.size()));
    REQUIRE(mprotect(base_, (image.text.size() + page - 1) / page * page, PROT_READ | PROT_EXEC) == 0);
  }
  ~MappedImage() { munmap(base_, size_); }
  MappedImage(const MappedImage &) = delete;
  MappedImage &operator=(const MappedImage &) = delete;

  uint64_t call(uint64_t offset) const {
    return reinterpret_cast<uint64_t (*)()>(base_ + offset)();
  }

private:
  uint8_t *base_ = nullptr;
  size_t size_ = 0;
};

constexpr uint64_t k64 = 0x4444444444444444, kOther = 0x7777777777777777;

// function -> the value it returns when its relocations are right
const std::vector<std::pair<const char *, uint64_t>> kAArch64Expected = {
    {"ldst8", 0x11},
    {"ldst16", 0x2222},
    {"ldst32", 0x33333333},
    {"ldst64", k64},
    {"ldst128", 0x5555555555555555 ^ 0x0f0f0f0f0f0f0f0f},
    {"add_lo12", k64},
    {"adr", 0x33333333},
    {"call_internal", 8},
    {"call_external", 1235},
    {"jump_internal", 7},
    {"jump_external", 1234},
    {"condbr", 7},
    {"tstbr", 7},
    {"got_internal", kOther},
    {"got_external", 1234},
    {"abs64", k64},
    {"abs64_code", 7},
    {"prel32", kOther},
    {"prel64", kOther},
};
const std::vector<std::pair<const char *, uint64_t>> kX86Expected = {
    {"ldst8", 0x11},
    {"ldst64", k64},
    {"call_internal", 8},
    {"call_external", 1235},
    {"jump_internal", 7},
    {"jump_external", 1234},
    {"got_internal", kOther},
    {"got_external", 1234},
    {"got_plain", kOther},
    {"abs64", k64},
    {"abs64_code", 7},
    {"prel32", kOther},
    {"prel64", kOther},
};

} // namespace

TEST_CASE("The AOT linker resolves every relocation kind it accepts", "[aot][linker]") {
  auto [arch, expected] = GENERATE(std::make_pair(kX86, &kX86Expected),
                                   std::make_pair(kAArch64, &kAArch64Expected));
  INFO(arch.name);
  auto image = link(arch, {"main", "other"});
  if (!image)
    FAIL(image.error().describe());

  // Layout: segments at multiples of the segment alignment, one slot for the
  // external symbol however it is reached (stub or GOT), and three
  // image-relative bindings (the GOT slot of other_value, two data pointers).
  CHECK(image->rodataOffset % arch.segmentAlign == 0);
  CHECK(image->dataOffset % arch.segmentAlign == 0);
  CHECK(image->rodataOffset >= image->text.size());
  CHECK(image->dataOffset >= image->rodataOffset + image->rodata.size());
  CHECK(image->names == std::string("linker_test_external", sizeof "linker_test_external"));
  size_t symbols = 0, imageRelative = 0;
  for (const art::Binding &binding : image->bindings)
    (binding.kind == uint32_t(art::BindingKind::Symbol) ? symbols : imageRelative)++;
  CHECK(symbols == 1);
  CHECK(imageRelative == 3);
  for (const auto &[function, value] : *expected)
    CHECK(image->symbols.count(function) == 1);
  if (arch.arch != kHost)
    return; // linked, not run: this host cannot execute it

  MappedImage mapped(*image);
  for (const auto &[function, value] : *expected) {
    INFO(function);
    CHECK(mapped.call(image->symbols.at(function).offset) == value);
  }
}

TEST_CASE("The AOT linker refuses what it does not resolve", "[aot][linker]") {
  Arch arch = GENERATE(kX86, kAArch64);
  INFO(arch.name);
  SECTION("an absolute reference in code (not position-independent)") {
    auto image = link(arch, {"unsupported"});
    REQUIRE_FALSE(image);
    CHECK_THAT(image.error().message(), Catch::Contains("unsupported"));
  }
  SECTION("an undefined symbol that is not bound at load") {
    auto image = link(arch, {"main"});
    REQUIRE_FALSE(image);
    CHECK_THAT(image.error().message(), Catch::Contains("undefined symbol other_"));
  }
}

#endif // WASMRT_LINKER_TEST_OBJECTS
