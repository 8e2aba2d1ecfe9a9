// Path resolution confined to a preopened directory.
//
// A guest path is always resolved by wasmrt relative to a directory descriptor the
// guest holds, never handed to the host kernel as a multi-component path except
// through openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), which enforces the same
// confinement in the kernel. Without openat2 the path is walked one component at a
// time with O_NOFOLLOW, symlinks are read and expanded by us, and ".." pops a stack of
// directory descriptors (never re-opened by name), so neither "..", absolute symlink
// targets nor renames during the walk can leave the starting directory.
//
// Operations on a final component (unlink, rmdir, mkdir, rename, link, symlink,
// readlink, stat, utimes) resolve the parent directory this way and then call the
// *at() function on a single component, with AT_SYMLINK_NOFOLLOW where it applies.
// See docs/WASI.md for the full algorithm and the errno choices.
#pragma once

#include "wasi/HostFd.h"
#include "wasi/WasiTypes.h"

#include <sys/types.h>

#include <string>
#include <string_view>

namespace wasmrt::wasi {

// Symlink expansions allowed in one resolution before ELOOP (Linux's limit).
constexpr unsigned kMaxSymlinkExpansions = 40;

// Whether the running kernel offers openat2 with RESOLVE_BENEATH.
bool kernelHasOpenat2();

// Rejects paths no WASI call may use: empty (ENOENT), containing NUL or invalid
// UTF-8 (EILSEQ), absolute (EPERM: an escape from the preopen, as wasmtime reports).
Errno checkGuestPath(std::string_view path);

struct Beneath {
  int rootFd;      // the directory the path is relative to
  bool useOpenat2; // else the portable component walk
};

// Opens `path` beneath `where.rootFd` with open(2) `flags` (O_CLOEXEC is added).
// The final component is followed only if `followFinal` or the path ends in '/'.
Errno openBeneath(const Beneath &where, std::string_view path, int flags, mode_t mode,
                  bool followFinal, HostFd &out);

// The directory holding a path's final component, and that component.
struct ParentDir {
  HostFd owned;             // empty when the parent is the starting directory itself
  int fd = -1;              // use with *at() calls
  std::string leaf;         // one component: no '/', never ".." ("." = fd itself)
  bool trailingSlash = false; // the guest path ended in '/'
};

// Resolves everything but the final component, which is not followed.
Errno resolveParent(const Beneath &where, std::string_view path, ParentDir &out);
// Like resolveParent, but while the final component is a symlink it is expanded
// (confined the same way), so `leaf` is never a symlink unless it changed meanwhile.
// A trailing '/' implies following, as in POSIX.
Errno resolveFollow(const Beneath &where, std::string_view path, ParentDir &out);

// readlinkat into a string; false with errno set on failure.
bool readLinkAt(int dirFd, const std::string &name, std::string &target);

} // namespace wasmrt::wasi
