// Static linking of AOT objects into an artifact image (see AotLinker.h).
//
// Layout: [text: every executable section, then call stubs]
//         [rodata: every other allocated read-only section]
//         [data: one pointer slot per load-time binding, then writable sections]
// each segment starting at a multiple of the segment alignment.
//
// References inside the image are resolved now, PC-relative, so the image can
// be mapped at any (segment-aligned) address. References out of the image go
// through slots of the data segment: a call to an external routine becomes a
// call to a stub that jumps through the routine's slot, and a GOT load reads
// the slot directly. The loader fills slots and touches nothing else.
#include "compiler/AotLinker.h"

#include <fmt/format.h>
#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include <cstring>
#include <optional>
#include <tuple>

namespace wasmrt::internal::compiler {
namespace {

namespace art = abi::artifact;
using llvm::object::ObjectFile;
using llvm::object::RelocationRef;
using llvm::object::SectionRef;
using llvm::object::SymbolRef;

enum class Segment : uint8_t { Text, Rodata, Data };

uint64_t alignTo(uint64_t value, uint64_t align) {
  return align <= 1 ? value : (value + align - 1) / align * align;
}

// A place in the image before the segments have their final offsets.
struct Location {
  uint32_t object = 0;
  uint64_t section = 0; // section index in that object
  uint64_t value = 0;   // offset within the section
  auto key() const { return std::tie(object, section, value); }
  bool operator<(const Location &other) const { return key() < other.key(); }
};

// What a relocation refers to: a location in the image, or a symbol bound at
// load time.
struct Target {
  std::optional<Location> internal;
  std::string external;
};

struct Placement {
  Segment segment;
  uint64_t offset; // within the segment
};

struct Input {
  std::unique_ptr<ObjectFile> file;
  std::map<uint64_t, Placement> placed; // section index -> placement
};

constexpr uint64_t kSlotSize = 8;

uint32_t read32(const uint8_t *at) {
  uint32_t value;
  std::memcpy(&value, at, 4);
  return value;
}
void write32(uint8_t *at, uint32_t value) { std::memcpy(at, &value, 4); }
void write64(uint8_t *at, uint64_t value) { std::memcpy(at, &value, 8); }

bool fitsSigned(int64_t value, unsigned bits) {
  return value >= -(int64_t(1) << (bits - 1)) && value < (int64_t(1) << (bits - 1));
}

bool isSkippedSection(llvm::StringRef name) {
  // Unwind tables: traps leave wasm code by longjmp, backtraces walk frame
  // pointers; nothing unwinds through generated code with tables.
  return name.starts_with(".eh_frame");
}

class Linker {
public:
  explicit Linker(const LinkOptions &options) : options_(options) {}

  Expected<LinkedImage> link(const std::vector<std::unique_ptr<llvm::MemoryBuffer>> &objects) {
    for (const auto &buffer : objects) {
      auto file = ObjectFile::createObjectFile(buffer->getMemBufferRef());
      if (!file)
        return error("cannot read an object: {}", llvm::toString(file.takeError()));
      if (!llvm::isa<llvm::object::ELF64LEObjectFile>(**file))
        return error("an object is not 64-bit little-endian ELF");
      inputs_.push_back({std::move(*file), {}});
    }
    if (auto placed = placeSections(); !placed)
      return std::move(placed).error();
    if (auto collected = collectSymbols(); !collected)
      return std::move(collected).error();
    if (auto planned = planIndirections(); !planned)
      return std::move(planned).error();
    layOut();
    if (auto applied = applyAll(); !applied)
      return std::move(applied).error();
    return std::move(image_);
  }

private:
  template <typename... Args>
  static Error error(fmt::format_string<Args...> format, Args &&...args) {
    return Error(ErrorKind::Internal,
                 "AOT link: " + fmt::format(format, std::forward<Args>(args)...));
  }

  std::vector<uint8_t> &bytes(Segment segment) {
    switch (segment) {
    case Segment::Text: return image_.text;
    case Segment::Rodata: return image_.rodata;
    case Segment::Data: return dataSections_;
    }
    return image_.text;
  }

  Expected<void> placeSections() {
    for (Input &input : inputs_) {
      for (const SectionRef &section : input.file->sections()) {
        auto *elf = llvm::cast<llvm::object::ELFSectionRef>(&section);
        uint64_t flags = elf->getFlags();
        if (!(flags & llvm::ELF::SHF_ALLOC) || section.getSize() == 0)
          continue;
        auto name = section.getName();
        if (!name)
          return error("unnamed section: {}", llvm::toString(name.takeError()));
        if (isSkippedSection(*name))
          continue;
        Segment segment = (flags & llvm::ELF::SHF_EXECINSTR) ? Segment::Text
                          : (flags & llvm::ELF::SHF_WRITE)   ? Segment::Data
                                                              : Segment::Rodata;
        std::vector<uint8_t> &out = bytes(segment);
        uint64_t offset = alignTo(out.size(), std::max<uint64_t>(section.getAlignment().value(), 1));
        out.resize(offset, 0);
        if (section.isBSS()) {
          out.resize(offset + section.getSize(), 0);
        } else {
          auto contents = section.getContents();
          if (!contents)
            return error("section {}: {}", name->str(), llvm::toString(contents.takeError()));
          out.insert(out.end(), contents->bytes_begin(), contents->bytes_end());
        }
        input.placed[section.getIndex()] = {segment, offset};
      }
    }
    return {};
  }

  Expected<void> collectSymbols() {
    for (uint32_t object = 0; object < inputs_.size(); ++object) {
      for (const SymbolRef &symbol : inputs_[object].file->symbols()) {
        auto flags = symbol.getFlags();
        if (!flags)
          return error("symbol flags: {}", llvm::toString(flags.takeError()));
        if (!(*flags & SymbolRef::SF_Global) || (*flags & SymbolRef::SF_Undefined))
          continue;
        auto section = symbol.getSection();
        auto name = symbol.getName();
        if (!section || !name)
          return error("symbol of object {} cannot be read", object);
        if (*section == inputs_[object].file->section_end())
          continue; // absolute symbols: none expected, never referenced
        Location location{object, (*section)->getIndex(), llvm::cantFail(symbol.getValue())};
        if (!inputs_[object].placed.count(location.section))
          return error("symbol {} is in a section that is not linked", name->str());
        auto [at, inserted] = globals_.try_emplace(name->str(), location);
        if (!inserted)
          return error("symbol {} is defined twice", name->str());
        sizes_[name->str()] =
            llvm::object::ELFSymbolRef(symbol).getSize();
      }
    }
    return {};
  }

  Expected<Target> resolve(uint32_t object, const SymbolRef &symbol) {
    auto section = symbol.getSection();
    if (!section)
      return error("relocation symbol: {}", llvm::toString(section.takeError()));
    if (*section != inputs_[object].file->section_end()) {
      Location location{object, (*section)->getIndex(), llvm::cantFail(symbol.getValue())};
      if (!inputs_[object].placed.count(location.section))
        return error("a relocation refers to a section that is not linked");
      return Target{location, {}};
    }
    auto name = symbol.getName();
    if (!name)
      return error("relocation symbol: {}", llvm::toString(name.takeError()));
    if (auto found = globals_.find(name->str()); found != globals_.end())
      return Target{found->second, {}};
    if (options_.isExternalSymbol && options_.isExternalSymbol({name->data(), name->size()}))
      return Target{std::nullopt, name->str()};
    return error("undefined symbol {}", name->str());
  }

  // Calls every relocation of every linked section with its target.
  template <typename Visit> Expected<void> forEachRelocation(Visit visit) {
    for (uint32_t object = 0; object < inputs_.size(); ++object) {
      Input &input = inputs_[object];
      for (const SectionRef &relocations : input.file->sections()) {
        auto relocated = relocations.getRelocatedSection();
        if (!relocated)
          return error("{}", llvm::toString(relocated.takeError()));
        if (*relocated == input.file->section_end())
          continue;
        auto placed = input.placed.find((*relocated)->getIndex());
        if (placed == input.placed.end())
          continue; // a skipped section (unwind tables)
        for (const RelocationRef &relocation : relocations.relocations()) {
          auto symbol = relocation.getSymbol();
          if (symbol == input.file->symbol_end())
            return error("a relocation without a symbol");
          auto target = resolve(object, *symbol);
          if (!target)
            return std::move(target).error();
          auto addend = llvm::object::ELFRelocationRef(relocation).getAddend();
          if (!addend)
            return error("{}", llvm::toString(addend.takeError()));
          if (auto done = visit(placed->second, relocation, *target, *addend); !done)
            return done;
        }
      }
    }
    return {};
  }

  bool usesSlot(uint64_t type) const {
    using namespace llvm::ELF;
    if (options_.arch == art::TargetArch::X86_64)
      return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
             type == R_X86_64_REX_GOTPCRELX;
    return type == R_AARCH64_ADR_GOT_PAGE || type == R_AARCH64_LD64_GOT_LO12_NC;
  }
  bool isCall(uint64_t type) const {
    using namespace llvm::ELF;
    if (options_.arch == art::TargetArch::X86_64)
      return type == R_X86_64_PLT32;
    return type == R_AARCH64_CALL26 || type == R_AARCH64_JUMP26;
  }
  uint64_t stubSize() const { return options_.arch == art::TargetArch::X86_64 ? 8 : 16; }

  uint32_t slotFor(const Target &target) {
    if (target.internal) {
      auto [at, inserted] = internalSlots_.try_emplace(*target.internal, numSlots_);
      numSlots_ += inserted;
      return at->second;
    }
    auto [at, inserted] = externalSlots_.try_emplace(target.external, numSlots_);
    numSlots_ += inserted;
    return at->second;
  }

  // Slots for GOT references and for external symbols; stubs for external
  // calls. Data sections go after the slots, so both are known before layout.
  Expected<void> planIndirections() {
    return forEachRelocation([&](const Placement &, const RelocationRef &relocation,
                                 const Target &target, int64_t) -> Expected<void> {
      uint64_t type = relocation.getType();
      if (usesSlot(type)) {
        slotFor(target);
      } else if (!target.internal) {
        if (!isCall(type))
          return error("a data reference to the external symbol {}", target.external);
        slotFor(target);
        stubs_.try_emplace(target.external, stubs_.size());
      }
      return {};
    });
  }

  void layOut() {
    uint64_t align = options_.segmentAlign;
    stubsOffset_ = alignTo(image_.text.size(), 16);
    image_.text.resize(stubsOffset_ + stubs_.size() * stubSize(), 0);
    image_.rodataOffset = alignTo(image_.text.size(), align);
    image_.dataOffset = image_.rodataOffset + alignTo(image_.rodata.size(), align);
    dataSectionsOffset_ = alignTo(numSlots_ * kSlotSize, 64);
    image_.data.assign(dataSectionsOffset_, 0);
    image_.data.insert(image_.data.end(), dataSections_.begin(), dataSections_.end());
    for (const auto &[name, location] : globals_)
      image_.symbols[name] = {address(location), sizes_[name]};
    for (const auto &[location, slot] : internalSlots_)
      image_.bindings.push_back({uint32_t(slot * kSlotSize),
                                 uint32_t(art::BindingKind::ImageRelative), address(location)});
    for (const auto &[name, slot] : externalSlots_) {
      image_.bindings.push_back({uint32_t(slot * kSlotSize), uint32_t(art::BindingKind::Symbol),
                                 image_.names.size()});
      image_.names += name;
      image_.names.push_back('\0');
    }
    for (const auto &[name, stub] : stubs_)
      writeStub(stubsOffset_ + stub * stubSize(), slotAddress(externalSlots_.at(name)));
  }

  uint64_t segmentBase(Segment segment) const {
    switch (segment) {
    case Segment::Text: return 0;
    case Segment::Rodata: return image_.rodataOffset;
    case Segment::Data: return image_.dataOffset + dataSectionsOffset_;
    }
    return 0;
  }
  uint64_t address(const Location &location) const {
    const Placement &placed = inputs_[location.object].placed.at(location.section);
    return segmentBase(placed.segment) + placed.offset + location.value;
  }
  uint64_t slotAddress(uint32_t slot) const { return image_.dataOffset + slot * kSlotSize; }
  uint8_t *at(const Placement &placed, uint64_t offset) {
    if (placed.segment == Segment::Data)
      return image_.data.data() + dataSectionsOffset_ + placed.offset + offset;
    return bytes(placed.segment).data() + placed.offset + offset;
  }

  void writeStub(uint64_t offset, uint64_t slot) {
    uint8_t *code = image_.text.data() + offset;
    if (options_.arch == art::TargetArch::X86_64) {
      // jmp *slot(%rip)
      code[0] = 0xff;
      code[1] = 0x25;
      write32(code + 2, uint32_t(int32_t(int64_t(slot) - int64_t(offset + 6))));
      code[6] = 0xcc;
      code[7] = 0xcc;
      return;
    }
    // adrp x16, slot; ldr x16, [x16, :lo12:slot]; br x16
    int64_t pages = int64_t(slot >> 12) - int64_t(offset >> 12);
    write32(code, 0x90000010u | uint32_t((pages & 3) << 29) | uint32_t(((pages >> 2) & 0x7ffff) << 5));
    write32(code + 4, 0xf9400210u | uint32_t(((slot & 0xfff) >> 3) << 10));
    write32(code + 8, 0xd61f0200u);
    write32(code + 12, 0xd4200000u); // brk #0: never reached
  }

  Expected<void> applyAll() {
    return forEachRelocation([&](const Placement &placed, const RelocationRef &relocation,
                                 const Target &target, int64_t addend) -> Expected<void> {
      uint64_t type = relocation.getType();
      uint64_t offset = relocation.getOffset();
      uint64_t place = segmentBase(placed.segment) + placed.offset + offset;
      uint64_t symbol = 0;
      if (usesSlot(type))
        symbol = slotAddress(slotFor(target));
      else if (target.internal)
        symbol = address(*target.internal);
      else
        symbol = stubsOffset_ + stubs_.at(target.external) * stubSize();
      uint8_t *fixup = at(placed, offset);
      if (options_.arch == art::TargetArch::X86_64)
        return applyX86(type, fixup, placed, place, symbol, addend);
      return applyAArch64(type, fixup, placed, place, symbol, addend);
    });
  }

  // An absolute pointer: only in the data segment, as a binding.
  Expected<void> absolute(const Placement &placed, uint64_t place, uint64_t value) {
    if (placed.segment != Segment::Data)
      return error("an absolute address in read-only code or data (not PIC)");
    image_.bindings.push_back(
        {uint32_t(place - image_.dataOffset), uint32_t(art::BindingKind::ImageRelative), value});
    return {};
  }

  Expected<void> applyX86(uint64_t type, uint8_t *fixup, const Placement &placed, uint64_t place,
                          uint64_t symbol, int64_t addend) {
    using namespace llvm::ELF;
    int64_t relative = int64_t(symbol) + addend - int64_t(place);
    switch (type) {
    case R_X86_64_NONE: return {};
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX:
      if (!fitsSigned(relative, 32))
        return error("a 32-bit PC-relative reference out of range");
      write32(fixup, uint32_t(int32_t(relative)));
      return {};
    case R_X86_64_PC64: write64(fixup, uint64_t(relative)); return {};
    case R_X86_64_64: return absolute(placed, place, symbol + addend);
    default: return error("unsupported x86-64 relocation type {}", type);
    }
  }

  Expected<void> applyAArch64(uint64_t type, uint8_t *fixup, const Placement &placed,
                              uint64_t place, uint64_t symbol, int64_t addend) {
    using namespace llvm::ELF;
    uint64_t value = symbol + addend;
    int64_t relative = int64_t(value) - int64_t(place);
    uint32_t insn = read32(fixup);
    auto setImm12 = [&](unsigned shift) -> Expected<void> {
      if ((value & 0xfff) & ((1u << shift) - 1))
        return error("a misaligned low-12-bit reference");
      write32(fixup, (insn & ~(0xfffu << 10)) | uint32_t(((value & 0xfff) >> shift) << 10));
      return {};
    };
    switch (type) {
    case R_AARCH64_NONE: return {};
    case R_AARCH64_ABS64: return absolute(placed, place, value);
    case R_AARCH64_PREL64: write64(fixup, uint64_t(relative)); return {};
    case R_AARCH64_PREL32:
      if (!fitsSigned(relative, 32))
        return error("a 32-bit PC-relative reference out of range");
      write32(fixup, uint32_t(int32_t(relative)));
      return {};
    case R_AARCH64_ADR_PREL_PG_HI21:
    case R_AARCH64_ADR_GOT_PAGE: {
      int64_t pages = int64_t(value >> 12) - int64_t(place >> 12);
      if (!fitsSigned(pages, 21))
        return error("an ADRP reference out of range");
      insn &= ~((3u << 29) | (0x7ffffu << 5));
      write32(fixup, insn | uint32_t((pages & 3) << 29) | uint32_t(((pages >> 2) & 0x7ffff) << 5));
      return {};
    }
    case R_AARCH64_ADR_PREL_LO21:
      if (!fitsSigned(relative, 21))
        return error("an ADR reference out of range");
      insn &= ~((3u << 29) | (0x7ffffu << 5));
      write32(fixup,
              insn | uint32_t((relative & 3) << 29) | uint32_t(((relative >> 2) & 0x7ffff) << 5));
      return {};
    case R_AARCH64_ADD_ABS_LO12_NC:
    case R_AARCH64_LDST8_ABS_LO12_NC: return setImm12(0);
    case R_AARCH64_LDST16_ABS_LO12_NC: return setImm12(1);
    case R_AARCH64_LDST32_ABS_LO12_NC: return setImm12(2);
    case R_AARCH64_LDST64_ABS_LO12_NC:
    case R_AARCH64_LD64_GOT_LO12_NC: return setImm12(3);
    case R_AARCH64_LDST128_ABS_LO12_NC: return setImm12(4);
    case R_AARCH64_CALL26:
    case R_AARCH64_JUMP26:
      if (!fitsSigned(relative, 28) || (relative & 3))
        return error("a branch out of range");
      write32(fixup, (insn & 0xfc000000u) | uint32_t((relative >> 2) & 0x3ffffff));
      return {};
    case R_AARCH64_CONDBR19:
      if (!fitsSigned(relative, 21) || (relative & 3))
        return error("a conditional branch out of range");
      write32(fixup, (insn & ~(0x7ffffu << 5)) | uint32_t(((relative >> 2) & 0x7ffff) << 5));
      return {};
    case R_AARCH64_TSTBR14:
      if (!fitsSigned(relative, 16) || (relative & 3))
        return error("a test-and-branch out of range");
      write32(fixup, (insn & ~(0x3fffu << 5)) | uint32_t(((relative >> 2) & 0x3fff) << 5));
      return {};
    default: return error("unsupported AArch64 relocation type {}", type);
    }
  }

  const LinkOptions &options_;
  std::vector<Input> inputs_;
  std::map<std::string, Location, std::less<>> globals_;
  std::map<std::string, uint64_t> sizes_;
  std::vector<uint8_t> dataSections_; // writable sections, before the slots go in front
  std::map<Location, uint32_t> internalSlots_;
  std::map<std::string, uint32_t, std::less<>> externalSlots_;
  std::map<std::string, uint32_t, std::less<>> stubs_; // external name -> stub index
  uint32_t numSlots_ = 0;
  uint64_t stubsOffset_ = 0;
  uint64_t dataSectionsOffset_ = 0;
  LinkedImage image_;
};

} // namespace

Expected<LinkedImage> linkObjects(const std::vector<std::unique_ptr<llvm::MemoryBuffer>> &objects,
                                  const LinkOptions &options) {
  return Linker(options).link(objects);
}

} // namespace wasmrt::internal::compiler
