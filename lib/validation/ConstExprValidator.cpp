#include "validation/ConstExprValidator.h"

#include "binary/InstrReader.h"

#include <fmt/format.h>

namespace wasmrt::internal {

namespace {

Error invalid(std::string_view what, size_t offset, std::string_view message) {
  return Error(ErrorKind::Invalid, fmt::format("{} at offset {:#x}: {}", what, offset, message));
}

} // namespace

Expected<void> validateConstExpr(const Module &module, const ConstExpr &expr, ValType expected,
                                 std::vector<uint8_t> &declaredFuncRefs, std::string_view what) {
  InstrReader reader(expr.bytes, expr.offset);
  Instr in;
  // Constant instructions only push, so the operand stack is fully described
  // by its height and its top type.
  uint32_t height = 0;
  ValType top = ValType::I32;
  while (!reader.atEnd()) {
    if (!reader.next(in))
      return reader.reader().makeError(ErrorKind::Malformed);
    switch (in.op) {
    case Opcode::I32Const: top = ValType::I32; break;
    case Opcode::I64Const: top = ValType::I64; break;
    case Opcode::F32Const: top = ValType::F32; break;
    case Opcode::F64Const: top = ValType::F64; break;
    case Opcode::V128Const: top = ValType::V128; break;
    case Opcode::RefNull: top = in.refType; break;
    case Opcode::RefFunc:
      if (in.index >= module.funcs.size())
        return invalid(what, in.offset, fmt::format("unknown function {}", in.index));
      declaredFuncRefs[in.index] = 1;
      top = ValType::FuncRef;
      break;
    case Opcode::GlobalGet:
      // In 2.0 only imported globals are visible to constant expressions.
      if (in.index >= module.numImportedGlobals)
        return invalid(what, in.offset, fmt::format("unknown global {}", in.index));
      if (module.globals[in.index].isMutable)
        return invalid(what, in.offset,
                       fmt::format("constant expression required: global {} is mutable",
                                   in.index));
      top = module.globals[in.index].type;
      break;
    case Opcode::End:
      if (!reader.atEnd())
        return invalid(what, reader.offset(), "constant expression required");
      if (height != 1 || top != expected)
        return invalid(what, in.offset,
                       fmt::format("type mismatch: expected a single {}, got {}",
                                   valTypeName(expected),
                                   height == 0   ? std::string("nothing")
                                   : height == 1 ? std::string(valTypeName(top))
                                                 : fmt::format("{} values", height)));
      return {};
    default:
      return invalid(what, in.offset,
                     fmt::format("constant expression required, got {}", opcodeName(in.op)));
    }
    ++height;
  }
  return Error(ErrorKind::Malformed,
               fmt::format("{} at offset {:#x}: unexpected end of constant expression", what,
                           reader.offset()));
}

} // namespace wasmrt::internal
