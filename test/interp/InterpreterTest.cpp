// The interpreter tier through the runtime (EngineConfig::interpreter):
// control flow, traps with the compiler's messages, fuel and epoch exactly as
// in JIT code, recursion depth, re-entrancy, activations after traps, loop
// numbering and the tier hooks (hotness, OSR frame layout).
#include "interp/Interpreter.h"
#include "interp/Translate.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "runtime/Store.h"

#include "binary/Decoder.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

std::shared_ptr<const Module> decode(std::string_view wat) {
  text::WatOptions options;
  options.emitNames = true;
  auto bytes = text::parseWat(wat, options);
  REQUIRE(bytes);
  auto module = decodeModule(std::move(*bytes));
  REQUIRE(module);
  REQUIRE(validateModule(*module));
  return std::make_shared<const Module>(std::move(*module));
}

Instance &instantiate(Store &store, const Linker &linker, std::string_view wat) {
  auto loaded = store.engine().load(decode(wat));
  if (!loaded)
    FAIL(loaded.error().describe());
  auto imports = linker.resolve(*(*loaded)->module);
  REQUIRE(imports);
  auto instance = store.instantiate(*loaded, *imports);
  if (!instance)
    FAIL(instance.error().describe());
  return **instance;
}

EngineConfig interpConfig(MemoryMode mode = MemoryMode::Guarded) {
  EngineConfig c;
  c.memoryMode = mode;
  c.interpreter = true;
  return c;
}

EngineConfig jitConfig(unsigned optLevel = 2) {
  EngineConfig c;
  c.optLevel = optLevel;
  c.compileThreads = 1;
  c.lazyCompilation = false;
  c.tiering = CompileOptions::Tiering::Optimized;
  return c;
}

std::shared_ptr<CompilerBackend> noCompiler() { return nullptr; }

int32_t callI32(Instance &instance, std::string_view name, std::vector<Value> args = {}) {
  auto results = instance.invoke(name, args);
  if (!results)
    FAIL(results.error().describe());
  REQUIRE(results->size() == 1);
  return (*results)[0].asI32();
}

// The error message of a call (empty if it succeeded).
std::string outcome(Instance &instance, std::string_view name, std::vector<Value> args) {
  auto results = instance.invoke(name, args);
  if (!results)
    return results.error().message();
  std::string text = "ok";
  for (const Value &v : *results)
    text += " " + std::to_string(v.bits);
  return text;
}

std::string firstLine(const std::string &text) { return text.substr(0, text.find('\n')); }

// Defines env.up, (i32) -> (i32), as `function`.
void defineUp(Store &store, Linker &linker, HostFunction function) {
  auto host = store.createHostFunction(FuncType{{ValType::I32}, {ValType::I32}},
                                       std::move(function));
  REQUIRE(host);
  Extern ext;
  ext.kind = ExternKind::Func;
  ext.func = *host;
  linker.define("env", "up", ext);
}

#define ANY_MODE GENERATE(MemoryMode::Guarded, MemoryMode::BoundsChecked)

constexpr std::string_view kControl = R"(
  (module
    (func (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call 0 (i32.sub (local.get 0) (i32.const 1)))
                       (call 0 (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "sum") (param i32) (result i64) (local i64)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get 0)))
          (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $next)))
      (local.get 1))
    (func (export "switch") (param i32) (result i32)
      (block $c (block $b (block $a
        (br_table $a $b $c (local.get 0)))
        (return (i32.const 10)))
        (return (i32.const 20)))
      (i32.const 30))
    ;; Values carried out of a block that leaves extra values below.
    (func (export "carry") (param i32) (result i32 i32)
      (block $out (result i32 i32)
        (i32.const 99)
        (i32.const 1) (i32.const 2)
        (br_if $out (local.get 0))
        (drop) (drop) (drop)
        (i32.const 3) (i32.const 4)))
    (func (export "multi") (result i32)
      (i32.const 5) (i32.const 6)
      (block (param i32 i32) (result i32) (i32.sub))))
)";

} // namespace

TEST_CASE("Interpreted control flow: calls, loops, br_table, multi-value blocks") {
  MemoryMode mode = ANY_MODE;
  Engine engine(interpConfig(mode), noCompiler);
  Store store(engine);
  Linker linker;
  Instance &instance = instantiate(store, linker, kControl);
  CHECK(callI32(instance, "fib", {Value::i32(20)}) == 6765);
  auto sum = instance.invoke("sum", {Value::i32(100000)});
  REQUIRE(sum);
  CHECK((*sum)[0].asI64() == 5000050000);
  CHECK(callI32(instance, "switch", {Value::i32(0)}) == 10);
  CHECK(callI32(instance, "switch", {Value::i32(1)}) == 20);
  CHECK(callI32(instance, "switch", {Value::i32(7)}) == 30);
  CHECK(outcome(instance, "carry", {Value::i32(1)}) == "ok 1 2");
  CHECK(outcome(instance, "carry", {Value::i32(0)}) == "ok 3 4");
  CHECK(callI32(instance, "multi") == -1);
  // No compiler was ever asked for.
  CHECK(!engine.compiler());
}

TEST_CASE("Every trap kind has the compiler's message") {
  constexpr std::string_view wat = R"(
    (module
      (type $v (func))
      (type $i (func (result i32)))
      (memory 1)
      (table 2 funcref)
      (elem (i32.const 0) $f)
      (func $f)
      (func $deep (param i32) (result i32)
        (i32.add (call $deep (local.get 0)) (i32.const 1)))
      (func (export "unreachable") unreachable)
      (func (export "oob") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
      (func (export "oob-store") (param i32) (i64.store (local.get 0) (i64.const 1)))
      (func (export "div0") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
      (func (export "overflow") (param i32) (result i32)
        (i32.div_s (i32.const 0x80000000) (local.get 0)))
      (func (export "rem") (param i32) (result i32)
        (i32.rem_s (i32.const 0x80000000) (local.get 0)))
      (func (export "conv") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
      (func (export "undefined") (param i32) (call_indirect (type $v) (local.get 0)))
      (func (export "mismatch") (result i32) (call_indirect (type $i) (i32.const 0)))
      (func (export "table") (param i32) (result funcref) (table.get 0 (local.get 0)))
      (func (export "fill") (param i32) (memory.fill (local.get 0) (i32.const 0) (i32.const 8)))
      (func (export "deep") (result i32) (call $deep (i32.const 0))))
  )";
  struct Case {
    const char *name;
    std::vector<Value> args;
  };
  std::vector<Case> cases = {
      {"unreachable", {}},
      {"oob", {Value::i32(65532)}},
      {"oob", {Value::i32(65531)}},
      {"oob", {Value::i32(-1)}},
      {"oob-store", {Value::i32(65529)}},
      {"oob-store", {Value::i32(65528)}},
      {"div0", {Value::i32(0)}},
      {"overflow", {Value::i32(-1)}},
      {"rem", {Value::i32(-1)}},
      {"conv", {Value::f64(2147483648.0)}},
      {"conv", {Value::f64(-2147483648.9)}},
      {"conv", {Value::f64(std::nan(""))}},
      {"undefined", {Value::i32(1)}},
      {"undefined", {Value::i32(2)}},
      {"mismatch", {}},
      {"table", {Value::i32(2)}},
      {"fill", {Value::i32(65529)}},
      {"deep", {}},
  };
  MemoryMode mode = ANY_MODE;
  Engine interp(interpConfig(mode), noCompiler);
  EngineConfig jc = jitConfig();
  jc.memoryMode = mode;
  Engine jit(jc, createCompilerBackend());
  Store interpStore(interp), jitStore(jit);
  Linker linker;
  Instance &a = instantiate(interpStore, linker, wat);
  Instance &b = instantiate(jitStore, linker, wat);
  for (const Case &c : cases) {
    CAPTURE(c.name, c.args.empty() ? 0 : c.args[0].bits);
    std::string expected = outcome(b, c.name, c.args);
    CHECK(outcome(a, c.name, c.args) == expected);
  }
  CHECK(interp::innermostActivation() == nullptr);
}

TEST_CASE("Fuel runs out at the same instruction as in JIT code") {
  // A loop that counts its iterations in memory, with calls, branches, an
  // if/else and code the compiler considers unreachable.
  constexpr std::string_view wat = R"(
    (module
      (memory 1)
      (func $bump (param i32) (result i32)
        (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
        (if (result i32) (i32.and (local.get 0) (i32.const 1))
          (then (i32.mul (local.get 0) (i32.const 3)))
          (else (return (i32.const 7)) (unreachable))))
      (func (export "count") (result i32) (i32.load (i32.const 0)))
      (func (export "reset") (i32.store (i32.const 0) (i32.const 0)))
      (func (export "run") (param i32) (result i32) (local i32)
        (block $done
          (loop $l
            (br_if $done (i32.eqz (local.get 0)))
            (local.set 1 (i32.add (local.get 1) (call $bump (local.get 0))))
            (block (br 0) (drop (i32.const 1)) (loop (nop)))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br $l)))
        (local.get 1)))
  )";
  EngineConfig ic = interpConfig();
  ic.consumeFuel = true;
  EngineConfig jc = jitConfig(0);
  jc.consumeFuel = true;
  Engine interp(ic, noCompiler);
  Engine jit(jc, createCompilerBackend());
  Store interpStore(interp), jitStore(jit);
  Linker linker;
  Instance &a = instantiate(interpStore, linker, wat);
  Instance &b = instantiate(jitStore, linker, wat);
  for (int64_t fuel : {0, 1, 5, 17, 40, 41, 42, 43, 100, 333, 1000, 5000}) {
    CAPTURE(fuel);
    for (auto [store, instance] : {std::pair{&interpStore, &a}, std::pair{&jitStore, &b}}) {
      store->setFuel(1 << 20);
      REQUIRE(instance->invoke("reset", {}));
      store->setFuel(fuel);
    }
    std::string expected = outcome(b, "run", {Value::i32(50)});
    CHECK(outcome(a, "run", {Value::i32(50)}) == expected);
    CHECK(interpStore.fuelRemaining() == jitStore.fuelRemaining());
    interpStore.setFuel(1 << 20);
    jitStore.setFuel(1 << 20);
    CHECK(callI32(a, "count") == callI32(b, "count"));
  }
}

TEST_CASE("Epoch interruption stops interpreted loops and entries") {
  EngineConfig c = interpConfig();
  c.epochInterruption = true;
  Engine engine(c, noCompiler);
  Store store(engine);
  Linker linker;
  Instance &instance = instantiate(store, linker, R"(
    (module
      (func (export "spin") (loop (br 0)))
      (func (export "one") (result i32) (i32.const 1)))
  )");
  store.setEpochDeadline(engine.epoch() + 1);
  CHECK(callI32(instance, "one") == 1);
  engine.incrementEpoch();
  CHECK(outcome(instance, "one", {}) == "interrupted\n  0: func[1]");
  CHECK(firstLine(outcome(instance, "spin", {})) == "interrupted");
  store.setEpochDeadline(engine.epoch() + 1);
  CHECK(callI32(instance, "one") == 1);
}

TEST_CASE("Interpreted recursion goes at least as deep as optimized code") {
  constexpr std::string_view wat = R"(
    (module
      (func $r (export "depth") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (call $r (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))))))
  )";
  Engine jit(jitConfig(2), createCompilerBackend());
  Store jitStore(jit);
  Linker linker;
  Instance &b = instantiate(jitStore, linker, wat);
  // The deepest recursion optimized code survives.
  int32_t low = 1, high = 1 << 24;
  while (low + 1 < high) {
    int32_t mid = low + (high - low) / 2;
    (b.invoke("depth", {Value::i32(mid)}) ? low : high) = mid;
  }
  Engine interp(interpConfig(), noCompiler);
  Store interpStore(interp);
  Instance &a = instantiate(interpStore, linker, wat);
  WARN("optimized code recursed " << low << " deep");
  CHECK(callI32(a, "depth", {Value::i32(low)}) == low);
  CHECK(firstLine(outcome(a, "depth", {Value::i32(1 << 30)})) == "call stack exhausted");
  CHECK(callI32(a, "depth", {Value::i32(10)}) == 10);
}

TEST_CASE("Host to wasm to host to wasm, and a trap through nested activations") {
  Engine engine(interpConfig(), noCompiler);
  Store store(engine);
  Linker linker;
  Instance *self = nullptr;
  std::vector<uint32_t> seen; // function indices of the activations a host call sees
  defineUp(store, linker,
      [&](Instance *, std::span<const Value> params, std::span<Value> results)
          -> std::optional<TrapKind> {
        seen.clear();
        for (interp::Activation *a = interp::innermostActivation(); a; a = a->caller)
          seen.push_back(a->funcIndex);
        int32_t n = params[0].asI32();
        auto inner = self->invoke("down", {Value::i32(n - 1)});
        if (!inner)
          return TrapKind::HostTrap;
        results[0] = (*inner)[0];
        return std::nullopt;
      });
  Instance &instance = instantiate(store, linker, R"(
    (module
      (import "env" "up" (func $up (param i32) (result i32)))
      (func (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 1000))
          (else (if (result i32) (i32.eq (local.get 0) (i32.const 100))
                  (then unreachable)
                  (else (i32.add (call $up (local.get 0)) (i32.const 1))))))))
  )");
  self = &instance;
  CHECK(callI32(instance, "down", {Value::i32(5)}) == 1005);
  // The innermost host call (n = 1) sees the five activations of $down it is inside.
  CHECK(seen == std::vector<uint32_t>(5, 1));
  CHECK(interp::innermostActivation() == nullptr);
  // The innermost wasm call traps (unreachable at 100); each host frame
  // turns its callee's trap into a host trap, out to the first call.
  auto trapped = instance.invoke("down", {Value::i32(103)});
  REQUIRE(!trapped);
  CHECK(interp::innermostActivation() == nullptr);
  CHECK(callI32(instance, "down", {Value::i32(3)}) == 1003);
}

TEST_CASE("Loops are numbered like the compiler's, skipping unreachable ones") {
  auto module = decode(R"(
    (module
      (func (param i32)
        (loop)
        (block (br 0) (loop))
        (if (local.get 0) (then (loop (br 1) (loop))) (else (return) (loop)))
        (loop (loop))))
  )");
  interp::TranslateOptions options;
  options.loopHeads = true;
  auto code = interp::translateFunction(*module, 0, options);
  REQUIRE(code);
  // Reachable: the first, the one in `then`, the one after `br 1` inside it
  // is not, the last two are.
  CHECK(code->loops == 4);
}

namespace {

struct HookLog {
  std::vector<std::pair<uint32_t, uint32_t>> requests;
  bool giveOsr = false;
  std::vector<int64_t> frame; // what the OSR entry saw: locals, then the operand stack
};

void fakeOsr(abi::InstanceContext *, abi::ValueSlot *frame, uint32_t) {
  // The function below: (param i32) (local i64 i32); writes a marker result.
  int64_t result;
  std::memcpy(&result, frame[1].bytes, 8);
  result += 1000000;
  std::memcpy(frame[0].bytes, &result, 8);
}

interp::OsrEntryArray requestTierUp(void *state, uint32_t funcIndex, uint32_t loop) {
  auto *log = static_cast<HookLog *>(state);
  log->requests.emplace_back(funcIndex, loop);
  return log->giveOsr && loop != interp::kNoLoop ? &fakeOsr : nullptr;
}

void *noBody(void *, uint32_t) { return nullptr; }

} // namespace

TEST_CASE("Tier hooks: budgets at entries and loop headers, OSR with the frame as buffer") {
  auto module = decode(R"(
    (module
      (func (export "loop") (param i32) (result i64) (local i64 i32)
        (block $done
          (loop $l
            (br_if $done (i32.eqz (local.get 0)))
            (local.set 1 (i64.add (local.get 1) (i64.const 1)))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br $l)))
        (local.get 1)))
  )");
  HookLog log;
  interp::TierHooks hooks;
  hooks.state = &log;
  hooks.requestTierUp = &requestTierUp;
  hooks.compiledBody = &noBody;
  interp::InterpreterOptions options;
  options.hooks = &hooks;
  options.tierUpThreshold = 10;
  options.osrCheckInterval = 5;
  interp::InterpretedModule interpreted(*module, options);
  abi::InstanceContext ctx{};
  ctx.interpreter = &interpreted;
  ctx.stackLimit = 0;

  abi::ValueSlot slots[1]{};
  int32_t n = 20;
  std::memcpy(slots[0].bytes, &n, 4);
  interp::interpret(&ctx, &ctx, 0, slots);
  int64_t result;
  std::memcpy(&result, slots[0].bytes, 8);
  CHECK(result == 20);
  // 1 entry + 21 loop headers = 22 counts: at 10 (loop 0, 9th header), then every 5.
  REQUIRE(log.requests.size() == 3);
  CHECK(log.requests[0] == std::pair<uint32_t, uint32_t>{0, 0});

  log.requests.clear();
  log.giveOsr = true;
  std::memcpy(slots[0].bytes, &n, 4);
  interp::interpret(&ctx, &ctx, 0, slots);
  std::memcpy(&result, slots[0].bytes, 8);
  // Budget left 3 after the first run: the 3rd count (2nd loop header, after
  // one iteration) asks, and the fake entry takes over with local 1 == 1.
  REQUIRE(log.requests.size() == 1);
  CHECK(result == 1000001);
  CHECK(interp::innermostActivation() == nullptr);
}

// Not run by default (hidden tag): translation speed over every function of
// the modules named in $WASMRT_INTERP_TRANSLATE (colon-separated paths), e.g.
//   WASMRT_INTERP_TRANSLATE=lua.wasm:sqlite3.wasm build/test/interp/test_interp '[.translate]'
TEST_CASE("Translation speed", "[.translate]") {
  const char *paths = std::getenv("WASMRT_INTERP_TRANSLATE");
  REQUIRE(paths);
  std::string list = paths;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = std::min(list.find(':', start), list.size());
    std::string path = list.substr(start, end - start);
    start = end + 1;
    std::FILE *file = std::fopen(path.c_str(), "rb");
    REQUIRE(file);
    std::vector<uint8_t> bytes;
    uint8_t buffer[65536];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, file))
      bytes.insert(bytes.end(), buffer, buffer + n);
    std::fclose(file);
    auto module = decodeModule(std::move(bytes));
    REQUIRE(module);
    REQUIRE(validateModule(*module));
    size_t codeBytes = 0, words = 0;
    double best = 1e30;
    for (int round = 0; round < 3; ++round) {
      auto begin = std::chrono::steady_clock::now();
      codeBytes = words = 0;
      for (uint32_t i = 0; i < module->numDefinedFuncs(); ++i) {
        auto code = interp::translateFunction(*module, module->numImportedFuncs + i, {});
        REQUIRE(code);
        codeBytes += code->bytecodeSize;
        words += code->code.size();
      }
      auto elapsed = std::chrono::steady_clock::now() - begin;
      best = std::min(best, std::chrono::duration<double>(elapsed).count());
    }
    WARN(path << ": " << module->numDefinedFuncs() << " functions, " << codeBytes
              << " bytes of code in " << best * 1000 << " ms: " << codeBytes / best / 1e6
              << " MB/s; " << double(words * 4) / double(codeBytes)
              << " bytes of internal code per byte");
  }
}

namespace {

// A stand-in for optimized code of (func (param i32 i32) (result i32)):
// the hooks' "compiled body", called through the fake entry trampoline.
int32_t fakeBody(int32_t a, int32_t b) { return a * 100 + b; }

void fakeTrampoline(void *code, abi::InstanceContext *, abi::ValueSlot *values) {
  int32_t a, b;
  std::memcpy(&a, values[0].bytes, 4);
  std::memcpy(&b, values[1].bytes, 4);
  int32_t result = reinterpret_cast<int32_t (*)(int32_t, int32_t)>(code)(a, b);
  std::memcpy(values[0].bytes, &result, 4);
}

void *bodyOfFunction1(void *, uint32_t funcIndex) {
  return funcIndex == 1 ? reinterpret_cast<void *>(&fakeBody) : nullptr;
}

abi::EntryTrampoline trampolineOf(void *, uint32_t) { return &fakeTrampoline; }

interp::OsrEntryArray neverTierUp(void *, uint32_t, uint32_t) { return nullptr; }

} // namespace

TEST_CASE("Tier hooks: a direct call to a function with a compiled body runs that body") {
  auto module = decode(R"(
    (module
      (func (export "caller") (param i32) (result i32)
        (i32.add (call 1 (local.get 0) (i32.const 7)) (i32.const 1)))
      (func (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1))))
  )");
  interp::TierHooks hooks;
  hooks.requestTierUp = &neverTierUp;
  hooks.compiledBody = &bodyOfFunction1;
  hooks.entryTrampoline = &trampolineOf;
  interp::InterpreterOptions options;
  options.hooks = &hooks;
  interp::InterpretedModule interpreted(*module, options);
  abi::InstanceContext ctx{};
  ctx.interpreter = &interpreted;
  abi::ValueSlot slots[1]{};
  int32_t n = 5;
  std::memcpy(slots[0].bytes, &n, 4);
  interp::interpret(&ctx, &ctx, 0, slots);
  int32_t result;
  std::memcpy(&result, slots[0].bytes, 4);
  CHECK(result == 5 * 100 + 7 + 1); // the "compiled" body, not i32.sub
}

TEST_CASE("Threads racing on first calls share one module's translations") {
  Engine engine(interpConfig(), noCompiler);
  auto loaded = engine.load(decode(kControl));
  REQUIRE(loaded);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      Store store(engine);
      auto instance = store.instantiate(*loaded, {});
      if (!instance) {
        ++wrong;
        return;
      }
      for (int i = 0; i < 20; ++i) {
        auto fib = (*instance)->invoke("fib", {Value::i32(15)});
        if (!fib || (*fib)[0].asI32() != 610)
          ++wrong;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  CHECK(wrong == 0);
}

TEST_CASE("Deep host re-entrancy ends in call stack exhausted, not a crash") {
  Engine engine(interpConfig(), noCompiler);
  Store store(engine);
  Linker linker;
  Instance *self = nullptr;
  std::optional<TrapKind> innermost;
  defineUp(store, linker,
      [&](Instance *, std::span<const Value> params, std::span<Value> results)
          -> std::optional<TrapKind> {
        Trap trap;
        auto inner = self->invoke("down", {Value::i32(params[0].asI32() - 1)}, &trap);
        if (!inner) {
          if (!innermost)
            innermost = trap.kind;
          return trap.kind;
        }
        results[0] = (*inner)[0];
        return std::nullopt;
      });
  Instance &instance = instantiate(store, linker, R"(
    (module
      (import "env" "up" (func $up (param i32) (result i32)))
      (func (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (call $up (local.get 0))))))
  )");
  self = &instance;
  // Shallow enough for sanitizer builds too, whose host frames are several
  // times larger (each re-entry costs C++ frames within the 512 KiB wasm stack).
  CHECK(callI32(instance, "down", {Value::i32(10)}) == 0);
  auto deep = instance.invoke("down", {Value::i32(1 << 30)});
  REQUIRE(!deep);
  REQUIRE(innermost);
  CHECK(*innermost == TrapKind::CallStackExhausted);
  CHECK(interp::innermostActivation() == nullptr);
  CHECK(callI32(instance, "down", {Value::i32(3)}) == 0);
}
