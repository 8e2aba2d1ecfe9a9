// Internal to lib/text: the state shared by the module-field parser and the
// instruction parser while one module is encoded.
#pragma once

#include "binary/Encoder.h"
#include "binary/Types.h"
#include "text/SExpr.h"
#include "support/ByteWriter.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace wasmrt::internal::text {

// The index spaces a symbolic identifier can name at module level.
enum class Space : uint8_t { Type, Func, Table, Memory, Global, Elem, Data };
inline constexpr size_t kNumSpaces = 7;
const char *spaceName(Space space); // "type", "function", ... for messages

// Walks the items of one list (or a sequence of items) left to right.
class Cursor {
public:
  // Covers items[start, limit).
  Cursor(const std::vector<SExpr> &items, size_t start, SourceLocation end,
         size_t limit = SIZE_MAX)
      : items_(items), pos_(start), limit_(std::min(limit, items.size())), end_(end) {}

  bool done() const { return pos_ >= limit_; }
  const SExpr *peek(size_t ahead = 0) const {
    return pos_ + ahead < limit_ ? &items_[pos_ + ahead] : nullptr;
  }
  const SExpr &next() { return items_[pos_++]; }
  bool peekList(std::string_view keyword) const {
    const SExpr *item = peek();
    return item && item->isListOf(keyword);
  }
  bool peekKeyword(std::string_view keyword) const {
    const SExpr *item = peek();
    return item && item->isKeyword(keyword);
  }
  const std::vector<SExpr> &items() const { return items_; }
  size_t position() const { return pos_; }
  // Where to report "expected ..." errors: the next item, or the list start.
  SourceLocation location() const { return done() ? end_ : items_[pos_].location; }

private:
  const std::vector<SExpr> &items_;
  size_t pos_;
  size_t limit_;
  SourceLocation end_;
};

// A resolved type use: `(type x)? (param ...)* (result ...)*`.
struct TypeUse {
  uint32_t index = 0;    // UINT32_MAX: a block type short enough to inline
  bool hasTypeRef = false; // written as `(type x)`
  FuncType type;                       // the signature locals are named against
  std::vector<std::string> paramNames; // "" for unnamed params
};

// Locals and labels of the function whose body is being parsed.
struct FuncScope {
  std::unordered_map<std::string, uint32_t> localNames;
  std::vector<std::string> labels; // innermost last; "" when unnamed
};

class ModuleContext {
public:
  ModuleEncoder encoder;
  std::array<std::unordered_map<std::string, uint32_t>, kNumSpaces> names;
  std::array<uint32_t, kNumSpaces> counts{};

  // Records `id` (when present) as naming `index`; fails on a duplicate.
  Expected<void> bind(Space space, const SExpr *id, uint32_t index);
  // A numeric index (u32) or a bound identifier.
  Expected<uint32_t> resolve(Space space, const SExpr &ref) const;
  bool isIndexAtom(const SExpr *item) const {
    return item && (item->isId() || item->isNumber());
  }
  // The first type equal to `type`, appending it when there is none.
  uint32_t findOrAddType(const FuncType &type);

  // `(type x)? (param ...)* (result ...)*`, adding an implicit type when
  // needed. Parameter ids are allowed only when `allowParamNames`. Block types
  // with no params and at most one result need no type index.
  Expected<TypeUse> parseTypeUse(Cursor &cursor, bool allowParamNames,
                                 bool isBlockType = false);
  // Parses `(param ...)*` then `(result ...)*` into `type` (no `(type x)`).
  Expected<void> parseSignature(Cursor &cursor, bool allowParamNames, FuncType &type,
                                std::vector<std::string> *paramNames);
};

Expected<ValType> parseValType(const SExpr &item);
Expected<uint32_t> parseU32(const SExpr &item);

// Parses instructions until `cursor` is exhausted, appending their encoding
// (without a final `end`) to `out`.
Expected<void> parseInstructions(ModuleContext &context, FuncScope &scope, Cursor &cursor,
                                 ByteWriter &out);
// A constant expression (global init, offsets, element items): instructions
// followed by `end`.
Expected<std::vector<uint8_t>> parseConstExpr(ModuleContext &context, Cursor &cursor);

} // namespace wasmrt::internal::text
