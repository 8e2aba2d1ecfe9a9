// Instances that exhaust the address space or the process's mappings (issue 15,
// "Faults and exhaustion"). A guarded memory reserves 8 GiB + 64 KiB, so about
// 16K of them fill the 47-bit user address space, or 7 a 64 GiB RLIMIT_AS. The
// instantiation that does not fit must fail with a clear Unlinkable error, the
// earlier instances must keep working (loads, stores, growth, traps), and
// dropping some must make room for new ones. Each case runs in a forked child:
// what it exhausts dies with it.
#include "ApiTestUtil.h"
#include "FaultTestUtil.h"
#include "MappingFiller.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace wasmrt;
using namespace wasmrt::test;

namespace {

constexpr const char *kMemoryGuest = R"((module
  (memory (export "memory") 1)
  (func (export "set") (param i32) (i32.store (i32.const 0) (local.get 0)))
  (func (export "get") (result i32) (i32.load (i32.const 0)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
)";

// Instances of one module, each in its own store (a store frees its instances).
class Fleet {
public:
  Fleet(const Engine &engine, const Module &module) : engine_(engine), module_(module) {}

  // Adds an instance and stores `tag` in its memory; the error if it cannot.
  std::optional<Error> add(int32_t tag) {
    Store store(engine_);
    auto instance = Instance::create(store, module_);
    if (!instance)
      return std::move(instance).error();
    if (auto set = call(*instance, "set", {Val(tag)}); !set)
      return std::move(set).error();
    members_.push_back({std::move(store), *instance, tag});
    return std::nullopt;
  }

  // Adds instances until one fails (its error) or `limit` exist (nullopt).
  std::optional<Error> fill(size_t limit, std::chrono::seconds budget) {
    auto deadline = std::chrono::steady_clock::now() + budget;
    while (members_.size() < limit && std::chrono::steady_clock::now() < deadline)
      if (auto refused = add(int32_t(members_.size()) + 1000))
        return refused;
    return std::nullopt;
  }

  // Every `stride`-th instance (and the last): its tag reads back, a load past
  // its memory traps, and it grows by a page. "" or what went wrong.
  std::string check(size_t stride = 1) {
    for (size_t i = 0; i < members_.size(); i += stride)
      if (auto bad = checkOne(i); !bad.empty())
        return bad;
    return members_.empty() ? "" : checkOne(members_.size() - 1);
  }

  void dropFront(size_t count) { members_.erase(members_.begin(), members_.begin() + count); }
  void clear() { members_.clear(); }
  size_t size() const { return members_.size(); }

private:
  std::string checkOne(size_t i) {
    Member &m = members_[i];
    auto got = call(m.instance, "get", {});
    if (!got || *got != m.tag)
      return "instance " + std::to_string(i) + " lost its memory";
    auto trapped = call(m.instance, "peek", {Val(int32_t(65536 * (m.grown + 1)))});
    if (trapped || !m.store.lastTrap() || m.store.lastTrap()->kind != TrapKind::MemoryOutOfBounds)
      return "instance " + std::to_string(i) + ": no out-of-bounds trap";
    auto grown = call(m.instance, "grow", {Val(1)});
    if (!grown || *grown != m.grown + 1)
      return "instance " + std::to_string(i) + ": memory.grow gave " +
             (grown ? std::to_string(*grown) : grown.error().describe());
    ++m.grown;
    return "";
  }

  struct Member {
    Store store;
    Instance instance;
    int32_t tag;
    int32_t grown = 0;
  };

  static Expected<int32_t> call(const Instance &instance, const char *name,
                                std::initializer_list<Val> args) {
    return callI32(instance, name, args);
  }

  Engine engine_;
  const Module &module_;
  std::vector<Member> members_;
};

int32_t valueOr(const Expected<int32_t> &result, int32_t fallback) {
  return result ? *result : fallback;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

// The refusal must be an Unlinkable error that says what was refused and why.
std::string checkRefusal(const std::optional<Error> &refusal, const std::string &cause) {
  if (!refusal)
    return "every instantiation succeeded";
  std::string message = refusal->message();
  if (refusal->kind() != ErrorKind::Unlinkable ||
      !contains(message, "bytes of address space for a linear memory: Cannot allocate memory") ||
      !contains(message, cause))
    return "unexpected refusal: " + refusal->describe();
  return "";
}

Config withMode(MemoryMode mode) {
  Config config;
  config.memoryMode = mode;
  return config;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true; // shadow memory takes most of the address space
#else
constexpr bool kSanitized = false;
#endif

} // namespace

TEST_CASE("Guarded instances up to a 64 GiB RLIMIT_AS: a clear error for the one that does not "
          "fit, the others keep working, dropping some makes room",
          "[faults][address-space]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  if (kSanitized) {
    SUCCEED("skipped under a sanitizer: its shadow memory exceeds the limit");
    return;
  }
  ChildOutcome outcome = runInChild([]() -> std::string {
    struct rlimit limit = {64ull << 30, 64ull << 30};
    if (setrlimit(RLIMIT_AS, &limit) != 0)
      return "setrlimit failed";
    Engine engine(withMode(MemoryMode::Guarded));
    auto module = Module::fromWat(engine, kMemoryGuest);
    if (!module)
      return module.error().describe();
    Fleet fleet(engine, *module);
    auto refusal = fleet.fill(100, std::chrono::seconds(60));
    std::string bad = checkRefusal(refusal, "the address-space limit (ulimit -v) is 68719476736");
    if (!bad.empty())
      return bad;
    if (fleet.size() < 1 || fleet.size() > 7)
      return std::to_string(fleet.size()) + " guarded memories fit in 64 GiB";
    if (!(bad = fleet.check()).empty())
      return bad;
    size_t full = fleet.size();
    fleet.dropFront(std::min<size_t>(2, full));
    if (fleet.fill(full, std::chrono::seconds(60)))
      return "no room after dropping instances";
    if (!fleet.add(1))
      return "one more instance than before fitted";
    if (!(bad = fleet.check()).empty())
      return bad;
    fleet.clear();
    // Bounds-checked memories reserve what they can reach (here 16 MiB + 64 KiB):
    // a thousand fit where a handful of guarded ones did.
    Engine checkedEngine(withMode(MemoryMode::BoundsChecked));
    auto checkedModule = Module::fromWat(checkedEngine, kMemoryGuest);
    if (!checkedModule)
      return checkedModule.error().describe();
    Fleet checked(checkedEngine, *checkedModule);
    if (auto refused = checked.fill(1000, std::chrono::seconds(60)))
      return "bounds-checked instance " + std::to_string(checked.size()) +
             " refused: " + refused->describe();
    return checked.check(97);
  });
  INFO(outcome.describe());
  CHECK(outcome.succeeded());
}

TEST_CASE("Guarded instances until the whole address space is reserved (about 16K)",
          "[faults][address-space]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  if (kSanitized) {
    SUCCEED("skipped under a sanitizer: its shadow memory takes most of the address space");
    return;
  }
  ChildOutcome outcome = runInChild([]() -> std::string {
    Engine engine(withMode(MemoryMode::Guarded));
    auto module = Module::fromWat(engine, kMemoryGuest);
    if (!module)
      return module.error().describe();
    Fleet fleet(engine, *module);
    // The 47-bit space of x86-64 holds 16383 reservations of 8 GiB + 64 KiB at most;
    // stop there or after 60 s on a slow machine. (AArch64's 48-bit space holds
    // twice as many: going on would reach vm.max_map_count first, two mappings each.)
    auto refusal = fleet.fill(16384, std::chrono::seconds(60));
    if (!refusal)
      return ""; // more room than expected, or too slow: nothing to check
    if (auto bad = checkRefusal(refusal, "no free range of 8590000128 bytes"); !bad.empty())
      return bad;
    if (fleet.size() < 16) // even a 39-bit space (AArch64, 3-level tables) holds 63
      return "only " + std::to_string(fleet.size()) + " guarded memories fitted";
    if (auto bad = fleet.check(61); !bad.empty())
      return bad;
    size_t full = fleet.size();
    fleet.dropFront(100);
    if (fleet.fill(full, std::chrono::seconds(60)))
      return "no room after dropping 100 instances";
    return fleet.check(61);
  });
  INFO(outcome.describe());
  CHECK(outcome.succeeded());
}

TEST_CASE("At vm.max_map_count, instantiation is a clear error and memory.grow returns -1 to "
          "the guest, until mappings are freed",
          "[faults][mappings]") {
  WASMRT_FAULT_SKIP_UNDER_EMULATOR();
  if (kSanitized) {
    SUCCEED("skipped under a sanitizer: its allocator needs new mappings at any time");
    return;
  }
  uint64_t limit = faults::maxMapCount();
  if (limit == 0 || limit > (1u << 20)) {
    WARN("skipped: vm.max_map_count is " << limit << ", too large to fill quickly");
    return;
  }
  ChildOutcome outcome = runInChild([limit]() -> std::string {
    Engine engine(withMode(MemoryMode::Guarded));
    auto module = Module::fromWat(engine, kMemoryGuest);
    // Growing a memory of 0 pages has to split its reservation: a new mapping.
    auto empty = Module::fromWat(engine, R"((module (memory 0)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size))))");
    if (!module || !empty)
      return "compile failed";
    // Everything that runs at the limit is compiled and has run once before.
    Fleet fleet(engine, *module);
    if (fleet.add(1) || fleet.add(2) || !fleet.check().empty())
      return "warm-up failed";
    fleet.dropFront(1);
    Store store(engine);
    auto grower = Instance::create(store, *empty);
    if (!grower)
      return grower.error().describe();
    auto grow = grower->typedFunc<int32_t(int32_t)>("grow");
    auto size = grower->typedFunc<int32_t()>("size");
    if (!grow || !size || valueOr((*grow)(0), -2) != 0 || valueOr((*size)(), -2) != 0)
      return "warm-up of the grower failed";

    faults::MappingFiller filler(limit + 64);
    if (!filler.ok() || !filler.fill())
      return "could not reach vm.max_map_count";
    auto refusal = fleet.add(3);
    if (!refusal || refusal->kind() != ErrorKind::Unlinkable ||
        !contains(refusal->message(), "for a linear memory: Cannot allocate memory (the process "
                                      "has") ||
        !contains(refusal->message(), "vm.max_map_count allows"))
      return "at the limit: " + (refusal ? refusal->describe() : std::string("instantiated"));
    auto grew = (*grow)(1);
    if (!grew || *grew != -1 || valueOr((*size)(), -2) != 0)
      return "memory.grow at the limit gave " +
             (grew ? std::to_string(*grew) : grew.error().describe());
    if (auto bad = fleet.check(); !bad.empty())
      return "at the limit: " + bad;
    // Compiling a module needs new code mappings: a clear error (or success, if
    // an existing chunk has room), never a crash.
    const char *late = "(module (func (export \"f\") (result i32) (i32.const 42)))";
    if (auto compiled = Module::fromWat(engine, late);
        !compiled && !contains(compiled.error().message(), "JIT memory: Cannot allocate memory"))
      return "compiling at the limit: " + compiled.error().describe();

    filler.release(64);
    auto recompiled = Module::fromWat(engine, late);
    if (!recompiled)
      return "compiling after freeing mappings: " + recompiled.error().describe();
    Store lateStore(engine);
    auto lateInstance = Instance::create(lateStore, *recompiled);
    auto lateFunc = lateInstance ? lateInstance->typedFunc<int32_t()>("f")
                                 : Expected<TypedFunc<int32_t()>>(lateInstance.error());
    if (!lateFunc || valueOr((*lateFunc)(), -2) != 42)
      return "a module compiled after freeing mappings does not run";
    if (auto refused = fleet.add(4))
      return "after freeing mappings: " + refused->describe();
    grew = (*grow)(1);
    if (!grew || *grew != 0 || valueOr((*size)(), -2) != 1)
      return "memory.grow after freeing mappings gave " +
             (grew ? std::to_string(*grew) : grew.error().describe());
    return fleet.check();
  });
  INFO(outcome.describe());
  CHECK(outcome.succeeded());
}
