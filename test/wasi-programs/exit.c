// Exit statuses: exit(N) from main or from deep inside, returning from main, a trap.
#include "check.h"

static void deep(int depth, int code) {
  if (depth == 0) {
    fflush(stdout);
    exit(code);
  }
  deep(depth - 1, code);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  printf("mode %s\n", argv[1]);
  if (!strcmp(argv[1], "return7"))
    return 7;
  if (!strcmp(argv[1], "trap"))
    __builtin_trap();
  if (!strcmp(argv[1], "abort"))
    abort();
  deep(50, atoi(argv[1]));
  printf("not reached\n");
  return 99;
}
