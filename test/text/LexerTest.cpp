#include "text/SExpr.h"

#include <catch2/catch.hpp>

using namespace wasmrt;
using namespace wasmrt::internal;
using namespace wasmrt::internal::text;

namespace {
std::vector<SExpr> read(std::string_view source) {
  auto result = readSExprs(source);
  INFO(source);
  REQUIRE(result);
  return std::move(result).value();
}
std::string errorOf(std::string_view source) {
  auto result = readSExprs(source);
  REQUIRE_FALSE(result);
  CHECK(result.error().kind() == ErrorKind::Malformed);
  return result.error().message();
}
} // namespace

TEST_CASE("S-expression reader builds nested lists with locations") {
  auto exprs = read("(module\n  (func $f (param i32)))");
  REQUIRE(exprs.size() == 1);
  const SExpr &module = exprs[0];
  CHECK(module.isListOf("module"));
  REQUIRE(module.items.size() == 2);
  const SExpr &func = module.items[1];
  CHECK(func.head() == "func");
  CHECK(func.location.line == 2);
  CHECK(func.location.column == 3);
  CHECK(func.items[1].isId());
  CHECK(func.items[1].text == "$f");
  CHECK(func.items[2].isListOf("param"));
}

TEST_CASE("Lexer skips comments and annotations") {
  auto exprs = read(";; line\n(a (; block (; nested ;) ;) b (@ann (x \")\" y)) c) ;; end");
  REQUIRE(exprs.size() == 1);
  REQUIRE(exprs[0].items.size() == 3);
  CHECK(exprs[0].items[1].text == "b");
  CHECK(exprs[0].items[2].text == "c");
  CHECK(read("(;;)(;(;;);)x").size() == 1);
}

TEST_CASE("Lexer decodes string escapes") {
  auto exprs = read(R"("a\t\n\r\"\'\\\41\u{48}\u{20AC}\u{1F600}")");
  REQUIRE(exprs.size() == 1);
  CHECK(exprs[0].isString());
  CHECK(exprs[0].text == "a\t\n\r\"'\\AH\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(read(R"("\00\ff")")[0].text == std::string("\0\xff", 2));
}

TEST_CASE("Lexer classifies atoms") {
  auto exprs = read("(i32.const 1 -2 +0x3 inf -nan nan:0x1 $x $\"y z\" a\"b\")");
  const auto &items = exprs[0].items;
  CHECK(items[0].atomKind == AtomKind::Keyword);
  CHECK(items[1].atomKind == AtomKind::Number);
  CHECK(items[2].atomKind == AtomKind::Number);
  CHECK(items[3].atomKind == AtomKind::Number);
  CHECK(items[4].atomKind == AtomKind::Number);
  CHECK(items[5].atomKind == AtomKind::Number);
  CHECK(items[6].atomKind == AtomKind::Number);
  CHECK(items[7].atomKind == AtomKind::Id);
  CHECK(items[8].atomKind == AtomKind::Id);
  CHECK(items[8].text == "$y z");
  CHECK(items[9].atomKind == AtomKind::Reserved);
}

TEST_CASE("Lexer errors carry line and column") {
  CHECK(errorOf("(a\n  \"abc") == "2:3: unclosed string");
  CHECK(errorOf("(a (; x") == "1:4: unclosed comment");
  CHECK(errorOf("(a\n (b)") == "1:1: unclosed parenthesis");
  CHECK(errorOf("a)") == "1:2: unexpected )");
  CHECK(errorOf("\"\\q\"") == "1:2: illegal escape");
  CHECK(errorOf("\"\\u{D800}\"") == "1:2: illegal escape");
  CHECK(errorOf("\"a\nb\"") == "1:3: illegal character in string");
  CHECK(errorOf("\"\xff\"") == "1:2: malformed UTF-8 encoding");
  CHECK(errorOf("(a ; b)") == "1:4: unexpected character");
  CHECK(errorOf("(a , b)") == "1:4: unexpected character");
}

TEST_CASE("S-expression nesting is bounded") {
  std::string deep(1000, '(');
  deep += std::string(1000, ')');
  CHECK(readSExprs(deep));
  std::string tooDeep(1001, '(');
  tooDeep += std::string(1001, ')');
  CHECK(errorOf(tooDeep) == "1:1001: nesting too deep");
}
