// Hard links and symbolic links inside the sandbox.
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  int fd = open("target.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0 && write(fd, "linked\n", 7) == 7);
  close(fd);
  CHECK(link("target.txt", "hard.txt") == 0);
  struct stat a, b;
  CHECK(stat("target.txt", &a) == 0 && stat("hard.txt", &b) == 0);
  CHECK(a.st_ino == b.st_ino && a.st_nlink == 2);
  CHECK(link("target.txt", "hard.txt") < 0 && errno == EEXIST);

  CHECK(symlink("target.txt", "soft.txt") == 0);
  char buf[64];
  ssize_t n = readlink("soft.txt", buf, sizeof buf);
  CHECK(n == 10);
  printf("readlink: %.*s\n", (int)n, buf);
  CHECK(lstat("soft.txt", &b) == 0 && S_ISLNK(b.st_mode));
  CHECK(stat("soft.txt", &b) == 0 && S_ISREG(b.st_mode) && b.st_ino == a.st_ino);
  FILE *f = fopen("soft.txt", "r");
  CHECK(f && fgets(buf, sizeof buf, f));
  fclose(f);
  printf("through symlink: %s", buf);
  CHECK(readlink("target.txt", buf, sizeof buf) < 0 && errno == EINVAL);

  CHECK(mkdir("d", 0755) == 0 && symlink("d", "dlink") == 0);
  fd = open("dlink/inner.txt", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0);
  close(fd);
  CHECK(stat("d/inner.txt", &b) == 0);
  CHECK(symlink("dangling-target", "dangling") == 0);
  CHECK(stat("dangling", &b) < 0 && errno == ENOENT && lstat("dangling", &b) == 0);
  CHECK(symlink("loop", "loop") == 0 && open("loop", O_RDONLY) < 0 && errno == ELOOP);

  CHECK(unlink("soft.txt") == 0 && stat("target.txt", &a) == 0 && a.st_nlink == 2);
  CHECK(unlink("hard.txt") == 0 && stat("target.txt", &a) == 0 && a.st_nlink == 1);
  CHECK(unlink("dlink/inner.txt") == 0 && unlink("dlink") == 0 && rmdir("d") == 0);
  CHECK(unlink("dangling") == 0 && unlink("loop") == 0 && unlink("target.txt") == 0);
  printf("ok links\n");
  return 0;
}
