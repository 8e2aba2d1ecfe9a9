#pragma once

namespace wasmrt::internal {

// Proposals beyond the MVP. The defaults are exactly WebAssembly 2.0.
struct Features {
  bool signExtension = true;
  bool saturatingFloatToInt = true;
  bool multiValue = true;
  bool bulkMemory = true;
  bool referenceTypes = true;
  bool simd = true;
};

} // namespace wasmrt::internal
