// Where wasmrt-oci reports errors: stderr, and the `--log` file in the format
// containerd's shim parses (`--log-format json`: one {"level","msg","time"}
// object per line, as runc writes; the shim shows the last error's msg).
#pragma once

#include <string>

namespace wasmrt::oci {

enum class LogFormat { Text, Json };

struct LogSettings {
  std::string path; // empty: stderr only
  LogFormat format = LogFormat::Text;
  bool debug = false;
};

// Set once by main before any command runs (the one piece of process-wide
// state: every command reports through it).
void configureLog(const LogSettings &settings);

void logError(const std::string &message);
void logWarning(const std::string &message);
// Written to the log file only, and only with --debug.
void logDebug(const std::string &message);

// Now as RFC 3339 with nanoseconds in UTC, as runc writes times.
std::string rfc3339Now();

} // namespace wasmrt::oci
