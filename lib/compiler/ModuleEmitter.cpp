#include "compiler/ModuleEmitter.h"

#include <llvm/IR/Attributes.h>
#include <llvm/IR/IRBuilder.h>

#include <algorithm>
#include <charconv>
#include <type_traits>

namespace wasmrt::internal::compiler {

namespace {

using abi::InstanceContext;

// C++ types of the entry-point prototypes in RuntimeAbi.h -> LLVM types, so
// the declarations come from the one macro and cannot drift from it.
template <typename T> llvm::Type *cType(llvm::LLVMContext &context) {
  if constexpr (std::is_void_v<T>)
    return llvm::Type::getVoidTy(context);
  else if constexpr (std::is_pointer_v<T>)
    return llvm::PointerType::getUnqual(context);
  else {
    static_assert(std::is_integral_v<T>, "entry point parameters are integers or pointers");
    return llvm::IntegerType::get(context, unsigned(sizeof(T) * 8));
  }
}

template <typename> struct EntryType;
template <typename R, typename... A> struct EntryType<R(A...)> {
  static llvm::FunctionType *get(llvm::LLVMContext &context) {
    return llvm::FunctionType::get(cType<R>(context), {cType<A>(context)...}, false);
  }
};

llvm::FunctionType *runtimeEntryType(RuntimeEntry entry, llvm::LLVMContext &context) {
  switch (entry) {
#define WASMRT_ENTRY_TYPE(name, ret, params)                                                      \
  case RuntimeEntry::name:                                                                         \
    return EntryType<ret params>::get(context);
    WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_ENTRY_TYPE)
#undef WASMRT_ENTRY_TYPE
  }
  return nullptr;
}

constexpr uint64_t kSlotSize = sizeof(abi::ValueSlot);
static_assert(kSlotSize == 16);

} // namespace

std::span<const std::string_view> runtimeEntryNames() {
  static const std::string_view names[] = {
#define WASMRT_ENTRY_NAME(name, ret, params) #name,
      WASMRT_RUNTIME_ENTRY_POINTS(WASMRT_ENTRY_NAME)
#undef WASMRT_ENTRY_NAME
  };
  return names;
}

std::string functionSymbol(uint32_t funcIndex) {
  return abi::kFunctionSymbolPrefix + std::to_string(funcIndex);
}
std::string functionBodySymbol(uint32_t funcIndex) {
  return functionSymbol(funcIndex) + kFunctionBodySuffix;
}
std::string optimizedBodySymbol(uint32_t funcIndex) {
  return functionSymbol(funcIndex) + kOptimizedBodySuffix;
}
std::string osrEntrySymbol(uint32_t funcIndex) {
  return functionSymbol(funcIndex) + kOsrEntrySuffix;
}
std::string interpreterThunkSymbol(uint32_t funcIndex) {
  return functionSymbol(funcIndex) + kInterpreterThunkSuffix;
}
std::string osrArrayEntrySymbol(uint32_t funcIndex) {
  return functionSymbol(funcIndex) + kOsrArrayEntrySuffix;
}
std::optional<uint32_t> parseFunctionSymbol(std::string_view name) {
  std::string_view prefix = abi::kFunctionSymbolPrefix;
  if (!name.starts_with(prefix))
    return std::nullopt;
  name.remove_prefix(prefix.size());
  for (std::string_view suffix : {kFunctionBodySuffix, kOptimizedBodySuffix})
    if (name.ends_with(suffix))
      name.remove_suffix(suffix.size());
  uint32_t index = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), index);
  if (error != std::errc() || end != name.data() + name.size() || name.empty())
    return std::nullopt;
  return index;
}
std::string entryTrampolineSymbol(uint32_t typeIndex) {
  return abi::kEntryTrampolineSymbolPrefix + std::to_string(typeIndex);
}
std::string hostAdapterSymbol(uint32_t typeIndex) {
  return abi::kHostAdapterSymbolPrefix + std::to_string(typeIndex);
}

ModuleEmitter::ModuleEmitter(const Module &wasm, const CompileOptions &options, llvm::Module &out)
    : voidTy(llvm::Type::getVoidTy(out.getContext())),
      i1Ty(llvm::Type::getInt1Ty(out.getContext())),
      i8Ty(llvm::Type::getInt8Ty(out.getContext())),
      i32Ty(llvm::Type::getInt32Ty(out.getContext())),
      i64Ty(llvm::Type::getInt64Ty(out.getContext())),
      f32Ty(llvm::Type::getFloatTy(out.getContext())),
      f64Ty(llvm::Type::getDoubleTy(out.getContext())),
      v128Ty(llvm::FixedVectorType::get(i8Ty, 16)),
      ptrTy(llvm::PointerType::getUnqual(out.getContext())), wasm_(wasm), options_(options),
      out_(out), funcTypes_(wasm.types.size()), functions_(wasm.funcs.size()) {}

llvm::Type *ModuleEmitter::valType(ValType type) const {
  switch (type) {
  case ValType::I32: return i32Ty;
  case ValType::I64: return i64Ty;
  case ValType::F32: return f32Ty;
  case ValType::F64: return f64Ty;
  case ValType::V128: return v128Ty;
  case ValType::FuncRef:
  case ValType::ExternRef: return ptrTy;
  }
  return i32Ty;
}

llvm::FunctionType *ModuleEmitter::funcType(uint32_t typeIndex) {
  llvm::FunctionType *&cached = funcTypes_[typeIndex];
  if (cached)
    return cached;
  const FuncType &type = wasm_.types[typeIndex];
  std::vector<llvm::Type *> params = {ptrTy, ptrTy};
  for (ValType param : type.params)
    params.push_back(valType(param));
  llvm::Type *result = voidTy;
  if (type.results.size() == 1) {
    result = valType(type.results[0]);
  } else if (type.results.size() > 1) {
    std::vector<llvm::Type *> fields;
    for (ValType value : type.results)
      fields.push_back(valType(value));
    result = llvm::StructType::get(context(), fields);
  }
  cached = llvm::FunctionType::get(result, params, false);
  return cached;
}

void ModuleEmitter::setCommonAttributes(llvm::Function &function) const {
  // Frame pointers let the runtime walk wasm frames for backtraces; no wasm
  // frame is ever unwound by C++ exceptions (traps use siglongjmp).
  function.addFnAttr("frame-pointer", "all");
  function.addFnAttr(llvm::Attribute::NoUnwind);
}

llvm::Function *ModuleEmitter::wasmFunction(uint32_t funcIndex) {
  llvm::Function *&cached = functions_[funcIndex];
  if (!cached) {
    cached = llvm::Function::Create(funcType(wasm_.funcs[funcIndex]),
                                    llvm::GlobalValue::ExternalLinkage,
                                    functionSymbol(funcIndex), out_);
    setCommonAttributes(*cached);
  }
  return cached;
}

llvm::FunctionCallee ModuleEmitter::runtimeEntry(RuntimeEntry entry) {
  llvm::Function *&cached = entries_[size_t(entry)];
  if (!cached) {
    cached = llvm::Function::Create(runtimeEntryType(entry, context()),
                                    llvm::GlobalValue::ExternalLinkage,
                                    runtimeEntryNames()[size_t(entry)], out_);
    cached->addFnAttr(llvm::Attribute::NoUnwind);
    if (entry == RuntimeEntry::wasmrt_trap) {
      cached->addFnAttr(llvm::Attribute::NoReturn);
      cached->addFnAttr(llvm::Attribute::Cold);
    }
  }
  return cached;
}

llvm::Function *ModuleEmitter::defineOsrEntry(uint32_t funcIndex) {
  llvm::FunctionType *wasmType = funcType(wasm_.funcs[funcIndex]);
  auto *type = llvm::FunctionType::get(wasmType->getReturnType(), {ptrTy, ptrTy, i32Ty}, false);
  auto *function = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                          osrEntrySymbol(funcIndex), out_);
  setCommonAttributes(*function);
  return function;
}

llvm::FunctionCallee ModuleEmitter::tierUpEntry() {
  llvm::FunctionCallee entry = out_.getOrInsertFunction(
      kTierUpSymbol, llvm::FunctionType::get(ptrTy, {ptrTy, i32Ty, i32Ty}, false));
  if (auto *function = llvm::dyn_cast<llvm::Function>(entry.getCallee())) {
    function->addFnAttr(llvm::Attribute::NoUnwind);
    function->addFnAttr(llvm::Attribute::Cold);
  }
  return entry;
}

llvm::Constant *ModuleEmitter::tierUpState() {
  // Only its address is used: the session defines the symbol at the address
  // of its tier-up state.
  return out_.getOrInsertGlobal(kTierUpStateSymbol, i8Ty);
}

llvm::Value *ModuleEmitter::packResults(llvm::IRBuilderBase &builder,
                                        std::span<llvm::Value *const> values,
                                        llvm::Type *returnType) {
  if (values.empty())
    return nullptr;
  if (values.size() == 1)
    return values[0];
  llvm::Value *result = llvm::PoisonValue::get(returnType);
  for (unsigned i = 0; i < values.size(); ++i)
    result = builder.CreateInsertValue(result, values[i], {i});
  return result;
}

void ModuleEmitter::defineEntryTrampoline(uint32_t typeIndex) {
  const FuncType &type = wasm_.types[typeIndex];
  auto *trampolineType = llvm::FunctionType::get(voidTy, {ptrTy, ptrTy, ptrTy}, false);
  auto *function = llvm::Function::Create(trampolineType, llvm::GlobalValue::ExternalLinkage,
                                          entryTrampolineSymbol(typeIndex), out_);
  setCommonAttributes(*function);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context(), "", function));
  llvm::Value *code = function->getArg(0);
  llvm::Value *callee = function->getArg(1);
  llvm::Value *values = function->getArg(2);
  auto slot = [&](size_t i) { return b.CreateConstInBoundsGEP1_64(i8Ty, values, i * kSlotSize); };

  std::vector<llvm::Value *> args = {callee, callee};
  for (size_t i = 0; i < type.params.size(); ++i)
    args.push_back(b.CreateAlignedLoad(valType(type.params[i]), slot(i), llvm::Align(16)));
  llvm::CallInst *call = b.CreateCall(funcType(typeIndex), code, args);
  storeResultSlots(b, call, type.results.size(), values);
  b.CreateRetVoid();
}

void ModuleEmitter::storeResultSlots(llvm::IRBuilderBase &b, llvm::Value *returned, size_t count,
                                     llvm::Value *slots) {
  for (size_t i = 0; i < count; ++i) {
    llvm::Value *result = count == 1 ? returned : b.CreateExtractValue(returned, {unsigned(i)});
    b.CreateAlignedStore(result, b.CreateConstInBoundsGEP1_64(i8Ty, slots, i * kSlotSize),
                         llvm::Align(16));
  }
}

void ModuleEmitter::defineArrayAdapter(const std::string &name, uint32_t typeIndex,
                                       ArrayCall callArray, uint32_t funcIndex) {
  const FuncType &type = wasm_.types[typeIndex];
  llvm::FunctionType *adapterType = funcType(typeIndex);
  auto *function =
      llvm::Function::Create(adapterType, llvm::GlobalValue::ExternalLinkage, name, out_);
  setCommonAttributes(*function);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context(), "", function));
  llvm::Value *caller = function->getArg(1);

  size_t numSlots = std::max<size_t>({type.params.size(), type.results.size(), 1});
  llvm::AllocaInst *values = b.CreateAlloca(llvm::ArrayType::get(i8Ty, numSlots * kSlotSize));
  values->setAlignment(llvm::Align(16));
  auto slot = [&](size_t i) { return b.CreateConstInBoundsGEP1_64(i8Ty, values, i * kSlotSize); };
  for (size_t i = 0; i < type.params.size(); ++i)
    b.CreateAlignedStore(function->getArg(unsigned(2 + i)), slot(i), llvm::Align(16));

  if (llvm::Value *trapKind = callArray(*this, b, *function, values, funcIndex)) {
    auto *trapBlock = llvm::BasicBlock::Create(context(), "trap", function);
    auto *okBlock = llvm::BasicBlock::Create(context(), "ok", function);
    b.CreateCondBr(b.CreateICmpNE(trapKind, b.getInt32(0)), trapBlock, okBlock);
    b.SetInsertPoint(trapBlock);
    b.CreateCall(runtimeEntry(RuntimeEntry::wasmrt_trap), {caller, trapKind});
    b.CreateUnreachable();
    b.SetInsertPoint(okBlock);
  }
  std::vector<llvm::Value *> results;
  for (size_t i = 0; i < type.results.size(); ++i)
    results.push_back(b.CreateAlignedLoad(valType(type.results[i]), slot(i), llvm::Align(16)));
  if (results.empty())
    b.CreateRetVoid();
  else
    b.CreateRet(packResults(b, results, adapterType->getReturnType()));
}

void ModuleEmitter::defineHostAdapter(uint32_t typeIndex) {
  // The callee context is the host function's record; its callback returns
  // a trap kind that the adapter raises for it (no C++ frame is unwound).
  auto callHost = [](ModuleEmitter &m, llvm::IRBuilderBase &b, llvm::Function &function,
                     llvm::Value *slots, uint32_t) -> llvm::Value * {
    llvm::Value *self = function.getArg(0);
    static_assert(offsetof(abi::HostFunctionContext, callback) == 0);
    llvm::Value *callback = b.CreateLoad(m.ptrTy, self);
    auto *callbackType = llvm::FunctionType::get(m.i32Ty, {m.ptrTy, m.ptrTy, m.ptrTy}, false);
    return b.CreateCall(callbackType, callback, {self, function.getArg(1), slots});
  };
  defineArrayAdapter(hostAdapterSymbol(typeIndex), typeIndex, callHost, 0);
}

void ModuleEmitter::defineInterpreterThunk(uint32_t funcIndex) {
  // void wasmrt_interpret(InstanceContext *callee, InstanceContext *caller,
  //                       uint32_t funcIndex, ValueSlot *slots): traps unwind
  // from inside it, so the thunk has no trap path of its own.
  auto callInterpreter = [](ModuleEmitter &m, llvm::IRBuilderBase &b, llvm::Function &function,
                            llvm::Value *slots, uint32_t index) -> llvm::Value * {
    llvm::FunctionCallee interpret = m.out().getOrInsertFunction(
        kInterpreterEntrySymbol,
        llvm::FunctionType::get(m.voidTy, {m.ptrTy, m.ptrTy, m.i32Ty, m.ptrTy}, false));
    b.CreateCall(interpret, {function.getArg(0), function.getArg(1), b.getInt32(index), slots});
    return nullptr;
  };
  defineArrayAdapter(interpreterThunkSymbol(funcIndex), wasm_.funcs[funcIndex], callInterpreter,
                     funcIndex);
}

void ModuleEmitter::defineOsrArrayEntry(uint32_t funcIndex, llvm::Function *osrEntry) {
  const FuncType &type = wasm_.types[wasm_.funcs[funcIndex]];
  auto *entryType = llvm::FunctionType::get(voidTy, {ptrTy, ptrTy, i32Ty}, false);
  auto *function = llvm::Function::Create(entryType, llvm::GlobalValue::ExternalLinkage,
                                          osrArrayEntrySymbol(funcIndex), out_);
  setCommonAttributes(*function);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context(), "", function));
  llvm::Value *frame = function->getArg(1);
  llvm::CallInst *call =
      b.CreateCall(osrEntry, {function->getArg(0), frame, function->getArg(2)});
  storeResultSlots(b, call, type.results.size(), frame);
  b.CreateRetVoid();
}

} // namespace wasmrt::internal::compiler
