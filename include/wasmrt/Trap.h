// Why wasm execution stopped abnormally, with the wasm backtrace.
//
// A trapping call returns an Error of ErrorKind::Trap whose message is
// Trap::describe(); Store::lastTrap() gives the structured form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wasmrt {

enum class TrapKind : uint32_t {
  Unreachable = 1,
  MemoryOutOfBounds,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversionToInteger,
  UndefinedElement,         // call_indirect index beyond the table
  UninitializedElement,     // call_indirect through a null entry
  IndirectCallTypeMismatch,
  TableOutOfBounds,
  CallStackExhausted,       // the wasm stack limit (Config::wasmStackSize)
  NullReference,
  Interrupted,              // the store's epoch deadline was reached
  OutOfFuel,                // the store's fuel ran out
  HostTrap,                 // a host function returned an error
  CompilationFailed,        // internal: a lazily compiled function failed to compile
};

// The spec's wording: "integer divide by zero", "interrupted", ...
const char *trapKindMessage(TrapKind kind);

// One wasm frame of a backtrace, innermost first.
struct TrapFrame {
  uint32_t funcIndex = 0;  // in the module's function index space
  std::string moduleName;  // from the name section, if any
  std::string funcName;    // from the name section, if any
};

struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  // trapKindMessage(kind), or the host function's error message for HostTrap.
  std::string message;
  std::vector<TrapFrame> frames;
  // The message followed by one "  <n>: $module.func[<index>] $name" line per frame.
  std::string describe() const;
};

} // namespace wasmrt
