// Index spaces, identifiers, value types and type uses.
#include "text/WatContext.h"

#include "text/WatLiterals.h"

namespace wasmrt::internal::text {

const char *spaceName(Space space) {
  switch (space) {
  case Space::Type: return "type";
  case Space::Func: return "function";
  case Space::Table: return "table";
  case Space::Memory: return "memory";
  case Space::Global: return "global";
  case Space::Elem: return "elem segment";
  case Space::Data: return "data segment";
  }
  return "index";
}

namespace {
// The short names the spec uses in "duplicate ..." messages.
const char *duplicateName(Space space) {
  switch (space) {
  case Space::Type: return "type";
  case Space::Func: return "func";
  case Space::Table: return "table";
  case Space::Memory: return "memory";
  case Space::Global: return "global";
  case Space::Elem: return "elem";
  case Space::Data: return "data";
  }
  return "index";
}
} // namespace

Expected<ValType> parseValType(const SExpr &item) {
  if (item.isKeyword()) {
    static const std::pair<std::string_view, ValType> kTypes[] = {
        {"i32", ValType::I32},         {"i64", ValType::I64},
        {"f32", ValType::F32},         {"f64", ValType::F64},
        {"v128", ValType::V128},       {"funcref", ValType::FuncRef},
        {"externref", ValType::ExternRef},
    };
    for (const auto &[name, type] : kTypes)
      if (item.text == name)
        return type;
  }
  // The reference lexer has no token for an unknown keyword, hence "operator".
  if (item.isKeyword())
    return textError(item.location, "unknown operator " + item.text);
  return textError(item.location, "unexpected token, expected a value type");
}

Expected<uint32_t> parseU32(const SExpr &item) {
  uint64_t value = 0;
  if (!item.isNumber())
    return textError(item.location, "unexpected token, expected a number");
  switch (parseUnsignedLiteral(item.text, UINT32_MAX, value)) {
  case LiteralStatus::Ok: return uint32_t(value);
  case LiteralStatus::OutOfRange: return textError(item.location, "i32 constant out of range");
  case LiteralStatus::Syntax: break;
  }
  return textError(item.location, "unknown operator " + item.text);
}

Expected<void> ModuleContext::bind(Space space, const SExpr *id, uint32_t index) {
  if (!id)
    return {};
  auto [it, inserted] = names[size_t(space)].emplace(id->text, index);
  if (!inserted)
    return textError(id->location, std::string("duplicate ") + duplicateName(space) + " " +
                                       id->text);
  return {};
}

Expected<uint32_t> ModuleContext::resolve(Space space, const SExpr &ref) const {
  if (ref.isNumber())
    return parseU32(ref);
  if (ref.isId()) {
    const auto &map = names[size_t(space)];
    auto found = map.find(ref.text);
    if (found == map.end())
      return textError(ref.location, std::string("unknown ") + spaceName(space) + " " + ref.text);
    return found->second;
  }
  return textError(ref.location, "unexpected token, expected an index");
}

uint32_t ModuleContext::findOrAddType(const FuncType &type) {
  auto &types = encoder.types;
  for (size_t i = 0; i < types.size(); ++i)
    if (types[i] == type)
      return uint32_t(i);
  types.push_back(type);
  return uint32_t(types.size() - 1);
}

Expected<void> ModuleContext::parseSignature(Cursor &cursor, bool allowParamNames,
                                             FuncType &type,
                                             std::vector<std::string> *paramNames) {
  while (cursor.peekList("param")) {
    const SExpr &param = cursor.next();
    size_t first = 1;
    std::string name;
    if (param.items.size() > 1 && param.items[1].isId()) {
      if (!allowParamNames || param.items.size() != 3)
        return textError(param.items[1].location, "unexpected token");
      name = param.items[1].text;
      first = 2;
    }
    for (size_t i = first; i < param.items.size(); ++i) {
      auto type_ = parseValType(param.items[i]);
      if (!type_)
        return std::move(type_).error();
      type.params.push_back(*type_);
      if (paramNames)
        paramNames->push_back(name);
    }
  }
  while (cursor.peekList("result")) {
    const SExpr &result = cursor.next();
    for (size_t i = 1; i < result.items.size(); ++i) {
      auto type_ = parseValType(result.items[i]);
      if (!type_)
        return std::move(type_).error();
      type.results.push_back(*type_);
    }
  }
  return {};
}

Expected<TypeUse> ModuleContext::parseTypeUse(Cursor &cursor, bool allowParamNames,
                                              bool isBlockType) {
  TypeUse use;
  const SExpr *typeRef = nullptr;
  if (cursor.peekList("type")) {
    const SExpr &typeList = cursor.next();
    if (typeList.items.size() != 2)
      return textError(typeList.location, "unexpected token");
    typeRef = &typeList.items[1];
    auto index = resolve(Space::Type, *typeRef);
    if (!index)
      return std::move(index).error();
    use.index = *index;
    use.hasTypeRef = true;
  }
  FuncType inlineType;
  if (auto r = parseSignature(cursor, allowParamNames, inlineType, &use.paramNames); !r)
    return std::move(r).error();
  // Out-of-order parts of a type use are a syntax error before any type check.
  if (cursor.peekList("param") || cursor.peekList("type"))
    return textError(cursor.location(), "unexpected token");
  bool hasInline = !inlineType.params.empty() || !inlineType.results.empty();
  if (typeRef) {
    const auto &types = encoder.types;
    bool known = use.index < types.size();
    if (hasInline) {
      if (!known)
        return textError(typeRef->location, "unknown type");
      if (!(types[use.index] == inlineType))
        return textError(typeRef->location, "inline function type");
    }
    use.type = hasInline ? inlineType : known ? types[use.index] : FuncType{};
  } else if (isBlockType && inlineType.params.empty() && inlineType.results.size() <= 1) {
    use.type = inlineType;
    use.index = UINT32_MAX;
  } else {
    use.type = inlineType;
    use.index = findOrAddType(inlineType);
  }
  use.paramNames.resize(use.type.params.size());
  return use;
}

} // namespace wasmrt::internal::text
