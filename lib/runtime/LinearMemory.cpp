#include "runtime/LinearMemory.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <utility>

namespace wasmrt::internal {
namespace {

uint64_t hostPageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

uint64_t roundUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

std::string osReason(int err) { return std::generic_category().message(err); }

// The process's mappings as vm.max_map_count counts them: lines of /proc/self/maps,
// less x86-64's [vsyscall] page (ffffffffff600000, a kernel address; no user mapping
// starts with 'f'). Plain read(): this runs when the process may be out of mappings,
// so nothing here may need a new one.
uint64_t countMappings() {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char buffer[4096];
  uint64_t count = 0;
  bool lineStart = true;
  ssize_t got;
  while ((got = read(fd, buffer, sizeof buffer)) > 0) {
    for (ssize_t i = 0; i < got; ++i) {
      if (lineStart && buffer[i] != 'f')
        ++count;
      lineStart = buffer[i] == '\n';
    }
  }
  close(fd);
  return count;
}

uint64_t readProcNumber(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char buffer[64] = {};
  ssize_t got = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  return got > 0 ? std::strtoull(buffer, nullptr, 10) : 0;
}

// mmap and mprotect say ENOMEM for different limits; name the one the process is at,
// so that the error says what to change. Reserving (mmap, PROT_NONE): the mapping
// count, RLIMIT_AS, or no free range. Committing (mprotect read/write): the mapping
// count (a split), or the system's commit limit under strict overcommit.
enum class Mapping { Reserve, Commit };

std::string enomemCause(Mapping what, uint64_t wantedBytes) {
  uint64_t maps = countMappings();
  uint64_t maxMaps = readProcNumber("/proc/sys/vm/max_map_count");
  // A reservation plus its commit needs up to two more mappings.
  if (maxMaps && maps + 2 >= maxMaps)
    return fmt::format("the process has {} memory mappings, vm.max_map_count allows {}", maps,
                       maxMaps);
  if (what == Mapping::Commit)
    return fmt::format("the system's commit limit refused {} bytes (vm.overcommit_memory)",
                       wantedBytes);
  struct rlimit limit;
  uint64_t mappedBytes = readProcNumber("/proc/self/statm") * hostPageSize();
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      mappedBytes + wantedBytes > limit.rlim_cur)
    return fmt::format("{} bytes are mapped and the address-space limit (ulimit -v) is {} bytes",
                       mappedBytes, uint64_t(limit.rlim_cur));
  return fmt::format("no free range of {} bytes is left in the address space; {} bytes are "
                     "mapped, 8 GiB per guarded memory",
                     wantedBytes, mappedBytes);
}

std::string mappingFailure(int err, Mapping what, uint64_t wantedBytes) {
  return err == ENOMEM ? osReason(err) + " (" + enomemCause(what, wantedBytes) + ")"
                       : osReason(err);
}

// PROT_NONE + MAP_NORESERVE: address space only, no commit charge until made writable.
uint8_t *reserve(uint64_t bytes) {
  if (bytes > SIZE_MAX)
    return nullptr;
  void *mapping = mmap(nullptr, static_cast<size_t>(bytes), PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return mapping == MAP_FAILED ? nullptr : static_cast<uint8_t *>(mapping);
}

bool makeAccessible(uint8_t *begin, uint64_t bytes) {
  return bytes == 0 || mprotect(begin, static_cast<size_t>(bytes), PROT_READ | PROT_WRITE) == 0;
}

// Initial reservation for a bounds-checked memory (see docs/RUNTIME.md).
uint64_t boundsCheckedReservation(uint64_t initialBytes, uint64_t maxBytes) {
  uint64_t bytes = maxBytes;
  if (maxBytes > LinearMemory::kBoundsCheckedFullReservation)
    bytes = std::min(maxBytes, std::max(2 * initialBytes, initialBytes + (uint64_t(16) << 20)));
  // A zero-length mmap fails; keep one page so base() is a real, unique address.
  return std::max(roundUp(bytes, hostPageSize()), hostPageSize());
}

Expected<void> checkConfig(const MemoryConfig &config) {
  if (config.initialPages > LinearMemory::kMaxPages ||
      (config.maxPages && *config.maxPages > LinearMemory::kMaxPages))
    return Error(ErrorKind::Invalid, "memory size must be at most 65536 pages (4GiB)");
  if (config.maxPages && config.initialPages > *config.maxPages)
    return Error(ErrorKind::Invalid, "size minimum must not be greater than maximum");
  if (config.initialPages > config.embedderMaxPages)
    return Error(ErrorKind::Unlinkable,
                 fmt::format("memory of {} pages exceeds the embedder limit of {} pages",
                             config.initialPages, config.embedderMaxPages));
  if (config.mode == MemoryMode::Guarded && sizeof(void *) < 8)
    return Error(ErrorKind::Unsupported, "guarded linear memory needs a 64-bit host");
  return {};
}

} // namespace

Expected<LinearMemory> LinearMemory::create(const MemoryConfig &config) {
  if (auto valid = checkConfig(config); !valid)
    return std::move(valid).error();
  LinearMemory memory;
  memory.mode_ = config.mode;
  memory.maxPages_ = std::min({config.maxPages.value_or(kMaxPages), config.embedderMaxPages,
                               kMaxPages});
  uint64_t initialBytes = uint64_t(config.initialPages) * kPageSize;
  memory.reserved_ = config.mode == MemoryMode::Guarded
                         ? kGuardedReservation
                         : boundsCheckedReservation(initialBytes,
                                                    uint64_t(memory.maxPages_) * kPageSize);
  memory.base_ = reserve(memory.reserved_);
  if (!memory.base_) {
    int err = errno;
    uint64_t wanted = std::exchange(memory.reserved_, 0);
    return Error(ErrorKind::Unlinkable,
                 fmt::format("cannot reserve {} bytes of address space for a linear memory: {}",
                             wanted, mappingFailure(err, Mapping::Reserve, wanted)));
  }
  if (!makeAccessible(memory.base_, initialBytes)) {
    int err = errno;
    return Error(ErrorKind::Unlinkable,
                 fmt::format("cannot commit {} bytes for a linear memory: {}", initialBytes,
                             mappingFailure(err, Mapping::Commit, initialBytes)));
  }
  memory.pages_ = config.initialPages;
  if (config.mode == MemoryMode::Guarded) {
    auto region = registerGuardedMemory(memory.base_, memory.reserved_);
    if (!region)
      return std::move(region).error();
    memory.trapRegion_ = std::move(*region);
  }
  return memory;
}

LinearMemory &LinearMemory::operator=(LinearMemory &&other) noexcept {
  if (this != &other) {
    release();
    base_ = std::exchange(other.base_, nullptr);
    reserved_ = std::exchange(other.reserved_, 0);
    pages_ = std::exchange(other.pages_, 0);
    maxPages_ = std::exchange(other.maxPages_, 0);
    mode_ = other.mode_;
    trapRegion_ = std::move(other.trapRegion_);
  }
  return *this;
}

LinearMemory::~LinearMemory() { release(); }

void LinearMemory::release() {
  // Unregister before unmapping so the handler never claims a fault at an address
  // that a later mmap may have reused.
  trapRegion_.reset();
  if (base_)
    munmap(base_, static_cast<size_t>(reserved_));
  base_ = nullptr;
  reserved_ = 0;
  pages_ = 0;
}

int32_t LinearMemory::grow(uint32_t deltaPages) {
  uint32_t oldPages = pages_;
  if (deltaPages == 0)
    return static_cast<int32_t>(oldPages);
  if (deltaPages > maxPages_ - oldPages)
    return kGrowFailed;
  uint64_t oldBytes = byteSize();
  uint64_t newBytes = uint64_t(oldPages + deltaPages) * kPageSize;
  bool grown = mode_ == MemoryMode::Guarded ? growGuarded(oldBytes, newBytes)
                                            : growBoundsChecked(oldBytes, newBytes);
  if (!grown)
    return kGrowFailed;
  pages_ = oldPages + deltaPages;
  return static_cast<int32_t>(oldPages);
}

bool LinearMemory::growGuarded(uint64_t oldBytes, uint64_t newBytes) {
  return makeAccessible(base_ + oldBytes, newBytes - oldBytes);
}

// Within the reservation: mprotect the new pages. Beyond it: make a larger reservation,
// commit its tail, then move the existing pages into its head with mremap (no copy,
// the kernel moves page-table entries) and drop the old reservation. Every step that
// can fail happens before the old memory is touched.
bool LinearMemory::growBoundsChecked(uint64_t oldBytes, uint64_t newBytes) {
  if (newBytes <= reserved_)
    return makeAccessible(base_ + oldBytes, newBytes - oldBytes);
  uint64_t maxBytes = uint64_t(maxPages_) * kPageSize;
  uint64_t newReserved =
      roundUp(std::min(maxBytes, std::max(newBytes, 2 * reserved_)), hostPageSize());
  uint8_t *newBase = reserve(newReserved);
  if (!newBase)
    return false;
  if (!makeAccessible(newBase + oldBytes, newBytes - oldBytes)) {
    munmap(newBase, static_cast<size_t>(newReserved));
    return false;
  }
  if (oldBytes > 0) {
    void *moved = mremap(base_, static_cast<size_t>(oldBytes), static_cast<size_t>(oldBytes),
                         MREMAP_MAYMOVE | MREMAP_FIXED, newBase);
    if (moved == MAP_FAILED) {
      munmap(newBase, static_cast<size_t>(newReserved));
      return false;
    }
  }
  // The head of the old reservation is already gone; this drops the rest.
  munmap(base_, static_cast<size_t>(reserved_));
  base_ = newBase;
  reserved_ = newReserved;
  return true;
}

} // namespace wasmrt::internal
