#include "ValidationTestUtil.h"

#include "binary/Decoder.h"
#include "support/ByteWriter.h"
#include "validation/Validator.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace wasmrt::internal::test {

bool haveWat2Wasm() {
#ifdef WASMRT_WAT2WASM
  return true;
#else
  return false;
#endif
}

std::optional<std::vector<uint8_t>> wat2wasm(std::string_view text) {
#ifdef WASMRT_WAT2WASM
  namespace fs = std::filesystem;
  std::string dirTemplate = (fs::temp_directory_path() / "wasmrt-validation-XXXXXX").string();
  if (!mkdtemp(dirTemplate.data()))
    return std::nullopt;
  fs::path dir = dirTemplate;
  fs::path input = dir / "module.wat", output = dir / "module.wasm", log = dir / "log.txt";
  {
    std::ofstream out(input);
    out << text;
  }
  std::string command = std::string(WASMRT_WAT2WASM) + " --no-check " + input.string() + " -o " +
                        output.string() + " > " + log.string() + " 2>&1";
  std::optional<std::vector<uint8_t>> result;
  if (std::system(command.c_str()) == 0) {
    std::ifstream in(output, std::ios::binary);
    result.emplace(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(log);
    std::string messages((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "wat2wasm failed:\n%s\n", messages.c_str());
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return result;
#else
  (void)text;
  return std::nullopt;
#endif
}

Outcome check(const std::vector<uint8_t> &bytes, const Features &features) {
  Outcome outcome;
  auto module = decodeModule(std::span<const uint8_t>(bytes), features);
  if (!module) {
    outcome.kind = module.error().kind();
    outcome.message = module.error().message();
    return outcome;
  }
  auto valid = validateModule(*module, features);
  if (!valid) {
    outcome.kind = valid.error().kind();
    outcome.message = valid.error().message();
    return outcome;
  }
  outcome.ok = true;
  outcome.facts = module->functionFacts;
  return outcome;
}

Outcome checkText(std::string_view text, const Features &features) {
  auto bytes = wat2wasm(text);
  if (!bytes) {
    Outcome outcome;
    outcome.message = "wat2wasm failed";
    return outcome;
  }
  return check(*bytes, features);
}

ModuleBuilder::ModuleBuilder() : bytes_{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00} {}

ModuleBuilder &ModuleBuilder::section(uint8_t id, std::initializer_list<uint8_t> contents) {
  return section(id, std::vector<uint8_t>(contents));
}

ModuleBuilder &ModuleBuilder::section(uint8_t id, const std::vector<uint8_t> &contents) {
  ByteWriter writer;
  writer.writeByte(id);
  writer.writeVarU32(uint32_t(contents.size()));
  writer.writeBytes(contents);
  bytes_.insert(bytes_.end(), writer.bytes().begin(), writer.bytes().end());
  return *this;
}

ModuleBuilder &ModuleBuilder::voidFunctions(uint32_t numFuncs) {
  section(1, {0x01, 0x60, 0x00, 0x00});
  ByteWriter funcs;
  funcs.writeVarU32(numFuncs);
  for (uint32_t i = 0; i < numFuncs; ++i)
    funcs.writeVarU32(0);
  return section(3, funcs.bytes());
}

ModuleBuilder &ModuleBuilder::code(std::initializer_list<std::vector<uint8_t>> bodies) {
  ByteWriter writer;
  writer.writeVarU32(uint32_t(bodies.size()));
  for (const std::vector<uint8_t> &body : bodies) {
    writer.writeVarU32(uint32_t(body.size()));
    writer.writeBytes(body);
  }
  return section(10, writer.bytes());
}

} // namespace wasmrt::internal::test
