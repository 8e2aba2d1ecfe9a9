// Instructions: plain and folded forms, block structure, labels and every
// immediate kind in the opcode table.
#include "binary/Opcode.h"
#include "text/WatContext.h"
#include "text/WatLiterals.h"

#include <bit>
#include <cstring>

namespace wasmrt::internal::text {

namespace {

Error unexpected(const SExpr &item) {
  if (item.isList)
    return textError(item.location, "unexpected token");
  if (item.atomKind == AtomKind::Reserved)
    return textError(item.location, "unknown operator " + item.text);
  return textError(item.location, "unexpected token " + item.text);
}

void writeOpcode(ByteWriter &out, Opcode op) {
  const OpcodeInfo &info = opcodeInfo(op);
  if (info.prefix != 0) {
    out.writeByte(info.prefix);
    out.writeVarU32(info.code);
  } else {
    out.writeByte(uint8_t(info.code));
  }
}

struct OpenBlock {
  Opcode op;
  std::string label;
  bool sawElse = false;
  SourceLocation location;
};

class InstrParser {
public:
  InstrParser(ModuleContext &context, FuncScope &scope) : ctx_(context), scope_(scope) {}

  Expected<void> sequence(Cursor &cursor, ByteWriter &out);

private:
  Expected<void> folded(const SExpr &list, ByteWriter &out);
  Expected<void> foldedIf(const SExpr &list, ByteWriter &out);
  // `$label? blocktype`: writes the block type, returns the label ("" if none).
  Expected<std::string> blockHeader(Cursor &cursor, ByteWriter &out);
  Expected<void> endLabel(Cursor &cursor, const OpenBlock &block);
  // Writes `op` and its immediates, taken from `cursor`.
  Expected<void> instruction(Opcode op, const SExpr &opAtom, Cursor &cursor, ByteWriter &out);
  Expected<void> select(Cursor &cursor, ByteWriter &out);
  Expected<void> memArg(Opcode op, Cursor &cursor, ByteWriter &out, bool allowMemory);
  Expected<void> constant(Opcode op, const SExpr &opAtom, Cursor &cursor, ByteWriter &out);
  Expected<void> v128Const(const SExpr &opAtom, Cursor &cursor, ByteWriter &out);
  // A u8 lane index. Shuffle lanes report every bad literal as a malformed
  // lane index; elsewhere only out-of-range integers are.
  Expected<uint8_t> laneIndex(const SExpr &opAtom, Cursor &cursor, bool shuffle);
  // i8x16.shuffle, extract/replace_lane and the load/store lane forms.
  Expected<void> laneInstruction(Opcode op, const SExpr &opAtom, Cursor &cursor,
                                 ByteWriter &out);

  Expected<const SExpr *> indexAtom(const SExpr &opAtom, Cursor &cursor) {
    if (!ctx_.isIndexAtom(cursor.peek()))
      return textError(cursor.done() ? opAtom.location : cursor.location(),
                       "unexpected token, expected an index");
    return &cursor.next();
  }
  Expected<uint32_t> required(Space space, const SExpr &opAtom, Cursor &cursor) {
    auto atom = indexAtom(opAtom, cursor);
    if (!atom)
      return std::move(atom).error();
    return ctx_.resolve(space, **atom);
  }
  Expected<uint32_t> optional(Space space, Cursor &cursor) {
    if (!ctx_.isIndexAtom(cursor.peek()))
      return 0u;
    return ctx_.resolve(space, cursor.next());
  }
  Expected<uint32_t> label(const SExpr &ref);
  Expected<uint32_t> local(const SExpr &ref);

  ModuleContext &ctx_;
  FuncScope &scope_;
};

Expected<uint32_t> InstrParser::label(const SExpr &ref) {
  if (ref.isId()) {
    for (size_t i = scope_.labels.size(); i-- > 0;)
      if (scope_.labels[i] == ref.text)
        return uint32_t(scope_.labels.size() - 1 - i);
    return textError(ref.location, "unknown label " + ref.text);
  }
  return parseU32(ref);
}

Expected<uint32_t> InstrParser::local(const SExpr &ref) {
  if (ref.isId()) {
    auto found = scope_.localNames.find(ref.text);
    if (found == scope_.localNames.end())
      return textError(ref.location, "unknown local " + ref.text);
    return found->second;
  }
  return parseU32(ref);
}

Expected<std::string> InstrParser::blockHeader(Cursor &cursor, ByteWriter &out) {
  std::string name;
  if (cursor.peek() && cursor.peek()->isId())
    name = cursor.next().text;
  auto use = ctx_.parseTypeUse(cursor, /*allowParamNames=*/false, /*isBlockType=*/true);
  if (!use)
    return std::move(use).error();
  if (use->index != UINT32_MAX)
    out.writeVarS64(int64_t(use->index));
  else if (use->type.results.empty())
    out.writeByte(0x40);
  else
    out.writeByte(uint8_t(use->type.results[0]));
  return name;
}

Expected<void> InstrParser::endLabel(Cursor &cursor, const OpenBlock &block) {
  if (cursor.peek() && cursor.peek()->isId()) {
    const SExpr &id = cursor.next();
    if (id.text != block.label)
      return textError(id.location, "mismatching label");
  }
  return {};
}

Expected<void> InstrParser::sequence(Cursor &cursor, ByteWriter &out) {
  std::vector<OpenBlock> open;
  while (!cursor.done()) {
    const SExpr &item = cursor.next();
    if (item.isList) {
      if (auto r = folded(item, out); !r)
        return r;
      continue;
    }
    if (!item.isKeyword())
      return unexpected(item);
    auto op = lookupOpcodeByName(item.text);
    if (!op)
      return textError(item.location, "unknown operator " + item.text);
    switch (*op) {
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: {
      writeOpcode(out, *op);
      auto name = blockHeader(cursor, out);
      if (!name)
        return std::move(name).error();
      scope_.labels.push_back(*name);
      open.push_back({*op, std::move(*name), false, item.location});
      break;
    }
    case Opcode::Else:
      if (open.empty() || open.back().op != Opcode::If || open.back().sawElse)
        return unexpected(item);
      if (auto r = endLabel(cursor, open.back()); !r)
        return r;
      open.back().sawElse = true;
      writeOpcode(out, *op);
      break;
    case Opcode::End:
      if (open.empty())
        return unexpected(item);
      if (auto r = endLabel(cursor, open.back()); !r)
        return r;
      open.pop_back();
      scope_.labels.pop_back();
      writeOpcode(out, *op);
      break;
    default:
      if (auto r = instruction(*op, item, cursor, out); !r)
        return r;
      break;
    }
  }
  if (!open.empty())
    return textError(open.back().location, "unclosed block, expected end");
  return {};
}

Expected<void> InstrParser::folded(const SExpr &list, ByteWriter &out) {
  if (list.items.empty() || !list.items[0].isKeyword())
    return unexpected(list.items.empty() ? list : list.items[0]);
  const SExpr &opAtom = list.items[0];
  auto op = lookupOpcodeByName(opAtom.text);
  if (!op) {
    for (std::string_view misplaced : {"type", "param", "result", "local", "then", "else"})
      if (opAtom.text == misplaced)
        return unexpected(opAtom);
    return textError(opAtom.location, "unknown operator " + opAtom.text);
  }
  Cursor cursor(list.items, 1, list.location);
  switch (*op) {
  case Opcode::Block:
  case Opcode::Loop: {
    writeOpcode(out, *op);
    auto name = blockHeader(cursor, out);
    if (!name)
      return std::move(name).error();
    scope_.labels.push_back(*name);
    if (auto r = sequence(cursor, out); !r)
      return r;
    scope_.labels.pop_back();
    writeOpcode(out, Opcode::End);
    return {};
  }
  case Opcode::If:
    return foldedIf(list, out);
  case Opcode::Else:
  case Opcode::End:
    return unexpected(opAtom);
  default:
    break;
  }
  // Immediates first (they follow the opcode), then the folded operands,
  // which are encoded before the instruction itself.
  ByteWriter self;
  if (auto r = instruction(*op, opAtom, cursor, self); !r)
    return r;
  while (!cursor.done()) {
    const SExpr &operand = cursor.next();
    if (!operand.isList)
      return unexpected(operand);
    if (auto r = folded(operand, out); !r)
      return r;
  }
  out.writeBytes(self.bytes());
  return {};
}

Expected<void> InstrParser::foldedIf(const SExpr &list, ByteWriter &out) {
  Cursor cursor(list.items, 1, list.location);
  ByteWriter header;
  auto name = blockHeader(cursor, header);
  if (!name)
    return std::move(name).error();
  while (!cursor.done() && !cursor.peekList("then")) {
    const SExpr &condition = cursor.next();
    if (!condition.isList)
      return unexpected(condition);
    if (auto r = folded(condition, out); !r)
      return r;
  }
  if (!cursor.peekList("then"))
    return textError(cursor.location(), "unexpected token, expected (then ...)");
  writeOpcode(out, Opcode::If);
  out.writeBytes(header.bytes());
  scope_.labels.push_back(*name);
  const SExpr &thenList = cursor.next();
  Cursor thenCursor(thenList.items, 1, thenList.location);
  if (auto r = sequence(thenCursor, out); !r)
    return r;
  if (cursor.peekList("else")) {
    const SExpr &elseList = cursor.next();
    writeOpcode(out, Opcode::Else);
    Cursor elseCursor(elseList.items, 1, elseList.location);
    if (auto r = sequence(elseCursor, out); !r)
      return r;
  }
  if (!cursor.done())
    return unexpected(*cursor.peek());
  scope_.labels.pop_back();
  writeOpcode(out, Opcode::End);
  return {};
}

Expected<void> InstrParser::select(Cursor &cursor, ByteWriter &out) {
  if (!cursor.peekList("result")) {
    writeOpcode(out, Opcode::Select);
    return {};
  }
  std::vector<ValType> types;
  while (cursor.peekList("result")) {
    const SExpr &result = cursor.next();
    for (size_t i = 1; i < result.items.size(); ++i) {
      auto type = parseValType(result.items[i]);
      if (!type)
        return std::move(type).error();
      types.push_back(*type);
    }
  }
  writeOpcode(out, Opcode::SelectTyped);
  out.writeVarU32(uint32_t(types.size()));
  for (ValType type : types)
    out.writeByte(uint8_t(type));
  return {};
}

Expected<void> InstrParser::memArg(Opcode op, Cursor &cursor, ByteWriter &out,
                                   bool allowMemory) {
  uint32_t memory = 0;
  if (allowMemory && ctx_.isIndexAtom(cursor.peek())) {
    auto index = ctx_.resolve(Space::Memory, cursor.next());
    if (!index)
      return std::move(index).error();
    memory = *index;
  }
  uint64_t offset = 0;
  uint32_t alignLog2 = opcodeInfo(op).naturalAlignLog2;
  auto keywordValue = [&](std::string_view prefix, uint64_t &value) -> Expected<bool> {
    const SExpr *item = cursor.peek();
    if (!item || !item->isKeyword() || !item->text.starts_with(prefix))
      return false;
    cursor.next();
    switch (parseUnsignedLiteral(std::string_view(item->text).substr(prefix.size()),
                                 UINT32_MAX, value)) {
    case LiteralStatus::Ok: return true;
    case LiteralStatus::OutOfRange:
      return textError(item->location, "i32 constant out of range");
    case LiteralStatus::Syntax: break;
    }
    return textError(item->location, "unknown operator " + item->text);
  };
  auto hasOffset = keywordValue("offset=", offset);
  if (!hasOffset)
    return std::move(hasOffset).error();
  uint64_t align = 0;
  auto hasAlign = keywordValue("align=", align);
  if (!hasAlign)
    return std::move(hasAlign).error();
  if (*hasAlign) {
    if (align == 0 || (align & (align - 1)) != 0)
      return textError(cursor.location(), "alignment must be a power of two");
    alignLog2 = uint32_t(std::countr_zero(align));
  }
  // Multi-memory: bit 6 of the alignment field announces a memory index.
  if (memory != 0) {
    out.writeVarU32(alignLog2 | 0x40);
    out.writeVarU32(memory);
  } else {
    out.writeVarU32(alignLog2);
  }
  out.writeVarU64(offset);
  return {};
}

Expected<void> InstrParser::constant(Opcode op, const SExpr &opAtom, Cursor &cursor,
                                     ByteWriter &out) {
  if (cursor.done() || cursor.peek()->isList)
    return textError(cursor.done() ? opAtom.location : cursor.location(),
                     "unexpected token, expected a constant");
  const SExpr &literal = cursor.next();
  LiteralStatus status = LiteralStatus::Syntax;
  writeOpcode(out, op);
  if (literal.isNumber()) {
    uint64_t bits = 0;
    uint32_t bits32 = 0;
    switch (op) {
    case Opcode::I32Const:
      status = parseIntLiteral(literal.text, 32, bits);
      out.writeVarS32(int32_t(uint32_t(bits)));
      break;
    case Opcode::I64Const:
      status = parseIntLiteral(literal.text, 64, bits);
      out.writeVarS64(int64_t(bits));
      break;
    case Opcode::F32Const:
      status = parseF32Literal(literal.text, bits32);
      out.writeFixedU32(bits32);
      break;
    default:
      status = parseF64Literal(literal.text, bits);
      out.writeFixedU64(bits);
      break;
    }
  }
  if (status == LiteralStatus::OutOfRange)
    return textError(literal.location, "constant out of range");
  if (literal.isKeyword())
    return unexpected(literal);
  if (status == LiteralStatus::Syntax)
    return textError(literal.location, "unknown operator " + literal.text);
  return {};
}

Expected<void> InstrParser::v128Const(const SExpr &opAtom, Cursor &cursor, ByteWriter &out) {
  struct Shape {
    std::string_view name;
    unsigned lanes, bits;
    bool isFloat;
  };
  static const Shape kShapes[] = {{"i8x16", 16, 8, false}, {"i16x8", 8, 16, false},
                                  {"i32x4", 4, 32, false}, {"i64x2", 2, 64, false},
                                  {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};
  const SExpr *shapeAtom = cursor.peek();
  const Shape *shape = nullptr;
  for (const Shape &candidate : kShapes)
    if (shapeAtom && shapeAtom->isKeyword(candidate.name))
      shape = &candidate;
  if (!shape)
    return textError(shapeAtom ? shapeAtom->location : opAtom.location,
                     "unexpected token, expected a v128 shape");
  cursor.next();
  // Count the literals first: a wrong count is reported before bad values.
  unsigned available = 0;
  while (const SExpr *item = cursor.peek(available)) {
    if (item->isList || !(item->isNumber() || item->atomKind == AtomKind::Reserved))
      break;
    ++available;
  }
  if (available != shape->lanes)
    return textError(shapeAtom->location, "wrong number of lane literals");
  writeOpcode(out, Opcode::V128Const);
  for (unsigned lane = 0; lane < shape->lanes; ++lane) {
    const SExpr *literal = &cursor.next();
    uint64_t bits = 0;
    LiteralStatus status = LiteralStatus::Syntax;
    if (literal->isNumber()) {
      if (!shape->isFloat) {
        status = parseIntLiteral(literal->text, shape->bits, bits);
      } else if (shape->bits == 32) {
        uint32_t bits32 = 0;
        status = parseF32Literal(literal->text, bits32);
        bits = bits32;
      } else {
        status = parseF64Literal(literal->text, bits);
      }
    }
    if (status == LiteralStatus::OutOfRange)
      return textError(literal->location, "constant out of range");
    if (status == LiteralStatus::Syntax)
      return textError(literal->location, "unknown operator " + literal->text);
    for (unsigned byte = 0; byte < shape->bits / 8; ++byte)
      out.writeByte(uint8_t(bits >> (8 * byte)));
  }
  return {};
}

Expected<uint8_t> InstrParser::laneIndex(const SExpr &opAtom, Cursor &cursor, bool shuffle) {
  const SExpr *item = cursor.peek();
  if (!item || item->isList)
    return textError(item ? item->location : opAtom.location,
                     "unexpected token, expected a lane index");
  cursor.next();
  uint64_t value = 0;
  LiteralStatus status = item->isNumber()
                             ? parseUnsignedLiteral(item->text, 255, value)
                             : LiteralStatus::Syntax;
  if (status == LiteralStatus::Syntax && !shuffle)
    return unexpected(*item);
  if (status != LiteralStatus::Ok)
    return textError(item->location, "malformed lane index");
  return uint8_t(value);
}

Expected<void> InstrParser::instruction(Opcode op, const SExpr &opAtom, Cursor &cursor,
                                        ByteWriter &out) {
  const OpcodeInfo &info = opcodeInfo(op);
  // Writes the opcode followed by each resolved index, in binary order.
  auto indices = [&](std::initializer_list<Expected<uint32_t>> values) -> Expected<void> {
    for (const auto &value : values)
      if (!value)
        return value.error();
    writeOpcode(out, op);
    for (const auto &value : values)
      out.writeVarU32(*value);
    return {};
  };
  bool twoIndices = ctx_.isIndexAtom(cursor.peek()) && ctx_.isIndexAtom(cursor.peek(1));
  switch (info.imm) {
  case ImmKind::None:
    if (op == Opcode::Select)
      return select(cursor, out);
    writeOpcode(out, op);
    return {};
  case ImmKind::BlockType:
  case ImmKind::SelectTypes: // SelectTyped is reached through `select`
    return unexpected(opAtom);
  case ImmKind::LabelIdx: {
    auto atom = indexAtom(opAtom, cursor);
    if (!atom)
      return std::move(atom).error();
    return indices({label(**atom)});
  }
  case ImmKind::BrTable: {
    std::vector<uint32_t> labels;
    while (ctx_.isIndexAtom(cursor.peek())) {
      auto depth = label(cursor.next());
      if (!depth)
        return std::move(depth).error();
      labels.push_back(*depth);
    }
    if (labels.empty())
      return textError(opAtom.location, "unexpected token, expected a label");
    writeOpcode(out, op);
    out.writeVarU32(uint32_t(labels.size() - 1));
    for (uint32_t depth : labels)
      out.writeVarU32(depth);
    return {};
  }
  case ImmKind::FuncIdx: return indices({required(Space::Func, opAtom, cursor)});
  case ImmKind::CallIndirect: {
    auto table = optional(Space::Table, cursor);
    if (!table)
      return std::move(table).error();
    auto use = ctx_.parseTypeUse(cursor, /*allowParamNames=*/false);
    if (!use)
      return std::move(use).error();
    return indices({use->index, *table});
  }
  case ImmKind::LocalIdx: {
    auto atom = indexAtom(opAtom, cursor);
    if (!atom)
      return std::move(atom).error();
    return indices({local(**atom)});
  }
  case ImmKind::GlobalIdx: return indices({required(Space::Global, opAtom, cursor)});
  case ImmKind::TableIdx: return indices({optional(Space::Table, cursor)});
  case ImmKind::MemArg: writeOpcode(out, op); return memArg(op, cursor, out, true);
  case ImmKind::MemIdx: return indices({optional(Space::Memory, cursor)});
  case ImmKind::I32Const:
  case ImmKind::I64Const:
  case ImmKind::F32Const:
  case ImmKind::F64Const: return constant(op, opAtom, cursor, out);
  case ImmKind::RefType: {
    const SExpr *heap = cursor.peek();
    if (!heap || !(heap->isKeyword("func") || heap->isKeyword("extern")))
      return textError(heap ? heap->location : opAtom.location,
                       "unexpected token, expected func or extern");
    cursor.next();
    writeOpcode(out, op);
    out.writeByte(heap->text == "func" ? uint8_t(ValType::FuncRef) : uint8_t(ValType::ExternRef));
    return {};
  }
  case ImmKind::MemoryInit: {
    ctx_.encoder.needsDataCount = true;
    auto memory = twoIndices ? ctx_.resolve(Space::Memory, cursor.next()) : Expected<uint32_t>(0u);
    if (!memory)
      return std::move(memory).error();
    return indices({required(Space::Data, opAtom, cursor), *memory});
  }
  case ImmKind::DataIdx:
    ctx_.encoder.needsDataCount = true;
    return indices({required(Space::Data, opAtom, cursor)});
  case ImmKind::MemoryCopy: {
    if (!twoIndices)
      return indices({0u, 0u});
    auto dst = ctx_.resolve(Space::Memory, cursor.next());
    return indices({dst, ctx_.resolve(Space::Memory, cursor.next())});
  }
  case ImmKind::TableInit: {
    auto table = twoIndices ? ctx_.resolve(Space::Table, cursor.next()) : Expected<uint32_t>(0u);
    if (!table)
      return std::move(table).error();
    return indices({required(Space::Elem, opAtom, cursor), *table});
  }
  case ImmKind::ElemIdx: return indices({required(Space::Elem, opAtom, cursor)});
  case ImmKind::TableCopy: {
    if (!twoIndices)
      return indices({0u, 0u});
    auto dst = ctx_.resolve(Space::Table, cursor.next());
    return indices({dst, ctx_.resolve(Space::Table, cursor.next())});
  }
  case ImmKind::V128Const: return v128Const(opAtom, cursor, out);
  case ImmKind::Shuffle:
  case ImmKind::Lane:
  case ImmKind::MemArgLane: return laneInstruction(op, opAtom, cursor, out);
  }
  return unexpected(opAtom);
}

Expected<void> InstrParser::laneInstruction(Opcode op, const SExpr &opAtom, Cursor &cursor,
                                            ByteWriter &out) {
  switch (opcodeInfo(op).imm) {
  case ImmKind::Shuffle: {
    writeOpcode(out, op);
    for (int lane = 0; lane < 16; ++lane) {
      const SExpr *item = cursor.peek();
      if (!item || item->isList)
        return textError(item ? item->location : opAtom.location, "invalid lane length");
      auto value = laneIndex(opAtom, cursor, true);
      if (!value)
        return std::move(value).error();
      out.writeByte(*value);
    }
    if (cursor.peek() && cursor.peek()->isNumber())
      return textError(cursor.location(), "invalid lane length");
    return {};
  }
  case ImmKind::Lane: {
    auto value = laneIndex(opAtom, cursor, false);
    if (!value)
      return std::move(value).error();
    writeOpcode(out, op);
    out.writeByte(*value);
    return {};
  }
  case ImmKind::MemArgLane: {
    writeOpcode(out, op);
    // A leading index is the memory when a memarg keyword or a lane follows.
    const SExpr *after = cursor.peek(1);
    bool memoryFirst = cursor.peek() && cursor.peek()->isId();
    if (cursor.peek() && cursor.peek()->isNumber() && after &&
        (after->isNumber() || (after->isKeyword() && (after->text.starts_with("offset=") ||
                                                      after->text.starts_with("align=")))))
      memoryFirst = true;
    if (auto r = memArg(op, cursor, out, memoryFirst); !r)
      return r;
    auto value = laneIndex(opAtom, cursor, false);
    if (!value)
      return std::move(value).error();
    out.writeByte(*value);
    return {};
  }
  default: break;
  }
  return unexpected(opAtom);
}

} // namespace

Expected<void> parseInstructions(ModuleContext &context, FuncScope &scope, Cursor &cursor,
                                 ByteWriter &out) {
  InstrParser parser(context, scope);
  return parser.sequence(cursor, out);
}

Expected<std::vector<uint8_t>> parseConstExpr(ModuleContext &context, Cursor &cursor) {
  FuncScope scope;
  ByteWriter out;
  if (auto r = parseInstructions(context, scope, cursor, out); !r)
    return std::move(r).error();
  out.writeByte(0x0B);
  return out.take();
}

} // namespace wasmrt::internal::text
