#include "ApiTestUtil.h"
#include "wasmrt/wasmrt.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace wasmrt;

namespace {

using test::compileWat;

const char *kAdd = R"((module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0)
  (func $boom (export "boom") unreachable)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (memory (export "memory") 1 4)
  (table (export "table") 2 10 funcref)
  (global (export "counter") (mut i32) (i32.const 7))
  (global (export "constant") i64 (i64.const 42)))
)";

} // namespace

TEST_CASE("a module lists its imports and exports with types", "[api]") {
  Engine engine;
  Module module = compileWat(engine, R"((module
    (import "env" "log" (func (param i32)))
    (import "env" "mem" (memory 1 2))
    (global (export "g") (mut f32) (f32.const 1))
    (func (export "f") (param i64) (result i32) i32.const 0))
  )");
  auto imports = module.imports();
  REQUIRE(imports.size() == 2);
  CHECK(imports[0].module == "env");
  CHECK(imports[0].name == "log");
  CHECK(imports[0].type.kind == ExternKind::Func);
  CHECK(imports[0].type.func == FuncType{{ValType::I32}, {}});
  CHECK(imports[1].type.kind == ExternKind::Memory);
  CHECK(imports[1].type.memory.limits == Limits{1, 2});
  auto exports = module.exports();
  REQUIRE(exports.size() == 2);
  CHECK(exports[0].name == "g");
  CHECK(exports[0].type.global == GlobalType{ValType::F32, true});
  CHECK(exports[1].type.func.toString() == "(i64) -> (i32)");
}

TEST_CASE("malformed and invalid modules are errors", "[api]") {
  Engine engine;
  const uint8_t garbage[] = {0, 'a', 's', 'x'};
  auto bad = Module::compile(engine, garbage);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == ErrorKind::Malformed);
  auto invalid = Module::fromWat(engine, "(module (func (result i32) i64.const 1))");
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error().kind() == ErrorKind::Invalid);
  auto text = Module::fromWat(engine, "(module (func");
  REQUIRE_FALSE(text);
  CHECK(text.error().kind() == ErrorKind::Malformed);
  const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  CHECK(Module::validate(engine, empty));
}

TEST_CASE("typed and untyped calls", "[api]") {
  Engine engine;
  Module module = compileWat(engine, kAdd);
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);

  auto add = instance->typedFunc<int32_t(int32_t, int32_t)>("add");
  REQUIRE(add);
  auto sum = (*add)(1, 2);
  REQUIRE(sum);
  CHECK(*sum == 3);

  auto swap = instance->typedFunc<std::tuple<double, int64_t>(int64_t, double)>("swap");
  REQUIRE(swap);
  auto swapped = (*swap)(5, 2.5);
  REQUIRE(swapped);
  CHECK(std::get<0>(*swapped) == 2.5);
  CHECK(std::get<1>(*swapped) == 5);

  auto func = instance->getFunc("add");
  REQUIRE(func);
  CHECK(func->type() == FuncType{{ValType::I32, ValType::I32}, {ValType::I32}});
  auto results = func->call({Val(int32_t(40)), Val(int32_t(2))});
  REQUIRE(results);
  REQUIRE(results->size() == 1);
  CHECK((*results)[0].i32() == 42);
}

TEST_CASE("type mismatches are reported at lookup and at call", "[api]") {
  Engine engine;
  Module module = compileWat(engine, kAdd);
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  auto wrong = instance->typedFunc<int64_t(int32_t, int32_t)>("add");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind() == ErrorKind::Usage);
  CHECK(wrong.error().message().find("(i32, i32) -> (i32)") != std::string::npos);
  auto missing = instance->typedFunc<void()>("nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().find("unknown export") != std::string::npos);
  auto notFunc = instance->getFunc("memory");
  REQUIRE_FALSE(notFunc);
  auto func = instance->getFunc("add");
  auto bad = func->call({Val(int64_t(1)), Val(int32_t(2))});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("type mismatch") != std::string::npos);
  auto few = func->call({Val(int32_t(1))});
  REQUIRE_FALSE(few);
}

TEST_CASE("traps carry a kind, a message and a backtrace", "[api]") {
  Engine engine;
  Module module = compileWat(engine, kAdd);
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  auto boom = instance->typedFunc<void()>("boom");
  REQUIRE(boom);
  auto result = (*boom)();
  REQUIRE_FALSE(result);
  CHECK(result.error().kind() == ErrorKind::Trap);
  REQUIRE(store.lastTrap());
  CHECK(store.lastTrap()->kind == TrapKind::Unreachable);
  CHECK(store.lastTrap()->message == "unreachable");
  REQUIRE_FALSE(store.lastTrap()->frames.empty());
  CHECK(store.lastTrap()->frames[0].funcName == "boom");

  auto div = instance->typedFunc<int32_t(int32_t, int32_t)>("div");
  auto zero = (*div)(1, 0);
  REQUIRE_FALSE(zero);
  CHECK(store.lastTrap()->kind == TrapKind::IntegerDivideByZero);
  CHECK(zero.error().message().rfind("integer divide by zero", 0) == 0);
  // The store stays usable after a trap.
  CHECK(*(*div)(9, 3) == 3);
}

TEST_CASE("memories, tables and globals", "[api]") {
  Engine engine;
  Module module = compileWat(engine, kAdd);
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);

  auto memory = instance->getMemory("memory");
  REQUIRE(memory);
  CHECK(memory->pages() == 1);
  CHECK(memory->size() == 65536);
  CHECK(memory->type().limits == Limits{1, 4});
  REQUIRE(memory->store<uint32_t>(100, 0xdeadbeef));
  CHECK(*memory->load<uint32_t>(100) == 0xdeadbeef);
  CHECK(memory->data()[100] == 0xef);
  CHECK_FALSE(memory->store<uint32_t>(65534, 1));
  CHECK_FALSE(memory->view(65536, 1));
  CHECK(memory->view(65536, 0));
  auto grown = memory->grow(2);
  REQUIRE(grown);
  CHECK(*grown == 1);
  CHECK(memory->pages() == 3);
  CHECK_FALSE(memory->grow(2)); // past the declared maximum of 4

  auto table = instance->getTable("table");
  REQUIRE(table);
  CHECK(table->size() == 2);
  CHECK(table->get(0)->isNullRef());
  auto add = instance->getFunc("add");
  REQUIRE(table->set(1, Val(*add)));
  CHECK(table->get(1)->funcref() == *add);
  CHECK(table->get(1)->funcref().type() == add->type());
  CHECK_FALSE(table->get(2));
  CHECK_FALSE(table->set(0, Val(int32_t(1))));
  CHECK(*table->grow(3, Val::nullRef(ValType::FuncRef)) == 2);
  CHECK(table->size() == 5);

  auto counter = instance->getGlobal("counter");
  REQUIRE(counter);
  CHECK(counter->get().i32() == 7);
  REQUIRE(counter->set(Val(int32_t(8))));
  CHECK(counter->get().i32() == 8);
  CHECK_FALSE(counter->set(Val(int64_t(8))));
  auto constant = instance->getGlobal("constant");
  CHECK(constant->get().i64() == 42);
  CHECK_FALSE(constant->set(Val(int64_t(1))));
  CHECK(constant->type() == GlobalType{ValType::I64, false});
}

TEST_CASE("host functions with deduced signatures and caller memory", "[api]") {
  Engine engine;
  Module module = compileWat(engine, R"((module
    (import "env" "add3" (func $add3 (param i32 i64 f64) (result f64)))
    (import "env" "sum" (func $sum (param i32 i32) (result i32)))
    (import "env" "pair" (func $pair (param i32) (result i32 i64)))
    (import "env" "fail" (func $fail (param i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "\01\02\03\04")
    (func (export "callAdd3") (result f64)
      i32.const 1 i64.const 2 f64.const 0.5 call $add3)
    (func (export "callSum") (result i32) i32.const 16 i32.const 4 call $sum)
    (func (export "callPair") (result i32) i32.const 5 call $pair i32.wrap_i64 i32.add)
    (func (export "callFail") (param i32) (result i32) local.get 0 call $fail))
  )");
  Linker linker;
  linker.defineFunc("env", "add3", [](int32_t a, int64_t b, double c) {
    return double(a) + double(b) + c;
  });
  linker.defineFunc("env", "sum",
                    [](Caller &caller, int32_t ptr, int32_t len) -> Expected<int32_t> {
    auto memory = caller.memory();
    if (!memory)
      return Error(ErrorKind::Trap, "no memory");
    auto bytes = memory->view(uint32_t(ptr), uint32_t(len));
    if (!bytes)
      return std::move(bytes).error();
    int32_t total = 0;
    for (uint8_t b : *bytes)
      total += b;
    return total;
  });
  linker.defineFunc("env", "pair",
                    [](int32_t x) { return std::tuple<int32_t, int64_t>(x, x * 2); });
  linker.defineFunc("env", "fail", [](int32_t x) -> Expected<int32_t> {
    if (x < 0)
      return Error(ErrorKind::Trap, "negative input");
    return x + 1;
  });
  Store store(engine);
  auto instance = linker.instantiate(store, module);
  REQUIRE(instance);
  CHECK(*(*instance->typedFunc<double()>("callAdd3"))() == 3.5);
  CHECK(*(*instance->typedFunc<int32_t()>("callSum"))() == 10);
  CHECK(*(*instance->typedFunc<int32_t()>("callPair"))() == 15);
  auto fail = instance->typedFunc<int32_t(int32_t)>("callFail");
  CHECK(*(*fail)(1) == 2);
  auto trapped = (*fail)(-1);
  REQUIRE_FALSE(trapped);
  CHECK(trapped.error().kind() == ErrorKind::Trap);
  REQUIRE(store.lastTrap());
  CHECK(store.lastTrap()->kind == TrapKind::HostTrap);
  CHECK(store.lastTrap()->message == "negative input");
  CHECK(trapped.error().message().rfind("negative input", 0) == 0);
}

TEST_CASE("dynamically typed host functions and direct host calls", "[api]") {
  Engine engine;
  Store store(engine);
  FuncType type{{ValType::I32, ValType::I32}, {ValType::I32, ValType::I32}};
  auto func = Func::create(store, type,
                           [](Caller &caller, std::span<const Val> params, std::span<Val> results)
                               -> Expected<void> {
                             CHECK_FALSE(caller.memory()); // called from the host
                             results[0] = Val(params[0].i32() + params[1].i32());
                             results[1] = Val(params[0].i32() * params[1].i32());
                             return {};
                           });
  REQUIRE(func);
  CHECK(func->type() == type);
  auto results = func->call({Val(int32_t(3)), Val(int32_t(4))});
  REQUIRE(results);
  CHECK((*results)[0].i32() == 7);
  CHECK((*results)[1].i32() == 12);

  auto badResult = Func::create(store, FuncType{{}, {ValType::I64}},
                                [](Caller &, std::span<const Val>, std::span<Val> results)
                                    -> Expected<void> {
                                  results[0] = Val(int32_t(1)); // wrong type
                                  return {};
                                });
  auto bad = badResult->call({});
  REQUIRE_FALSE(bad);
  CHECK(store.lastTrap()->kind == TrapKind::HostTrap);

  auto wrapped = Func::wrap(store, [](float x) { return x * 2; });
  REQUIRE(wrapped);
  CHECK(wrapped->type() == FuncType{{ValType::F32}, {ValType::F32}});
  auto typed = TypedFunc<float(float)>::check(*wrapped);
  REQUIRE(typed);
  CHECK(*(*typed)(1.5f) == 3.0f);
}

TEST_CASE("v128, funcref and externref values cross the API", "[api]") {
  Engine engine;
  Module module = compileWat(engine, R"((module
    (func (export "v") (param v128) (result v128) local.get 0 local.get 0 i8x16.add)
    (func (export "ext") (param externref) (result externref) local.get 0)
    (func $f (result i32) i32.const 9)
    (elem declare func $f)
    (func (export "ref") (result funcref) ref.func $f))
  )");
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  V128 in;
  for (int i = 0; i < 16; ++i)
    in.bytes[i] = uint8_t(i);
  auto out = (*instance->typedFunc<V128(V128)>("v"))(in);
  REQUIRE(out);
  CHECK(out->bytes[15] == 30);
  int payload = 5;
  auto ext = (*instance->typedFunc<ExternRef(ExternRef)>("ext"))(ExternRef{&payload});
  REQUIRE(ext);
  CHECK(ext->ptr == &payload);
  auto ref = (*instance->typedFunc<Func()>("ref"))();
  REQUIRE(ref);
  REQUIRE(*ref);
  auto nine = ref->call({});
  REQUIRE(nine);
  CHECK((*nine)[0].i32() == 9);
}

TEST_CASE("linking memories, globals, tables and whole instances", "[api]") {
  Engine engine;
  Module provider = compileWat(engine, R"((module $provider
    (func (export "twice") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)))");
  Module user = compileWat(engine, R"((module
    (import "provider" "twice" (func $twice (param i32) (result i32)))
    (import "env" "mem" (memory 1))
    (import "env" "base" (global i32))
    (import "env" "tab" (table 1 funcref))
    (func (export "run") (result i32)
      i32.const 0 global.get 0 i32.store
      i32.const 0 i32.load call $twice)
    (func (export "tableSize") (result i32) table.size 0))
  )");
  Store store(engine);
  auto providerInstance = Instance::create(store, provider);
  REQUIRE(providerInstance);
  auto memory = Memory::create(store, MemoryType{{1, 2}});
  REQUIRE(memory);
  auto global = Global::create(store, GlobalType{ValType::I32, false}, Val(int32_t(21)));
  REQUIRE(global);
  auto table = Table::create(store, TableType{ValType::FuncRef, {3, {}}},
                             Val::nullRef(ValType::FuncRef));
  REQUIRE(table);
  Linker linker;
  linker.defineInstance("provider", *providerInstance);
  linker.define("env", "mem", *memory);
  linker.define("env", "base", *global);
  linker.define("env", "tab", *table);
  auto instance = linker.instantiate(store, user);
  REQUIRE(instance);
  CHECK(*(*instance->typedFunc<int32_t()>("run"))() == 42);
  CHECK(*memory->load<int32_t>(0) == 21);
  CHECK(*(*instance->typedFunc<int32_t()>("tableSize"))() == 3);

  Linker empty;
  auto unlinked = empty.instantiate(store, user);
  REQUIRE_FALSE(unlinked);
  CHECK(unlinked.error().kind() == ErrorKind::Unlinkable);
  Store other(engine);
  auto foreign = linker.instantiate(other, user);
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().kind() == ErrorKind::Usage);
  linker.define("env", "base", *memory);
  auto incompatible = linker.instantiate(store, user);
  REQUIRE_FALSE(incompatible);
  CHECK(incompatible.error().kind() == ErrorKind::Unlinkable);
}

TEST_CASE("host -> wasm -> host -> wasm re-entrancy", "[api]") {
  Engine engine;
  Module module = compileWat(engine, R"((module
    (import "env" "down" (func $down (param i32) (result i32)))
    (func (export "count") (param i32) (result i32)
      local.get 0 i32.eqz
      if (result i32) i32.const 0
      else local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add end)
    (func (export "boom") (param i32) (result i32) unreachable))
  )");
  Linker linker;
  int depth = 0;
  linker.defineFunc("env", "down", [&depth](Caller &caller, int32_t n) -> Expected<int32_t> {
    ++depth;
    auto count = caller.getExport("count");
    if (!count || !count->func())
      return Error(ErrorKind::Trap, "no count export");
    if (n == 3) {
      // A trap in a nested call comes back to this host function as an error.
      auto boom = caller.getExport("boom")->func()->call({Val(int32_t(0))});
      if (boom)
        return Error(ErrorKind::Trap, "expected a trap");
    }
    auto result = count->func()->call({Val(n)});
    if (!result)
      return std::move(result).error();
    return (*result)[0].i32();
  });
  Store store(engine);
  auto instance = linker.instantiate(store, module);
  REQUIRE(instance);
  auto result = (*instance->typedFunc<int32_t(int32_t)>("count"))(10);
  REQUIRE(result);
  CHECK(*result == 10);
  CHECK(depth == 10);
}

TEST_CASE("deep recursion traps with call stack exhausted", "[api]") {
  Config config;
  config.wasmStackSize = 256 * 1024;
  Engine engine(config);
  Module module = compileWat(engine, R"((module
    (func $f (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $f)))");
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  auto result = (*instance->typedFunc<int32_t(int32_t)>("f"))(0);
  REQUIRE_FALSE(result);
  CHECK(store.lastTrap()->kind == TrapKind::CallStackExhausted);
}

TEST_CASE("one module, eight threads, a store each", "[api][threads]") {
  Engine engine;
  Module module = compileWat(engine, R"((module
    (global $acc (mut i64) (i64.const 0))
    (func $fib (param i32) (result i64)
      local.get 0 i32.const 2 i32.lt_u
      if (result i64) local.get 0 i64.extend_i32_u
      else local.get 0 i32.const 1 i32.sub call $fib
           local.get 0 i32.const 2 i32.sub call $fib i64.add end)
    (func (export "run") (param i32) (result i64)
      global.get $acc local.get 0 call $fib i64.add global.set $acc global.get $acc))
  )");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&module, &ok, t] {
      Module copy = module; // copies share the compiled code
      Store store(copy.engine());
      auto instance = Instance::create(store, copy);
      if (!instance)
        return;
      auto run = instance->typedFunc<int64_t(int32_t)>("run");
      if (!run)
        return;
      int64_t last = 0;
      for (int i = 0; i < 20; ++i) {
        auto value = (*run)(20 + t % 2);
        if (!value)
          return;
        last = *value;
      }
      if (last == 20 * (t % 2 ? 10946 : 6765))
        ++ok;
    });
  for (auto &thread : threads)
    thread.join();
  CHECK(ok == 8);
}

TEST_CASE("store data, caller access, instance exports and values", "[api]") {
  Config config;
  config.optLevel = 0;
  config.memoryMode = MemoryMode::BoundsChecked;
  Engine engine(config);
  CHECK(engine.config().optLevel == 0);
  Module module = compileWat(engine, R"((module
    (import "env" "note" (func $note (param i32)))
    (memory (export "memory") 1)
    (global (export "g") f64 (f64.const 1.5))
    (func (export "run") i32.const 7 call $note))
  )");
  CHECK(module.engine().impl() == engine.impl());
  int notes = 0;
  Linker linker;
  linker.defineFunc("env", "note", [](Caller &caller, int32_t value) {
    *static_cast<int *>(caller.data()) += value;
    REQUIRE(caller.memory());
    CHECK(caller.memory()->size() == 65536);
    CHECK(caller.getExport("g")->kind() == ExternKind::Global);
    CHECK_FALSE(caller.getExport("missing"));
  });
  Store store(engine);
  store.setData(&notes);
  CHECK(store.data() == &notes);
  auto instance = linker.instantiate(store, module);
  REQUIRE(instance);
  REQUIRE((*instance->typedFunc<void()>("run"))());
  CHECK(notes == 7);
  auto exports = instance->exports();
  REQUIRE(exports.size() == 3);
  CHECK(exports[0].type.kind == ExternKind::Memory);
  CHECK(exports[1].type.global.type == ValType::F64);
  CHECK(exports[2].type.func == FuncType{});
  CHECK(instance->getGlobal("g")->get().f64() == 1.5);

  // Stores move; handles keep pointing at the moved store's objects.
  Store moved(std::move(store));
  CHECK(instance->getGlobal("g")->get().f64() == 1.5);
  CHECK(moved.data() == &notes);

  Val v(int64_t(-1));
  CHECK(v.type() == ValType::I64);
  CHECK(v.i64() == -1);
  CHECK(Val(2.5f).f32() == 2.5f);
  CHECK(Val::nullRef(ValType::ExternRef).isNullRef());
  CHECK_FALSE(Val::nullRef(ValType::FuncRef).funcref());
  CHECK(std::string(valTypeName(ValType::V128)) == "v128");
  CHECK(std::string(trapKindMessage(TrapKind::OutOfFuel)) == "all fuel consumed");
  CHECK(std::string(versionString()).size() >= 5);
}

TEST_CASE("traps during instantiation are reported like call traps", "[api]") {
  Engine engine;
  Store store(engine);
  Module start = compileWat(engine, "(module (func $s unreachable) (start $s))");
  auto trapped = Instance::create(store, start);
  REQUIRE_FALSE(trapped);
  CHECK(trapped.error().kind() == ErrorKind::Trap);
  REQUIRE(store.lastTrap());
  CHECK(store.lastTrap()->kind == TrapKind::Unreachable);

  Module segment = compileWat(engine, R"((module (memory 1) (data (i32.const 65535) "ab")))");
  auto outOfBounds = Instance::create(store, segment);
  REQUIRE_FALSE(outOfBounds);
  CHECK(store.lastTrap()->kind == TrapKind::MemoryOutOfBounds);

  Module host = compileWat(engine, R"((module
    (import "env" "fail" (func $fail)) (start $fail)))");
  Linker linker;
  linker.defineFunc("env", "fail", []() -> Expected<void> {
    return Error(ErrorKind::Trap, "refused at start");
  });
  auto refused = linker.instantiate(store, host);
  REQUIRE_FALSE(refused);
  CHECK(store.lastTrap()->kind == TrapKind::HostTrap);
  CHECK(store.lastTrap()->message == "refused at start");
}

TEST_CASE("lazy and eager compilation give the same results and traps", "[api][compilation]") {
  const char *wat = R"((module
    (type $unary (func (param i32) (result i32)))
    (table 2 funcref)
    (elem (i32.const 0) $fib $half)
    (func $fib (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func $half (param i32) (result i32) (i32.div_u (local.get 0) (i32.const 2)))
    (func (export "dispatch") (param i32 i32) (result i32)
      (call_indirect (type $unary) (local.get 1) (local.get 0)))
    (func (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
  )";
  CompilationMode mode = GENERATE(CompilationMode::Lazy, CompilationMode::Eager);
  Config config;
  config.compilation = mode;
  Engine engine(config);
  CHECK(engine.config().compilation == mode);
  Module module = compileWat(engine, wat);
  Store store(engine);
  auto instance = Instance::create(store, module);
  REQUIRE(instance);
  auto dispatch = instance->typedFunc<int32_t(int32_t, int32_t)>("dispatch");
  REQUIRE(dispatch);
  CHECK(*(*dispatch)(0, 20) == 6765);
  CHECK(*(*dispatch)(1, 20) == 10);
  auto divide = instance->typedFunc<int32_t(int32_t, int32_t)>("divide");
  REQUIRE(divide);
  auto trapped = (*divide)(1, 0);
  REQUIRE_FALSE(trapped);
  REQUIRE(store.lastTrap());
  CHECK(store.lastTrap()->kind == TrapKind::IntegerDivideByZero);
  REQUIRE_FALSE(store.lastTrap()->frames.empty());
  CHECK(store.lastTrap()->frames[0].funcIndex == 3);
}

TEST_CASE("threads racing on the first call of a lazily compiled function", "[api][threads]") {
  Engine engine; // lazy by default
  // $square is reachable only through the table: speculation queues it after
  // the export, so the threads, released together right after instantiation,
  // race with its compilation or start it themselves.
  Module module = compileWat(engine, R"((module
    (type $unary (func (param i32) (result i32)))
    (table 1 funcref)
    (elem (i32.const 0) $square)
    (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func (export "run") (param i32) (result i32)
      (call_indirect (type $unary) (local.get 0) (i32.const 0))))
  )");
  constexpr int kThreads = 8;
  std::atomic<int> ready{0}, correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Store store(engine);
      auto instance = Instance::create(store, module);
      std::optional<TypedFunc<int32_t(int32_t)>> run;
      if (instance)
        if (auto found = instance->typedFunc<int32_t(int32_t)>("run"))
          run.emplace(std::move(*found));
      ready.fetch_add(1);
      while (ready.load() < kThreads)
        std::this_thread::yield();
      if (run) {
        auto value = (*run)(t + 3);
        if (value && *value == (t + 3) * (t + 3))
          correct.fetch_add(1);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  CHECK(correct.load() == kThreads);
}
