#include "text/Lexer.h"

#include "support/Utf8.h"

namespace wasmrt::internal::text {

Error textError(SourceLocation location, std::string_view message) {
  return Error(ErrorKind::Malformed, std::to_string(location.line) + ":" +
                                         std::to_string(location.column) + ": " +
                                         std::string(message));
}

bool isIdChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
    return true;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
  case '-': case '.': case '/': case ':': case '<': case '=': case '>': case '?':
  case '@': case '\\': case '^': case '_': case '`': case '|': case '~':
    return true;
  default:
    return false;
  }
}

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Length of a UTF-8 sequence from its lead byte; 0 for an invalid lead.
size_t utf8Length(uint8_t lead) {
  if (lead < 0x80)
    return 1;
  if (lead >= 0xC2 && lead <= 0xDF)
    return 2;
  if (lead >= 0xE0 && lead <= 0xEF)
    return 3;
  if (lead >= 0xF0 && lead <= 0xF4)
    return 4;
  return 0;
}

AtomKind classify(std::string_view text) {
  char first = text[0];
  if (first == '$')
    return AtomKind::Id;
  std::string_view unsigned_ = text;
  if (first == '+' || first == '-')
    unsigned_ = text.substr(1);
  if (!unsigned_.empty() && unsigned_[0] >= '0' && unsigned_[0] <= '9')
    return AtomKind::Number;
  // nan:canonical and nan:arithmetic are script keywords, not literals.
  if (unsigned_ == "inf" || unsigned_ == "nan" ||
      (unsigned_.starts_with("nan:") && text != "nan:canonical" && text != "nan:arithmetic"))
    return AtomKind::Number;
  if (first >= 'a' && first <= 'z')
    return AtomKind::Keyword;
  return AtomKind::Reserved;
}

} // namespace

void Lexer::advance() {
  if (source_[pos_] == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  ++pos_;
}

Expected<void> Lexer::skipBlockComment() {
  SourceLocation start = here();
  advance(); // (
  advance(); // ;
  unsigned depth = 1;
  while (depth > 0) {
    if (atEnd())
      return textError(start, "unclosed comment");
    if (peek() == '(' && peek(1) == ';') {
      advance();
      advance();
      ++depth;
    } else if (peek() == ';' && peek(1) == ')') {
      advance();
      advance();
      --depth;
    } else {
      advance();
    }
  }
  return {};
}

Expected<void> Lexer::skipTrivia() {
  while (!atEnd()) {
    char c = peek();
    if (isSpace(c)) {
      advance();
    } else if (c == ';' && peek(1) == ';') {
      // The spec's newlines are LF, CR and CR LF: a lone CR ends the comment too.
      while (!atEnd() && peek() != '\n' && peek() != '\r')
        advance();
    } else if (c == '(' && peek(1) == ';') {
      if (auto r = skipBlockComment(); !r)
        return r;
    } else {
      break;
    }
  }
  return {};
}

Expected<void> Lexer::readString(std::string &out) {
  SourceLocation start = here();
  advance(); // opening quote
  while (true) {
    if (atEnd())
      return textError(start, "unclosed string");
    uint8_t c = uint8_t(peek());
    if (c == '"') {
      advance();
      return {};
    }
    if (c < 0x20 || c == 0x7F)
      return textError(here(), "illegal character in string");
    if (c >= 0x80) {
      size_t length = utf8Length(c);
      if (length == 0 || pos_ + length > source_.size() ||
          !isValidUtf8({reinterpret_cast<const uint8_t *>(source_.data() + pos_), length}))
        return textError(here(), "malformed UTF-8 encoding");
      out.append(source_.substr(pos_, length));
      for (size_t i = 0; i < length; ++i)
        advance();
      continue;
    }
    if (c != '\\') {
      out += char(c);
      advance();
      continue;
    }
    SourceLocation escape = here();
    advance();
    if (atEnd())
      return textError(start, "unclosed string");
    char e = peek();
    switch (e) {
    case 't': out += '\t'; advance(); continue;
    case 'n': out += '\n'; advance(); continue;
    case 'r': out += '\r'; advance(); continue;
    case '"': out += '"'; advance(); continue;
    case '\'': out += '\''; advance(); continue;
    case '\\': out += '\\'; advance(); continue;
    case 'u': {
      advance();
      if (peek() != '{')
        return textError(escape, "illegal escape");
      advance();
      uint32_t cp = 0;
      size_t digits = 0;
      while (hexValue(peek()) >= 0 || (peek() == '_' && digits > 0)) {
        if (peek() != '_') {
          cp = cp * 16 + uint32_t(hexValue(peek()));
          if (cp > 0x10FFFF)
            return textError(escape, "illegal escape");
          ++digits;
        }
        advance();
      }
      if (digits == 0 || peek() != '}' || (cp >= 0xD800 && cp < 0xE000))
        return textError(escape, "illegal escape");
      advance();
      appendUtf8(out, cp);
      continue;
    }
    default: {
      int high = hexValue(e), low = hexValue(peek(1));
      if (high < 0 || low < 0)
        return textError(escape, "illegal escape");
      advance();
      advance();
      out += char(high * 16 + low);
      continue;
    }
    }
  }
}

Expected<Token> Lexer::readAtom() {
  Token token;
  token.kind = TokenKind::Atom;
  token.location = here();
  std::string text;
  unsigned segments = 0;
  bool sawString = false, dollarThenString = false;
  // A token is a maximal run of id characters and strings; anything but a
  // lone string, a plain id-character run or `$"name"` is reserved.
  while (!atEnd()) {
    char c = peek();
    if (c == '"') {
      std::string decoded;
      if (auto r = readString(decoded); !r)
        return r.error();
      dollarThenString = segments == 1 && text == "$";
      text += decoded;
      sawString = true;
      ++segments;
    } else if (isIdChar(c)) {
      while (!atEnd() && isIdChar(peek())) {
        text += peek();
        advance();
      }
      ++segments;
    } else {
      break;
    }
  }
  if (segments == 0)
    return textError(token.location, "unexpected character");
  if (!atEnd()) {
    char c = peek();
    if (!isSpace(c) && c != '(' && c != ')' && c != ';')
      return textError(here(), "unexpected character");
  }
  if (segments == 1 && sawString) {
    token.atomKind = AtomKind::String;
  } else if (segments == 1) {
    token.atomKind = classify(text);
    if (token.atomKind == AtomKind::Id && text.size() == 1)
      token.atomKind = AtomKind::Reserved;
  } else if (segments == 2 && dollarThenString) {
    // $"name": the id is the decoded string; it must not be empty.
    token.atomKind = text.size() > 1 ? AtomKind::Id : AtomKind::Reserved;
  } else {
    token.atomKind = AtomKind::Reserved;
  }
  token.text = std::move(text);
  return token;
}

Expected<void> Lexer::skipAnnotation(SourceLocation start) {
  if (atEnd() || !isIdChar(peek()))
    return textError(start, "malformed annotation");
  unsigned depth = 1;
  while (depth > 0) {
    if (auto r = skipTrivia(); !r)
      return r;
    if (atEnd())
      return textError(start, "unclosed annotation");
    char c = peek();
    if (c == '(') {
      advance();
      ++depth;
    } else if (c == ')') {
      advance();
      --depth;
    } else if (c == '"') {
      std::string ignored;
      if (auto r = readString(ignored); !r)
        return r;
    } else if (isIdChar(c)) {
      while (!atEnd() && isIdChar(peek()))
        advance();
    } else {
      return textError(here(), "unexpected character");
    }
  }
  return {};
}

Expected<Token> Lexer::next() {
  while (true) {
    if (auto r = skipTrivia(); !r)
      return r.error();
    Token token;
    token.location = here();
    if (atEnd()) {
      token.kind = TokenKind::End;
      return token;
    }
    char c = peek();
    if (c == '(') {
      advance();
      if (peek() == '@') {
        advance();
        if (auto r = skipAnnotation(token.location); !r)
          return r.error();
        continue;
      }
      token.kind = TokenKind::LParen;
      return token;
    }
    if (c == ')') {
      advance();
      token.kind = TokenKind::RParen;
      return token;
    }
    if (c == ';')
      return textError(token.location, "unexpected character");
    return readAtom();
  }
}

} // namespace wasmrt::internal::text
