// The libuv loop a WasiContext blocks in for poll_oneoff. Internal to lib/wasi: only
// WasiContext.cpp and WasiPoll.cpp include it, so libuv types stay out of every other
// header.
#pragma once

#include "wasi/WasiTypes.h"

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace wasmrt::wasi {

// One host descriptor to watch, with the readiness wanted.
struct PollWatch {
  int fd = -1;
  bool readable = false;
  bool writable = false;
};

class EventLoop {
public:
  // nullptr with `err` set if libuv cannot create a loop (e.g. out of descriptors).
  static std::unique_ptr<EventLoop> create(Errno &err);
  ~EventLoop();
  EventLoop(const EventLoop &) = delete;
  EventLoop &operator=(const EventLoop &) = delete;

  // Blocks until one of `watches` reports readiness (`fdFired`) or `timeoutMs`
  // milliseconds pass (no limit if nullopt). Watchers live only for this call; every
  // handle is closed again before it returns.
  Errno wait(std::span<const PollWatch> watches, std::optional<uint64_t> timeoutMs,
             bool &fdFired);

private:
  EventLoop() = default;
  Errno startWatch(uv_poll_t &handle, const PollWatch &w);
  void closeHandle(uv_handle_t *handle);
  void closeAndDrain(std::span<uv_poll_t> handles, size_t started);

  uv_loop_t loop_{};
  uv_timer_t timer_{};
  bool loopReady_ = false;
  bool timerReady_ = false;
  bool fdFired_ = false;
  size_t closing_ = 0;
};

} // namespace wasmrt::wasi
