// libFuzzer target: any byte string through decode + validate must return a
// result (module or error), never crash, hang or allocate without bound.
#include "binary/Decoder.h"
#include "validation/Validator.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto module = wasmrt::internal::decodeModule(std::span<const uint8_t>(data, size));
  if (module) {
    auto valid = wasmrt::internal::validateModule(*module);
    (void)valid;
  }
  return 0;
}
