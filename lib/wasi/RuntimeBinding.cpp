#include "wasi/RuntimeBinding.h"

#include "runtime/Instance.h"
#include "wasi/Wasi.h"

#include <cstddef>
#include <string_view>
#include <utility>

namespace wasmrt::wasi {
using namespace wasmrt::internal;

namespace {

// The caller's linear memory as it is now (memory.grow may have moved or grown it
// since the last call). No memory at all: every guest pointer is out of bounds.
GuestMemory callerMemory(Instance *caller) {
  if (!caller)
    return GuestMemory(nullptr, 0);
  Memory *memory = nullptr;
  if (auto exported = caller->exportNamed("memory");
      exported && exported->kind == ExternKind::Memory)
    memory = exported->memory;
  else if (!caller->module().memories.empty())
    memory = caller->memory(0);
  if (!memory)
    return GuestMemory(nullptr, 0);
  return GuestMemory(memory->base(), memory->byteSize());
}

FuncType funcTypeOf(std::string_view params, bool returnsErrno) {
  FuncType type;
  for (char c : params)
    type.params.push_back(c == 'I' ? ValType::I64 : ValType::I32);
  if (returnsErrno)
    type.results.push_back(ValType::I32);
  return type;
}

// Checks at compile time that a C++ signature matches the def's parameter string.
template <typename... Args> consteval bool matches(std::string_view params) {
  if (params.size() != sizeof...(Args))
    return false;
  size_t i = 0;
  bool ok = true;
  ((ok = ok && (params[i++] == 'I' ? sizeof(Args) == 8 : sizeof(Args) == 4)), ...);
  return ok;
}

template <typename... Args>
Errno callCore(Errno (*fn)(WasiContext &, GuestMemory, Args...), WasiContext &context,
               GuestMemory memory, std::span<const Value> params) {
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return fn(context, memory, Args(params[I].bits)...);
  }(std::index_sequence_for<Args...>{});
}

template <typename... Args>
consteval bool signatureMatches(Errno (*)(WasiContext &, GuestMemory, Args...),
                                std::string_view params) {
  return matches<Args...>(params);
}

} // namespace

Expected<void> defineWasi(Store &store, Linker &linker, WasiContext &context) {
  WasiContext *ctx = &context;
#define WASI_FUNCTION(NAME, FN, PARAMS)                                                       \
  {                                                                                           \
    static_assert(signatureMatches(&FN, PARAMS), #FN " does not match " PARAMS);              \
    constexpr bool returnsErrno = std::string_view(#NAME) != "proc_exit";                     \
    auto func = store.createHostFunction(                                                     \
        funcTypeOf(PARAMS, returnsErrno),                                                     \
        [ctx](Instance *caller, std::span<const Value> params,                                \
              std::span<Value> results) -> std::optional<TrapKind> {                          \
          Errno result = callCore(&FN, *ctx, callerMemory(caller), params);                   \
          if (result == errno_::kExitRequested)                                               \
            return TrapKind::HostTrap;                                                        \
          if constexpr (returnsErrno)                                                         \
            results[0] = Value::i32(int32_t(result));                                         \
          return std::nullopt;                                                                \
        });                                                                                   \
    if (!func)                                                                                \
      return std::move(func).error();                                                         \
    Extern value;                                                                             \
    value.kind = ExternKind::Func;                                                            \
    value.func = *func;                                                                       \
    linker.define(kPreview1Module, #NAME, value);                                             \
  }
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  return {};
}

} // namespace wasmrt::wasi
