/* Link-time stand-ins for functions wasi-libc declares or programs expect but
 * WASI preview1 cannot provide (no processes). They fail the way a system
 * without a shell would; none is reached by the bench/large workloads. */
#include <errno.h>
#include <stdio.h>

FILE *popen(const char *command, const char *mode) {
  (void)command; (void)mode;
  errno = ENOSYS;
  return NULL;
}

int pclose(FILE *stream) {
  (void)stream;
  errno = ENOSYS;
  return -1;
}

int system(const char *command) {
  /* system(NULL) asks whether a shell exists: no. */
  (void)command;
  errno = ENOSYS;
  return command ? -1 : 0;
}

FILE *tmpfile(void) {
  errno = ENOSYS;
  return NULL;
}
