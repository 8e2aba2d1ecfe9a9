// Standard streams: echoes stdin to stdout in upper case, reports on stderr.
#include "check.h"
#include <ctype.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
  char buf[256];
  size_t total = 0, lines = 0;
  while (fgets(buf, sizeof buf, stdin)) {
    ++lines;
    for (char *p = buf; *p; ++p, ++total)
      *p = (char)toupper((unsigned char)*p);
    fputs(buf, stdout);
  }
  CHECK(feof(stdin) && !ferror(stdin));
  printf("%zu lines, %zu bytes\n", lines, total);
  fprintf(stderr, "this goes to stderr\n");
  CHECK(isatty(0) == 0 || isatty(0) == 1);
  CHECK(fflush(stdout) == 0);
  CHECK(write(1, "raw write\n", 10) == 10);
  // Streams swapped the way programs redirect them: stderr moved onto stdout
  // (closing it), then back onto the now closed 2, which wasmrt accepts for
  // the standard streams (docs/WASI.md, fd_renumber).
  CHECK(__wasi_fd_renumber(2, 1) == 0);
  CHECK(write(1, "stderr through 1\n", 17) == 17);
  CHECK(write(2, "x", 1) == -1);
  CHECK(__wasi_fd_renumber(1, 2) == 0);
  CHECK(write(2, "stderr through 2\n", 17) == 17);
  CHECK(__wasi_fd_renumber(2, 7) == __WASI_ERRNO_BADF);
  return 0;
}
