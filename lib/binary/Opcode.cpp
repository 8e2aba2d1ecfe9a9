#include "binary/Opcode.h"

#include <array>
#include <unordered_map>

namespace wasmrt::internal {

namespace {
// Pointer-free, so that it is plain read-only data. A table of OpcodeInfo
// (string_views) would be relocated by every position-independent program at
// start-up: 24 KB, six pages written by the static wasmrt's self-relocation
// before it runs anything, and never read by a run of a precompiled module.
// opcodeInfo() builds the OpcodeInfo table on first use instead.
struct OpcodeFields {
  uint8_t prefix;
  uint32_t code;
  ImmKind imm;
  uint8_t naturalAlignLog2;
  uint8_t laneCount;
};
constexpr OpcodeFields kOpcodeFields[] = {
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes)          \
  {Prefix, Code, ImmKind::Imm, Align, Lanes},
#include "binary/Opcodes.def"
};
static_assert(std::size(kOpcodeFields) == kNumOpcodes);
// Every mnemonic and every signature, each NUL-terminated, in opcode order.
constexpr char kTexts[] =
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes) Text "\0"
#include "binary/Opcodes.def"
    ;
constexpr char kSignatures[] =
#define WASMRT_OPCODE(Name, Prefix, Code, Text, Imm, Sig, Align, Lanes) Sig "\0"
#include "binary/Opcodes.def"
    ;

const OpcodeInfo *buildOpcodeInfos() {
  static OpcodeInfo infos[kNumOpcodes];
  const char *text = kTexts, *signature = kSignatures;
  for (unsigned i = 0; i < kNumOpcodes; ++i) {
    const OpcodeFields &f = kOpcodeFields[i];
    std::string_view t(text), sig(signature);
    infos[i] = {f.prefix, f.code, t, f.imm, sig, f.naturalAlignLog2, f.laneCount};
    text += t.size() + 1;
    signature += sig.size() + 1;
  }
  return infos;
}

constexpr uint16_t kNoOpcode = 0xFFFF;

// Dense tables for the three opcode spaces; 0xFC and 0xFD codes are < 256 in 2.0.
struct DecodeTables {
  std::array<uint16_t, 256> plain, prefixFC, prefixFD;
  constexpr DecodeTables() : plain(), prefixFC(), prefixFD() {
    plain.fill(kNoOpcode);
    prefixFC.fill(kNoOpcode);
    prefixFD.fill(kNoOpcode);
    for (unsigned i = 0; i < kNumOpcodes; ++i) {
      const OpcodeFields &info = kOpcodeFields[i];
      auto &table = info.prefix == 0 ? plain : info.prefix == 0xFC ? prefixFC : prefixFD;
      // SelectTyped shares nothing; every (prefix, code) is unique.
      table[info.code] = uint16_t(i);
    }
  }
};
constexpr DecodeTables kDecodeTables;
} // namespace

const OpcodeInfo &opcodeInfo(Opcode op) {
  static const OpcodeInfo *const infos = buildOpcodeInfos();
  return infos[unsigned(op)];
}

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
      map.emplace(opcodeInfo(Opcode(i)).text, Opcode(i)); // first wins: Select over SelectTyped
    return map;
  }();
  auto found = byName.find(text);
  if (found == byName.end())
    return std::nullopt;
  return found->second;
}

} // namespace wasmrt::internal
