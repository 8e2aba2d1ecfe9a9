// The Wasm workload of the containerd end-to-end test (test/containerd/e2e.py).
// It shows in one run what an OCI runtime must wire up: argv, env and cwd from
// config.json, stdout/stderr from the shim, a writable OCI bind mount (as a WASI
// preopen) and the exit status.
//
//   e2e_app [--write PATH TEXT]... [--read PATH] [--exit N] [--trap] [WORDS...]
//
// Prints "e2e-app: hello" and every WORD on stdout, the environment variable
// E2E_GREETING if set and the current directory (getcwd), writes TEXT to PATH
// for each --write, prints the contents of PATH for --read, one line on stderr,
// then exits with N (default 0). --trap executes `unreachable` right away.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int exitCode = 0;
  printf("e2e-app: hello\n");
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--trap") == 0) {
      fflush(stdout);
      __builtin_trap();
    } else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc) {
      exitCode = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--write") == 0 && i + 2 < argc) {
      const char *path = argv[++i];
      const char *text = argv[++i];
      FILE *f = fopen(path, "w");
      if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "e2e-app: cannot write %s\n", path);
        return 3;
      }
      printf("e2e-app: wrote %s\n", path);
    } else if (strcmp(argv[i], "--read") == 0 && i + 1 < argc) {
      const char *path = argv[++i];
      char buf[256];
      FILE *f = fopen(path, "r");
      if (!f) {
        fprintf(stderr, "e2e-app: cannot read %s\n", path);
        return 4;
      }
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      buf[n] = '\0';
      fclose(f);
      printf("e2e-app: read %s: %s\n", path, buf);
    } else {
      printf("e2e-app: word %s\n", argv[i]);
    }
  }
  const char *greeting = getenv("E2E_GREETING");
  if (greeting)
    printf("e2e-app: env E2E_GREETING=%s\n", greeting);
  char cwd[256];
  if (getcwd(cwd, sizeof cwd))
    printf("e2e-app: cwd %s\n", cwd);
  fprintf(stderr, "e2e-app: to stderr\n");
  fflush(stdout);
  return exitCode;
}
