// Tests that watch this process's own footprint: a field of /proc/self/status.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

// The value of `field` ("VmSize", "VmRSS", ...) in KiB; 0 if it is missing.
inline uint64_t processStatusKiB(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string prefix = std::string(field) + ":";
  for (std::string line; std::getline(status, line);)
    if (line.rfind(prefix, 0) == 0)
      return std::stoull(line.substr(prefix.size()));
  return 0;
}
