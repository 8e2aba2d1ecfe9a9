#include "text/WatLiterals.h"

#include <bit>
#include <cstdlib>
#include <limits>
#include <string>

namespace wasmrt::internal::text {

namespace {

bool isDigit(char c, bool hex) {
  if (c >= '0' && c <= '9')
    return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

unsigned digitValue(char c) {
  if (c >= '0' && c <= '9')
    return unsigned(c - '0');
  if (c >= 'a' && c <= 'f')
    return unsigned(c - 'a' + 10);
  return unsigned(c - 'A' + 10);
}

// Consumes `digit ('_'? digit)*` from the front of `text`, appending the
// digits to `out`. False if there is no digit or an `_` is misplaced.
bool takeDigits(std::string_view &text, bool hex, std::string &out) {
  size_t i = 0;
  if (text.empty() || !isDigit(text[0], hex))
    return false;
  while (i < text.size()) {
    if (isDigit(text[i], hex)) {
      out += text[i++];
    } else if (text[i] == '_' && i + 1 < text.size() && isDigit(text[i + 1], hex)) {
      ++i;
    } else {
      break;
    }
  }
  text.remove_prefix(i);
  return true;
}

// Parses digits (already separator-free) to a value; false on 64-bit overflow.
bool digitsToValue(const std::string &digits, bool hex, uint64_t &out) {
  uint64_t value = 0;
  uint64_t base = hex ? 16 : 10;
  for (char c : digits) {
    uint64_t d = digitValue(c);
    if (value > (UINT64_MAX - d) / base)
      return false;
    value = value * base + d;
  }
  out = value;
  return true;
}

// A whole unsigned `num` or `0x hexnum`; Syntax unless all of `text` is used.
LiteralStatus parseMagnitude(std::string_view text, uint64_t &out) {
  bool hex = text.starts_with("0x");
  if (hex)
    text.remove_prefix(2);
  std::string digits;
  if (!takeDigits(text, hex, digits) || !text.empty())
    return LiteralStatus::Syntax;
  return digitsToValue(digits, hex, out) ? LiteralStatus::Ok : LiteralStatus::OutOfRange;
}

// Checks float syntax after the sign and builds the separator-free spelling
// strtod expects. Returns false on a syntax error.
bool cleanFloat(std::string_view text, std::string &out) {
  bool hex = text.starts_with("0x");
  if (hex) {
    out += "0x";
    text.remove_prefix(2);
  }
  if (!takeDigits(text, hex, out))
    return false;
  if (!text.empty() && text[0] == '.') {
    out += '.';
    text.remove_prefix(1);
    if (!text.empty() && isDigit(text[0], hex) && !takeDigits(text, hex, out))
      return false;
  }
  if (!text.empty() && (hex ? (text[0] == 'p' || text[0] == 'P')
                            : (text[0] == 'e' || text[0] == 'E'))) {
    out += hex ? 'p' : 'e';
    text.remove_prefix(1);
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
      out += text[0];
      text.remove_prefix(1);
    }
    if (!takeDigits(text, false, out))
      return false;
  }
  return text.empty();
}

struct FloatFormat {
  unsigned mantissaBits;
  unsigned totalBits;
};

// Handles the inf and nan forms; returns false when `body` is neither.
bool parseSpecialFloat(std::string_view body, bool negative, FloatFormat format,
                       LiteralStatus &status, uint64_t &bits) {
  uint64_t signBit = negative ? uint64_t(1) << (format.totalBits - 1) : 0;
  uint64_t expMask = ((uint64_t(1) << (format.totalBits - 1)) - 1) &
                     ~((uint64_t(1) << format.mantissaBits) - 1);
  if (body == "inf") {
    bits = signBit | expMask;
    status = LiteralStatus::Ok;
    return true;
  }
  if (body == "nan") {
    bits = signBit | expMask | (uint64_t(1) << (format.mantissaBits - 1));
    status = LiteralStatus::Ok;
    return true;
  }
  if (!body.starts_with("nan:"))
    return false;
  body.remove_prefix(4);
  if (!body.starts_with("0x")) {
    status = LiteralStatus::Syntax;
    return true;
  }
  uint64_t payload = 0;
  status = parseMagnitude(body, payload);
  if (status == LiteralStatus::Ok &&
      (payload == 0 || payload >= (uint64_t(1) << format.mantissaBits)))
    status = LiteralStatus::OutOfRange;
  bits = signBit | expMask | payload;
  return true;
}

} // namespace

LiteralStatus parseUnsignedLiteral(std::string_view text, uint64_t max, uint64_t &out) {
  LiteralStatus status = parseMagnitude(text, out);
  if (status == LiteralStatus::Ok && out > max)
    return LiteralStatus::OutOfRange;
  return status;
}

LiteralStatus parseIntLiteral(std::string_view text, unsigned bits, uint64_t &out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  uint64_t magnitude = 0;
  LiteralStatus status = parseMagnitude(text, magnitude);
  if (status != LiteralStatus::Ok)
    return status;
  uint64_t mask = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  if (negative) {
    if (magnitude > (uint64_t(1) << (bits - 1)))
      return LiteralStatus::OutOfRange;
    out = (uint64_t(0) - magnitude) & mask;
  } else {
    if (magnitude > mask)
      return LiteralStatus::OutOfRange;
    out = magnitude;
  }
  return LiteralStatus::Ok;
}

namespace {
// f32 and f64 literals differ only in the format and the C conversion used.
// glibc's strtof/strtod round correctly from both decimal and hex spellings;
// f32 must never go through double, which would round twice.
template <typename Float, typename Bits>
LiteralStatus parseFloatLiteral(std::string_view text, FloatFormat format,
                                Float (*convert)(const char *, char **), Bits &out) {
  bool negative = !text.empty() && text[0] == '-';
  std::string_view body = text;
  if (!body.empty() && (body[0] == '+' || body[0] == '-'))
    body.remove_prefix(1);
  LiteralStatus status = LiteralStatus::Ok;
  uint64_t bits = 0;
  if (parseSpecialFloat(body, negative, format, status, bits)) {
    out = Bits(bits);
    return status;
  }
  std::string clean = negative ? "-" : "";
  if (!cleanFloat(body, clean))
    return LiteralStatus::Syntax;
  Bits valueBits = std::bit_cast<Bits>(convert(clean.c_str(), nullptr));
  constexpr Bits kSignBit = Bits(1) << (sizeof(Bits) * 8 - 1);
  const Bits kInfinity = std::bit_cast<Bits>(std::numeric_limits<Float>::infinity());
  if ((valueBits & ~kSignBit) == kInfinity)
    return LiteralStatus::OutOfRange;
  out = valueBits;
  return LiteralStatus::Ok;
}
} // namespace

LiteralStatus parseF32Literal(std::string_view text, uint32_t &out) {
  return parseFloatLiteral<float, uint32_t>(text, {23, 32}, &std::strtof, out);
}

LiteralStatus parseF64Literal(std::string_view text, uint64_t &out) {
  return parseFloatLiteral<double, uint64_t>(text, {52, 64}, &std::strtod, out);
}

} // namespace wasmrt::internal::text
