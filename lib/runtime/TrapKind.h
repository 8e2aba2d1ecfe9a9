// Why wasm execution stopped abnormally. Kept free of runtime dependencies so the
// JIT code generator can include it to emit trap codes without linking the runtime.
#pragma once

#include <cstdint>

namespace wasmrt {

enum class TrapKind : uint8_t {
  Unreachable,
  MemoryOutOfBounds,
  TableOutOfBounds,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversionToInteger,
  UndefinedElement,
  UninitializedElement,
  IndirectCallTypeMismatch,
  CallStackExhausted,
  NullReference,
  UnalignedAtomic,
  Interrupted,
  OutOfFuel,
  HostTrap, // a host function asked to trap; its own message travels separately
};

inline constexpr unsigned kTrapKindCount = unsigned(TrapKind::HostTrap) + 1;

// The spec test suite's wording, so assert_trap messages can be compared verbatim.
// Segment initialisation (memory.init, table.init, active segments at instantiation)
// reports "out of bounds memory access" / "out of bounds table access" in Wasm 2.0.
constexpr const char *trapMessage(TrapKind kind) {
  switch (kind) {
  case TrapKind::Unreachable: return "unreachable";
  case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
  case TrapKind::TableOutOfBounds: return "out of bounds table access";
  case TrapKind::IntegerDivideByZero: return "integer divide by zero";
  case TrapKind::IntegerOverflow: return "integer overflow";
  case TrapKind::InvalidConversionToInteger: return "invalid conversion to integer";
  case TrapKind::UndefinedElement: return "undefined element";
  case TrapKind::UninitializedElement: return "uninitialized element";
  case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
  case TrapKind::CallStackExhausted: return "call stack exhausted";
  case TrapKind::NullReference: return "null reference";
  case TrapKind::UnalignedAtomic: return "unaligned atomic";
  case TrapKind::Interrupted: return "interrupted";
  case TrapKind::OutOfFuel: return "all fuel consumed";
  case TrapKind::HostTrap: return "host trap";
  }
  return "trap";
}

} // namespace wasmrt
