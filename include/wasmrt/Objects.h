// Values and the runtime objects of a store: Val, Func, Memory, Table,
// Global, Extern and the Caller that host functions receive.
//
// Func, Memory, Table and Global are small copyable handles into a Store;
// they are valid while the store lives and are used on the store's thread.
#pragma once

#include "wasmrt/Error.h"
#include "wasmrt/Store.h"
#include "wasmrt/Trap.h"
#include "wasmrt/Types.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace wasmrt {

class Func;
class Caller;

// A wasm value of any type.
class Val {
public:
  Val() = default; // i32 0
  Val(int32_t v) : type_(ValType::I32), bits_(uint32_t(v)) {}
  Val(int64_t v) : type_(ValType::I64), bits_(uint64_t(v)) {}
  Val(float v) : type_(ValType::F32) { uint32_t b; std::memcpy(&b, &v, 4); bits_ = b; }
  Val(double v) : type_(ValType::F64) { std::memcpy(&bits_, &v, 8); }
  Val(const V128 &v) : type_(ValType::V128), v128_(v) {}
  Val(ExternRef ref) : type_(ValType::ExternRef), ref_(ref.ptr) {}
  Val(const Func &func); // funcref (a null Func gives a null funcref)
  static Val nullRef(ValType refType) { Val v; v.type_ = refType; return v; }

  ValType type() const { return type_; }
  int32_t i32() const { return int32_t(uint32_t(bits_)); }
  int64_t i64() const { return int64_t(bits_); }
  float f32() const { float v; uint32_t b = uint32_t(bits_); std::memcpy(&v, &b, 4); return v; }
  double f64() const { double v; std::memcpy(&v, &bits_, 8); return v; }
  const V128 &v128() const { return v128_; }
  ExternRef externref() const { return {const_cast<void *>(ref_)}; }
  Func funcref() const; // a null Func for a null funcref
  bool isNullRef() const { return isRefType(type_) && ref_ == nullptr; }

  // Raw access for lib/api.
  uint64_t rawBits() const { return bits_; }
  const void *rawRef() const { return ref_; }
  static Val fromRaw(ValType type, uint64_t bits, const void *ref, const V128 &v128,
                     detail::StoreState *store) {
    Val v;
    v.type_ = type;
    v.bits_ = bits;
    v.ref_ = ref;
    v.v128_ = v128;
    v.store_ = store;
    return v;
  }

private:
  ValType type_ = ValType::I32;
  uint64_t bits_ = 0;
  const void *ref_ = nullptr;
  detail::StoreState *store_ = nullptr; // funcref: the store of the function
  V128 v128_;
};

// A host function's view of the wasm code that called it.
class Caller {
public:
  Caller(detail::StoreState *store, void *instance) : store_(store), instance_(instance) {}
  // The calling instance's export `name` (nullopt when called from the host).
  std::optional<class Extern> getExport(std::string_view name) const;
  // The calling instance's exported "memory", with checked access. Take it
  // again on every call: the handle stays valid, but memory.grow may move
  // Memory::data() and changes Memory::size().
  std::optional<class Memory> memory() const;
  // Memory `index` of the calling instance (imported or defined, exported or
  // not), for host APIs such as WASI whose guests pass pointers into a memory
  // they may not export; nullopt past the last memory or when called from the host.
  std::optional<class Memory> memoryAt(uint32_t index) const;
  // Store::data().
  void *data() const;
  detail::StoreState *storeState() const { return store_; }

private:
  detail::StoreState *store_;
  void *instance_; // nullptr when the host called the function directly
};

// The dynamically typed form of a host function: read `params`, write every
// element of `results` (pre-typed per the FuncType). Returning an Error traps
// the calling wasm code with TrapKind::HostTrap and the error's message.
// Host functions must not throw (exceptions cannot cross the JIT frames).
using HostCallback =
    std::function<Expected<void>(Caller &, std::span<const Val> params, std::span<Val> results)>;

class Func {
public:
  Func() = default; // null
  // A host function of type `type` in `store`.
  static Expected<Func> create(Store &store, const FuncType &type, HostCallback callback);
  // A host function from a C++ callable; its wasm type is deduced from the
  // parameter and return types (see Typed.h).
  template <typename F> static Expected<Func> wrap(Store &store, F &&callable);

  explicit operator bool() const { return ref_ != nullptr; }
  FuncType type() const;
  // Calls the function; argument types must match (ErrorKind::Usage). A
  // trap is an ErrorKind::Trap error (details in Store::lastTrap()).
  Expected<std::vector<Val>> call(std::span<const Val> args) const;
  Expected<std::vector<Val>> call(std::initializer_list<Val> args) const {
    return call(std::span<const Val>(args.begin(), args.size()));
  }

  Func(detail::StoreState *store, const void *ref) : store_(store), ref_(ref) {}
  detail::StoreState *storeState() const { return store_; }
  const void *raw() const { return ref_; }
  bool operator==(const Func &) const = default;

private:
  detail::StoreState *store_ = nullptr;
  const void *ref_ = nullptr;
};

class Memory {
public:
  // A standalone memory (e.g. to import into several instances).
  static Expected<Memory> create(Store &store, const MemoryType &type);

  MemoryType type() const;
  // The bytes; the pointer may change when the memory grows.
  uint8_t *data() const;
  uint64_t size() const; // bytes
  uint32_t pages() const;
  // Old page count, or an error past the maximum or the store's limit.
  Expected<uint32_t> grow(uint32_t deltaPages) const;

  // Checked access: [offset, offset + length) must lie inside the memory
  // (ErrorKind::Trap "out of bounds memory access" otherwise).
  Expected<std::span<uint8_t>> view(uint64_t offset, uint64_t length) const;
  Expected<void> read(uint64_t offset, std::span<uint8_t> out) const;
  Expected<void> write(uint64_t offset, std::span<const uint8_t> bytes) const;
  template <typename T> Expected<T> load(uint64_t offset) const {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    auto done = read(offset, std::span<uint8_t>(reinterpret_cast<uint8_t *>(&value), sizeof(T)));
    if (!done)
      return std::move(done).error();
    return value;
  }
  template <typename T> Expected<void> store(uint64_t offset, const T &value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    return write(offset,
                 std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(&value), sizeof(T)));
  }

  Memory(detail::StoreState *store, void *memory) : store_(store), memory_(memory) {}
  void *raw() const { return memory_; }
  detail::StoreState *storeState() const { return store_; }

private:
  detail::StoreState *store_;
  void *memory_;
};

class Table {
public:
  static Expected<Table> create(Store &store, const TableType &type, const Val &init);

  TableType type() const;
  uint32_t size() const;
  Expected<Val> get(uint32_t index) const;
  Expected<void> set(uint32_t index, const Val &value) const;
  // Old size, or an error past the maximum or the store's limit.
  Expected<uint32_t> grow(uint32_t delta, const Val &init) const;

  Table(detail::StoreState *store, void *table) : store_(store), table_(table) {}
  void *raw() const { return table_; }
  detail::StoreState *storeState() const { return store_; }

private:
  detail::StoreState *store_;
  void *table_;
};

class Global {
public:
  static Expected<Global> create(Store &store, const GlobalType &type, const Val &value);

  GlobalType type() const;
  Val get() const;
  // ErrorKind::Usage for an immutable global or a value of the wrong type.
  Expected<void> set(const Val &value) const;

  Global(detail::StoreState *store, void *global) : store_(store), global_(global) {}
  void *raw() const { return global_; }
  detail::StoreState *storeState() const { return store_; }

private:
  detail::StoreState *store_;
  void *global_;
};

// Any importable/exportable object.
class Extern {
public:
  Extern(const Func &func) : kind_(ExternKind::Func), func_(func) {}
  Extern(const Memory &memory) : kind_(ExternKind::Memory), memory_(memory) {}
  Extern(const Table &table) : kind_(ExternKind::Table), table_(table) {}
  Extern(const Global &global) : kind_(ExternKind::Global), global_(global) {}

  ExternKind kind() const { return kind_; }
  std::optional<Func> func() const { return func_; }
  std::optional<Memory> memory() const { return memory_; }
  std::optional<Table> table() const { return table_; }
  std::optional<Global> global() const { return global_; }
  // The store the object belongs to.
  detail::StoreState *storeState() const;

private:
  ExternKind kind_;
  std::optional<Func> func_;
  std::optional<Memory> memory_;
  std::optional<Table> table_;
  std::optional<Global> global_;
};

} // namespace wasmrt
