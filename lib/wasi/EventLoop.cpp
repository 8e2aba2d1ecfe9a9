#include "wasi/EventLoop.h"

#include "wasi/Errno.h"

#include <fcntl.h>

#include <vector>

namespace wasmrt::wasi {

namespace {
// libuv reports failures as negated host errno values.
Errno fromUv(int r) { return errnoFromHost(-r); }
} // namespace

std::unique_ptr<EventLoop> EventLoop::create(Errno &err) {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  if (int r = uv_loop_init(&loop->loop_); r != 0) {
    err = fromUv(r);
    return nullptr;
  }
  loop->loopReady_ = true;
  loop->loop_.data = loop.get();
  if (int r = uv_timer_init(&loop->loop_, &loop->timer_); r != 0) {
    err = fromUv(r);
    return nullptr;
  }
  loop->timer_.data = loop.get();
  loop->timerReady_ = true;
  err = errno_::kSuccess;
  return loop;
}

EventLoop::~EventLoop() {
  if (!loopReady_)
    return; // a failed uv_loop_init leaves nothing to close
  if (timerReady_) {
    closeHandle(reinterpret_cast<uv_handle_t *>(&timer_));
  }
  while (closing_ > 0)
    uv_run(&loop_, UV_RUN_NOWAIT);
  // Every handle of ours is closed by now; what remains are libuv's internal ones,
  // which uv_loop_close releases itself.
  uv_loop_close(&loop_);
}

void EventLoop::closeHandle(uv_handle_t *handle) {
  ++closing_;
  uv_close(handle, [](uv_handle_t *h) { --static_cast<EventLoop *>(h->loop->data)->closing_; });
}

Errno EventLoop::startWatch(uv_poll_t &handle, const PollWatch &w) {
  // uv_poll_init switches the descriptor to O_NONBLOCK. The guest never asked for
  // that, and stdio shares its open file description with the host's (a terminal's
  // flags are seen by the parent shell too), so the mode is put back at once; epoll
  // does not need it.
  int flags = ::fcntl(w.fd, F_GETFL);
  int r = uv_poll_init(&loop_, &handle, w.fd);
  if (flags >= 0 && !(flags & O_NONBLOCK))
    ::fcntl(w.fd, F_SETFL, flags);
  if (r != 0)
    return fromUv(r);
  handle.data = this;
  int events = (w.readable ? UV_READABLE : 0) | (w.writable ? UV_WRITABLE : 0);
  r = uv_poll_start(&handle, events, [](uv_poll_t *h, int, int) {
    // Any report, errors included, ends the wait: the caller reads the exact state.
    auto *self = static_cast<EventLoop *>(h->data);
    self->fdFired_ = true;
    uv_stop(&self->loop_);
  });
  if (r != 0) {
    closeHandle(reinterpret_cast<uv_handle_t *>(&handle));
    return fromUv(r);
  }
  return errno_::kSuccess;
}

void EventLoop::closeAndDrain(std::span<uv_poll_t> handles, size_t started) {
  for (size_t i = 0; i < started; ++i) {
    closeHandle(reinterpret_cast<uv_handle_t *>(&handles[i]));
  }
  // Close callbacks run at the end of a loop iteration; the handles' memory belongs
  // to the caller's frame, so nothing may be pending when it returns.
  while (closing_ > 0)
    uv_run(&loop_, UV_RUN_NOWAIT);
}

Errno EventLoop::wait(std::span<const PollWatch> watches, std::optional<uint64_t> timeoutMs,
                      bool &fdFired) {
  fdFired_ = false;
  std::vector<uv_poll_t> handles(watches.size());
  size_t started = 0;
  Errno err = errno_::kSuccess;
  for (; started < watches.size(); ++started)
    if ((err = startWatch(handles[started], watches[started])))
      break;
  if (!err) {
    if (timeoutMs) {
      // The cached loop time may be as old as the previous poll_oneoff.
      uv_update_time(&loop_);
      uv_timer_start(&timer_, [](uv_timer_t *t) { uv_stop(t->loop); }, *timeoutMs, 0);
    }
    // Runs until a watcher or the timer calls uv_stop. Without a timer, the guest asked
    // to wait for its descriptors alone, so blocking until one is ready is correct.
    if (timeoutMs || started > 0)
      uv_run(&loop_, UV_RUN_DEFAULT);
    uv_timer_stop(&timer_);
  }
  closeAndDrain(handles, started);
  fdFired = fdFired_;
  return err;
}

} // namespace wasmrt::wasi
