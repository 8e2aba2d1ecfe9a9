// PruneDeadOsrStatePass on hand-written IR in the shape EmitTiering.cpp makes:
// a transfer block that stores a loop's state and returns, behind a check
// whose other successor continues the loop. Only the stores of values the
// continuation never reads again may go. (The spec-tiered suite runs the pass
// on real code with transfers at every loop.)
#include "compiler/IrPasses.h"

#include <catch2/catch.hpp>
#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/SourceMgr.h>

#include <set>
#include <string>

using namespace wasmrt::internal::compiler;

namespace {

// %dead is overwritten (by %d2) before anything but the transfer reads it;
// %i is carried around the loop, %b is read after it, %k is a constant.
constexpr const char *kLoop = R"(
define i32 @f(i32 %a, i32 %b, ptr %osr) {
start:
  br label %header
header:
  %i = phi i32 [ 0, %start ], [ %i.next, %cold ]
  %dead = phi i32 [ %a, %start ], [ %d2, %cold ]
  %hotness = icmp eq i32 %i, 5
  br i1 %hotness, label %hot, label %cold
hot:
  %ready = icmp ne ptr %osr, null
  br i1 %ready, label %transfer, label %cold
transfer:
  %state = alloca [64 x i8], align 16
  store i32 %i, ptr %state, align 16, !wasmrt.osr.state !0
  %slot1 = getelementptr inbounds i8, ptr %state, i64 16
  store i32 %dead, ptr %slot1, align 16, !wasmrt.osr.state !0
  %slot2 = getelementptr inbounds i8, ptr %state, i64 32
  store i32 %b, ptr %slot2, align 16, !wasmrt.osr.state !0
  %slot3 = getelementptr inbounds i8, ptr %state, i64 48
  store i32 7, ptr %slot3, align 16, !wasmrt.osr.state !0
  %rest = call i32 %osr(ptr null, ptr %state, i32 0)
  ret i32 %rest
cold:
  %d2 = add i32 %i, 1
  %i.next = add i32 %i, %d2
  %again = icmp ult i32 %i.next, 100
  br i1 %again, label %header, label %exit
exit:
  %result = add i32 %i.next, %b
  ret i32 %result
}
!0 = !{}
)";

std::set<std::string> storedValues(llvm::Function &function) {
  std::set<std::string> names;
  for (llvm::BasicBlock &block : function)
    for (llvm::Instruction &instruction : block)
      if (auto *store = llvm::dyn_cast<llvm::StoreInst>(&instruction))
        names.insert(store->getValueOperand()->hasName()
                         ? store->getValueOperand()->getName().str()
                         : std::string("constant"));
  return names;
}

} // namespace

TEST_CASE("an OSR transfer keeps the stores of live values only", "[compiler][tiering]") {
  llvm::LLVMContext context;
  llvm::SMDiagnostic diagnostic;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(kLoop, diagnostic, context);
  INFO(diagnostic.getMessage().str());
  REQUIRE(module);
  llvm::Function &function = *module->getFunction("f");
  REQUIRE(storedValues(function) == std::set<std::string>{"i", "dead", "b", "constant"});

  llvm::PassBuilder builder;
  llvm::FunctionAnalysisManager analyses;
  builder.registerFunctionAnalyses(analyses);
  PruneDeadOsrStatePass().run(function, analyses);

  CHECK(storedValues(function) == std::set<std::string>{"i", "b", "constant"});
  CHECK_FALSE(llvm::verifyFunction(function, &llvm::errs()));
}

TEST_CASE("stores without the transfer mark are left alone", "[compiler][tiering]") {
  llvm::LLVMContext context;
  llvm::SMDiagnostic diagnostic;
  std::string unmarked = kLoop;
  for (size_t at; (at = unmarked.find(", !wasmrt.osr.state !0")) != std::string::npos;)
    unmarked.erase(at, std::string_view(", !wasmrt.osr.state !0").size());
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(unmarked, diagnostic, context);
  REQUIRE(module);
  llvm::Function &function = *module->getFunction("f");
  llvm::PassBuilder builder;
  llvm::FunctionAnalysisManager analyses;
  builder.registerFunctionAnalyses(analyses);
  PruneDeadOsrStatePass().run(function, analyses);
  CHECK(storedValues(function) == std::set<std::string>{"i", "dead", "b", "constant"});
}
