// Engine, Store and Instance: instantiation, linking, sharing between
// instances, host functions, traps with backtraces, re-entrancy, stack
// exhaustion, in both memory modes.
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"

#include "binary/Decoder.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <set>

#include <string>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

std::shared_ptr<const LoadedModule> load(Engine &engine, std::string_view wat) {
  text::WatOptions options;
  options.emitNames = true; // backtraces name functions
  auto bytes = text::parseWat(wat, options);
  REQUIRE(bytes);
  auto module = decodeModule(std::move(*bytes));
  REQUIRE(module);
  REQUIRE(validateModule(*module));
  auto loaded = engine.load(std::make_shared<const Module>(std::move(*module)));
  if (!loaded)
    FAIL(loaded.error().describe());
  return *loaded;
}

Expected<Instance *> instantiate(Store &store, const Linker &linker, std::string_view wat) {
  auto loaded = load(store.engine(), wat);
  auto imports = linker.resolve(*loaded->module);
  if (!imports)
    return std::move(imports).error();
  return store.instantiate(loaded, *imports);
}

Instance &mustInstantiate(Store &store, const Linker &linker, std::string_view wat) {
  auto instance = instantiate(store, linker, wat);
  if (!instance)
    FAIL(instance.error().describe());
  return **instance;
}

int32_t callI32(Instance &instance, std::string_view name, std::vector<Value> args = {}) {
  auto results = instance.invoke(name, args);
  if (!results)
    FAIL(results.error().describe());
  REQUIRE(results->size() == 1);
  return (*results)[0].asI32();
}

// Backtrace tests use optLevel 0: at 1 and above, inlined calls have no frame.
EngineConfig config(MemoryMode mode, unsigned optLevel = 2) {
  EngineConfig c;
  c.memoryMode = mode;
  c.optLevel = optLevel;
  c.compileThreads = 1;
  return c;
}

// Runs the enclosing test case once per memory mode.
#define ANY_MODE GENERATE(MemoryMode::Guarded, MemoryMode::BoundsChecked)

} // namespace

TEST_CASE("Instantiation runs globals then element and data segments in order then start") {
  Engine engine(config(ANY_MODE), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &instance = mustInstantiate(store, linker, R"(
    (module
      (memory 1)
      (table 2 funcref)
      (global $g (mut i32) (i32.const 40))
      (func $two (result i32) (i32.const 2))
      (elem (i32.const 1) $two)
      (data (i32.const 8) "\05")
      ;; the start function sees the segments: g = 40 + mem[8] + table[1]()
      (func $start
        (global.set $g (i32.add (global.get $g)
          (i32.add (i32.load8_u (i32.const 8)) (call_indirect (result i32) (i32.const 1))))))
      (start $start)
      (func (export "g") (result i32) (global.get $g)))
  )");
  CHECK(callI32(instance, "g") == 47);
}

TEST_CASE("Linking errors are unlinkable with the spec's wording") {
  Engine engine(config(MemoryMode::BoundsChecked), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &exporter = mustInstantiate(store, linker, R"(
    (module
      (func (export "f") (param i32))
      (memory (export "mem") 1 2)
      (table (export "tab") 3 funcref)
      (global (export "imm") i32 (i32.const 1))
      (global (export "mut") (mut i32) (i32.const 1)))
  )");
  linker.defineInstance("m", exporter);

  auto expectUnlinkable = [&](std::string_view wat, std::string_view message) {
    auto instance = instantiate(store, linker, wat);
    REQUIRE(!instance);
    CHECK(instance.error().kind() == ErrorKind::Unlinkable);
    CHECK(instance.error().message().find(message) != std::string::npos);
  };
  expectUnlinkable(R"((module (import "m" "nope" (func))))", "unknown import");
  expectUnlinkable(R"((module (import "x" "f" (func (param i32)))))", "unknown import");
  expectUnlinkable(R"((module (import "m" "f" (func (param i64)))))", "incompatible import type");
  expectUnlinkable(R"((module (import "m" "f" (global i32))))", "incompatible import type");
  expectUnlinkable(R"((module (import "m" "mem" (memory 2))))", "incompatible import type");
  expectUnlinkable(R"((module (import "m" "mem" (memory 1 1))))", "incompatible import type");
  expectUnlinkable(R"((module (import "m" "tab" (table 4 funcref))))", "incompatible import type");
  expectUnlinkable(R"((module (import "m" "tab" (table 1 externref))))",
                   "incompatible import type");
  expectUnlinkable(R"((module (import "m" "imm" (global (mut i32)))))", "incompatible import type");
  expectUnlinkable(R"((module (import "m" "mut" (global i32))))", "incompatible import type");

  // Limits subtyping: a smaller minimum and a larger maximum are fine.
  CHECK(instantiate(store, linker, R"((module (import "m" "mem" (memory 0 3))))"));
  CHECK(instantiate(store, linker, R"((module (import "m" "tab" (table 2 funcref))))"));
}

TEST_CASE("Memories and tables and globals are shared between instances") {
  Engine engine(config(ANY_MODE), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &exporter = mustInstantiate(store, linker, R"(
    (module
      (memory (export "mem") 1 4)
      (table (export "tab") 2 funcref)
      (global (export "g") (mut i32) (i32.const 5))
      (func (export "size") (result i32) (memory.size))
      (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
      (func (export "get") (result i32) (global.get 0))
      (func (export "callSlot") (param i32) (result i32)
        (call_indirect (result i32) (local.get 0))))
  )");
  linker.defineInstance("m", exporter);
  Instance &importer = mustInstantiate(store, linker, R"(
    (module
      (import "m" "mem" (memory 1))
      (import "m" "tab" (table 2 funcref))
      (import "m" "g" (global $g (mut i32)))
      (func $seven (result i32) (i32.const 7))
      (elem (i32.const 0) $seven)
      (func (export "grow") (result i32) (memory.grow (i32.const 2)))
      (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
      (func (export "setG") (param i32) (global.set $g (local.get 0))))
  )");

  CHECK(callI32(importer, "grow") == 1);
  CHECK(callI32(exporter, "size") == 3); // the exporter's context saw the grow
  REQUIRE(importer.invoke("store", {Value::i32(3 * 65536 - 4), Value::i32(99)}));
  CHECK(callI32(exporter, "load", {Value::i32(3 * 65536 - 4)}) == 99);
  REQUIRE(importer.invoke("setG", {Value::i32(-3)}));
  CHECK(callI32(exporter, "get") == -3);
  // The importer's function, put into the shared table, called by the exporter.
  CHECK(callI32(exporter, "callSlot", {Value::i32(0)}) == 7);
  auto uninitialized = exporter.invoke("callSlot", std::vector<Value>{Value::i32(1)});
  REQUIRE(!uninitialized);
  CHECK(uninitialized.error().message().find("uninitialized element") == 0);
}

TEST_CASE("call_indirect runs a callee of another instance with that instance's state") {
  Engine engine(config(ANY_MODE), createCompilerBackend());
  Store store(engine);
  Linker linker;
  // Both modules have their own memory and global; each table slot's
  // function must see its own instance's, whichever instance calls it.
  Instance &caller = mustInstantiate(store, linker, R"(
    (module
      (type $pair (func (param i32) (result i32 i32)))
      (memory 1)
      (global $g (mut i32) (i32.const 100))
      (table (export "tab") 2 funcref)
      (data (i32.const 0) "\01")
      (func $own (type $pair) (i32.load8_u (local.get 0)) (global.get $g))
      (elem (i32.const 0) $own)
      (func (export "sum") (param i32) (result i32)
        (call_indirect (type $pair) (i32.const 0) (local.get 0))
        (i32.add)))
  )");
  linker.defineInstance("caller", caller);
  mustInstantiate(store, linker, R"(
    (module
      (type $pair (func (param i32) (result i32 i32)))
      (import "caller" "tab" (table 2 funcref))
      (memory 1)
      (global $g (mut i32) (i32.const 2000))
      (data (i32.const 0) "\30")
      (func $foreign (type $pair) (i32.load8_u (local.get 0)) (global.get $g))
      (elem (i32.const 1) $foreign))
  )");
  CHECK(callI32(caller, "sum", {Value::i32(0)}) == 101);
  CHECK(callI32(caller, "sum", {Value::i32(1)}) == 2048);
  CHECK(callI32(caller, "sum", {Value::i32(0)}) == 101);
}

TEST_CASE("A trapping segment keeps earlier writes and the failed instance stays callable") {
  Engine engine(config(ANY_MODE), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &exporter = mustInstantiate(store, linker, R"(
    (module
      (memory (export "mem") 1)
      (table (export "tab") 3 funcref)
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))
  )");
  linker.defineInstance("m", exporter);
  auto failed = instantiate(store, linker, R"(
    (module
      (import "m" "mem" (memory 1))
      (import "m" "tab" (table 3 funcref))
      (func $f (result i32) (i32.const 11))
      (elem (i32.const 2) $f)
      (elem (i32.const 3) $f)          ;; out of bounds: traps
      (data (i32.const 0) "\01"))      ;; never applied
  )");
  REQUIRE(!failed);
  CHECK(failed.error().kind() == ErrorKind::Trap);
  CHECK(failed.error().message() == "out of bounds table access");
  CHECK(callI32(exporter, "call", {Value::i32(2)}) == 11);
  CHECK(callI32(exporter, "load", {Value::i32(0)}) == 0);

  auto dataFails = instantiate(store, linker, R"(
    (module (import "m" "mem" (memory 1))
      (data (i32.const 0) "\02") (data (i32.const 65535) "\03\04"))
  )");
  REQUIRE(!dataFails);
  CHECK(dataFails.error().message() == "out of bounds memory access");
  CHECK(callI32(exporter, "load", {Value::i32(0)}) == 2);
}

TEST_CASE("Host functions get arguments and caller and return results or traps") {
  Engine engine(config(MemoryMode::Guarded, 0), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance *seenCaller = nullptr;
  auto add = store.createHostFunction(
      FuncType{{ValType::I32, ValType::I64}, {ValType::I64}},
      [&](Instance *caller, std::span<const Value> params, std::span<Value> results) {
        seenCaller = caller;
        results[0] = Value::i64(params[0].asI32() + params[1].asI64());
        return std::optional<TrapKind>();
      });
  REQUIRE(add);
  auto fail = store.createHostFunction(FuncType{}, [](Instance *, auto, auto) {
    return std::optional<TrapKind>(TrapKind::HostTrap);
  });
  REQUIRE(fail);
  linker.define("host", "add", Extern{ExternKind::Func, *add});
  linker.define("host", "fail", Extern{ExternKind::Func, *fail});
  Instance &instance = mustInstantiate(store, linker, R"(
    (module
      (import "host" "add" (func $add (param i32 i64) (result i64)))
      (import "host" "fail" (func $fail))
      (func (export "sum") (result i64) (call $add (i32.const -2) (i64.const 10)))
      (func $inner (call $fail))
      (func (export "outer") (call $inner)))
  )");
  auto sum = instance.invoke("sum", {});
  REQUIRE(sum);
  CHECK((*sum)[0].asI64() == 8);
  CHECK(seenCaller == &instance);

  Trap trap;
  auto trapped = instance.invoke("outer", {}, &trap);
  REQUIRE(!trapped);
  CHECK(trapped.error().kind() == ErrorKind::Trap);
  CHECK(trap.kind == TrapKind::HostTrap);
  REQUIRE(trap.frames.size() == 2);
  CHECK(trap.frames[0].funcName == "inner");
  CHECK(trap.frames[1].funcIndex == 4);

  // Host functions can be called directly, too.
  auto direct = store.call(*add, std::vector<Value>{Value::i32(1), Value::i64(2)});
  REQUIRE(direct);
  CHECK((*direct)[0].asI64() == 3);
  CHECK(seenCaller == nullptr);
}

TEST_CASE("Traps carry their kind and a named wasm backtrace") {
  Engine engine(config(ANY_MODE, 0), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &instance = mustInstantiate(store, linker, R"(
    (module
      (memory 1)
      (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func $load (param i32) (result i32) (i32.load (local.get 0)))
      (func $main (export "main") (param i32) (result i32)
        (i32.add (call $div (i32.const 1) (local.get 0)) (i32.const 1)))
      (func $viaLoad (export "oob") (param i32) (result i32)
        (i32.add (call $load (local.get 0)) (i32.const 1))))
  )");
  Trap trap;
  auto divided = instance.invoke("main", {Value::i32(0)}, &trap);
  REQUIRE(!divided);
  CHECK(trap.kind == TrapKind::IntegerDivideByZero);
  CHECK(divided.error().message() ==
        "integer divide by zero\n  0: func[0] $div\n  1: func[2] $main");

  // Faults (guarded mode) and explicit checks (bounds-checked mode) alike.
  auto loaded = instance.invoke("oob", {Value::i32(65535)}, &trap);
  REQUIRE(!loaded);
  CHECK(trap.kind == TrapKind::MemoryOutOfBounds);
  REQUIRE(trap.frames.size() == 2);
  CHECK(trap.frames[0].funcName == "load");
  CHECK(trap.frames[1].funcName == "viaLoad");
  CHECK(callI32(instance, "main", {Value::i32(1)}) == 2);
}

TEST_CASE("Re-entrancy host to wasm to host to wasm with inner traps") {
  Engine engine(config(ANY_MODE), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance *instance = nullptr;
  // callback(n): n == 0 traps inside wasm; otherwise wasm's countdown(n - 1) + 1.
  auto callback = store.createHostFunction(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&](Instance *caller, std::span<const Value> params, std::span<Value> results) {
        REQUIRE(caller == instance);
        auto inner = caller->invoke("countdown", {Value::i32(params[0].asI32() - 1)});
        if (!inner)
          return std::optional<TrapKind>(TrapKind::HostTrap);
        results[0] = Value::i32((*inner)[0].asI32() + 1);
        return std::optional<TrapKind>();
      });
  REQUIRE(callback);
  linker.define("host", "callback", Extern{ExternKind::Func, *callback});
  instance = &mustInstantiate(store, linker, R"(
    (module
      (import "host" "callback" (func $cb (param i32) (result i32)))
      (func (export "countdown") (param i32) (result i32)
        (if (result i32) (i32.lt_s (local.get 0) (i32.const 0))
          (then unreachable)
          (else (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 100))
            (else (call $cb (local.get 0))))))))
  )");
  CHECK(callI32(*instance, "countdown", {Value::i32(5)}) == 105);
  // The innermost wasm call traps; the host turns it into its own trap.
  auto result = instance->invoke("countdown", std::vector<Value>{Value::i32(-1)});
  REQUIRE(!result);
  CHECK(result.error().message().find("unreachable") == 0);
}

TEST_CASE("Runaway recursion is call stack exhausted and the store stays usable") {
  Engine engine(config(ANY_MODE), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &instance = mustInstantiate(store, linker, R"(
    (module
      (func $r (export "runaway") (param i32) (result i32)
        (i32.add (call $r (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
      (func (export "ok") (result i32) (i32.const 3)))
  )");
  Trap trap;
  auto result = instance.invoke("runaway", {Value::i32(0)}, &trap);
  REQUIRE(!result);
  CHECK(trap.kind == TrapKind::CallStackExhausted);
  CHECK(result.error().message().find("call stack exhausted") == 0);
  CHECK(trap.frames.size() == 64); // the backtrace is capped
  CHECK(callI32(instance, "ok") == 3);
}

TEST_CASE("Memory modes agree on grow and bounds and bulk operations at the exact end") {
  MemoryMode mode = ANY_MODE;
  Engine engine(config(mode), createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &instance = mustInstantiate(store, linker, R"(
    (module
      (memory 1 3)
      (data $d "abc")
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
      (func (export "init") (param i32 i32) (memory.init $d (local.get 0) (i32.const 0) (local.get 1)))
      (func (export "drop") (data.drop $d)))
  )");
  CHECK(instance.memory(0)->linear().mode() == mode);
  auto expectOob = [&](std::string_view name, std::vector<Value> args) {
    auto result = instance.invoke(name, args);
    REQUIRE(!result);
    CHECK(result.error().message().find("out of bounds memory access") == 0);
  };
  expectOob("load", {Value::i32(65536)});
  REQUIRE(instance.invoke("fill", {Value::i32(65536), Value::i32(0)})); // n = 0 at the end
  expectOob("fill", {Value::i32(65536), Value::i32(1)});
  REQUIRE(instance.invoke("init", {Value::i32(65533), Value::i32(3)}));
  expectOob("init", {Value::i32(65534), Value::i32(3)});
  CHECK(callI32(instance, "load", {Value::i32(65535)}) == 'c');
  CHECK(callI32(instance, "grow", {Value::i32(2)}) == 1);
  CHECK(callI32(instance, "grow", {Value::i32(1)}) == -1);
  CHECK(callI32(instance, "load", {Value::i32(3 * 65536 - 1)}) == 0);
  REQUIRE(instance.invoke("drop", {}));
  REQUIRE(instance.invoke("init", {Value::i32(0), Value::i32(0)}));
  expectOob("init", {Value::i32(0), Value::i32(1)});
}

TEST_CASE("Function types are interned engine-wide") {
  Engine engine({}, createCompilerBackend());
  uint32_t a = engine.internType(FuncType{{ValType::I32}, {}});
  uint32_t b = engine.internType(FuncType{{ValType::I64}, {}});
  CHECK(a != b);
  CHECK(engine.internType(FuncType{{ValType::I32}, {}}) == a);
  CHECK(engine.typeOf(b) == FuncType{{ValType::I64}, {}});
}

// Types whose byte encodings run together once concatenated must stay apart:
// with a '|' (0x7C, f64's byte) between parameters and results, (param f64)
// and (result f64) were one type (found by the differential fuzzer).
TEST_CASE("Function types that differ only in where f64 sits get different ids") {
  Engine engine({}, createCompilerBackend());
  const ValType f64 = ValType::F64;
  std::vector<FuncType> types = {
      FuncType{{f64}, {}},      FuncType{{}, {f64}},          FuncType{{f64, f64}, {}},
      FuncType{{f64}, {f64}},   FuncType{{}, {f64, f64}},     FuncType{{}, {}},
      FuncType{{ValType::I32}, {f64}}, FuncType{{ValType::I32, f64}, {}}};
  std::set<uint32_t> ids;
  for (const FuncType &type : types)
    ids.insert(engine.internType(type));
  CHECK(ids.size() == types.size());

  // Through the runtime: call_indirect of (param f64) at type (result f64)
  // is a signature mismatch, and a host function of (param f64) gets its
  // argument (it once got the adapter of (result f64), and a garbage value).
  Store store(engine);
  Linker linker;
  double seen = 0;
  auto log = store.createHostFunction(FuncType{{f64}, {}},
                                      [&](Instance *, std::span<const Value> params, auto) {
                                        seen = params[0].asF64();
                                        return std::optional<TrapKind>();
                                      });
  REQUIRE(log);
  linker.define("host", "log", Extern{ExternKind::Func, *log});
  Instance &instance = mustInstantiate(store, linker, R"(
    (module
      (type $takes (func (param f64)))
      (type $gives (func (result f64)))
      (import "host" "log" (func $log (type $takes)))
      (table 1 funcref) (elem (i32.const 0) $sink)
      (func $sink (type $takes))
      (func (export "confuse") (result f64) (call_indirect (type $gives) (i32.const 0)))
      (func (export "log") (call $log (f64.const 2.5))))
  )");
  Trap trap;
  auto confused = instance.invoke("confuse", {}, &trap);
  REQUIRE(!confused);
  CHECK(trap.kind == TrapKind::IndirectCallTypeMismatch);
  REQUIRE(instance.invoke("log", {}));
  CHECK(seen == 2.5);
}

TEST_CASE("An engine asks for its compiler when it first compiles, and again after a failure") {
  int asked = 0;
  Engine engine(config(MemoryMode::Guarded),
                [&]() -> Expected<std::shared_ptr<CompilerBackend>> {
                  ++asked;
                  return std::shared_ptr<CompilerBackend>(createCompilerBackend());
                });
  Store store(engine);
  engine.internType(FuncType{{ValType::I32}, {}});
  CHECK(asked == 0);
  Linker linker;
  constexpr std::string_view wat = R"((module (func (export "f") (result i32) (i32.const 7))))";
  CHECK(callI32(mustInstantiate(store, linker, wat), "f") == 7);
  CHECK(callI32(mustInstantiate(store, linker, wat), "f") == 7);
  CHECK(asked == 1);

  int failed = 0;
  Engine without(config(MemoryMode::Guarded), [&]() -> Expected<std::shared_ptr<CompilerBackend>> {
    ++failed;
    return Error(ErrorKind::Io, "compiler not available: for the test");
  });
  auto bytes = text::parseWat(wat);
  REQUIRE(bytes);
  auto module = decodeModule(std::move(*bytes));
  REQUIRE(module);
  REQUIRE(validateModule(*module));
  auto shared = std::make_shared<const Module>(std::move(*module));
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto loaded = without.load(shared);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().kind() == ErrorKind::Io);
    CHECK(loaded.error().message() == "compiler not available: for the test");
    CHECK(failed == attempt);
  }
  Store storeWithout(without);
  auto glue = without.glue(without.internType(FuncType{{}, {}}));
  REQUIRE_FALSE(glue);
  CHECK(glue.error().message() == "compiler not available: for the test");
}

TEST_CASE("Lazily compiled bodies replace their stubs in instance FuncRefs") {
  EngineConfig lazy = config(MemoryMode::Guarded);
  lazy.lazyCompilation = true;
  Engine engine(lazy, createCompilerBackend());
  Store store(engine);
  Linker linker;
  Instance &first = mustInstantiate(store, linker, R"(
    (module
      (type $unary (func (param i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $triple)
      (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func (export "run") (param i32) (result i32)
        (call_indirect (type $unary) (local.get 0) (i32.const 0))))
  )");
  const CompiledModule &compiled = *first.loaded().compiled;
  void *stub = compiled.functionCode(0);
  CHECK(callI32(first, "run", {Value::i32(5)}) == 15);
  REQUIRE(compiled.isCompiled(0));
  // Once the body is linked (by this call or by speculation before it), the
  // FuncRef that tables and the host use jumps straight to it. Read as the
  // runtime reads it (Store.cpp, runCall): a compile thread stores it.
  void *code = std::atomic_ref<void *>(const_cast<void *&>(first.funcRef(0)->code))
                   .load(std::memory_order_acquire);
  CHECK(code != stub);
  CHECK(compiled.functionAt(reinterpret_cast<uintptr_t>(code)) == std::optional<uint32_t>(0));
  CHECK(callI32(first, "run", {Value::i32(7)}) == 21);
}
