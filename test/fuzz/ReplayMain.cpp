// Runs a fuzz target over files given on the command line, without libFuzzer,
// so the seed corpus and past crash inputs are checked in every test run.
#include "support/File.h"

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    auto bytes = wasmrt::internal::readFileBytes(argv[i]);
    if (!bytes) {
      std::fprintf(stderr, "%s\n", bytes.error().message().c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(bytes->data(), bytes->size());
    ++replayed;
  }
  std::printf("replayed %d inputs\n", replayed);
  return replayed > 0 ? 0 : 1;
}
