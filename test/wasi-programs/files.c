// Files: open, read, write, seek, pread/pwrite, stat, truncate, append, O_EXCL.
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  int fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "hello, world\n", 13) == 13);
  CHECK(lseek(fd, 0, SEEK_CUR) == 13);
  CHECK(lseek(fd, 7, SEEK_SET) == 7);
  char buf[64] = {0};
  CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);
  CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
  CHECK(lseek(fd, 0, SEEK_CUR) == 12); // pwrite leaves the offset alone
  CHECK(pread(fd, buf, 13, 0) == 13 && memcmp(buf, "HELLO, world\n", 13) == 0);
  CHECK(lseek(fd, -1, SEEK_END) == 12);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 13 && S_ISREG(st.st_mode));
  CHECK(ftruncate(fd, 5) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_size == 5);
  CHECK(ftruncate(fd, 4096) == 0);
  CHECK(pread(fd, buf, 8, 4000) == 8 && buf[0] == 0 && buf[7] == 0);
  CHECK(close(fd) == 0);
  CHECK(stat("data.bin", &st) == 0 && st.st_size == 4096);
  CHECK(truncate("data.bin", 3) == 0);
  CHECK(stat("data.bin", &st) == 0 && st.st_size == 3);
  printf("ok read/write/seek/stat/truncate\n");

  fd = open("data.bin", O_WRONLY | O_APPEND);
  CHECK(fd >= 0);
  CHECK(write(fd, "++", 2) == 2);
  CHECK(close(fd) == 0);
  FILE *f = fopen("data.bin", "r");
  CHECK(f && fgets(buf, sizeof buf, f));
  printf("contents: %s\n", buf);
  fclose(f);
  CHECK(open("data.bin", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 && errno == EEXIST);
  CHECK(open("missing.txt", O_RDONLY) < 0 && errno == ENOENT);
  CHECK(open("data.bin/x", O_RDONLY) < 0 && errno == ENOTDIR);
  fd = open("data.bin", O_RDONLY);
  CHECK(fd >= 0 && write(fd, "x", 1) < 0 && errno == EBADF);
  close(fd);
  CHECK(unlink("data.bin") == 0 && stat("data.bin", &st) < 0 && errno == ENOENT);
  printf("ok append/excl/errors\n");
  return 0;
}
