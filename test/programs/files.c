// Reads and writes files through WASI, with string formatting.
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "out.txt";
  FILE *file = fopen(path, "w");
  if (!file) {
    perror("fopen");
    return 1;
  }
  for (int i = 0; i < 10; ++i)
    fprintf(file, "line %d\n", i);
  fclose(file);
  file = fopen(path, "r");
  char line[32];
  int count = 0;
  while (fgets(line, sizeof line, file))
    ++count;
  fclose(file);
  printf("%d lines\n", count);
  return count == 10 ? 0 : 2;
}
