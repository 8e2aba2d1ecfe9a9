// Numeric literals of the text format: integers (decimal/hex with `_`
// separators, optional sign) and floats (decimal, hex, inf, nan, nan:0x...).
#pragma once

#include <cstdint>
#include <string_view>

namespace wasmrt::internal::text {

enum class LiteralStatus : uint8_t { Ok, Syntax, OutOfRange };

// An unsigned literal (no sign) no larger than `max`.
LiteralStatus parseUnsignedLiteral(std::string_view text, uint64_t max, uint64_t &out);
// An iN literal: unsigned up to 2^bits-1, or negative down to -2^(bits-1).
// `out` holds the two's-complement bit pattern truncated to `bits`.
LiteralStatus parseIntLiteral(std::string_view text, unsigned bits, uint64_t &out);
// f32/f64 literals, correctly rounded; `out` holds the IEEE bit pattern.
LiteralStatus parseF32Literal(std::string_view text, uint32_t &out);
LiteralStatus parseF64Literal(std::string_view text, uint64_t &out);

} // namespace wasmrt::internal::text
