#include "runtime/Artifact.h"

#include "abi/LibraryRoutines.h"
#include "binary/Decoder.h"
#include "runtime/CpuFingerprint.h"
#include "runtime/Engine.h"
#include "support/Checksum.h"
#include "wasmrt/Version.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wasmrt::internal {

namespace art = abi::artifact;

namespace {

const char *archName(uint32_t arch) {
  switch (art::TargetArch(arch)) {
  case art::TargetArch::X86_64: return "x86_64";
  case art::TargetArch::AArch64: return "aarch64";
  }
  return "an unknown architecture";
}

uint64_t pageSize() { return uint64_t(sysconf(_SC_PAGESIZE)); }

constexpr uint64_t kPopulateLimit = 2 * 1024 * 1024;
uint64_t roundUp(uint64_t value, uint64_t align) { return (value + align - 1) / align * align; }

// A read-only mapping of a whole file, or a copy of bytes in memory.
class Bytes {
public:
  Bytes(void *mapped, size_t size) : mapped_(mapped), data_(static_cast<uint8_t *>(mapped)), size_(size) {}
  explicit Bytes(std::span<const uint8_t> copy)
      : owned_(copy.begin(), copy.end()), data_(owned_.data()), size_(copy.size()) {}
  ~Bytes() {
    if (mapped_)
      munmap(mapped_, size_);
  }
  Bytes(const Bytes &) = delete;
  Bytes &operator=(const Bytes &) = delete;
  std::span<const uint8_t> span() const { return {data_, size_}; }

private:
  void *mapped_ = nullptr;
  std::vector<uint8_t> owned_;
  const uint8_t *data_;
  size_t size_;
};

bool inFile(uint64_t offset, uint64_t size, uint64_t fileSize) {
  return offset <= fileSize && size <= fileSize - offset;
}

Error malformed(std::string_view what) {
  return Error(ErrorKind::Malformed, fmt::format("invalid artifact: {}", what));
}

// Structure, integrity and compatibility, before anything is mapped.
Expected<const art::ArtifactHeader *> checkHeader(std::span<const uint8_t> file,
                                                   const ArtifactRequirements &requirements) {
  if (file.size() < sizeof(art::ArtifactHeader) ||
      std::memcmp(file.data(), art::kMagic, sizeof art::kMagic) != 0)
    return malformed("not a wasmrt artifact (no artifact header)");
  // Mappings are page-aligned and copies come from operator new: the header
  // is suitably aligned to be read in place.
  const auto *header = reinterpret_cast<const art::ArtifactHeader *>(file.data());
  if (header->formatVersion != art::kFormatVersion)
    return Error(ErrorKind::Unsupported,
                 fmt::format("artifact format version {}, this wasmrt reads version {}: compile "
                             "the module again",
                             header->formatVersion, art::kFormatVersion));
  if (header->headerSize != sizeof(art::ArtifactHeader))
    return malformed("wrong header size");
  if (header->fileSize != file.size())
    return malformed(file.size() < header->fileSize
                         ? fmt::format("truncated ({} of {} bytes)", file.size(), header->fileSize)
                         : fmt::format("{} bytes where {} were written", file.size(),
                                       header->fileSize));
  constexpr size_t kChecksumAt = offsetof(art::ArtifactHeader, checksum);
  static constexpr uint8_t kZero[sizeof header->checksum] = {};
  Checksum128 sum = checksum128({file.subspan(0, kChecksumAt), kZero,
                                 file.subspan(kChecksumAt + sizeof header->checksum)});
  if (std::memcmp(sum.data(), header->checksum, sum.size()) != 0)
    return malformed("corrupted (checksum mismatch)");
  if (std::string_view(header->wasmrtVersion, strnlen(header->wasmrtVersion, 32)) !=
      versionString())
    return Error(ErrorKind::Unsupported,
                 fmt::format("artifact compiled by wasmrt {:.32}, this is wasmrt {}: compile the "
                             "module again",
                             header->wasmrtVersion, versionString()));
  if (header->targetArch != uint32_t(hostArch()))
    return Error(ErrorKind::Unsupported,
                 fmt::format("artifact compiled for {}, this host is {}",
                             archName(header->targetArch), archName(uint32_t(hostArch()))));
  static constexpr uint8_t kNoFingerprint[32] = {};
  if (std::memcmp(header->cpuFingerprint, kNoFingerprint, 32) != 0) {
    CpuFingerprint host = hostCpuFingerprint();
    if (std::memcmp(header->cpuFingerprint, host.data(), host.size()) != 0)
      return Error(ErrorKind::Unsupported,
                   fmt::format("artifact compiled for another CPU ({:.32}) than this one: compile "
                               "it here, or with --target {} for portable code",
                               header->cpuName, archName(header->targetArch)));
  } else if (!hostMeetsBaseline(art::TargetArch(header->targetArch))) {
    return Error(ErrorKind::Unsupported,
                 "this CPU lacks the baseline features of portable code (x86-64-v2 or NEON)");
  }
  auto mode = [](bool checks) { return checks ? "bounds-checked" : "guarded"; };
  bool checks = header->codegenFlags & art::kExplicitBoundsChecks;
  if (checks != requirements.explicitBoundsChecks)
    return Error(ErrorKind::Unsupported,
                 fmt::format("artifact compiled for {} memories, the engine uses {} memories",
                             mode(checks), mode(requirements.explicitBoundsChecks)));
  auto with = [](bool on) { return on ? "with" : "without"; };
  bool epoch = header->codegenFlags & art::kEpochInterruption;
  if (epoch != requirements.epochInterruption)
    return Error(ErrorKind::Unsupported,
                 fmt::format("artifact compiled {} epoch interruption, the engine runs {} it",
                             with(epoch), with(requirements.epochInterruption)));
  bool fuel = header->codegenFlags & art::kConsumeFuel;
  if (fuel != requirements.consumeFuel)
    return Error(ErrorKind::Unsupported,
                 fmt::format("artifact compiled {} fuel metering, the engine runs {} it",
                             with(fuel), with(requirements.consumeFuel)));
  return header;
}

// Every offset and size the loader will use stays inside the file and the image.
Expected<void> checkLayout(const art::ArtifactHeader &h) {
  uint64_t size = h.fileSize, page = pageSize();
  uint64_t align = h.segmentAlign;
  if (align == 0 || (align & (align - 1)) || align % page)
    return malformed(fmt::format("segment alignment {} does not suit page size {}", align, page));
  bool regions =
      inFile(h.descriptionOffset, h.descriptionSize, size) && inFile(h.wasmOffset, h.wasmSize, size) &&
      inFile(h.functionsOffset, uint64_t(h.numDefinedFuncs) * sizeof(art::FunctionEntry), size) &&
      inFile(h.typeGlueOffset, uint64_t(h.numTypes) * sizeof(art::TypeGlueEntry), size) &&
      inFile(h.bindingsOffset, uint64_t(h.numBindings) * sizeof(art::Binding), size) &&
      inFile(h.namesOffset, h.namesSize, size) && inFile(h.imageFileOffset, h.textSize, size) &&
      inFile(h.dataInitFileOffset, h.dataInitSize, size) && h.dataInitSize == h.dataSize &&
      h.imageFileOffset % align == 0 && h.functionsOffset % 8 == 0 && h.typeGlueOffset % 8 == 0 &&
      h.bindingsOffset % 8 == 0;
  bool image = h.rodataOffset % align == 0 && h.rodataOffset >= h.textSize &&
               h.rodataOffset <= size && inFile(h.imageFileOffset + h.rodataOffset, h.rodataSize, size) &&
               h.dataOffset % align == 0 && h.dataOffset >= h.rodataOffset + h.rodataSize &&
               h.dataOffset <= (uint64_t(1) << 32) && h.dataSize <= (uint64_t(1) << 32);
  if (!regions || !image)
    return malformed("a region lies outside the file or the image");
  if (h.namesSize && reinterpret_cast<const uint8_t *>(&h)[h.namesOffset + h.namesSize - 1] != 0)
    return malformed("unterminated binding names");
  const auto *file = reinterpret_cast<const uint8_t *>(&h);
  const auto *functions = reinterpret_cast<const art::FunctionEntry *>(file + h.functionsOffset);
  for (uint32_t i = 0; i < h.numDefinedFuncs; ++i)
    if (uint64_t(functions[i].offset) + functions[i].size > h.textSize)
      return malformed(fmt::format("code of function {} lies outside the text", i));
  const auto *glue = reinterpret_cast<const art::TypeGlueEntry *>(file + h.typeGlueOffset);
  for (uint32_t i = 0; i < h.numTypes; ++i)
    for (uint32_t offset : {glue[i].entryTrampoline, glue[i].hostAdapter})
      if (offset != art::kNoCode && offset >= h.textSize)
        return malformed(fmt::format("glue of type {} lies outside the text", i));
  const auto *bindings = reinterpret_cast<const art::Binding *>(file + h.bindingsOffset);
  for (uint32_t i = 0; i < h.numBindings; ++i) {
    const art::Binding &b = bindings[i];
    bool slotInData = b.dataOffset % 8 == 0 && uint64_t(b.dataOffset) + 8 <= h.dataSize;
    bool valueOk = b.kind == uint32_t(art::BindingKind::Symbol)
                       ? b.value < h.namesSize
                       : b.kind == uint32_t(art::BindingKind::ImageRelative) &&
                             b.value < h.dataOffset + h.dataSize;
    if (!slotInData || !valueOk)
      return malformed(fmt::format("binding {} is out of range", i));
  }
  return {};
}

// The code image: text r-x and rodata r-- (mapped from the file when there is
// one, else copied), then the data segment, bound and made read-only.
class Image {
public:
  ~Image() {
    if (base_)
      munmap(base_, size_);
  }
  uint8_t *base() const { return base_; }

  Expected<void> map(const art::ArtifactHeader &h, std::span<const uint8_t> file, int fd) {
    uint64_t page = pageSize();
    size_ = h.dataOffset + roundUp(std::max<uint64_t>(h.dataSize, 1), page);
    void *reserved = mmap(nullptr, size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserved == MAP_FAILED)
      return Error(ErrorKind::Io, fmt::format("cannot reserve {} bytes for code: {}", size_,
                                              std::strerror(errno)));
    base_ = static_cast<uint8_t *>(reserved);
    if (auto text = segment(h, file, fd, 0, h.textSize, PROT_READ | PROT_EXEC); !text)
      return text;
    if (auto rodata = segment(h, file, fd, h.rodataOffset, h.rodataSize, PROT_READ); !rodata)
      return rodata;
    void *data = mmap(base_ + h.dataOffset, roundUp(std::max<uint64_t>(h.dataSize, 1), page),
                      PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (data == MAP_FAILED)
      return Error(ErrorKind::Io, fmt::format("cannot map artifact data: {}", std::strerror(errno)));
    std::memcpy(data, file.data() + h.dataInitFileOffset, h.dataSize);
    return {};
  }

  Expected<void> bind(const art::ArtifactHeader &h, std::span<const uint8_t> file) {
    const auto *bindings = reinterpret_cast<const art::Binding *>(file.data() + h.bindingsOffset);
    const char *names = reinterpret_cast<const char *>(file.data() + h.namesOffset);
    std::vector<std::pair<std::string, void *>> entries = Engine::runtimeSymbols();
    for (uint32_t i = 0; i < h.numBindings; ++i) {
      const art::Binding &b = bindings[i];
      uintptr_t value = 0;
      if (b.kind == uint32_t(art::BindingKind::ImageRelative)) {
        value = reinterpret_cast<uintptr_t>(base_) + b.value;
      } else {
        std::string_view name(names + b.value);
        void *address = libraryRoutineAddress(name);
        for (const auto &[entry, entryAddress] : entries)
          if (entry == name)
            address = entryAddress;
        if (!address)
          return malformed(fmt::format("unknown symbol {}", name));
        value = reinterpret_cast<uintptr_t>(address);
      }
      std::memcpy(base_ + h.dataOffset + b.dataOffset, &value, sizeof value);
    }
    // Like RELRO: generated code never writes its own data, so the slots
    // that lead out of the sandbox cannot be overwritten afterwards.
    if (mprotect(base_ + h.dataOffset, roundUp(std::max<uint64_t>(h.dataSize, 1), pageSize()),
                 PROT_READ) != 0)
      return Error(ErrorKind::Io, fmt::format("cannot protect artifact data: {}", std::strerror(errno)));
    return {};
  }

private:
  Expected<void> segment(const art::ArtifactHeader &h, std::span<const uint8_t> file, int fd,
                         uint64_t offset, uint64_t size, int protection) {
    if (size == 0)
      return {};
    uint64_t length = roundUp(size, pageSize());
    uint8_t *at = base_ + offset;
    if (fd >= 0) {
      // Small images are populated at once (their pages are in the page
      // cache after the checksum); large ones fault in what runs.
      int populate = size <= kPopulateLimit ? MAP_POPULATE : 0;
      if (mmap(at, length, protection, MAP_PRIVATE | MAP_FIXED | populate, fd,
               off_t(h.imageFileOffset + offset)) == MAP_FAILED)
        return Error(ErrorKind::Io, fmt::format("cannot map artifact code: {}", std::strerror(errno)));
      return {};
    }
    if (mmap(at, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
        MAP_FAILED)
      return Error(ErrorKind::Io, fmt::format("cannot map artifact code: {}", std::strerror(errno)));
    std::memcpy(at, file.data() + h.imageFileOffset + offset, size);
    if (protection & PROT_EXEC)
      __builtin___clear_cache(reinterpret_cast<char *>(at), reinterpret_cast<char *>(at + size));
    if (mprotect(at, length, protection) != 0)
      return Error(ErrorKind::Io, fmt::format("cannot protect artifact code: {}", std::strerror(errno)));
    return {};
  }

  uint8_t *base_ = nullptr;
  uint64_t size_ = 0;
};

class ArtifactCode final : public CompiledModule {
public:
  ArtifactCode(std::shared_ptr<const void> file, std::span<const uint8_t> fileBytes,
               std::unique_ptr<Image> image, const art::ArtifactHeader &h, uint32_t numImportedFuncs)
      : file_(std::move(file)), image_(std::move(image)), numImportedFuncs_(numImportedFuncs),
        numDefinedFuncs_(h.numDefinedFuncs), numTypes_(h.numTypes), textSize_(h.textSize) {
    const uint8_t *bytes = fileBytes.data();
    functions_ = reinterpret_cast<const art::FunctionEntry *>(bytes + h.functionsOffset);
    glue_ = reinterpret_cast<const art::TypeGlueEntry *>(bytes + h.typeGlueOffset);
  }

  void *functionCode(uint32_t funcIndex) const override {
    if (funcIndex < numImportedFuncs_ || funcIndex - numImportedFuncs_ >= numDefinedFuncs_)
      return nullptr;
    return image_->base() + functions_[funcIndex - numImportedFuncs_].offset;
  }
  abi::EntryTrampoline entryTrampoline(uint32_t typeIndex) const override {
    if (typeIndex >= numTypes_ || glue_[typeIndex].entryTrampoline == art::kNoCode)
      return nullptr;
    return reinterpret_cast<abi::EntryTrampoline>(image_->base() + glue_[typeIndex].entryTrampoline);
  }
  void *hostAdapter(uint32_t typeIndex) const override {
    if (typeIndex >= numTypes_ || glue_[typeIndex].hostAdapter == art::kNoCode)
      return nullptr;
    return image_->base() + glue_[typeIndex].hostAdapter;
  }
  std::vector<std::pair<uintptr_t, uintptr_t>> codeRanges() const override {
    uintptr_t begin = reinterpret_cast<uintptr_t>(image_->base());
    return {{begin, begin + textSize_}};
  }
  bool containsCode(uintptr_t pc) const override {
    uintptr_t begin = reinterpret_cast<uintptr_t>(image_->base());
    return pc >= begin && pc < begin + textSize_;
  }
  bool isCompiled(uint32_t funcIndex) const override { return functionCode(funcIndex) != nullptr; }
  std::optional<uint32_t> functionAt(uintptr_t pc) const override {
    if (!containsCode(pc))
      return std::nullopt;
    // Backtraces only: sort the functions by address on first use.
    std::call_once(sortedOnce_, [this] {
      for (uint32_t i = 0; i < numDefinedFuncs_; ++i)
        byAddress_.push_back(i);
      std::sort(byAddress_.begin(), byAddress_.end(),
                [this](uint32_t a, uint32_t b) { return functions_[a].offset < functions_[b].offset; });
    });
    uint64_t offset = pc - reinterpret_cast<uintptr_t>(image_->base());
    auto after = std::upper_bound(byAddress_.begin(), byAddress_.end(), offset,
                                  [this](uint64_t at, uint32_t i) { return at < functions_[i].offset; });
    if (after == byAddress_.begin())
      return std::nullopt;
    const art::FunctionEntry &entry = functions_[*std::prev(after)];
    if (offset >= uint64_t(entry.offset) + entry.size)
      return std::nullopt;
    return numImportedFuncs_ + *std::prev(after);
  }

private:
  std::shared_ptr<const void> file_; // keeps the metadata tables mapped
  std::unique_ptr<Image> image_;
  uint32_t numImportedFuncs_, numDefinedFuncs_, numTypes_;
  uint64_t textSize_;
  const art::FunctionEntry *functions_;
  const art::TypeGlueEntry *glue_;
  mutable std::once_flag sortedOnce_;
  mutable std::vector<uint32_t> byAddress_;
};

Expected<LoadedArtifact> finishLoad(std::shared_ptr<const void> file, std::span<const uint8_t> bytes,
                                    int fd, const ArtifactRequirements &requirements) {
  auto header = checkHeader(bytes, requirements);
  if (!header)
    return std::move(header).error();
  const art::ArtifactHeader &h = **header;
  if (auto layout = checkLayout(h); !layout)
    return std::move(layout).error();
  // The embedded module passed validation when it was compiled, and the
  // checksum says it is unchanged: decoding is enough.
  auto module = decodeModule(bytes.subspan(h.wasmOffset, h.wasmSize), requirements.features);
  if (!module)
    return malformed(fmt::format("embedded module: {}", module.error().message()));
  if (module->numDefinedFuncs() != h.numDefinedFuncs || module->types.size() != h.numTypes)
    return malformed("the code does not match the embedded module");
  auto image = std::make_unique<Image>();
  if (auto mapped = image->map(h, bytes, fd); !mapped)
    return std::move(mapped).error();
  if (auto bound = image->bind(h, bytes); !bound)
    return std::move(bound).error();
  LoadedArtifact loaded;
  std::memcpy(loaded.sourceHash.data(), h.sourceHash, loaded.sourceHash.size());
  loaded.description.assign(reinterpret_cast<const char *>(bytes.data() + h.descriptionOffset),
                            h.descriptionSize);
  loaded.code =
      std::make_unique<ArtifactCode>(file, bytes, std::move(image), h, module->numImportedFuncs);
  module->externalStorage = std::move(file);
  loaded.module = std::make_shared<const Module>(std::move(*module));
  return loaded;
}

} // namespace

bool looksLikeArtifact(std::span<const uint8_t> bytes) {
  return bytes.size() >= sizeof art::kMagic &&
         std::memcmp(bytes.data(), art::kMagic, sizeof art::kMagic) == 0;
}

Expected<LoadedArtifact> loadArtifactFile(const std::string &path,
                                          const ArtifactRequirements &requirements) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(ErrorKind::Io, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat status;
  if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    close(fd);
    return Error(ErrorKind::Io, fmt::format("{}: not a regular file", path));
  }
  size_t size = size_t(status.st_size);
  if (size < sizeof(art::ArtifactHeader)) {
    close(fd);
    return Error(ErrorKind::Malformed, fmt::format("{}: invalid artifact: truncated ({} bytes)", path, size));
  }
  // Populated: the checksum reads every byte anyway, and one populating mmap
  // is much cheaper than a page fault per 64 KiB (a fault is a VM exit on
  // virtual machines).
  void *mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (mapped == MAP_FAILED) {
    int error = errno;
    close(fd);
    return Error(ErrorKind::Io, fmt::format("cannot map {}: {}", path, std::strerror(error)));
  }
  auto file = std::make_shared<const Bytes>(mapped, size);
  std::span<const uint8_t> bytes = file->span();
  auto loaded = finishLoad(std::move(file), bytes, fd, requirements);
  close(fd); // the mappings keep the file
  if (!loaded)
    return Error(loaded.error().kind(), fmt::format("{}: {}", path, loaded.error().message()));
  return loaded;
}

Expected<LoadedArtifact> loadArtifactBytes(std::span<const uint8_t> bytes,
                                           const ArtifactRequirements &requirements) {
  auto copy = std::make_shared<const Bytes>(bytes);
  std::span<const uint8_t> copied = copy->span();
  return finishLoad(std::move(copy), copied, -1, requirements);
}

Expected<LoadedArtifact> loadArtifactMapped(std::shared_ptr<const void> owner,
                                            std::span<const uint8_t> bytes, int fd,
                                            const ArtifactRequirements &requirements) {
  return finishLoad(std::move(owner), bytes, fd, requirements);
}

void *libraryRoutineAddress(std::string_view name) {
  using D = double (*)(double);
  using F = float (*)(float);
  using D2 = double (*)(double, double);
  using F2 = float (*)(float, float);
  static const std::pair<std::string_view, void *> kRoutines[] = {
      {"ceil", reinterpret_cast<void *>(static_cast<D>(::ceil))},
      {"ceilf", reinterpret_cast<void *>(static_cast<F>(::ceilf))},
      {"floor", reinterpret_cast<void *>(static_cast<D>(::floor))},
      {"floorf", reinterpret_cast<void *>(static_cast<F>(::floorf))},
      {"trunc", reinterpret_cast<void *>(static_cast<D>(::trunc))},
      {"truncf", reinterpret_cast<void *>(static_cast<F>(::truncf))},
      {"roundeven", reinterpret_cast<void *>(static_cast<D>(::roundeven))},
      {"roundevenf", reinterpret_cast<void *>(static_cast<F>(::roundevenf))},
      {"rint", reinterpret_cast<void *>(static_cast<D>(::rint))},
      {"rintf", reinterpret_cast<void *>(static_cast<F>(::rintf))},
      {"nearbyint", reinterpret_cast<void *>(static_cast<D>(::nearbyint))},
      {"nearbyintf", reinterpret_cast<void *>(static_cast<F>(::nearbyintf))},
      {"sqrt", reinterpret_cast<void *>(static_cast<D>(::sqrt))},
      {"sqrtf", reinterpret_cast<void *>(static_cast<F>(::sqrtf))},
      {"fmin", reinterpret_cast<void *>(static_cast<D2>(::fmin))},
      {"fminf", reinterpret_cast<void *>(static_cast<F2>(::fminf))},
      {"fmax", reinterpret_cast<void *>(static_cast<D2>(::fmax))},
      {"fmaxf", reinterpret_cast<void *>(static_cast<F2>(::fmaxf))},
      {"memcpy", reinterpret_cast<void *>(&::memcpy)},
      {"memmove", reinterpret_cast<void *>(&::memmove)},
      {"memset", reinterpret_cast<void *>(&::memset)},
  };
  for (const auto &[routine, address] : kRoutines)
    if (routine == name)
      return abi::isLibraryRoutine(name) ? address : nullptr;
  return nullptr;
}

} // namespace wasmrt::internal
