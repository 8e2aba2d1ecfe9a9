// The state one WASI preview1 instance sees: arguments, environment, the descriptor
// table (stdio, preopened directories, given sockets, opened files), clocks, random
// source and the exit status. Not thread-safe: one guest thread at a time.
#pragma once

#include "wasi/HostFd.h"
#include "wasi/WasiTypes.h"
#include "wasmrt/Error.h"

#include <sys/types.h>

#include <array>
#include <ctime>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wasmrt::wasi {

struct PreopenDir {
  std::string hostPath;  // opened once, at context creation
  std::string guestName; // what fd_prestat_dir_name reports, e.g. "." or "/data"
  bool readOnly = false; // every write, create, rename, unlink, metadata change: EPERM
};

struct WasiConfig {
  std::vector<std::string> args; // args[0] is the program name
  std::vector<std::string> env;  // "KEY=VALUE" entries, passed through as given
  std::vector<PreopenDir> preopens;
  // Inherit the host's 0/1/2 (duplicated, so closing them in the guest leaves the
  // host's open); otherwise stdioFds gives host fds to duplicate, -1 meaning /dev/null.
  bool inheritStdio = true;
  std::array<int, 3> stdioFds = {-1, -1, -1};
  // Host sockets (listening or connected) handed to the guest, numbered from 3,
  // before the preopens (as wasmtime does). They are duplicated; the caller keeps
  // its own descriptors.
  std::vector<int> sockets;
  // Use openat2(RESOLVE_BENEATH) when the kernel has it. False forces the portable
  // component-by-component walk (tests run the sandbox suite both ways).
  bool useOpenat2 = true;
  // Optional replacements for the host clock and random source (deterministic runs).
  std::function<Errno(uint32_t clockId, uint64_t &nanoseconds)> clock;
  std::function<Errno(std::span<uint8_t> out)> random;
};

// One cached directory entry for fd_readdir (cookies index this list).
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = filetype::kUnknown;
};

struct FdEntry {
  HostFd host;
  uint8_t filetype = filetype::kUnknown;
  Rights base = 0;
  Rights inheriting = 0;
  // Which preopen this descriptor was reached through (-1 for stdio and sockets);
  // rename and link refuse to cross preopens, so a read-only tree cannot be reached
  // for writing through a hard link in a writable one.
  int preopenIndex = -1;
  bool readOnly = false;
  bool isPreopen = false;
  bool isSocket = false;
  std::string preopenName;
  // fd_readdir snapshot, refreshed whenever the guest reads from cookie 0.
  std::vector<DirEntry> dirEntries;
  bool dirEntriesValid = false;
};

class EventLoop;

// Maps a preview1 clock id to the host clock; false for unknown ids.
bool hostClockId(uint32_t clockId, clockid_t &host);

class WasiContext {
public:
  static Expected<std::unique_ptr<WasiContext>> create(const WasiConfig &config);
  ~WasiContext();

  const std::vector<std::string> &args() const { return args_; }
  const std::vector<std::string> &env() const { return env_; }
  bool useOpenat2() const { return useOpenat2_; }

  // nullptr if `fd` is not open.
  FdEntry *get(uint32_t fd);
  // Installs `entry` at the lowest free number; nullopt if the table is full.
  std::optional<uint32_t> insert(FdEntry entry);
  // Closes `fd`; false if it was not open.
  bool close(uint32_t fd);
  // Moves `from` onto `to`, closing what `to` held. `from` must be open, and
  // `to` too unless it is 0, 1 or 2 (docs/WASI.md, "Errno choices").
  bool renumber(uint32_t from, uint32_t to);
  // Number of open guest descriptors.
  size_t openCount() const;

  Errno clockTime(uint32_t clockId, uint64_t &nanoseconds) const;
  Errno randomBytes(std::span<uint8_t> out) const;

  // The libuv loop poll_oneoff blocks in, created on first use (nullptr with `err`
  // set if that fails) and closed with the context.
  EventLoop *eventLoop(Errno &err);

  void requestExit(uint32_t code) { exitCode_ = code; }
  std::optional<uint32_t> exitCode() const { return exitCode_; }

  // The guest may not hold more descriptors than this.
  static constexpr size_t kMaxFds = 1u << 16;

private:
  WasiContext() = default;
  Expected<void> addStdio(const WasiConfig &config);
  Expected<void> addPreopens(const WasiConfig &config);
  Expected<void> addSockets(const WasiConfig &config);
  // Shrinks the table past its last open descriptor.
  void dropClosedTail();

  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::vector<std::unique_ptr<FdEntry>> fds_;
  bool useOpenat2_ = true;
  std::function<Errno(uint32_t, uint64_t &)> clock_;
  std::function<Errno(std::span<uint8_t>)> random_;
  std::optional<uint32_t> exitCode_;
  // Last, so it is closed before the descriptors it may have watched.
  std::unique_ptr<EventLoop> loop_;
};

// Fills filetype and the rights a descriptor of that type can have, from the host fd.
Errno describeHostFd(int hostFd, FdEntry &entry);

} // namespace wasmrt::wasi
