// Standard streams: echoes stdin to stdout in upper case, reports on stderr.
#include "check.h"
#include <ctype.h>
#include <unistd.h>

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
  return 0;
}
