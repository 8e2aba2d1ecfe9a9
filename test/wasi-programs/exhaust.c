// Running out of descriptors inside WASI calls: open the same file until the
// host refuses (its RLIMIT_NOFILE, far below the guest table's 65,536), check
// that the guest gets EMFILE or ENFILE and nothing worse, then close them all
// and check that opening works again. The host must survive all of it.
#include "check.h"
#include <fcntl.h>
#include <unistd.h>

#define MAX_OPEN 100000

static int fds[MAX_OPEN];

int main(void) {
  FILE *f = fopen("data", "w");
  CHECK(f && fputs("payload", f) >= 0 && fclose(f) == 0);
  int count = 0;
  for (; count < MAX_OPEN; ++count) {
    int fd = open("data", O_RDONLY);
    if (fd < 0)
      break;
    fds[count] = fd;
  }
  CHECK(count < MAX_OPEN);
  CHECK(errno == EMFILE || errno == ENFILE);
  CHECK(count >= 16);
  // Other calls that need a descriptor fail cleanly as well.
  CHECK(fopen("data", "r") == NULL);
  for (int i = 0; i < count; ++i)
    CHECK(close(fds[i]) == 0);
  int fd = open("data", O_RDONLY);
  CHECK(fd >= 0);
  char buf[8] = {0};
  CHECK(read(fd, buf, 7) == 7 && strcmp(buf, "payload") == 0);
  CHECK(close(fd) == 0);
  printf("ran out of descriptors and recovered\n");
  return 0;
}
