// Module fields: a first pass binds identifiers and collects explicit types,
// a second encodes every field in textual order.
#include "text/WatContext.h"
#include "text/WatParser.h"

#include "support/Utf8.h"

#include <algorithm>

namespace wasmrt::internal::text {

namespace {

Error unexpectedItem(const SExpr &item) {
  if (!item.isList && item.atomKind == AtomKind::Reserved)
    return textError(item.location, "unknown operator " + item.text);
  return textError(item.location, item.isList ? std::string("unexpected token")
                                              : "unexpected token " + item.text);
}

Error expected(const Cursor &cursor, std::string_view what) {
  return textError(cursor.location(), "unexpected token, expected " + std::string(what));
}

const SExpr *takeId(Cursor &cursor) {
  if (cursor.peek() && cursor.peek()->isId())
    return &cursor.next();
  return nullptr;
}

// Import and export names are strings that must decode to valid UTF-8.
Expected<std::string> nameString(const SExpr &item) {
  if (!item.isString())
    return unexpectedItem(item);
  if (!isValidUtf8({reinterpret_cast<const uint8_t *>(item.text.data()), item.text.size()}))
    return textError(item.location, "malformed UTF-8 encoding");
  return item.text;
}

std::vector<uint8_t> i32ConstZero() { return {0x41, 0x00, 0x0B}; }

Expected<std::string> concatStrings(Cursor &cursor) {
  std::string bytes;
  while (!cursor.done()) {
    const SExpr &item = cursor.next();
    if (!item.isString())
      return unexpectedItem(item);
    bytes += item.text;
  }
  return bytes;
}

struct FieldKind {
  std::string_view keyword;
  Space space;
  ExternKind extern_;
  const char *definition; // for "import after ..."
};

const FieldKind *fieldKind(std::string_view keyword) {
  static const FieldKind kKinds[] = {
      {"func", Space::Func, ExternKind::Func, "function"},
      {"table", Space::Table, ExternKind::Table, "table"},
      {"memory", Space::Memory, ExternKind::Memory, "memory"},
      {"global", Space::Global, ExternKind::Global, "global"},
  };
  for (const FieldKind &kind : kKinds)
    if (kind.keyword == keyword)
      return &kind;
  return nullptr;
}

bool isRefTypeKeyword(const SExpr *item) {
  return item && (item->isKeyword("funcref") || item->isKeyword("externref"));
}

class ModuleParser {
public:
  explicit ModuleParser(const WatOptions &options) : options_(options) {}

  Expected<std::vector<uint8_t>> parse(const std::vector<SExpr> &fields, size_t start,
                                       const SExpr *moduleId);

private:
  Expected<void> collect(const SExpr &field);
  Expected<void> collectType(const SExpr &field);
  Expected<void> encode(const SExpr &field);

  // Skips `(export ...)*` after a definition's id, recording the exports.
  Expected<void> inlineExports(Cursor &cursor, ExternKind kind, uint32_t index);
  Expected<void> import(const SExpr &importList, const FieldKind &kind, Cursor &desc);
  Expected<void> definition(const SExpr &field, const FieldKind &kind);
  Expected<void> function(const SExpr &field, Cursor &cursor, uint32_t index);
  Expected<void> table(Cursor &cursor, uint32_t index);
  Expected<void> memory(Cursor &cursor, uint32_t index);
  Expected<void> exportField(const SExpr &field);
  Expected<void> elemField(const SExpr &field);
  Expected<void> elemList(Cursor &cursor, bool allowBareIndices, EncoderElement &element);
  Expected<void> dataField(const SExpr &field);
  Expected<std::vector<uint8_t>> offset(Cursor &cursor);

  Expected<Limits> limits(Cursor &cursor);
  Expected<TableType> tableType(Cursor &cursor);
  Expected<GlobalType> globalType(Cursor &cursor);

  const WatOptions &options_;
  ModuleContext ctx_;
  const char *firstDefinition_ = nullptr; // pass 1: imports must precede it
  std::array<uint32_t, kNumSpaces> next_{}; // pass 2: next index per space
};

Expected<void> ModuleParser::collectType(const SExpr &field) {
  Cursor cursor(field.items, 1, field.location);
  const SExpr *id = takeId(cursor);
  if (!cursor.peekList("func"))
    return expected(cursor, "(func ...)");
  const SExpr &func = cursor.next();
  if (!cursor.done())
    return unexpectedItem(*cursor.peek());
  Cursor sig(func.items, 1, func.location);
  FuncType type;
  if (auto r = ctx_.parseSignature(sig, /*allowParamNames=*/true, type, nullptr); !r)
    return r;
  if (!sig.done())
    return unexpectedItem(*sig.peek());
  if (auto r = ctx_.bind(Space::Type, id, uint32_t(ctx_.encoder.types.size())); !r)
    return r;
  ctx_.encoder.types.push_back(std::move(type));
  ctx_.counts[size_t(Space::Type)]++;
  return {};
}

Expected<void> ModuleParser::collect(const SExpr &field) {
  if (!field.isList || field.head().empty())
    return unexpectedItem(field.isList && !field.items.empty() ? field.items[0] : field);
  std::string_view head = field.head();
  auto countIn = [&](Space space, const SExpr *id) -> Expected<void> {
    uint32_t &count = ctx_.counts[size_t(space)];
    if (auto r = ctx_.bind(space, id, count); !r)
      return r;
    ++count;
    return {};
  };
  if (head == "type")
    return collectType(field);
  if (head == "import") {
    if (field.items.size() != 4 || !field.items[3].isList || !fieldKind(field.items[3].head()))
      return unexpectedItem(field);
    const FieldKind &kind = *fieldKind(field.items[3].head());
    if (firstDefinition_)
      return textError(field.location, std::string("import after ") + firstDefinition_);
    Cursor desc(field.items[3].items, 1, field.items[3].location);
    return countIn(kind.space, takeId(desc));
  }
  if (const FieldKind *kind = fieldKind(head)) {
    Cursor cursor(field.items, 1, field.location);
    const SExpr *id = takeId(cursor);
    while (cursor.peekList("export"))
      cursor.next();
    if (cursor.peekList("import")) {
      if (firstDefinition_)
        return textError(field.location, std::string("import after ") + firstDefinition_);
    } else if (!firstDefinition_) {
      firstDefinition_ = kind->definition;
    }
    if (!cursor.peekList("import")) {
      if (kind->space == Space::Table && isRefTypeKeyword(cursor.peek()) &&
          cursor.peek(1) && cursor.peek(1)->isListOf("elem"))
        ctx_.counts[size_t(Space::Elem)]++;
      if (kind->space == Space::Memory && cursor.peekList("data"))
        ctx_.counts[size_t(Space::Data)]++;
    }
    return countIn(kind->space, id);
  }
  if (head == "elem" || head == "data") {
    Cursor cursor(field.items, 1, field.location);
    return countIn(head == "elem" ? Space::Elem : Space::Data, takeId(cursor));
  }
  if (head == "export" || head == "start")
    return {};
  return textError(field.items[0].location, "unexpected token " + std::string(head));
}

Expected<Limits> ModuleParser::limits(Cursor &cursor) {
  Limits result;
  if (!cursor.peek() || !cursor.peek()->isNumber())
    return expected(cursor, "limits");
  auto min = parseU32(cursor.next());
  if (!min)
    return std::move(min).error();
  result.min = *min;
  if (cursor.peek() && cursor.peek()->isNumber()) {
    auto max = parseU32(cursor.next());
    if (!max)
      return std::move(max).error();
    result.max = *max;
  }
  return result;
}

Expected<TableType> ModuleParser::tableType(Cursor &cursor) {
  TableType type;
  auto lim = limits(cursor);
  if (!lim)
    return std::move(lim).error();
  type.limits = *lim;
  if (!isRefTypeKeyword(cursor.peek()))
    return expected(cursor, "a reference type");
  type.elemType = cursor.next().isKeyword("funcref") ? ValType::FuncRef : ValType::ExternRef;
  return type;
}

Expected<GlobalType> ModuleParser::globalType(Cursor &cursor) {
  GlobalType type;
  if (cursor.done())
    return expected(cursor, "a global type");
  const SExpr &item = cursor.next();
  const SExpr *valType = &item;
  if (item.isListOf("mut")) {
    if (item.items.size() != 2)
      return unexpectedItem(item);
    type.isMutable = true;
    valType = &item.items[1];
  }
  auto parsed = parseValType(*valType);
  if (!parsed)
    return std::move(parsed).error();
  type.type = *parsed;
  return type;
}

Expected<void> ModuleParser::inlineExports(Cursor &cursor, ExternKind kind, uint32_t index) {
  while (cursor.peekList("export")) {
    const SExpr &list = cursor.next();
    if (list.items.size() != 2)
      return unexpectedItem(list);
    auto name = nameString(list.items[1]);
    if (!name)
      return std::move(name).error();
    ctx_.encoder.exports.push_back({std::move(*name), kind, index, 0});
  }
  return {};
}

Expected<void> ModuleParser::import(const SExpr &importList, const FieldKind &kind,
                                    Cursor &desc) {
  if (importList.items.size() < 3)
    return unexpectedItem(importList);
  auto module = nameString(importList.items[1]);
  if (!module)
    return std::move(module).error();
  auto name = nameString(importList.items[2]);
  if (!name)
    return std::move(name).error();
  Import entry;
  entry.module = std::move(*module);
  entry.name = std::move(*name);
  entry.kind = kind.extern_;
  switch (kind.extern_) {
  case ExternKind::Func: {
    auto use = ctx_.parseTypeUse(desc, /*allowParamNames=*/true);
    if (!use)
      return std::move(use).error();
    entry.funcTypeIndex = use->index;
    break;
  }
  case ExternKind::Table: {
    auto type = tableType(desc);
    if (!type)
      return std::move(type).error();
    entry.table = *type;
    break;
  }
  case ExternKind::Memory: {
    auto lim = limits(desc);
    if (!lim)
      return std::move(lim).error();
    entry.memory.limits = *lim;
    break;
  }
  case ExternKind::Global: {
    auto type = globalType(desc);
    if (!type)
      return std::move(type).error();
    entry.global = *type;
    break;
  }
  }
  if (!desc.done())
    return unexpectedItem(*desc.peek());
  ctx_.encoder.imports.push_back(std::move(entry));
  return {};
}

Expected<void> ModuleParser::definition(const SExpr &field, const FieldKind &kind) {
  uint32_t index = next_[size_t(kind.space)]++;
  Cursor cursor(field.items, 1, field.location);
  takeId(cursor);
  if (auto r = inlineExports(cursor, kind.extern_, index); !r)
    return r;
  if (cursor.peekList("import")) {
    const SExpr &importList = cursor.next();
    if (importList.items.size() != 3)
      return unexpectedItem(importList);
    return import(importList, kind, cursor);
  }
  switch (kind.extern_) {
  case ExternKind::Func: return function(field, cursor, index);
  case ExternKind::Table: return table(cursor, index);
  case ExternKind::Memory: return memory(cursor, index);
  case ExternKind::Global: {
    auto type = globalType(cursor);
    if (!type)
      return std::move(type).error();
    auto init = parseConstExpr(ctx_, cursor);
    if (!init)
      return std::move(init).error();
    ctx_.encoder.globals.push_back({*type, std::move(*init)});
    return {};
  }
  }
  return {};
}

Expected<void> ModuleParser::function(const SExpr &field, Cursor &cursor, uint32_t index) {
  auto use = ctx_.parseTypeUse(cursor, /*allowParamNames=*/true);
  if (!use)
    return std::move(use).error();
  FuncScope scope;
  uint32_t numLocals = 0;
  auto addLocal = [&](const std::string &name, const SExpr &at) -> Expected<void> {
    if (!name.empty() && !scope.localNames.emplace(name, numLocals).second)
      return textError(at.location, "duplicate local " + name);
    ++numLocals;
    return {};
  };
  for (const std::string &name : use->paramNames)
    if (auto r = addLocal(name, field); !r)
      return r;
  EncoderFunction function;
  function.typeIndex = use->index;
  while (cursor.peekList("local")) {
    const SExpr &local = cursor.next();
    size_t first = 1;
    std::string name;
    if (local.items.size() > 1 && local.items[1].isId()) {
      if (local.items.size() != 3)
        return unexpectedItem(local.items[1]);
      name = local.items[1].text;
      first = 2;
    }
    for (size_t i = first; i < local.items.size(); ++i) {
      auto type = parseValType(local.items[i]);
      if (!type)
        return std::move(type).error();
      if (auto r = addLocal(name, local.items[1]); !r)
        return r;
      if (!function.locals.empty() && function.locals.back().type == *type)
        function.locals.back().count++;
      else
        function.locals.push_back({1, *type});
    }
  }
  ByteWriter code;
  if (auto r = parseInstructions(ctx_, scope, cursor, code); !r)
    return r;
  code.writeByte(0x0B);
  function.code = code.take();
  ctx_.encoder.functions.push_back(std::move(function));
  (void)index;
  return {};
}

Expected<void> ModuleParser::table(Cursor &cursor, uint32_t index) {
  if (isRefTypeKeyword(cursor.peek()) && cursor.peek(1) && cursor.peek(1)->isListOf("elem")) {
    EncoderElement element;
    element.elemType =
        cursor.next().isKeyword("funcref") ? ValType::FuncRef : ValType::ExternRef;
    const SExpr &elem = cursor.next();
    Cursor items(elem.items, 1, elem.location);
    element.tableIndex = index;
    element.offset = i32ConstZero();
    if (items.peek() && items.peek()->isList) {
      element.usesExprs = true;
      if (auto r = elemList(items, false, element); !r)
        return r;
    } else {
      if (auto r = elemList(items, true, element); !r)
        return r;
    }
    uint64_t size = element.usesExprs ? element.exprs.size() : element.funcIndices.size();
    ctx_.encoder.tables.push_back({element.elemType, {size, size}});
    ctx_.encoder.elements.push_back(std::move(element));
    next_[size_t(Space::Elem)]++;
  } else {
    auto type = tableType(cursor);
    if (!type)
      return std::move(type).error();
    ctx_.encoder.tables.push_back(*type);
  }
  if (!cursor.done())
    return unexpectedItem(*cursor.peek());
  return {};
}

Expected<void> ModuleParser::memory(Cursor &cursor, uint32_t index) {
  if (cursor.peekList("data")) {
    const SExpr &data = cursor.next();
    Cursor strings(data.items, 1, data.location);
    auto bytes = concatStrings(strings);
    if (!bytes)
      return std::move(bytes).error();
    uint64_t pages = (bytes->size() + kWasmPageSize - 1) / kWasmPageSize;
    ctx_.encoder.memories.push_back({{pages, pages}});
    EncoderData segment;
    segment.memoryIndex = index;
    segment.offset = i32ConstZero();
    segment.bytes.assign(bytes->begin(), bytes->end());
    ctx_.encoder.data.push_back(std::move(segment));
    next_[size_t(Space::Data)]++;
  } else {
    auto lim = limits(cursor);
    if (!lim)
      return std::move(lim).error();
    ctx_.encoder.memories.push_back({*lim});
  }
  if (!cursor.done())
    return unexpectedItem(*cursor.peek());
  return {};
}

Expected<void> ModuleParser::exportField(const SExpr &field) {
  if (field.items.size() != 3 || !field.items[2].isList || field.items[2].items.size() != 2)
    return unexpectedItem(field);
  auto name = nameString(field.items[1]);
  if (!name)
    return std::move(name).error();
  const SExpr &desc = field.items[2];
  const FieldKind *kind = fieldKind(desc.head());
  if (!kind)
    return unexpectedItem(desc);
  auto index = ctx_.resolve(kind->space, desc.items[1]);
  if (!index)
    return std::move(index).error();
  ctx_.encoder.exports.push_back({std::move(*name), kind->extern_, *index, 0});
  return {};
}

Expected<std::vector<uint8_t>> ModuleParser::offset(Cursor &cursor) {
  const SExpr &item = cursor.next();
  if (item.isListOf("offset")) {
    Cursor expr(item.items, 1, item.location);
    return parseConstExpr(ctx_, expr);
  }
  // Abbreviation: a single folded instruction.
  Cursor expr(cursor.items(), cursor.position() - 1,
              item.location, cursor.position());
  return parseConstExpr(ctx_, expr);
}

Expected<void> ModuleParser::elemList(Cursor &cursor, bool allowBareIndices,
                                      EncoderElement &element) {
  if (cursor.peekKeyword("func")) {
    cursor.next();
  } else if (isRefTypeKeyword(cursor.peek())) {
    element.elemType =
        cursor.next().isKeyword("funcref") ? ValType::FuncRef : ValType::ExternRef;
    element.usesExprs = true;
  } else if (!allowBareIndices && !element.usesExprs) {
    return expected(cursor, "func or a reference type");
  }
  if (element.usesExprs) {
    while (!cursor.done()) {
      const SExpr &item = cursor.next();
      if (!item.isList)
        return unexpectedItem(item);
      Expected<std::vector<uint8_t>> expr = std::vector<uint8_t>{};
      if (item.isListOf("item")) {
        Cursor items(item.items, 1, item.location);
        expr = parseConstExpr(ctx_, items);
      } else {
        Cursor single(cursor.items(), cursor.position() - 1, item.location, cursor.position());
        expr = parseConstExpr(ctx_, single);
      }
      if (!expr)
        return std::move(expr).error();
      element.exprs.push_back(std::move(*expr));
    }
    return {};
  }
  while (!cursor.done()) {
    auto index = ctx_.resolve(Space::Func, cursor.next());
    if (!index)
      return std::move(index).error();
    element.funcIndices.push_back(*index);
  }
  return {};
}

Expected<void> ModuleParser::elemField(const SExpr &field) {
  next_[size_t(Space::Elem)]++;
  Cursor cursor(field.items, 1, field.location);
  takeId(cursor);
  EncoderElement element;
  bool active = false;
  if (cursor.peekKeyword("declare")) {
    cursor.next();
    element.mode = SegmentMode::Declarative;
  } else if (cursor.peekList("table")) {
    const SExpr &table = cursor.next();
    if (table.items.size() != 2)
      return unexpectedItem(table);
    auto index = ctx_.resolve(Space::Table, table.items[1]);
    if (!index)
      return std::move(index).error();
    element.tableIndex = *index;
    active = true;
  } else if (ctx_.isIndexAtom(cursor.peek()) && cursor.peek(1) && cursor.peek(1)->isList) {
    auto index = ctx_.resolve(Space::Table, cursor.next());
    if (!index)
      return std::move(index).error();
    element.tableIndex = *index;
    active = true;
  }
  if (element.mode != SegmentMode::Declarative && cursor.peek() && cursor.peek()->isList)
    active = true;
  if (active) {
    if (!cursor.peek() || !cursor.peek()->isList)
      return expected(cursor, "an offset");
    auto expr = offset(cursor);
    if (!expr)
      return std::move(expr).error();
    element.offset = std::move(*expr);
  } else if (element.mode != SegmentMode::Declarative) {
    element.mode = SegmentMode::Passive;
  }
  if (auto r = elemList(cursor, active, element); !r)
    return r;
  ctx_.encoder.elements.push_back(std::move(element));
  return {};
}

Expected<void> ModuleParser::dataField(const SExpr &field) {
  next_[size_t(Space::Data)]++;
  Cursor cursor(field.items, 1, field.location);
  takeId(cursor);
  EncoderData segment;
  segment.mode = SegmentMode::Passive;
  if (cursor.peekList("memory")) {
    const SExpr &memory = cursor.next();
    if (memory.items.size() != 2)
      return unexpectedItem(memory);
    auto index = ctx_.resolve(Space::Memory, memory.items[1]);
    if (!index)
      return std::move(index).error();
    segment.memoryIndex = *index;
    if (!cursor.peek() || !cursor.peek()->isList)
      return expected(cursor, "an offset");
  } else if (ctx_.isIndexAtom(cursor.peek()) && cursor.peek(1) && cursor.peek(1)->isList) {
    auto index = ctx_.resolve(Space::Memory, cursor.next());
    if (!index)
      return std::move(index).error();
    segment.memoryIndex = *index;
  }
  if (cursor.peek() && cursor.peek()->isList) {
    segment.mode = SegmentMode::Active;
    auto expr = offset(cursor);
    if (!expr)
      return std::move(expr).error();
    segment.offset = std::move(*expr);
  }
  auto bytes = concatStrings(cursor);
  if (!bytes)
    return std::move(bytes).error();
  segment.bytes.assign(bytes->begin(), bytes->end());
  ctx_.encoder.data.push_back(std::move(segment));
  return {};
}

Expected<void> ModuleParser::encode(const SExpr &field) {
  std::string_view head = field.head();
  if (head == "type")
    return {};
  if (head == "import") {
    const SExpr &desc = field.items[3];
    const FieldKind &kind = *fieldKind(desc.head());
    next_[size_t(kind.space)]++;
    Cursor cursor(desc.items, 1, desc.location);
    takeId(cursor);
    return import(field, kind, cursor);
  }
  if (const FieldKind *kind = fieldKind(head))
    return definition(field, *kind);
  if (head == "export")
    return exportField(field);
  if (head == "start") {
    if (field.items.size() != 2)
      return unexpectedItem(field);
    if (ctx_.encoder.start)
      return textError(field.location, "multiple start sections");
    auto index = ctx_.resolve(Space::Func, field.items[1]);
    if (!index)
      return std::move(index).error();
    ctx_.encoder.start = *index;
    return {};
  }
  if (head == "elem")
    return elemField(field);
  return dataField(field);
}

Expected<std::vector<uint8_t>> ModuleParser::parse(const std::vector<SExpr> &fields,
                                                   size_t start, const SExpr *moduleId) {
  for (size_t i = start; i < fields.size(); ++i)
    if (auto r = collect(fields[i]); !r)
      return std::move(r).error();
  for (size_t i = start; i < fields.size(); ++i)
    if (auto r = encode(fields[i]); !r)
      return std::move(r).error();
  if (options_.emitNames) {
    EncoderNames &names = ctx_.encoder.names;
    if (moduleId)
      names.module = moduleId->text.substr(1);
    for (const auto &[name, index] : ctx_.names[size_t(Space::Func)])
      names.functions.push_back({index, name.substr(1)});
    std::sort(names.functions.begin(), names.functions.end());
  }
  return ctx_.encoder.encode();
}

} // namespace

Expected<std::vector<uint8_t>> encodeModuleForm(const SExpr &moduleForm,
                                                const WatOptions &options) {
  if (!moduleForm.isListOf("module"))
    return textError(moduleForm.location, "unexpected token, expected (module ...)");
  Cursor cursor(moduleForm.items, 1, moduleForm.location);
  const SExpr *id = takeId(cursor);
  if (cursor.peekKeyword("binary") || cursor.peekKeyword("quote")) {
    bool quote = cursor.next().isKeyword("quote");
    auto bytes = concatStrings(cursor);
    if (!bytes)
      return std::move(bytes).error();
    if (quote)
      return parseWat(*bytes, options);
    return std::vector<uint8_t>(bytes->begin(), bytes->end());
  }
  ModuleParser parser(options);
  return parser.parse(moduleForm.items, id ? 2 : 1, id);
}

Expected<std::vector<uint8_t>> parseWat(std::string_view source, const WatOptions &options) {
  auto exprs = readSExprs(source);
  if (!exprs)
    return std::move(exprs).error();
  if (exprs->size() == 1 && (*exprs)[0].isListOf("module"))
    return encodeModuleForm((*exprs)[0], options);
  for (const SExpr &field : *exprs)
    if (field.isListOf("module"))
      return textError(field.location, "unexpected token, expected a module field");
  ModuleParser parser(options);
  return parser.parse(*exprs, 0, nullptr);
}

} // namespace wasmrt::internal::text
