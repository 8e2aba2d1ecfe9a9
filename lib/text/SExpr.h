// S-expression reader for the WebAssembly text format and .wast scripts:
// the token stream becomes a tree of lists and atoms with source locations.
#pragma once

#include "text/Lexer.h"
#include "wasmrt/Error.h"

#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::internal::text {

struct SExpr {
  bool isList = false;
  AtomKind atomKind = AtomKind::Keyword; // atoms only
  std::string text;                      // atom text as written (String: decoded bytes)
  std::vector<SExpr> items;              // lists only
  SourceLocation location;

  bool isAtom() const { return !isList; }
  bool isKeyword() const { return !isList && atomKind == AtomKind::Keyword; }
  bool isKeyword(std::string_view keyword) const { return isKeyword() && text == keyword; }
  bool isId() const { return !isList && atomKind == AtomKind::Id; }
  bool isString() const { return !isList && atomKind == AtomKind::String; }
  bool isNumber() const { return !isList && atomKind == AtomKind::Number; }
  // The keyword a list starts with, or "" when it is not such a list.
  std::string_view head() const {
    if (!isList || items.empty() || !items[0].isKeyword())
      return {};
    return items[0].text;
  }
  // True for a list whose first item is `keyword`.
  bool isListOf(std::string_view keyword) const { return head() == keyword; }
};

// Parses a whole source into its top-level S-expressions (atoms at top level
// are allowed; callers decide). Errors: ErrorKind::Malformed, "LINE:COL: message".
Expected<std::vector<SExpr>> readSExprs(std::string_view source);

} // namespace wasmrt::internal::text
