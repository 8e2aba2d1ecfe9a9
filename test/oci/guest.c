// The Wasm container used by test/oci: one program, the behaviour chosen by
// argv[1], so a test bundle only differs in its config.json.
//   hello              prints its arguments, GREETING and a file from the rootfs
//   cat PATH           prints the file (rootfs, cwd-relative, or a mount)
//   write PATH TEXT    writes TEXT to PATH (a bind-mounted directory)
//   exit N             exits with status N
//   trap               executes `unreachable`
//   sleep SECONDS      blocks in poll_oneoff, then prints "woke"
//   grow MIB           grows linear memory by MIB mebibytes, prints "grown" or "refused"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cat(const char *path) {
  FILE *file = fopen(path, "r");
  if (!file) {
    printf("cannot open %s\n", path);
    return 3;
  }
  char line[256];
  while (fgets(line, sizeof line, file))
    fputs(line, stdout);
  fclose(file);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "hello";
  if (strcmp(mode, "hello") == 0) {
    printf("hello from wasm\n");
    for (int i = 0; i < argc; ++i)
      printf("argv[%d]=%s\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    return cat("/etc/motd");
  }
  if (strcmp(mode, "cat") == 0 && argc > 2)
    return cat(argv[2]);
  if (strcmp(mode, "write") == 0 && argc > 3) {
    FILE *file = fopen(argv[2], "w");
    if (!file) {
      printf("cannot create %s\n", argv[2]);
      return 3;
    }
    fputs(argv[3], file);
    fclose(file);
    printf("wrote %s\n", argv[2]);
    return 0;
  }
  if (strcmp(mode, "exit") == 0 && argc > 2)
    exit(atoi(argv[2]));
  if (strcmp(mode, "trap") == 0)
    __builtin_trap();
  if (strcmp(mode, "sleep") == 0 && argc > 2) {
    printf("sleeping\n");
    fflush(stdout);
    sleep((unsigned)atoi(argv[2]));
    printf("woke\n");
    return 0;
  }
  if (strcmp(mode, "grow") == 0 && argc > 2) {
    unsigned long pages = strtoul(argv[2], NULL, 10) * 16;
    printf(__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1 ? "refused\n" : "grown\n");
    return 0;
  }
  fprintf(stderr, "guest: unknown mode %s\n", mode);
  return 2;
}
