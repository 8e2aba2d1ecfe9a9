#include "ModuleInput.h"

#include "support/File.h"
#include "text/WatParser.h"
#include "wasmrt/Module.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

namespace wasmrt::cli {
using namespace wasmrt::internal;

namespace {
bool hasWasmMagic(const std::vector<uint8_t> &bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "\0asm", 4) == 0;
}
} // namespace

Expected<std::vector<uint8_t>> loadModuleBinary(const std::string &path) {
  auto bytes = readFileBytes(path);
  if (!bytes)
    return std::move(bytes).error();
  if (hasWasmMagic(*bytes))
    return std::move(*bytes);
  std::string_view source(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  text::WatOptions options;
  options.emitNames = true; // trap backtraces name the functions
  auto encoded = text::parseWat(source, options);
  if (!encoded)
    return Error(encoded.error().kind(), path + ":" + encoded.error().message());
  return std::move(*encoded);
}

bool isArtifactFile(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  uint8_t head[8];
  ssize_t got = read(fd, head, sizeof head);
  close(fd);
  return got > 0 && Module::isArtifact(std::span<const uint8_t>(head, size_t(got)));
}

} // namespace wasmrt::cli
