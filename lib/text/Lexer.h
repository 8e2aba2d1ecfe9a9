// Tokenizer for the WebAssembly text format. Comments, whitespace and
// annotations `(@id ...)` never reach the caller; strings arrive decoded.
#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace wasmrt::internal::text {

struct SourceLocation {
  uint32_t line = 1, column = 1;
};

// Classification of an atom. Numbers keep their spelling; the parser
// interprets them once it knows the expected type.
enum class AtomKind : uint8_t {
  Keyword,  // starts with a lowercase letter
  Id,       // $name or $"name"; text is "$" + the name
  String,   // text holds the decoded bytes
  Number,   // starts with a digit or a sign, or is an inf/nan form
  Reserved, // any other run of id characters or strings
};

enum class TokenKind : uint8_t { LParen, RParen, Atom, End };

struct Token {
  TokenKind kind = TokenKind::End;
  AtomKind atomKind = AtomKind::Keyword;
  std::string text;
  SourceLocation location;
};

// Builds the error every text-format layer reports: "LINE:COL: message".
Error textError(SourceLocation location, std::string_view message);

class Lexer {
public:
  explicit Lexer(std::string_view source) : source_(source) {}

  // The next token; TokenKind::End once the source is exhausted.
  Expected<Token> next();

private:
  bool atEnd() const { return pos_ >= source_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < source_.size() ? source_[pos_ + ahead] : '\0';
  }
  void advance();
  SourceLocation here() const { return {line_, column_}; }

  // Skips whitespace and comments; fails on an unterminated block comment.
  Expected<void> skipTrivia();
  Expected<void> skipBlockComment();
  // Skips the rest of an annotation whose "(@" has been consumed.
  Expected<void> skipAnnotation(SourceLocation start);
  // Reads a string literal at the current quote into `out` (decoded).
  Expected<void> readString(std::string &out);
  // Reads a run of id characters and strings that forms one atom.
  Expected<Token> readAtom();

  std::string_view source_;
  size_t pos_ = 0;
  uint32_t line_ = 1, column_ = 1;
};

// True for the characters the text format allows in keywords, ids and numbers.
bool isIdChar(char c);

} // namespace wasmrt::internal::text
