// Escape attempts from a preopened directory, through the raw preview1 calls so the
// exact errno is checked. fd 3 = box (guest "."), fd 4 = box2 (guest "/other").
// The runner created box/up_link -> ../outside.txt, box/abs_link -> <abs>/outside.txt
// and box/dir_up -> .. on the host; it checks outside.txt is untouched afterwards.
#include "check.h"
#include <wasi/api.h>

enum { kBox = 3, kOther = 4 };
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static __wasi_errno_t openAt(int dir, __wasi_lookupflags_t lookup, const char *path,
                             __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, lookup, path, oflags, rights, 0, 0, &fd);
  if (e == 0)
    (void)!__wasi_fd_close(fd);
  return e;
}

#define ESCAPE(call)                                                                   \
  do {                                                                                 \
    CHECK_ERRNO(call, __WASI_ERRNO_PERM);                                              \
    printf("EPERM: %s\n", #call);                                                      \
  } while (0)

int main(void) {
  __wasi_rights_t rd = __WASI_RIGHTS_FD_READ, wr = __WASI_RIGHTS_FD_WRITE;
  CHECK_ERRNO(__wasi_path_create_directory(kBox, "sub"), 0);
  __wasi_fd_t file;
  CHECK_ERRNO(__wasi_path_open(kBox, 0, "inside.txt", __WASI_OFLAGS_CREAT, rd | wr, 0, 0,
                               &file), 0);
  CHECK_ERRNO(__wasi_fd_close(file), 0);

  ESCAPE(openAt(kBox, 0, "../outside.txt", 0, rd));
  ESCAPE(openAt(kBox, 0, "sub/../../outside.txt", 0, rd));
  ESCAPE(openAt(kBox, 0, "/etc/passwd", 0, rd));
  ESCAPE(openAt(kBox, FOLLOW, "up_link", 0, rd));
  ESCAPE(openAt(kBox, FOLLOW, "abs_link", 0, rd));
  ESCAPE(openAt(kBox, FOLLOW, "dir_up/outside.txt", 0, rd));
  ESCAPE(openAt(kBox, FOLLOW, "up_link", __WASI_OFLAGS_TRUNC, wr));
  ESCAPE(openAt(kBox, FOLLOW, "../outside.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                wr));
  ESCAPE(openAt(kBox, FOLLOW, "../new-outside.txt", __WASI_OFLAGS_CREAT, wr));
  ESCAPE(openAt(kBox, 0, "..", __WASI_OFLAGS_DIRECTORY, rd));
  ESCAPE(openAt(kOther, 0, "../box/inside.txt", 0, rd));

  __wasi_filestat_t st;
  ESCAPE(__wasi_path_filestat_get(kBox, 0, "../outside.txt", &st));
  ESCAPE(__wasi_path_filestat_get(kBox, FOLLOW, "abs_link", &st));
  ESCAPE(__wasi_path_filestat_set_times(kBox, FOLLOW, "up_link", 1, 1,
                                        __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  ESCAPE(__wasi_path_create_directory(kBox, "../escaped"));
  ESCAPE(__wasi_path_remove_directory(kBox, "sub/../.."));
  ESCAPE(__wasi_path_unlink_file(kBox, "../outside.txt"));
  ESCAPE(__wasi_path_unlink_file(kBox, "dir_up/outside.txt"));
  ESCAPE(__wasi_path_rename(kBox, "inside.txt", kBox, "../moved.txt"));
  ESCAPE(__wasi_path_rename(kBox, "../outside.txt", kBox, "stolen.txt"));
  ESCAPE(__wasi_path_link(kBox, 0, "../outside.txt", kBox, "hard_out"));
  ESCAPE(__wasi_path_link(kBox, FOLLOW, "up_link", kBox, "hard_out"));
  ESCAPE(__wasi_path_symlink("/etc/passwd", kBox, "abs"));
  ESCAPE(__wasi_path_symlink("inside.txt", kBox, "../link_out"));
  char buf[64];
  __wasi_size_t used;
  ESCAPE(__wasi_path_readlink(kBox, "../outside.txt", (uint8_t *)buf, sizeof buf, &used));

  // A relative link that climbs out may exist but is never followed.
  CHECK_ERRNO(__wasi_path_symlink("../outside.txt", kBox, "rel_out"), 0);
  ESCAPE(openAt(kBox, FOLLOW, "rel_out", 0, rd));
  CHECK_ERRNO(__wasi_path_readlink(kBox, "rel_out", (uint8_t *)buf, sizeof buf, &used), 0);
  printf("rel_out -> %.*s (not followed)\n", (int)used, buf);

  // Between two preopens: EXDEV, nothing moves.
  CHECK_ERRNO(__wasi_path_rename(kBox, "inside.txt", kOther, "moved.txt"), __WASI_ERRNO_XDEV);
  CHECK_ERRNO(__wasi_path_link(kBox, 0, "inside.txt", kOther, "linked.txt"), __WASI_ERRNO_XDEV);
  CHECK_ERRNO(__wasi_path_filestat_get(kBox, 0, "inside.txt", &st), 0);
  CHECK_ERRNO(__wasi_path_filestat_get(kOther, 0, "moved.txt", &st), __WASI_ERRNO_NOENT);
  printf("EXDEV: rename and link across preopens\n");

  // wasi-libc's own path handling refuses too.
  CHECK(fopen("../outside.txt", "w") == NULL);
  CHECK(fopen("/etc/passwd", "r") == NULL);
  printf("libc: escapes refused\n");

  CHECK_ERRNO(__wasi_path_unlink_file(kBox, "rel_out"), 0);
  CHECK_ERRNO(__wasi_path_unlink_file(kBox, "inside.txt"), 0);
  CHECK_ERRNO(__wasi_path_remove_directory(kBox, "sub"), 0);
  printf("ok sandbox\n");
  return 0;
}
