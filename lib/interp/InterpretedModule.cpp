#include "interp/Interpreter.h"
#include "interp/Translate.h"

namespace wasmrt::internal::interp {

InterpretedModule::InterpretedModule(const Module &module, InterpreterOptions options)
    : module_(module), options_(options),
      functions_(new std::atomic<const FunctionCode *>[module.numDefinedFuncs()]),
      budgets_(new std::atomic<int32_t>[module.numDefinedFuncs()]) {
  for (uint32_t i = 0; i < module.numDefinedFuncs(); ++i) {
    functions_[i].store(nullptr, std::memory_order_relaxed);
    budgets_[i].store(int32_t(options.tierUpThreshold), std::memory_order_relaxed);
  }
}

InterpretedModule::~InterpretedModule() {
  for (uint32_t i = 0; i < module_.numDefinedFuncs(); ++i)
    delete functions_[i].load(std::memory_order_relaxed);
}

const FunctionCode *InterpretedModule::function(uint32_t funcIndex) const {
  std::atomic<const FunctionCode *> &slot = functions_[funcIndex - module_.numImportedFuncs];
  if (const FunctionCode *code = slot.load(std::memory_order_acquire)) [[likely]]
    return code;
  TranslateOptions translate;
  translate.consumeFuel = options_.consumeFuel;
  translate.loopHeads = options_.epochInterruption || options_.hooks;
  std::unique_ptr<FunctionCode> made = translateFunction(module_, funcIndex, translate);
  if (!made)
    return nullptr;
  translatedBytes_.fetch_add(made->bytecodeSize, std::memory_order_relaxed);
  const FunctionCode *expected = nullptr;
  if (slot.compare_exchange_strong(expected, made.get(), std::memory_order_acq_rel))
    return made.release();
  return expected; // another thread published first; ours is discarded
}

} // namespace wasmrt::internal::interp
