#include "Log.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace wasmrt::oci {

namespace {

LogSettings settings;

void appendToLogFile(const char *level, const std::string &message) {
  if (settings.path.empty())
    return;
  std::string line;
  if (settings.format == LogFormat::Json) {
    nlohmann::json entry = {{"level", level}, {"msg", message}, {"time", rfc3339Now()}};
    // Invalid UTF-8 (a path, say) is replaced rather than thrown about.
    line = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    nlohmann::json quoted = message;
    line = fmt::format("time=\"{}\" level={} msg={}\n", rfc3339Now(), level,
                       quoted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  // One append-mode write per line: lines from concurrent invocations
  // sharing the file never interleave.
  int fd = open(settings.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  (void)!write(fd, line.data(), line.size());
  close(fd);
}

} // namespace

void configureLog(const LogSettings &newSettings) { settings = newSettings; }

void logError(const std::string &message) {
  fmt::print(stderr, "wasmrt-oci: {}\n", message);
  std::fflush(stderr);
  appendToLogFile("error", message);
}

void logWarning(const std::string &message) {
  fmt::print(stderr, "wasmrt-oci: warning: {}\n", message);
  std::fflush(stderr);
  appendToLogFile("warning", message);
}

void logDebug(const std::string &message) {
  if (settings.debug)
    appendToLogFile("debug", message);
}

std::string rfc3339Now() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char seconds[32];
  strftime(seconds, sizeof seconds, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:09}Z", seconds, now.tv_nsec);
}

} // namespace wasmrt::oci
