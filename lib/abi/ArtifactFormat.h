// The precompiled-artifact format (`.cwasm`, cache entries), defined once for
// the writer (lib/compiler, AOT) and the reader (lib/runtime, no LLVM).
// docs/AOT.md describes it for people.
//
// An artifact is one file:
//
//   [ArtifactHeader][metadata ...][wasm module bytes][padding]
//   [image: text (r-x) | rodata (r--)]   <- imageFileOffset, segment-aligned
//   [initial contents of the data segment]
//
// The image is mapped from the file, never written: text read+execute,
// rodata read-only, so every process running the same artifact shares its
// code pages in the page cache. Everything generated code refers to outside
// the image (runtime entry points, library routines) is reached through
// slots of the *data segment*, an anonymous read-write mapping placed right
// after rodata at the distance the code was linked for; the loader fills the
// slots (Binding records) and nothing else. Offsets inside the image are
// multiples of `segmentAlign` between segments, so each segment can be a
// mapping of its own on any page size up to it.
//
// All integers are little-endian (both supported targets are); structures
// are laid out with natural alignment and their sizes are asserted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmrt::abi::artifact {

// First 8 bytes: distinguishes an artifact from a wasm module ("\0asm").
inline constexpr char kMagic[8] = {'W', 'R', 'T', 'C', 'W', 'A', 'S', 'M'};
// Bumped whenever the layout or the meaning of a field changes, and whenever
// the contract with generated code (RuntimeAbi.h) changes incompatibly.
inline constexpr uint32_t kFormatVersion = 1;

enum class TargetArch : uint32_t { X86_64 = 1, AArch64 = 2 };

// Options that change generated code; an artifact runs only in an engine
// configured the same way.
enum CodegenFlag : uint32_t {
  kExplicitBoundsChecks = 1u << 0, // else guarded memories (8 GiB reservations)
  kEpochInterruption = 1u << 1,
  kConsumeFuel = 1u << 2,
  kStoreProbes = 1u << 3,
};

struct ArtifactHeader {
  char magic[8];
  uint32_t formatVersion;
  uint32_t headerSize;           // sizeof(ArtifactHeader)
  uint64_t fileSize;             // the whole file; a shorter file is truncated
  uint8_t checksum[16];          // XXH3-128 of the whole file with this field zeroed
  uint8_t sourceHash[32];        // SHA-256 of the wasm module it was compiled from
  char wasmrtVersion[32];        // NUL-terminated
  char targetTriple[48];         // NUL-terminated, e.g. x86_64-unknown-linux-gnu
  char cpuName[32];              // NUL-terminated; LLVM's name, informative
  // Host-native code: the compiling host's CPU fingerprint (see
  // runtime/CpuFingerprint.h); it loads only where the fingerprint is equal.
  // Portable code (`--target`): all zero, and the loader checks the target's
  // baseline features instead.
  uint8_t cpuFingerprint[32];
  uint32_t targetArch;           // TargetArch
  uint32_t codegenFlags;         // CodegenFlag bits
  uint32_t optLevel;             // 0..3
  uint32_t segmentAlign;         // power of two, >= the loader's page size

  uint64_t descriptionOffset, descriptionSize; // "key: value" lines for people
  uint64_t wasmOffset, wasmSize;               // the module, decoded at load
  uint64_t functionsOffset;                    // FunctionEntry[numDefinedFuncs]
  uint64_t typeGlueOffset;                     // TypeGlueEntry[numTypes]
  uint64_t bindingsOffset;                     // Binding[numBindings]
  uint64_t namesOffset, namesSize;             // NUL-terminated binding names
  uint64_t imageFileOffset;                    // segment-aligned
  uint64_t textSize;                           // image [0, textSize): r-x
  uint64_t rodataOffset, rodataSize;           // image offsets: r--
  uint64_t dataOffset, dataSize;               // image offsets: rw-, anonymous
  uint64_t dataInitFileOffset, dataInitSize;   // initial bytes of the data segment
  uint32_t numDefinedFuncs;
  uint32_t numTypes;
  uint32_t numBindings;
  uint32_t reserved;
};
static_assert(sizeof(ArtifactHeader) == 384);

// A defined function's code: image offset and size in bytes.
struct FunctionEntry {
  uint32_t offset;
  uint32_t size;
};
static_assert(sizeof(FunctionEntry) == 8);

inline constexpr uint32_t kNoCode = UINT32_MAX;

// Per module type index: its entry trampoline and host adapter (image
// offsets), or kNoCode.
struct TypeGlueEntry {
  uint32_t entryTrampoline;
  uint32_t hostAdapter;
};
static_assert(sizeof(TypeGlueEntry) == 8);

enum class BindingKind : uint32_t {
  // The slot holds the address of the named symbol (a runtime entry point
  // or an allowed library routine); `value` is the name's offset in names.
  Symbol = 1,
  // The slot holds the image's address plus `value` (a pointer to code or
  // data of the artifact itself, e.g. a GOT entry of an internal symbol).
  ImageRelative = 2,
};

// One pointer-sized slot of the data segment to fill at load.
struct Binding {
  uint32_t dataOffset; // of the slot, from the start of the data segment
  uint32_t kind;       // BindingKind
  uint64_t value;
};
static_assert(sizeof(Binding) == 16);

} // namespace wasmrt::abi::artifact
