// Internal: links the relocatable ELF objects of an AOT compilation into one
// position-independent image for the artifact format (abi/ArtifactFormat.h).
//
// We link ourselves rather than calling a system linker: the objects come
// from our own IR, so only the handful of relocation kinds LLVM emits for
// small-code-model PIC code occur, and the artifact needs a layout no
// shared-object format gives directly (code mapped from the file and never
// written; every load-time binding in one data segment). Any relocation or
// section we do not expect is an error, never silently wrong code.
#pragma once

#include "abi/ArtifactFormat.h"
#include "wasmrt/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llvm {
class MemoryBuffer;
}

namespace wasmrt::internal::compiler {

struct LinkedSymbol {
  uint64_t offset = 0; // in the image
  uint64_t size = 0;
};

struct LinkedImage {
  std::vector<uint8_t> text;   // image [0, text.size())
  uint64_t rodataOffset = 0;   // segment-aligned
  std::vector<uint8_t> rodata;
  uint64_t dataOffset = 0;     // segment-aligned
  std::vector<uint8_t> data;   // initial contents: slots zero, then data sections
  std::vector<abi::artifact::Binding> bindings;
  std::string names;           // NUL-terminated names of Symbol bindings
  std::map<std::string, LinkedSymbol, std::less<>> symbols; // defined globals
};

struct LinkOptions {
  abi::artifact::TargetArch arch = abi::artifact::TargetArch::X86_64;
  uint32_t segmentAlign = 4096;
  // Whether an undefined symbol may be bound at load (runtime entry points,
  // allowed library routines); any other undefined symbol fails the link.
  bool (*isExternalSymbol)(std::string_view name) = nullptr;
};

Expected<LinkedImage> linkObjects(const std::vector<std::unique_ptr<llvm::MemoryBuffer>> &objects,
                                  const LinkOptions &options);

} // namespace wasmrt::internal::compiler
