#include "binary/Opcode.h"

#include <array>
#include <unordered_map>

namespace wasmrt::internal {

namespace {
constexpr OpcodeInfo kOpcodeInfos[] = {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)          \
  {Prefix, Code, Text, ImmKind::Imm, Sig, Align, Lanes},
#include "binary/Opcodes.def"
};
static_assert(std::size(kOpcodeInfos) == kNumOpcodes);

constexpr uint16_t kNoOpcode = 0xFFFF;

// Dense tables for the three opcode spaces; 0xFC and 0xFD codes are < 256 in 2.0.
struct DecodeTables {
  std::array<uint16_t, 256> plain, prefixFC, prefixFD;
  constexpr DecodeTables() : plain(), prefixFC(), prefixFD() {
    plain.fill(kNoOpcode);
    prefixFC.fill(kNoOpcode);
    prefixFD.fill(kNoOpcode);
    for (unsigned i = 0; i < kNumOpcodes; ++i) {
      const OpcodeInfo &info = kOpcodeInfos[i];
      auto &table = info.prefix == 0 ? plain : info.prefix == 0xFC ? prefixFC : prefixFD;
      // SelectTyped shares nothing; every (prefix, code) is unique.
      table[info.code] = uint16_t(i);
    }
  }
};
constexpr DecodeTables kDecodeTables;
} // namespace

const OpcodeInfo &opcodeInfo(Opcode op) { return kOpcodeInfos[unsigned(op)]; }

std::optional<Opcode> lookupOpcode(uint8_t prefix, uint32_t code) {
  if (code >= 256)
    return std::nullopt;
  uint16_t index = kNoOpcode;
  switch (prefix) {
  case 0x00: index = kDecodeTables.plain[code]; break;
  case 0xFC: index = kDecodeTables.prefixFC[code]; break;
  case 0xFD: index = kDecodeTables.prefixFD[code]; break;
  default: break;
  }
  if (index == kNoOpcode)
    return std::nullopt;
  return Opcode(index);
}

std::optional<Opcode> lookupOpcodeByName(std::string_view text) {
  static const std::unordered_map<std::string_view, Opcode> byName = [] {
    std::unordered_map<std::string_view, Opcode> map;
    for (unsigned i = 0; i < kNumOpcodes; ++i)
      map.emplace(kOpcodeInfos[i].text, Opcode(i)); // first wins: Select over SelectTyped
    return map;
  }();
  auto found = byName.find(text);
  if (found == byName.end())
    return std::nullopt;
  return found->second;
}

} // namespace wasmrt::internal
