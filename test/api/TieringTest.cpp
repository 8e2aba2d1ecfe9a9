// Tiered compilation (Config::tiering): traps, backtraces, fuel, epoch
// interruption and results must be the same whichever code runs a function:
// baseline code, optimized code, or baseline code that moved into an
// optimized on-stack-replacement (OSR) entry in the middle of a loop.
//
// Every test runs the same guest in three engines: Baseline, Optimized, and
// Tiered with tierUpThreshold = osrCheckInterval = 1, so that a tiered
// function asks for its optimized code on its first call and every loop
// iteration checks for an OSR entry. Optimized code is compiled in the
// background, so the hot loops run long enough (~1e6 iterations) for their
// OSR entries to be ready before they finish; later calls enter the
// optimized body through the stub. Each test records what the host can
// observe (results, trap kind/message/frames, globals, memory, fuel) as
// text, one line per step, and requires the three transcripts to be equal.
#include "ApiTestUtil.h"
#include "wasmrt/wasmrt.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace wasmrt;

namespace {

using test::compileWat;

struct TierSetup {
  const char *name;
  Tiering mode;
  FirstTier firstTier = FirstTier::Baseline;
};
// The first is the reference the others are compared with.
constexpr TierSetup kTiers[] = {
    {"baseline", Tiering::Baseline},
    {"optimized", Tiering::Optimized},
    {"tiered (threshold 1, OSR check every iteration)", Tiering::Tiered},
    {"interpreter", Tiering::Interpreter},
    {"tiered, interpreter first (threshold 1, OSR check every iteration)", Tiering::Tiered,
     FirstTier::Interpreter},
};

Config tierConfig(const TierSetup &tier, Config config = {}) {
  config.compilation = CompilationMode::Lazy;
  config.tiering.mode = tier.mode;
  config.tiering.firstTier = tier.firstTier;
  if (tier.mode == Tiering::Tiered) {
    config.tiering.tierUpThreshold = 1;
    config.tiering.osrCheckInterval = 1;
  }
  return config;
}

std::string hex(uint64_t bits) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(bits));
  return buffer;
}

std::string show(const Val &value);
std::string show(const Val &value) {
  switch (value.type()) {
  case ValType::I32: return "i32:" + hex(uint32_t(value.i32()));
  case ValType::I64: return "i64:" + hex(uint64_t(value.i64()));
  case ValType::F32: return "f32:" + hex(uint32_t(value.rawBits()));
  case ValType::F64: return "f64:" + hex(value.rawBits());
  case ValType::V128: {
    std::string text = "v128:";
    for (uint8_t byte : value.v128().bytes)
      text += hex(byte) + ".";
    return text;
  }
  case ValType::ExternRef: return "externref:" + hex(uintptr_t(value.externref().ptr));
  case ValType::FuncRef: {
    // A funcref is shown by what calling it (type [] -> [i32]) returns.
    Func func = value.funcref();
    if (!func)
      return "funcref:null";
    auto results = func.call({});
    return "funcref:" + (results ? show((*results)[0]) : std::string("error"));
  }
  default: return std::string(valTypeName(value.type()));
  }
}

std::string show(const std::vector<TrapFrame> &frames) {
  std::string text = "[";
  for (const TrapFrame &frame : frames)
    text += " " + std::to_string(frame.funcIndex) + ":" + frame.moduleName + "." + frame.funcName;
  return text + " ]";
}

// One instance of a guest module in an engine with one tiering mode.
struct Guest {
  Engine engine;
  std::optional<Module> module;
  Store store;
  std::optional<Instance> instance;

  Guest(const TierSetup &tier, std::string_view wat, Config base = {},
        const Linker &linker = {})
      : engine(tierConfig(tier, base)), store(engine) {
    module = compileWat(engine, wat);
    if (engine.config().consumeFuel)
      REQUIRE(store.setFuel(INT64_MAX));
    auto made = linker.instantiate(store, *module);
    if (!made)
      FAIL(made.error().describe());
    instance = std::move(*made);
  }

  // "ok <results>" or "trap <kind> <message> <frames>"; with frames = false
  // the frames are left out (the caller checks them itself).
  std::string call(const char *name, std::vector<Val> args, bool frames = true) {
    auto func = instance->getFunc(name);
    if (!func)
      FAIL(func.error().describe());
    auto results = func->call(args);
    if (results) {
      std::string text = "ok";
      for (const Val &value : *results)
        text += " " + show(value);
      return text;
    }
    REQUIRE(results.error().kind() == ErrorKind::Trap);
    REQUIRE(store.lastTrap());
    const Trap &trap = *store.lastTrap();
    CHECK(results.error().message() == trap.describe());
    std::string text = "trap " + std::to_string(uint32_t(trap.kind)) + " " + trap.message;
    return frames ? text + " " + show(trap.frames) : text;
  }

  std::string global(const char *name) { return show(instance->getGlobal(name)->get()); }

  std::string memory(const char *name = "memory") {
    auto mem = instance->getMemory(name);
    REQUIRE(mem);
    // A digest of every byte plus the bytes near the end (where the
    // out-of-bounds tests write), readable in a failure message.
    uint64_t hash = 1469598103934665603ull;
    for (uint64_t i = 0; i < mem->size(); ++i)
      hash = (hash ^ mem->data()[i]) * 1099511628211ull;
    std::string text = "memory " + std::to_string(mem->size()) + " bytes fnv " + hex(hash) + " tail";
    for (uint64_t i = mem->size() - 40; i < mem->size(); ++i)
      text += " " + hex(mem->data()[i]);
    return text;
  }
};

using Transcript = std::vector<std::string>;

// Runs `run` once per tier and requires the transcripts to be equal; returns
// the reference (baseline) transcript for the caller's own expectations.
Transcript sameInAllTiers(const std::function<Transcript(const TierSetup &)> &run) {
  std::vector<Transcript> transcripts;
  for (const TierSetup &tier : kTiers) {
    INFO("running in " << tier.name);
    transcripts.push_back(run(tier));
  }
  for (size_t t = 1; t < transcripts.size(); ++t) {
    INFO(kTiers[t].name << " compared with " << kTiers[0].name);
    CHECK(transcripts[t].size() == transcripts[0].size());
    for (size_t i = 0; i < std::min(transcripts[t].size(), transcripts[0].size()); ++i) {
      INFO("step " << i);
      CHECK(transcripts[t][i] == transcripts[0][i]);
    }
  }
  return transcripts[0];
}

bool startsWith(const std::string &text, const std::string &prefix) {
  return text.rfind(prefix, 0) == 0;
}

// ---------------------------------------------------------------------------
// Traps

// Every function loops $n + 1 times (counting $n down to 0), bumps $iters
// and stores its running sum into its own memory slot each iteration, and
// does its trapping operation with harmless operands except in the last
// iteration ($n == 0). The trap therefore happens after ~1e6 iterations of
// a hot loop: in tiered mode, in the loop's OSR entry (first call) or in the
// optimized body (later calls).
std::string trapFunction(const char *name, int slot, const char *expr) {
  std::string text = R"(
  (func $NAME (export "NAME") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (global.set $iters (i32.add (global.get $iters) (i32.const 1)))
      (local.set $acc (i32.add (local.get $acc) EXPR))
      (i32.store offset=SLOT (i32.const 0) (local.get $acc))
      (br_if $l (i32.ge_s (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
                          (i32.const 0))))
    (local.get $acc)))";
  auto replace = [&](const std::string &from, const std::string &to) {
    for (size_t at; (at = text.find(from)) != std::string::npos;)
      text.replace(at, from.size(), to);
  };
  replace("EXPR", expr);
  replace("SLOT", std::to_string(slot * 4));
  replace("NAME", name);
  return text;
}

#define LAST "(i32.eqz (local.get $n))"

struct TrapCase {
  const char *name;
  TrapKind kind;
  const char *expr; // an i32 expression; traps when $n == 0
};

const TrapCase kTrapCases[] = {
    {"unreachable", TrapKind::Unreachable,
     "(if (result i32) " LAST " (then unreachable) (else (local.get $n)))"},
    {"div_s_zero", TrapKind::IntegerDivideByZero,
     "(i32.div_s (i32.const 1000000) (select (i32.const 0) (i32.const 7) " LAST "))"},
    {"rem_u_zero_i64", TrapKind::IntegerDivideByZero,
     "(i32.wrap_i64 (i64.rem_u (i64.const 99) (select (i64.const 0) "
     "(i64.extend_i32_u (local.get $n)) " LAST ")))"},
    {"div_s_overflow", TrapKind::IntegerOverflow,
     "(i32.div_s (select (i32.const 0x80000000) (local.get $n) " LAST ") "
     "(select (i32.const -1) (i32.const 3) " LAST "))"},
    {"trunc_overflow", TrapKind::IntegerOverflow,
     "(i32.trunc_f32_s (select (f32.const 3e9) (f32.convert_i32_s (local.get $n)) " LAST "))"},
    {"trunc_nan", TrapKind::InvalidConversionToInteger,
     "(i32.trunc_f64_u (select (f64.const nan:0x4) (f64.const 1.5) " LAST "))"},
    {"load_straddling", TrapKind::MemoryOutOfBounds,
     "(i32.load (select (i32.const 65533) (i32.const 256) " LAST "))"},
    {"load_far", TrapKind::MemoryOutOfBounds,
     "(i32.load offset=16 (select (i32.const -8) (i32.const 260) " LAST "))"},
    // The last iteration's i64 store straddles the end of memory: it must
    // write nothing; earlier iterations write 65512..65519.
    {"store_straddling", TrapKind::MemoryOutOfBounds,
     "(block (result i32) (i64.store (select (i32.const 65532) (i32.const 65512) " LAST ") "
     "(i64.const -1)) (local.get $n))"},
    {"store_far", TrapKind::MemoryOutOfBounds,
     "(block (result i32) (i32.store8 (select (i32.const 65536) (i32.const 65500) " LAST ") "
     "(local.get $n)) (local.get $n))"},
    // memory.fill checks bounds before writing anything.
    {"fill_straddling", TrapKind::MemoryOutOfBounds,
     "(block (result i32) (memory.fill (select (i32.const 65528) (i32.const 65480) " LAST ") "
     "(i32.const 0xab) (i32.const 16)) (local.get $n))"},
    {"undefined_element", TrapKind::UndefinedElement,
     "(call_indirect $tab (type $i2i) (local.get $n) (select (i32.const 7) (i32.const 0) " LAST "))"},
    {"uninitialized_element", TrapKind::UninitializedElement,
     "(call_indirect $tab (type $i2i) (local.get $n) (select (i32.const 1) (i32.const 0) " LAST "))"},
    {"indirect_type_mismatch", TrapKind::IndirectCallTypeMismatch,
     "(call_indirect $tab (type $i2i) (local.get $n) (select (i32.const 2) (i32.const 0) " LAST "))"},
    {"table_get_oob", TrapKind::TableOutOfBounds,
     "(block (result i32) (drop (table.get $tab (select (i32.const 4) (i32.const 3) " LAST ")))"
     " (local.get $n))"},
    {"table_fill_oob", TrapKind::TableOutOfBounds,
     "(block (result i32) (table.fill $tab (i32.const 3) (ref.null func) "
     "(select (i32.const 2) (i32.const 1) " LAST ")) (local.get $n))"},
};

std::string trapModule() {
  std::string text = R"((module $traps
  (type $i2i (func (param i32) (result i32)))
  (type $l2l (func (param i64) (result i64)))
  (memory (export "memory") 1)
  (global $iters (export "iters") (mut i32) (i32.const 0))
  (table $tab 4 funcref)
  (elem (table $tab) (i32.const 0) func $inc)
  (elem (table $tab) (i32.const 2) func $wide)
  (func $inc (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func $wide (type $l2l) (local.get 0))
  ;; Infinite non-tail recursion.
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  ;; Runs a hot loop first, then recurses forever.
  (func $loop_then_recurse (export "loop_then_recurse") (param $n i32) (result i32)
    (loop $l
      (global.set $iters (i32.add (global.get $iters) (i32.const 1)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (call $recurse (local.get $n)))
)";
  int slot = 0;
  for (const TrapCase &trap : kTrapCases)
    text += trapFunction(trap.name, slot++, trap.expr);
  return text + ")";
}

// Iterations of a function's first call: measured on a loaded 2-core VM,
// tiered code enters the OSR entry after ~1-2e6 iterations (100-200 ms, as
// long as the background compile takes) and then finishes the remaining
// iterations in a fraction of the time pure baseline code would need.
constexpr int32_t kFirst = 10'000'000;
// Later calls, which run the optimized body from their start.
constexpr int32_t kHot = 1'000'000;

} // namespace

TEST_CASE("every trap kind is the same in all tiers, also from hot loops", "[api][tiering]") {
  const std::string wat = trapModule();
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Guest guest(mode, wat);
    Transcript out;
    for (const TrapCase &trap : kTrapCases) {
      INFO(trap.name);
      // First call: OSR in tiered mode; then the optimized body; then short.
      for (int32_t n : {kFirst, kHot, 3}) {
        out.push_back(std::string(trap.name) + "(" + std::to_string(n) + ") " +
                      guest.call(trap.name, {Val(n)}));
        out.push_back("iters " + guest.global("iters"));
        out.push_back(guest.memory());
      }
    }
    for (int i = 0; i < 3; ++i) {
      // The stack runs out thousands of calls deep; backtraces keep the
      // innermost frames (at most 64), all of them $recurse.
      out.push_back("recurse " + guest.call("recurse", {Val(int32_t(0))}, false));
      auto allRecurse = [&] {
        const Trap &trap = *guest.store.lastTrap();
        CHECK(trap.frames.size() > 32);
        for (const TrapFrame &frame : trap.frames)
          if (frame.funcName != "recurse" || frame.funcIndex != 2)
            return false;
        return true;
      };
      CHECK(allRecurse());
      out.push_back("loop_then_recurse " +
                    guest.call("loop_then_recurse", {Val(i == 0 ? kFirst : kHot)}, false));
      CHECK(allRecurse());
      out.push_back("iters " + guest.global("iters"));
    }
    // The store is usable after all those traps.
    out.push_back("div_s_zero(-1) " + guest.call("div_s_zero", {Val(int32_t(-1))}));
    return out;
  });

  // The reference itself is right: each case traps with its kind and message
  // in its own frame.
  size_t step = 0;
  uint32_t index = 4; // after $inc, $wide, $recurse, $loop_then_recurse
  for (const TrapCase &trap : kTrapCases) {
    std::string expected = "trap " + std::to_string(uint32_t(trap.kind)) + " " +
                           trapKindMessage(trap.kind) + " [ " + std::to_string(index++) +
                           ":traps." + trap.name + " ]";
    for (int32_t n : {kFirst, kHot, 3}) {
      CHECK(reference[step] == std::string(trap.name) + "(" + std::to_string(n) + ") " + expected);
      step += 3;
    }
  }
  CHECK(reference[step] == "recurse trap " +
                               std::to_string(uint32_t(TrapKind::CallStackExhausted)) + " " +
                               trapKindMessage(TrapKind::CallStackExhausted));
  // One iteration (n = -1): 1000000 / 7.
  CHECK(reference.back() == "div_s_zero(-1) ok i32:0x22e09");
  // Spot checks of the memory after the out-of-bounds stores: the straddling
  // store and fill wrote nothing, the in-bounds iterations did.
  Guest guest(kTiers[2], wat);
  CHECK(startsWith(guest.call("store_straddling", {Val(int32_t(1000))}), "trap"));
  CHECK(startsWith(guest.call("fill_straddling", {Val(int32_t(1000))}), "trap"));
  auto memory = guest.instance->getMemory("memory");
  for (uint32_t i = 65480; i < 65496; ++i)
    CHECK(memory->data()[i] == 0xab);
  for (uint32_t i = 65512; i < 65520; ++i)
    CHECK(memory->data()[i] == 0xff);
  for (uint32_t i = 65520; i < 65536; ++i)
    CHECK(memory->data()[i] == 0);
}

// ---------------------------------------------------------------------------
// Backtraces

namespace {

const char *kBacktraceWat = R"((module $bt
  (type $i2i (func (param i32) (result i32)))
  (table $tab 1 funcref)
  (elem (table $tab) (i32.const 0) func $hot_leaf_caller)
  (func $outer (export "outer") (param $n i32) (param $which i32) (result i32)
    (i32.add (call $middle (local.get $n) (local.get $which)) (i32.const 1)))
  (func $middle (param $n i32) (param $which i32) (result i32)
    (i32.add (call $inner (local.get $n) (local.get $which)) (i32.const 2)))
  (func $inner (param $n i32) (param $which i32) (result i32)
    (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 (local.get $which)))
      (return (i32.add (call $cold (local.get $n)) (i32.const 3))))
      (return (i32.add (call $hot_loop (local.get $n)) (i32.const 3))))
      (return (i32.add (call_indirect $tab (type $i2i) (local.get $n) (i32.const 0))
                       (i32.const 3))))
    (i32.add (call $nested_loops (local.get $n)) (i32.const 3)))
  ;; Traps at once, three calls deep.
  (func $cold (param $n i32) (result i32)
    (i32.div_u (i32.const 1) (i32.const 0)))
  ;; Traps inside a hot loop after $n iterations (division by the counter).
  (func $hot_loop (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (i32.div_u (i32.const 1000) (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l))
    (unreachable))
  ;; A hot loop with loop parameters calling a leaf that traps at the end.
  (func $hot_leaf_caller (param $n i32) (result i32)
    i64.const 5
    local.get $n
    (loop $l (param i64 i32) (result i64 i32)
      call $leaf
      i32.const 1
      i32.sub
      local.set $n
      local.get $n
      i64.extend_i32_u
      i64.add
      local.get $n
      br $l)
    drop
    i32.wrap_i64)
  (func $leaf (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then unreachable))
    (local.get $n))
  ;; The inner loop is hot and sits inside an outer loop, with values on the
  ;; operand stack below it; the trap comes from the innermost loop.
  (func $nested_loops (param $n i32) (result i32) (local $j i32) (local $k i32)
    (local.set $k (local.get $n))
    (i32.const 17)
    (loop $outer (param i32) (result i32)
      (i64.const 3)
      (local.set $j (i32.const 1000))
      (loop $inner
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (if (i32.eqz (local.get $k)) (then unreachable))
        (br_if $inner (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
      (drop)
      (i32.add (i32.const 1))
      (br $outer))))
)";

// Innermost first, as "<index>:<module>.<name>".
std::string frames(std::initializer_list<std::pair<uint32_t, const char *>> list) {
  std::string text = "[";
  for (auto [index, name] : list)
    text += " " + std::to_string(index) + ":bt." + name;
  return text + " ]";
}

} // namespace

TEST_CASE("backtraces are the same in all tiers, also from OSR code", "[api][tiering]") {
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Guest guest(mode, kBacktraceWat);
    Transcript out;
    for (int32_t n : {kFirst, kHot}) {
      // Round 0 runs each function for the first time (OSR in tiered mode),
      // round 1 runs the optimized bodies.
      out.push_back("cold " + guest.call("outer", {Val(n), Val(int32_t(0))}));
      out.push_back("hot_loop " + guest.call("outer", {Val(n), Val(int32_t(1))}));
      out.push_back("hot_leaf_caller " + guest.call("outer", {Val(n), Val(int32_t(2))}));
      out.push_back("nested_loops " + guest.call("outer", {Val(n), Val(int32_t(3))}));
    }
    return out;
  });
  REQUIRE(reference.size() == 8);
  auto trap = [](TrapKind kind, const std::string &frames) {
    return "trap " + std::to_string(uint32_t(kind)) + " " + trapKindMessage(kind) + " " + frames;
  };
  // $outer=0 $middle=1 $inner=2 $cold=3 $hot_loop=4 $hot_leaf_caller=5
  // $leaf=6 $nested_loops=7; each function appears once.
  for (size_t round = 0; round < 2; ++round) {
    CHECK(reference[round * 4 + 0] ==
          "cold " + trap(TrapKind::IntegerDivideByZero,
                         frames({{3, "cold"}, {2, "inner"}, {1, "middle"}, {0, "outer"}})));
    CHECK(reference[round * 4 + 1] ==
          "hot_loop " + trap(TrapKind::IntegerDivideByZero,
                             frames({{4, "hot_loop"}, {2, "inner"}, {1, "middle"}, {0, "outer"}})));
    CHECK(reference[round * 4 + 2] ==
          "hot_leaf_caller " +
              trap(TrapKind::Unreachable, frames({{6, "leaf"}, {5, "hot_leaf_caller"},
                                                  {2, "inner"}, {1, "middle"}, {0, "outer"}})));
    CHECK(reference[round * 4 + 3] ==
          "nested_loops " +
              trap(TrapKind::Unreachable,
                   frames({{7, "nested_loops"}, {2, "inner"}, {1, "middle"}, {0, "outer"}})));
  }
}

// ---------------------------------------------------------------------------
// Fuel

namespace {

const char *kFuelWat = R"((module
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $sum (export "sum") (mut i64) (i64.const 0))
  (func $step (param $x i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.and (i32.add (local.get $x) (i32.const 3)) (i32.const 0xff)))
  ;; $n outer iterations, each calling $step and running an inner loop of
  ;; ($n mod 7) iterations with a value on the operand stack below it.
  (func (export "work") (param $n i32) (result i64) (local $j i32)
    (loop $outer
      (global.set $sum (i64.add (global.get $sum)
        (i64.extend_i32_u (call $step (local.get $n)))))
      (i32.const 5)
      (local.set $j (i32.rem_u (local.get $n) (i32.const 7)))
      (block $done
        (loop $inner
          (br_if $done (i32.eqz (local.get $j)))
          (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_u (local.get $j))))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br $inner)))
      (drop)
      (br_if $outer (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (global.get $sum))
  ;; Loops forever, counting.
  (func (export "forever")
    (loop $l
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (br $l))))
)";

} // namespace

TEST_CASE("fuel is consumed identically in all tiers", "[api][tiering][fuel]") {
  Config metered;
  metered.consumeFuel = true;
  constexpr uint64_t kBudget = 1'000'000'000;
  // Outer iterations of "work": tiered code reaches the OSR entries well
  // before the end of the first call.
  constexpr int32_t kFuelN = 2'000'000;

  // The fuel one call of work(kFuelN) takes, measured in baseline code.
  uint64_t full = 0;
  {
    Guest guest(kTiers[0], kFuelWat, metered);
    REQUIRE(guest.store.setFuel(kBudget));
    REQUIRE(startsWith(guest.call("work", {Val(kFuelN)}), "ok"));
    full = kBudget - *guest.store.fuelRemaining();
  }
  REQUIRE(full > uint64_t(kFuelN) * 20);

  const uint64_t kBudgets[] = {1000, full / 2, full - 1000, full - 1};
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Transcript out;
    {
      // Enough fuel: the same fuel left after each of several calls.
      Guest guest(mode, kFuelWat, metered);
      REQUIRE(guest.store.setFuel(kBudget));
      for (int i = 0; i < 3; ++i) {
        out.push_back("work " + guest.call("work", {Val(kFuelN)}));
        out.push_back("fuel left " + std::to_string(*guest.store.fuelRemaining()));
        out.push_back("count " + guest.global("count") + " sum " + guest.global("sum"));
      }
    }
    // Running out at various points of the first call (early: in baseline
    // code; late: in the OSR entry) and of a later call (optimized body).
    for (uint64_t budget : kBudgets) {
      Guest guest(mode, kFuelWat, metered);
      REQUIRE(guest.store.setFuel(budget));
      out.push_back("budget " + std::to_string(budget) + " work " + guest.call("work", {Val(kFuelN)}));
      out.push_back("fuel left " + std::to_string(*guest.store.fuelRemaining()));
      out.push_back("count " + guest.global("count") + " sum " + guest.global("sum"));
      REQUIRE(guest.store.setFuel(full + budget));
      out.push_back("again " + guest.call("work", {Val(kFuelN)}));
      out.push_back("count " + guest.global("count") + " sum " + guest.global("sum"));
      out.push_back("fuel left " + std::to_string(*guest.store.fuelRemaining()));
    }
    {
      // An infinite loop stops at the same iteration.
      Guest guest(mode, kFuelWat, metered);
      REQUIRE(guest.store.setFuel(20'000'001));
      out.push_back("forever " + guest.call("forever", {}));
      out.push_back("count " + guest.global("count"));
      REQUIRE(guest.store.setFuel(123'457));
      out.push_back("forever " + guest.call("forever", {}));
      out.push_back("count " + guest.global("count"));
    }
    return out;
  });
  // The reference: full runs leave budget - full each time; exhaustion traps
  // with all fuel consumed and leaves nothing.
  const std::string outOfFuel = "trap " + std::to_string(uint32_t(TrapKind::OutOfFuel)) + " " +
                                trapKindMessage(TrapKind::OutOfFuel);
  REQUIRE(reference.size() == 9 + 4 * 6 + 4);
  for (int i = 0; i < 3; ++i)
    CHECK(reference[size_t(i) * 3 + 1] == "fuel left " + std::to_string(kBudget - (i + 1) * full));
  for (int b = 0; b < 4; ++b) {
    CHECK_THAT(reference[9 + size_t(b) * 6], Catch::Contains(outOfFuel));
    CHECK(reference[9 + size_t(b) * 6 + 1] == "fuel left 0");
    CHECK(reference[9 + size_t(b) * 6 + 5] == "fuel left " + std::to_string(kBudgets[b]));
    // With budget + full, the second call finishes and leaves the budget.
    CHECK_THAT(reference[9 + size_t(b) * 6 + 3], Catch::StartsWith("again ok"));
  }
  CHECK_THAT(reference[33], Catch::Contains(outOfFuel));
}

// ---------------------------------------------------------------------------
// Epoch interruption

namespace {

const char *kEpochWat = R"((module $epoch
  (global $count (export "count") (mut i32) (i32.const 0))
  (func $tick (param $x i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.add (local.get $x) (i32.const 1)))
  (func $spin (export "spin")
    (loop $l
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (br $l)))
  (func $spin_calling (export "spin_calling") (local $x i32)
    (loop $l
      (local.set $x (call $tick (local.get $x)))
      (br $l)))
  (func $spin_with_values (export "spin_with_values") (result i32)
    (i32.const 1) (f64.const 2)
    (loop $l (param i32 f64) (result i32 f64)
      (f64.add (f64.const 1))
      (br $l))
    (drop)))
)";

// Calls `name` with a deadline one tick ahead and a thread that ticks after
// `delay`; returns the transcript line.
std::string interruptAfter(Guest &guest, const char *name, std::chrono::milliseconds delay) {
  guest.store.setEpochDeadline(1);
  std::thread timer([&] {
    std::this_thread::sleep_for(delay);
    guest.engine.incrementEpoch();
  });
  std::string result = guest.call(name, {});
  timer.join();
  return std::string(name) + " " + result;
}

} // namespace

TEST_CASE("epoch interruption is the same in all tiers", "[api][tiering][epoch]") {
  Config interruptible;
  interruptible.epochInterruption = true;
  const std::string interrupted = "trap " + std::to_string(uint32_t(TrapKind::Interrupted)) +
                                  " " + trapKindMessage(TrapKind::Interrupted);
  // $tick=0 $spin=1 $spin_calling=2 $spin_with_values=3
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Guest guest(mode, kEpochWat, interruptible);
    Transcript out;
    // Long enough for the OSR entries to be compiled and entered.
    const auto delay = std::chrono::milliseconds(500);
    out.push_back(interruptAfter(guest, "spin", delay));
    out.push_back(interruptAfter(guest, "spin_with_values", delay));
    // Interrupted in $tick's entry or in the loop: the innermost frame
    // differs by timing, so only the outermost is recorded.
    std::string calling = interruptAfter(guest, "spin_calling", delay);
    const Trap &trap = *guest.store.lastTrap();
    REQUIRE_FALSE(trap.frames.empty());
    CHECK(trap.frames.size() <= 2);
    CHECK(trap.frames.back().funcName == "spin_calling");
    if (trap.frames.size() == 2)
      CHECK(trap.frames[0].funcName == "tick");
    out.push_back(calling.substr(0, calling.find(" [")) + " outermost " +
                  trap.frames.back().funcName);
    // The deadline has passed: every call stops at once.
    out.push_back("passed spin " + guest.call("spin", {}));
    out.push_back("passed spin_calling " + guest.call("spin_calling", {}));
    out.push_back("passed spin_with_values " + guest.call("spin_with_values", {}));
    // A second round: the functions are hot and have optimized bodies now.
    out.push_back(interruptAfter(guest, "spin", std::chrono::milliseconds(50)));
    out.push_back(interruptAfter(guest, "spin_with_values", std::chrono::milliseconds(50)));
    return out;
  });
  REQUIRE(reference.size() == 8);
  CHECK(reference[0] == "spin " + interrupted + " [ 1:epoch.spin ]");
  CHECK(reference[1] == "spin_with_values " + interrupted + " [ 3:epoch.spin_with_values ]");
  CHECK(reference[2] == "spin_calling " + interrupted + " outermost spin_calling");
  CHECK(reference[3] == "passed spin " + interrupted + " [ 1:epoch.spin ]");
  CHECK(reference[4] == "passed spin_calling " + interrupted + " [ 2:epoch.spin_calling ]");
  CHECK(reference[6] == "spin " + interrupted + " [ 1:epoch.spin ]");
}

// ---------------------------------------------------------------------------
// Results

namespace {

const char *kResultsWat = R"((module
  (memory (export "memory") 1)
  ;; Fibonacci pairs (mod 2^64) carried as two loop parameters.
  (func (export "fib_pair") (param $n i32) (result i64 i64) (local $a i64) (local $b i64)
    (i64.const 0) (i64.const 1)
    (loop $l (param i64 i64) (result i64 i64)
      (local.set $b) (local.set $a)
      (local.get $b) (i64.add (local.get $a) (local.get $b))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; Nested loops with values below them on the operand stack: one below
  ;; both loops (depends on $m), one pushed inside the outer loop below the
  ;; inner loop, and loop parameters on both.
  (func (export "nested") (param $n i32) (param $m i32) (result i64 i32 f64 i64)
    (local $j i32) (local $acc i64) (local $y f64)
    (i64.mul (i64.extend_i32_u (local.get $m)) (i64.const 1000))
    (i32.const 5) (f64.const 0.25)
    (loop $outer (param i32 f64) (result i32 f64)
      (local.set $j (local.get $m))
      (i64.extend_i32_u (local.get $n))
      (i64.const 0)
      (loop $inner (param i64) (result i64)
        (i64.add (i64.extend_i32_u (i32.mul (local.get $j) (local.get $n))))
        (local.set $acc (i64.add (local.get $acc) (i64.const 1)))
        (br_if $inner (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
      (i64.add)
      (local.set $acc (i64.add (local.get $acc)))
      (local.set $y)
      (i32.add (i32.mul (i32.const 3)) (i32.const 1))
      (f64.add (f64.mul (local.get $y) (f64.const 1.0000001)) (f64.const 0.5))
      (br_if $outer (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  ;; v128 values: one below the loop, one carried as its parameter, one local.
  (func (export "vectors") (param $n i32) (result v128 v128 v128)
    (local $v v128)
    (local.set $v (v128.const i32x4 1 2 3 4))
    (v128.const i8x16 9 8 7 6 5 4 3 2 1 0 0xff 0xfe 0xfd 0xfc 0x80 0x7f)
    (v128.const i64x2 0 0)
    (loop $l (param v128) (result v128)
      (i32x4.add (i32x4.mul (v128.const i32x4 3 5 7 0x10001)) (local.get $v))
      (local.set $v (i16x8.add_sat_s (local.get $v) (v128.const i16x8 1 -1 2 -2 3 -3 4 -4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $v))
  ;; NaN payloads through loop parameters, locals, memory and bit
  ;; operations (neg, abs, copysign: exact), then one arithmetic result each.
  (func (export "nans") (param $n i32) (param $x f32) (param $y f64)
    (result i32 i64 i32 i64 f32 f64)
    (local $z f64)
    (local.get $x) (local.get $y)
    (loop $l (param f32 f64) (result f32 f64)
      (local.set $z (f64.neg))
      (f32.neg)
      (f64.store (i32.const 8) (f64.copysign (local.get $z) (f64.const -1)))
      (f64.abs (f64.load (i32.const 8)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.set $z)
    (i32.reinterpret_f32)
    (i64.reinterpret_f64 (local.get $z))
    (i32.reinterpret_f32 (f32.add (local.get $x) (f32.const 1)))
    (i64.reinterpret_f64 (f64.mul (local.get $y) (f64.const 2)))
    (local.get $x) (local.get $y))
  ;; A hot inner loop (leaving through br_table or a multi-value return
  ;; from inside an if) in an outer loop with parameters, inside an if with
  ;; a parameter; values of every frame stay on the operand stack.
  (global $g64 (export "g64") (mut i64) (i64.const 0))
  (global $g32 (export "g32") (mut i32) (i32.const 0))
  (func (export "maze") (param $n i32) (result i32 i64)
    (local $i i32) (local $k i32) (local $f f32) (local $t64 i64)
    (i32.const 7)
    (if (param i32) (result i32 i64) (i32.ge_s (local.get $n) (i32.const 0))
      (then
        (i64.const 100)
        (loop $outer (param i32 i64) (result i32 i64)
          (local.set $k (i32.const 0))
          (f32.const 1.5)
          (block $brk (param f32) (result f32)
            (loop $inner (param f32) (result f32)
              (f32.add (f32.const 0.25))
              (local.set $f)
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (if (i32.eq (local.get $i) (local.get $n))
                (then (return (i32.add (local.get $k) (i32.trunc_f32_s (local.get $f)))
                              (i64.extend_i32_s (local.get $i)))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (local.get $f)
              (br_table $inner $brk (i32.ge_u (local.get $k) (i32.const 777)))))
          (local.set $f)
          (i64.add (i64.extend_i32_u (i32.trunc_f32_u (local.get $f))))
          (local.set $t64)
          (global.set $g32 (i32.add (i32.const 3)))
          (global.get $g32)
          (global.set $g64 (local.get $t64))
          (local.get $t64)
          (br $outer)))
      (else (i64.const -1))))
  ;; A sum of a float series with a NaN slipped in at iteration $k.
  (func (export "nan_sum") (param $n i32) (param $k i32) (param $nan f64) (result f64)
    (f64.const 0)
    (loop $l (param f64) (result f64)
      (f64.add (select (local.get $nan) (f64.convert_i32_s (local.get $n))
                       (i32.eq (local.get $n) (local.get $k))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
)";

float f32Bits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}
double f64Bits(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, 8);
  return value;
}

} // namespace

TEST_CASE("loops carrying values compute the same results in all tiers", "[api][tiering]") {
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Guest guest(mode, kResultsWat);
    Transcript out;
    for (int round = 0; round < 2; ++round) {
      out.push_back("fib_pair " + guest.call("fib_pair", {Val(kFirst)}));
      out.push_back("nested " + guest.call("nested", {Val(int32_t(10000)), Val(int32_t(1000))}));
      out.push_back("vectors " + guest.call("vectors", {Val(kFirst)}));
      out.push_back("nans " + guest.call("nans", {Val(int32_t(kFirst + 1)), Val(f32Bits(0x7fa00001)),
                                                  Val(f64Bits(0xfff4000000000123ull))}));
      out.push_back("nan_sum " + guest.call("nan_sum", {Val(kFirst), Val(int32_t(7)),
                                                        Val(f64Bits(0x7ff8000000abcdefull))}));
      std::string maze = "maze " + guest.call("maze", {Val(kFirst)});
      out.push_back(maze + " g32 " + guest.global("g32") + " g64 " + guest.global("g64"));
    }
    out.push_back(guest.memory());
    return out;
  });
  REQUIRE(reference.size() == 13);
  // fib_pair: computed here too.
  uint64_t a = 0, b = 1;
  for (int32_t i = 0; i < kFirst; ++i) {
    uint64_t next = a + b;
    a = b;
    b = next;
  }
  CHECK(reference[0] == "fib_pair ok i64:" + hex(a) + " i64:" + hex(b));
  // nans: an odd number of negations flips the f32 sign and keeps the
  // signalling payload; the f64 path ends positive (abs) with its payload.
  CHECK_THAT(reference[3], Catch::StartsWith("nans ok i32:0xffa00001 i64:0x7ff4000000000123 "));
  for (size_t i = 0; i < 5; ++i)
    CHECK(reference[i] == reference[i + 6]);
  // maze: 10^7 inner iterations are 12870 outer ones of 777 and 10 more:
  // k = 9, f = 1.5 + 10 * 0.25; g32 = 7 + 3 * 12870; g64 = 100 + 195 * 12870.
  CHECK(reference[5] == "maze ok i32:0xd i64:0x989680 g32 i32:0x96d9 g64 i64:0x264bb6");
}

// ---------------------------------------------------------------------------
// Memory growth, reference values, host calls and instances in hot loops

namespace {

const char *kGrowWat = R"((module
  (memory (export "memory") 1 64)
  ;; Grows the memory by a page every 2^17 iterations (up to the maximum,
  ;; then memory.grow fails) and accesses the newest page every iteration:
  ;; code using a stale memory size or base would trap or write elsewhere.
  (func (export "grow_fill") (param $n i32) (result i32 i32) (local $i i32) (local $sum i32)
    (local $failed i32)
    (loop $l
      (if (i32.eqz (i32.and (local.get $i) (i32.const 0x1ffff)))
        (then (local.set $failed (i32.add (local.get $failed)
          (i32.eq (memory.grow (i32.const 1)) (i32.const -1))))))
      (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (local.get $i))
      (i32.store8 (i32.rem_u (i32.mul (local.get $i) (i32.const 0x9e3779b1))
                             (i32.mul (memory.size) (i32.const 65536)))
                  (local.get $i))
      (local.set $sum (i32.add (local.get $sum)
        (i32.load (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum) (local.get $failed))
  ;; After growing, reads the last word of the memory's size at entry + 4:
  ;; in bounds only if the growth is seen.
  (func (export "grow_then_read") (param $n i32) (result i32) (local $end i32) (local $sum i32)
    (local.set $end (i32.mul (memory.size) (i32.const 65536)))
    (drop (memory.grow (i32.const 1)))
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $end))))
      (i32.store (local.get $end) (local.get $n))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum)))
)";

const char *kRefsWat = R"((module
  (type $v2i (func (result i32)))
  (table $t 2 funcref)
  (elem declare func $f $g)
  (func $f (type $v2i) (i32.const 1))
  (func $g (type $v2i) (i32.const 2))
  ;; An externref below the loop, a funcref loop parameter, a funcref local.
  (func (export "refs") (param $n i32) (param $e externref) (result externref funcref i32)
    (local $r funcref) (local $acc i32) (local $tmp funcref)
    (local.set $r (ref.func $f))
    (local.get $e)
    (ref.func $g)
    (loop $l (param funcref) (result funcref)
      (local.set $tmp)
      (table.set $t (i32.const 0) (local.get $tmp))
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3))
                               (call_indirect $t (type $v2i) (i32.const 0))))
      (local.get $r)
      (local.set $r (table.get $t (i32.const 0)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc)))
)";

const char *kHostWat = R"((module $host
  (import "env" "check" (func $check (param i32) (result i32)))
  (import "env" "seed" (func $seed (result i32)))
  (global $total (export "total") (mut i64) (i64.const 0))
  (func $outer (export "outer") (param $n i32) (result i32)
    (i32.add (call $hot (local.get $n)) (i32.const 1)))
  ;; Calls the host every 4096 iterations and at the end; the host calls
  ;; back into $boom when asked with 0.
  (func $hot (param $n i32) (result i32) (local $acc i32)
    (local.set $acc (call $seed))
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $n)))
      (global.set $total (i64.add (global.get $total) (i64.extend_i32_u (local.get $acc))))
      (if (i32.eqz (i32.and (local.get $n) (i32.const 4095)))
        (then (local.set $acc (i32.xor (local.get $acc) (call $check (local.get $n))))))
      (br_if $l (i32.ge_s (local.tee $n (i32.sub (local.get $n) (i32.const 1))) (i32.const 0))))
    (local.get $acc))
  (func $boom (export "boom") (param i32) (result i32)
    (call $deeper (local.get 0)))
  (func $deeper (param i32) (result i32)
    (i32.rem_s (i32.const 1) (local.get 0))))
)";

} // namespace

TEST_CASE("memory growth inside hot loops is seen in all tiers", "[api][tiering]") {
  for (MemoryMode memoryMode : {MemoryMode::Default, MemoryMode::BoundsChecked}) {
    INFO("memory mode " << int(memoryMode));
    Config config;
    config.memoryMode = memoryMode;
    Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
      Transcript out;
      Guest guest(mode, kGrowWat, config);
      out.push_back("grow_fill " + guest.call("grow_fill", {Val(kFirst)}));
      out.push_back(guest.memory());
      out.push_back("grow_then_read " + guest.call("grow_then_read", {Val(kFirst)}));
      Guest fresh(mode, kGrowWat, config);
      out.push_back("fresh grow_then_read " + fresh.call("grow_then_read", {Val(kFirst)}));
      out.push_back("fresh grow_then_read " + fresh.call("grow_then_read", {Val(kHot)}));
      out.push_back(fresh.memory());
      return out;
    });
    REQUIRE(reference.size() == 6);
    // 10^7 iterations ask for 77 pages; 63 fit below the maximum of 64.
    CHECK_THAT(reference[0], Catch::EndsWith(" i32:0xe"));
    CHECK_THAT(reference[1], Catch::StartsWith("memory 4194304 bytes"));
    CHECK_THAT(reference[2], Catch::StartsWith("grow_then_read trap 2 "));
    CHECK(reference[3] == "fresh grow_then_read ok i32:" +
                              hex(uint32_t(uint64_t(kFirst) * (kFirst + 1) / 2 - 1)));
  }
}

TEST_CASE("reference values across hot loops are the same in all tiers", "[api][tiering]") {
  static int payload = 42;
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Guest guest(mode, kRefsWat);
    Transcript out;
    for (int32_t n : {kFirst, kFirst + 1, 5})
      out.push_back("refs " + guest.call("refs", {Val(n), Val(ExternRef{&payload})}));
    return out;
  });
  REQUIRE(reference.size() == 3);
  // The calls alternate $g $f $g ...; after five the parameter is $f again.
  CHECK_THAT(reference[2], Catch::StartsWith("refs ok externref:" +
                                             hex(uintptr_t(&payload)) + " funcref:i32:0x1 "));
  CHECK_THAT(reference[2], Catch::EndsWith(" i32:" + hex(((((2 * 3 + 1) * 3 + 2) * 3 + 1) * 3 + 2))));
}

TEST_CASE("host calls and re-entrant traps from hot loops are the same in all tiers",
          "[api][tiering]") {
  // $check(n): n, but for n == 0 it calls boom(0) (a trap two frames deep,
  // reported back to the host) and fails with that trap's description.
  Linker linker;
  linker.defineFunc("env", "seed", [](Caller &caller) -> int32_t {
    return *static_cast<int32_t *>(caller.data());
  });
  linker.defineFunc("env", "check", [](Caller &caller, int32_t n) -> Expected<int32_t> {
    if (n != 0)
      return n * 7;
    auto boom = caller.getExport("boom");
    if (!boom || !boom->func())
      return Error(ErrorKind::Trap, "no boom export");
    auto result = boom->func()->call({Val(int32_t(0))});
    if (result)
      return Error(ErrorKind::Trap, "boom did not trap");
    return Error(ErrorKind::Trap, "nested: " + result.error().message());
  });
  Transcript reference = sameInAllTiers([&](const TierSetup &mode) {
    Transcript out;
    Guest guest(mode, kHostWat, {}, linker);
    int32_t seed = 5;
    guest.store.setData(&seed);
    out.push_back("outer " + guest.call("outer", {Val(kFirst)}));
    out.push_back("total " + guest.global("total"));
    out.push_back("outer " + guest.call("outer", {Val(kHot)}));
    out.push_back("total " + guest.global("total"));
    // Another instance of the same module (sharing its code and hotness) in
    // another store, with another seed, then both on two threads at once.
    Store other(guest.engine);
    int32_t otherSeed = 11;
    other.setData(&otherSeed);
    auto second = linker.instantiate(other, *guest.module);
    REQUIRE(second);
    auto outer = second->typedFunc<int32_t(int32_t)>("outer");
    REQUIRE(outer);
    auto first = (*outer)(kHot);
    REQUIRE_FALSE(first);
    out.push_back("second " + first.error().message());
    Expected<int32_t> a = 0, b = 0;
    auto ownOuter = guest.instance->typedFunc<int32_t(int32_t)>("outer");
    std::thread thread([&] { b = (*outer)(kFirst); });
    a = (*ownOuter)(kFirst);
    thread.join();
    out.push_back("concurrent " + (a ? std::to_string(*a) : a.error().message()) + " / " +
                  (b ? std::to_string(*b) : b.error().message()));
    out.push_back("totals " + guest.global("total") + " " +
                  show(second->getGlobal("total")->get()));
    return out;
  });
  REQUIRE(reference.size() == 7);
  // The nested trap's frames ($deeper, $boom) appear in the host's message;
  // the outer trap is the host's, in $hot (once) called from $outer.
  const std::string expected =
      "trap " + std::to_string(uint32_t(TrapKind::HostTrap)) +
      " nested: integer divide by zero\n  0: $host.func[5] $deeper\n  1: $host.func[4] $boom"
      " [ 3:host.hot 2:host.outer ]";
  CHECK(reference[0] == "outer " + expected);
  CHECK(reference[2] == "outer " + expected);
}
