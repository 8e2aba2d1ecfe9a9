// libFuzzer target: any text through the WAT parser, and what it encodes
// through decode + validate, must never crash or hang.
#include "binary/Decoder.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view source(reinterpret_cast<const char *>(data), size);
  auto binary = wasmrt::internal::text::parseWat(source);
  if (!binary)
    return 0;
  auto module = wasmrt::internal::decodeModule(std::span<const uint8_t>(*binary));
  if (module) {
    auto valid = wasmrt::internal::validateModule(*module);
    (void)valid;
  }
  return 0;
}
