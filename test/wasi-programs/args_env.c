// Arguments and environment as the CLI passes them.
#include "check.h"

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i)
    printf("argv[%d]=[%s]\n", i, argv[i]);
  int count = 0;
  for (char **e = environ; *e; ++e)
    ++count;
  printf("environ has %d entries\n", count);
  const char *names[] = {"GREETING", "EMPTY", "WITH_EQUALS", "INHERITED", "NOT_SET"};
  for (int i = 0; i < 5; ++i) {
    const char *v = getenv(names[i]);
    printf("%s=%s\n", names[i], v ? v : "(unset)");
  }
  return 0;
}
