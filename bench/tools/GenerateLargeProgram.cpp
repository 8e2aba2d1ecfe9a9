// Writes a large, varied C program to stdout: many functions mixing integer
// and float arithmetic, loops, switches, memory traffic and indirect calls.
// Compiled to wasm it gives the decode/validate benchmark a realistic module
// of several MB without shipping one in the repository.
#include <cstdio>
#include <cstdlib>

namespace {

void emitFunction(int index) {
  int shape = index % 4;
  std::printf("__attribute__((noinline)) int f%d(int *buffer, int n, double scale) {\n", index);
  std::printf("  int acc = %d; double facc = scale;\n", index * 7 + 1);
  std::printf("  for (int i = 0; i < n; ++i) {\n");
  switch (shape) {
  case 0:
    std::printf("    acc += buffer[i] * %d ^ (acc >> %d);\n", index % 13 + 1, index % 7 + 1);
    std::printf("    if (acc & 1) buffer[(i + %d) %% n] = acc; else acc -= buffer[i] / (i | 1);\n",
                index % 5);
    break;
  case 1:
    std::printf("    facc = facc * 0.5 + (double)buffer[i] / (i + %d.0);\n", index % 9 + 1);
    std::printf("    acc += (int)facc ^ %d;\n", index);
    break;
  case 2:
    std::printf("    switch ((buffer[i] + acc) & 7) {\n");
    for (int c = 0; c < 8; ++c)
      std::printf("    case %d: acc = acc * %d + %d; break;\n", c, c + 3, index + c);
    std::printf("    }\n");
    break;
  default:
    std::printf("    long long wide = (long long)buffer[i] * %dLL + acc;\n", index + 11);
    std::printf("    acc = (int)(wide >> %d) + (int)(wide %% %d);\n", index % 17 + 1, index % 97 + 2);
    break;
  }
  std::printf("  }\n");
  if (index > 0)
    std::printf("  if (acc %% %d == 0) acc += table[%d](buffer, n / 2, facc);\n", index % 11 + 3,
                index - 1);
  std::printf("  return acc + (int)facc;\n}\n");
}

} // namespace

int main(int argc, char **argv) {
  int count = argc > 1 ? std::atoi(argv[1]) : 3000;
  std::printf("typedef int (*Kernel)(int *, int, double);\n");
  std::printf("extern Kernel table[%d];\n", count);
  for (int i = 0; i < count; ++i)
    emitFunction(i);
  std::printf("Kernel table[%d] = {", count);
  for (int i = 0; i < count; ++i)
    std::printf("%sf%d", i ? ", " : "", i);
  std::printf("};\n");
  std::printf("int main(void) { static int buffer[64]; int sum = 0;\n"
              "  for (int i = 0; i < %d; ++i) sum += table[i](buffer, 64, 1.0);\n"
              "  return sum & 1; }\n", count);
  return 0;
}
