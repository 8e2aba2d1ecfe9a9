#include "text/SExpr.h"

namespace wasmrt::internal::text {

namespace {
// Parsing, encoding and destroying S-expressions recurse once per level, so
// nesting is bounded to keep hostile input from exhausting the stack.
constexpr size_t kMaxNesting = 1000;
} // namespace

Expected<std::vector<SExpr>> readSExprs(std::string_view source) {
  Lexer lexer(source);
  std::vector<SExpr> topLevel;
  // Open lists, innermost last; an explicit stack keeps deep nesting off the
  // call stack.
  std::vector<SExpr> open;
  while (true) {
    auto token = lexer.next();
    if (!token)
      return std::move(token).error();
    switch (token->kind) {
    case TokenKind::End:
      if (!open.empty())
        return textError(open.back().location, "unclosed parenthesis");
      return topLevel;
    case TokenKind::LParen: {
      if (open.size() >= kMaxNesting)
        return textError(token->location, "nesting too deep");
      SExpr list;
      list.isList = true;
      list.location = token->location;
      open.push_back(std::move(list));
      break;
    }
    case TokenKind::RParen: {
      if (open.empty())
        return textError(token->location, "unexpected )");
      SExpr done = std::move(open.back());
      open.pop_back();
      (open.empty() ? topLevel : open.back().items).push_back(std::move(done));
      break;
    }
    case TokenKind::Atom: {
      SExpr atom;
      atom.atomKind = token->atomKind;
      atom.text = std::move(token->text);
      atom.location = token->location;
      (open.empty() ? topLevel : open.back().items).push_back(std::move(atom));
      break;
    }
    }
  }
}

} // namespace wasmrt::internal::text
