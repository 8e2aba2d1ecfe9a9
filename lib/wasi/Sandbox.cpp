#include "wasi/Sandbox.h"

#include "support/Utf8.h"
#include "wasi/Errno.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>
#include <vector>

namespace wasmrt::wasi {

namespace {

constexpr int kOpenat2Retries = 16; // EAGAIN: a concurrent rename raced the lookup

long openat2(int dirFd, const char *path, int flags, mode_t mode, uint64_t resolve) {
  struct open_how how = {};
  how.flags = uint64_t(flags);
  // O_TMPFILE contains the O_DIRECTORY bit, so test it as a whole.
  bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
  how.mode = creates ? mode : 0;
  how.resolve = resolve;
  return ::syscall(SYS_openat2, dirFd, path, &how, sizeof(how));
}

void splitComponents(std::string_view path, std::deque<std::string> &out, bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    if (j > i)
      parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (front)
    out.insert(out.begin(), parts.begin(), parts.end());
  else
    out.insert(out.end(), parts.begin(), parts.end());
}

Errno viaOpenat2(int rootFd, std::string_view path, int flags, mode_t mode,
                 bool followFinal, HostFd &out) {
  std::string p(path);
  int f = flags | O_CLOEXEC | (followFinal ? 0 : O_NOFOLLOW);
  for (int attempt = 0; attempt < kOpenat2Retries;) {
    long fd = openat2(rootFd, p.c_str(), f, mode, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (fd >= 0) {
      out.reset(int(fd));
      return errno_::kSuccess;
    }
    // EINTR is not a failed attempt: opening a FIFO waits for its other end, and a
    // process whose handlers lack SA_RESTART sees EINTR for every signal meanwhile
    // (counting them returned EAGAIN after 16 signals).
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN) {
      ++attempt;
      continue;
    }
    // RESOLVE_BENEATH reports every escape ("..", absolute symlinks) as EXDEV.
    return errno == EXDEV ? errno_::kPerm : errnoFromHost(errno);
  }
  return errno_::kAgain;
}

// The portable walk. `stack` holds a descriptor per directory entered below the root;
// ".." pops it, so the walk can never climb above where it started.
Errno viaWalk(int rootFd, std::string_view path, int flags, mode_t mode, bool followFinal,
              HostFd &out) {
  std::deque<std::string> comps;
  splitComponents(path, comps, false);
  bool mustBeDir = !path.empty() && path.back() == '/';
  std::vector<HostFd> stack;
  auto cur = [&] { return stack.empty() ? rootFd : stack.back().get(); };
  unsigned expansions = 0;
  auto expand = [&](const std::string &target, bool isLast) -> Errno {
    if (++expansions > kMaxSymlinkExpansions)
      return errno_::kLoop;
    if (target.empty())
      return errno_::kNoent;
    if (target[0] == '/')
      return errno_::kPerm;
    if (isLast && target.back() == '/')
      mustBeDir = true;
    splitComponents(target, comps, true);
    return errno_::kSuccess;
  };

  while (!comps.empty()) {
    std::string c = std::move(comps.front());
    comps.pop_front();
    bool last = comps.empty();
    if (c == ".")
      continue;
    if (c == "..") {
      if (stack.empty())
        return errno_::kPerm;
      stack.pop_back();
      continue;
    }
    if (!last) {
      int fd = ::openat(cur(), c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        stack.emplace_back(fd);
        continue;
      }
      int err = errno;
      if (err != ENOTDIR && err != ELOOP)
        return errnoFromHost(err);
      std::string target;
      if (!readLinkAt(cur(), c, target))
        return errno == EINVAL ? errno_::kNotdir : errnoFromHost(errno);
      if (Errno e = expand(target, false))
        return e;
      continue;
    }
    if (followFinal || mustBeDir) {
      std::string target;
      if (readLinkAt(cur(), c, target)) {
        if (Errno e = expand(target, true))
          return e;
        continue;
      }
      if (errno != EINVAL && errno != ENOENT)
        return errnoFromHost(errno);
    }
    int f = flags | O_NOFOLLOW | O_CLOEXEC | (mustBeDir ? O_DIRECTORY : 0);
    int fd;
    do // a FIFO's open waits for its other end: see viaOpenat2
      fd = ::openat(cur(), c.c_str(), f, mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
      return errnoFromHost(errno);
    out.reset(fd);
    return errno_::kSuccess;
  }
  // The path ended in "." or "..": open the directory the walk stands in.
  int fd = ::openat(cur(), ".", flags | O_CLOEXEC, mode);
  if (fd < 0)
    return errnoFromHost(errno);
  out.reset(fd);
  return errno_::kSuccess;
}

struct SplitPath {
  std::string_view body;   // without trailing slashes
  std::string_view prefix; // up to and including the last '/', or empty
  std::string_view leaf;
  bool trailingSlash = false;
};

SplitPath splitLast(std::string_view path) {
  SplitPath s;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/')
    --end;
  s.trailingSlash = end != path.size();
  s.body = path.substr(0, end);
  size_t slash = s.body.rfind('/');
  s.prefix = slash == std::string_view::npos ? std::string_view() : s.body.substr(0, slash + 1);
  s.leaf = slash == std::string_view::npos ? s.body : s.body.substr(slash + 1);
  return s;
}

} // namespace

bool kernelHasOpenat2() {
  long fd = openat2(AT_FDCWD, ".", O_PATH | O_CLOEXEC, 0, RESOLVE_BENEATH);
  if (fd < 0)
    return false;
  ::close(int(fd));
  return true;
}

Errno checkGuestPath(std::string_view path) {
  if (path.empty())
    return errno_::kNoent;
  if (path.find('\0') != std::string_view::npos ||
      !internal::isValidUtf8({reinterpret_cast<const uint8_t *>(path.data()), path.size()}))
    return errno_::kIlseq;
  if (path[0] == '/')
    return errno_::kPerm;
  if (path.size() >= PATH_MAX)
    return errno_::kNametoolong;
  return errno_::kSuccess;
}

Errno openBeneath(const Beneath &where, std::string_view path, int flags, mode_t mode,
                  bool followFinal, HostFd &out) {
  if (Errno e = checkGuestPath(path))
    return e;
  if ((flags & O_CREAT) && path.back() == '/')
    return errno_::kIsdir; // as open("x/", O_CREAT) on Linux
  if (where.useOpenat2)
    return viaOpenat2(where.rootFd, path, flags, mode, followFinal, out);
  return viaWalk(where.rootFd, path, flags, mode, followFinal, out);
}

Errno resolveParent(const Beneath &where, std::string_view path, ParentDir &out) {
  if (Errno e = checkGuestPath(path))
    return e;
  SplitPath s = splitLast(path);
  out.owned.reset();
  out.trailingSlash = s.trailingSlash;
  if (s.leaf == "." || s.leaf == "..") {
    // Name the directory itself, so no *at() call ever sees "..".
    if (Errno e = openBeneath(where, s.body, O_PATH | O_DIRECTORY, 0, true, out.owned))
      return e;
    out.fd = out.owned.get();
    out.leaf = ".";
    return errno_::kSuccess;
  }
  out.leaf = std::string(s.leaf);
  if (s.prefix.empty()) {
    out.fd = where.rootFd;
    return errno_::kSuccess;
  }
  if (Errno e = openBeneath(where, s.prefix, O_PATH | O_DIRECTORY, 0, true, out.owned))
    return e;
  out.fd = out.owned.get();
  return errno_::kSuccess;
}

Errno resolveFollow(const Beneath &where, std::string_view path, ParentDir &out) {
  std::string current(path);
  for (unsigned expansions = 0;;) {
    if (Errno e = resolveParent(where, current, out))
      return e;
    if (out.leaf == ".")
      return errno_::kSuccess;
    std::string target;
    if (!readLinkAt(out.fd, out.leaf, target)) {
      if (errno == EINVAL || errno == ENOENT)
        return errno_::kSuccess; // not a symlink, or absent: the caller's call decides
      return errnoFromHost(errno);
    }
    if (++expansions > kMaxSymlinkExpansions)
      return errno_::kLoop;
    if (target.empty())
      return errno_::kNoent;
    if (target[0] == '/')
      return errno_::kPerm;
    SplitPath s = splitLast(current);
    std::string next(s.prefix);
    next += target;
    if (s.trailingSlash)
      next += '/';
    current = std::move(next);
  }
}

bool readLinkAt(int dirFd, const std::string &name, std::string &target) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(dirFd, name.c_str(), buf, sizeof(buf));
  if (n < 0)
    return false;
  if (size_t(n) == sizeof(buf)) {
    errno = ENAMETOOLONG;
    return false;
  }
  target.assign(buf, size_t(n));
  return true;
}

} // namespace wasmrt::wasi
