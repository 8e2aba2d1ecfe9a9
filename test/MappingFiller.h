// Tests that run the process out of memory mappings (vm.max_map_count) without
// touching the machine-wide sysctl: one PROT_NONE region whose every other page
// is made readable is one mapping per page, so the process itself reaches the
// limit. Use it in a forked child: at the limit, anything that needs a new
// mapping fails (thread stacks, large mallocs), Catch2 included.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace wasmrt::faults {

inline uint64_t maxMapCount() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  uint64_t value = 0;
  in >> value;
  return value;
}

// Mappings of this process now (lines of /proc/self/maps). Stdio's small buffer
// comes from the heap, so this works at the limit too.
inline size_t mappingCount() {
  FILE *maps = std::fopen("/proc/self/maps", "re");
  if (!maps)
    return 0;
  size_t count = 0;
  for (int c; (c = std::fgetc(maps)) != EOF;)
    count += c == '\n';
  std::fclose(maps);
  return count;
}

class MappingFiller {
public:
  // Room for `mappings` splits; the limit plus a margin fills the process.
  explicit MappingFiller(uint64_t mappings)
      : page_(size_t(sysconf(_SC_PAGESIZE))), pages_(2 * size_t(mappings) + 2) {
    void *region = mmap(nullptr, pages_ * page_, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    region_ = region == MAP_FAILED ? nullptr : static_cast<char *>(region);
  }
  ~MappingFiller() {
    if (region_)
      munmap(region_, pages_ * page_);
  }
  MappingFiller(const MappingFiller &) = delete;
  MappingFiller &operator=(const MappingFiller &) = delete;

  bool ok() const { return region_ != nullptr; }

  // Splits the region until the kernel refuses (ENOMEM): the process is then at
  // vm.max_map_count. Returns false if it never refused (region too small) or
  // failed for another reason.
  bool fill() {
    while (2 * protected_ + 1 < pages_) {
      if (mprotect(page(protected_), page_, PROT_READ) != 0)
        return errno == ENOMEM;
      ++protected_;
    }
    return false;
  }

  // Gives back at least `mappings` mappings: each page made PROT_NONE again
  // merges with both neighbours (three mappings become one).
  void release(size_t mappings) {
    for (size_t freed = 0; freed < mappings && protected_ > 0; freed += 2)
      mprotect(page(--protected_), page_, PROT_NONE);
  }

  void releaseAll() { release(2 * protected_); }

private:
  // The n-th readable page: every other page, from the second on.
  char *page(size_t n) const { return region_ + (2 * n + 1) * page_; }

  size_t page_;
  size_t pages_;
  char *region_ = nullptr;
  size_t protected_ = 0;
};

} // namespace wasmrt::faults
