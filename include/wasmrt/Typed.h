// Statically typed host functions and calls.
//
// C++ <-> wasm types: int32_t/uint32_t -> i32, int64_t/uint64_t -> i64,
// float -> f32, double -> f64, V128 -> v128, Func -> funcref,
// ExternRef -> externref. Several results are a std::tuple; no result is void.
// A host callable may take `Caller &` first, and may return Expected<R>: an
// error traps the calling wasm code (TrapKind::HostTrap with its message).
#pragma once

#include "wasmrt/Error.h"
#include "wasmrt/Objects.h"

#include <cstdint>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace wasmrt {

template <typename T> struct WasmType; // no wasm type for T

template <> struct WasmType<int32_t> {
  static constexpr ValType type = ValType::I32;
  static int32_t from(const Val &v) { return v.i32(); }
  static Val to(int32_t v) { return Val(v); }
};
template <> struct WasmType<uint32_t> {
  static constexpr ValType type = ValType::I32;
  static uint32_t from(const Val &v) { return uint32_t(v.i32()); }
  static Val to(uint32_t v) { return Val(int32_t(v)); }
};
template <> struct WasmType<int64_t> {
  static constexpr ValType type = ValType::I64;
  static int64_t from(const Val &v) { return v.i64(); }
  static Val to(int64_t v) { return Val(v); }
};
template <> struct WasmType<uint64_t> {
  static constexpr ValType type = ValType::I64;
  static uint64_t from(const Val &v) { return uint64_t(v.i64()); }
  static Val to(uint64_t v) { return Val(int64_t(v)); }
};
template <> struct WasmType<float> {
  static constexpr ValType type = ValType::F32;
  static float from(const Val &v) { return v.f32(); }
  static Val to(float v) { return Val(v); }
};
template <> struct WasmType<double> {
  static constexpr ValType type = ValType::F64;
  static double from(const Val &v) { return v.f64(); }
  static Val to(double v) { return Val(v); }
};
template <> struct WasmType<V128> {
  static constexpr ValType type = ValType::V128;
  static V128 from(const Val &v) { return v.v128(); }
  static Val to(const V128 &v) { return Val(v); }
};
template <> struct WasmType<ExternRef> {
  static constexpr ValType type = ValType::ExternRef;
  static ExternRef from(const Val &v) { return v.externref(); }
  static Val to(ExternRef v) { return Val(v); }
};
template <> struct WasmType<Func> {
  static constexpr ValType type = ValType::FuncRef;
  static Func from(const Val &v) { return v.funcref(); }
  static Val to(const Func &v) { return Val(v); }
};

namespace detail {

template <typename T> using Bare = std::remove_cvref_t<T>;

// Results: void, one value, or a tuple.
template <typename R> struct Results {
  static std::vector<ValType> types() { return {WasmType<R>::type}; }
  static void write(R &&value, std::span<Val> out) { out[0] = WasmType<R>::to(value); }
  static R read(std::span<const Val> in) { return WasmType<R>::from(in[0]); }
};
template <> struct Results<void> {
  static std::vector<ValType> types() { return {}; }
};
template <typename... Ts> struct Results<std::tuple<Ts...>> {
  static std::vector<ValType> types() { return {WasmType<Ts>::type...}; }
  static void write(std::tuple<Ts...> &&value, std::span<Val> out) {
    writeEach(value, out, std::index_sequence_for<Ts...>{});
  }
  template <size_t... I>
  static void writeEach(std::tuple<Ts...> &value, std::span<Val> out, std::index_sequence<I...>) {
    ((out[I] = WasmType<Ts>::to(std::get<I>(value))), ...);
  }
  static std::tuple<Ts...> read(std::span<const Val> in) {
    return readEach(in, std::index_sequence_for<Ts...>{});
  }
  template <size_t... I>
  static std::tuple<Ts...> readEach(std::span<const Val> in, std::index_sequence<I...>) {
    return {WasmType<Ts>::from(in[I])...};
  }
};

template <typename R> struct Unwrap {
  using Type = R;
  static constexpr bool fallible = false;
};
template <typename R> struct Unwrap<Expected<R>> {
  using Type = R;
  static constexpr bool fallible = true;
};

template <typename F> struct Signature : Signature<decltype(&F::operator())> {};
template <typename R, typename... A> struct Signature<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<A...>;
};
template <typename R, typename... A> struct Signature<R(A...)> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct Signature<R (C::*)(A...) const noexcept> : Signature<R (*)(A...)> {};

template <typename Args> struct WasmParams;
template <typename... A> struct WasmParams<std::tuple<A...>> {
  static constexpr bool takesCaller = false;
  static std::vector<ValType> types() { return {WasmType<Bare<A>>::type...}; }
};
template <typename... A> struct WasmParams<std::tuple<Caller &, A...>> {
  static constexpr bool takesCaller = true;
  static std::vector<ValType> types() { return {WasmType<Bare<A>>::type...}; }
};

template <bool kTakesCaller, typename Fn, typename... A, size_t... I>
decltype(auto) invokeHost(Fn &fn, Caller &caller, std::span<const Val> params,
                          std::tuple<A...> *, std::index_sequence<I...>) {
  if constexpr (kTakesCaller)
    return fn(caller, WasmType<Bare<std::tuple_element_t<I + 1, std::tuple<A...>>>>::from(
                          params[I])...);
  else
    return fn(WasmType<Bare<A>>::from(params[I])...);
}

} // namespace detail

namespace detail {

// The wasm type and the dynamically typed adapter of a C++ host callable.
template <typename F> std::pair<FuncType, HostCallback> typedHost(F &&callable) {
  using Fn = std::decay_t<F>;
  using Sig = Signature<std::conditional_t<std::is_function_v<std::remove_pointer_t<Fn>>,
                                           std::remove_pointer_t<Fn>, Fn>>;
  using Params = WasmParams<typename Sig::Args>;
  using Ret = Unwrap<typename Sig::Result>;
  using R = typename Ret::Type;
  constexpr size_t kArity = std::tuple_size_v<typename Sig::Args> - (Params::takesCaller ? 1 : 0);
  FuncType type{Params::types(), Results<R>::types()};
  HostCallback callback = [fn = Fn(std::forward<F>(callable))](
                              Caller &caller, std::span<const Val> params,
                              std::span<Val> results) mutable -> Expected<void> {
    auto call = [&]() -> decltype(auto) {
      return invokeHost<Params::takesCaller>(fn, caller, params,
                                             static_cast<typename Sig::Args *>(nullptr),
                                             std::make_index_sequence<kArity>{});
    };
    if constexpr (Ret::fallible) {
      auto result = call();
      if (!result)
        return std::move(result).error();
      if constexpr (!std::is_void_v<R>)
        Results<R>::write(std::move(*result), results);
    } else if constexpr (std::is_void_v<R>) {
      call();
    } else {
      Results<R>::write(call(), results);
    }
    return {};
  };
  return {std::move(type), std::move(callback)};
}

} // namespace detail

template <typename F> Expected<Func> Func::wrap(Store &store, F &&callable) {
  auto [type, callback] = detail::typedHost(std::forward<F>(callable));
  return create(store, type, std::move(callback));
}

// A function whose type was checked once (Instance::typedFunc); calling it
// converts arguments and results without further type checks.
template <typename Sig> class TypedFunc;
template <typename R, typename... A> class TypedFunc<R(A...)> {
public:
  static FuncType wasmType() {
    return {{WasmType<A>::type...}, detail::Results<R>::types()};
  }
  // ErrorKind::Usage naming both types if `func` has another type.
  static Expected<TypedFunc> check(const Func &func) {
    FuncType actual = func.type();
    if (actual != wasmType())
      return Error(ErrorKind::Usage, "type mismatch: function has type " + actual.toString() +
                                         ", expected " + wasmType().toString());
    return TypedFunc(func);
  }

  Expected<R> operator()(A... args) const {
    Val params[sizeof...(A) > 0 ? sizeof...(A) : 1] = {WasmType<A>::to(args)...};
    auto results = func_.call(std::span<const Val>(params, sizeof...(A)));
    if (!results)
      return std::move(results).error();
    if constexpr (std::is_void_v<R>)
      return {};
    else
      return detail::Results<R>::read(*results);
  }
  const Func &func() const { return func_; }

private:
  explicit TypedFunc(Func func) : func_(func) {}
  Func func_;
};

} // namespace wasmrt
