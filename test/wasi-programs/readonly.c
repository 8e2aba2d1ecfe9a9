// A read-only preopen (/ro) next to a writable one (.): reads work, every change is
// EPERM and the tree stays as it was (the runner compares it afterwards).
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define REFUSED(expr)                                                                  \
  do {                                                                                 \
    errno = 0;                                                                         \
    CHECK((expr) < 0 && errno == EPERM);                                               \
    printf("EPERM: %s\n", #expr);                                                      \
  } while (0)

int main(void) {
  char buf[64] = {0};
  FILE *f = fopen("/ro/data.txt", "r");
  CHECK(f && fgets(buf, sizeof buf, f));
  fclose(f);
  printf("read: %s", buf);
  struct stat st;
  CHECK(stat("/ro/data.txt", &st) == 0 && st.st_size == 10);

  REFUSED(open("/ro/data.txt", O_WRONLY));
  REFUSED(open("/ro/data.txt", O_RDWR));
  REFUSED(open("/ro/data.txt", O_WRONLY | O_APPEND));
  REFUSED(open("/ro/data.txt", O_RDONLY | O_TRUNC));
  REFUSED(open("/ro/new.txt", O_WRONLY | O_CREAT, 0644));
  REFUSED(truncate("/ro/data.txt", 0));
  REFUSED(unlink("/ro/data.txt"));
  REFUSED(mkdir("/ro/dir", 0755));
  REFUSED(rmdir("/ro/subdir"));
  REFUSED(rename("/ro/data.txt", "/ro/renamed.txt"));
  REFUSED(symlink("data.txt", "/ro/link"));
  REFUSED(link("/ro/data.txt", "/ro/hard"));
  struct timespec times[2] = {{1, 0}, {1, 0}};
  REFUSED(utimensat(AT_FDCWD, "/ro/data.txt", times, 0));
  int fd = open("/ro/data.txt", O_RDONLY);
  CHECK(fd >= 0);
  errno = 0;
  CHECK(write(fd, "x", 1) < 0 && (errno == EBADF || errno == EPERM));
  REFUSED(ftruncate(fd, 0));
  REFUSED(futimens(fd, times));
  close(fd);
  errno = 0;
  CHECK(rename("/ro/data.txt", "stolen.txt") < 0 && (errno == EXDEV || errno == EPERM));
  printf("refused: rename out of the read-only tree\n");

  // The writable preopen still works.
  fd = open("scratch.txt", O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0 && write(fd, "w", 1) == 1);
  close(fd);
  CHECK(unlink("scratch.txt") == 0);
  printf("ok readonly\n");
  return 0;
}
