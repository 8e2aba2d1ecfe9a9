// The runtime binding: every WasiFunctions.def entry is importable with its wasm type,
// calls see the caller's memory as it is after memory.grow, bad pointers are EFAULT,
// and proc_exit unwinds with the code recorded in the context.
#include "wasi/RuntimeBinding.h"

#include "binary/Decoder.h"
#include "runtime/Engine.h"
#include "runtime/Instance.h"
#include "text/WatParser.h"
#include "validation/Validator.h"

#include <catch2/catch.hpp>

#include <string>

using namespace wasmrt;
using namespace wasmrt::internal;

namespace {

std::string importsOfEveryFunction() {
  std::string wat;
#define WASI_FUNCTION(NAME, FN, PARAMS)                                                       \
  {                                                                                           \
    wat += "(import \"wasi_snapshot_preview1\" \"" #NAME "\" (func $" #NAME; \
    for (char c : std::string_view(PARAMS))                                                   \
      wat += c == 'I' ? " (param i64)" : " (param i32)";                                      \
    if (std::string_view(#NAME) != "proc_exit")                                               \
      wat += " (result i32)";                                                                 \
    wat += "))\n";                                                                            \
  }
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  return wat;
}

struct Guest {
  Engine engine;
  Store store{engine};
  std::unique_ptr<wasi::WasiContext> context;
  Instance *instance = nullptr;

  explicit Guest(const std::string &body) {
    wasi::WasiConfig config;
    config.args = {"prog", "arg"};
    config.inheritStdio = false;
    auto created = wasi::WasiContext::create(config);
    REQUIRE(created);
    context = std::move(*created);
    Linker linker;
    REQUIRE(wasi::defineWasi(store, linker, *context));
    auto bytes = text::parseWat("(module\n" + importsOfEveryFunction() + body + ")");
    if (!bytes)
      FAIL(bytes.error().describe());
    auto module = decodeModule(std::move(*bytes));
    REQUIRE(module);
    REQUIRE(validateModule(*module));
    auto loaded = engine.load(std::make_shared<const Module>(std::move(*module)));
    REQUIRE(loaded);
    auto imports = linker.resolve(*(*loaded)->module);
    if (!imports)
      FAIL(imports.error().describe());
    auto made = store.instantiate(*loaded, *imports);
    REQUIRE(made);
    instance = *made;
  }
  int32_t call(const char *name, std::vector<Value> args = {}) {
    auto results = instance->invoke(name, args);
    if (!results)
      FAIL(results.error().describe());
    REQUIRE(results->size() == 1);
    return (*results)[0].asI32();
  }
};

} // namespace

TEST_CASE("binding: all 46 functions link with their wasm types") {
  size_t count = 0;
#define WASI_FUNCTION(NAME, FN, PARAMS) ++count;
#include "wasi/WasiFunctions.def"
#undef WASI_FUNCTION
  CHECK(count == 46);
  Guest guest("(memory (export \"memory\") 1)");
  CHECK(guest.instance != nullptr);
}

TEST_CASE("binding: calls use the caller's current memory") {
  Guest guest(R"(
    (memory (export "memory") 1)
    (func (export "sizes") (result i32)
      (call $args_sizes_get (i32.const 0) (i32.const 4)) drop
      (i32.add (i32.load (i32.const 0)) (i32.mul (i32.load (i32.const 4)) (i32.const 100))))
    (func (export "grow_then_write") (result i32)
      (drop (memory.grow (i32.const 1)))
      ;; 0x10000 is only in bounds after the grow
      (call $args_sizes_get (i32.const 0x10000) (i32.const 0x10004)))
    (func (export "out_of_bounds") (result i32)
      (call $args_sizes_get (i32.const 0x7fffffff) (i32.const 0)))
    (func (export "exit") (call $proc_exit (i32.const 7)) unreachable))");
  // argc 2, argv bytes "prog\0arg\0" = 9
  CHECK(guest.call("sizes") == 2 + 9 * 100);
  CHECK(guest.call("out_of_bounds") == 21); // EFAULT
  CHECK(guest.call("grow_then_write") == 0);
  Trap trap;
  auto exited = guest.instance->invoke("exit", {}, &trap);
  REQUIRE_FALSE(exited);
  CHECK(trap.kind == TrapKind::HostTrap);
  REQUIRE(guest.context->exitCode());
  CHECK(*guest.context->exitCode() == 7);
}

TEST_CASE("binding: a module without memory gets EFAULT, not a crash") {
  Guest guest(R"((func (export "f") (result i32)
      (call $args_sizes_get (i32.const 0) (i32.const 4))))");
  CHECK(guest.call("f") == 21);
}
