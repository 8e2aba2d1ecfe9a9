// Drives the WASI core directly: a std::vector<uint8_t> as guest memory, a temporary
// host tree with a sandbox directory (preopened) next to files the guest must never
// reach.
#pragma once

#include "wasi/Wasi.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wasmrt::wasi::test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

std::string readHostFile(const fs::path &p);
void writeHostFile(const fs::path &p, std::string_view data);

// Guest memory and a scratch-area convention: results at 0..255, iovecs at 256..511,
// strings from 1024, data buffers from 8192.
class Guest {
public:
  static constexpr uint32_t kResult = 0, kIovs = 256, kStrings = 1024, kData = 8192;
  explicit Guest(size_t bytes = 1 << 18) : bytes_(bytes) {}
  GuestMemory mem() { return GuestMemory(bytes_.data(), bytes_.size()); }
  uint32_t size() const { return uint32_t(bytes_.size()); }
  uint8_t *data() { return bytes_.data(); }

  // Places `s` in the string area (successive calls do not overlap until reset()).
  uint32_t put(std::string_view s);
  void resetStrings() { nextString_ = kStrings; }
  void putBytes(uint32_t at, std::string_view s);
  std::string getBytes(uint32_t at, uint32_t len) const;
  uint8_t u8(uint32_t at) const { return bytes_[at]; }
  uint16_t u16(uint32_t at) const;
  uint32_t u32(uint32_t at) const;
  uint64_t u64(uint32_t at) const;
  void setU32(uint32_t at, uint32_t v);
  void setU64(uint32_t at, uint64_t v);
  void setU16(uint32_t at, uint16_t v);
  void setU8(uint32_t at, uint8_t v) { bytes_[at] = v; }

private:
  std::vector<uint8_t> bytes_;
  uint32_t nextString_ = kStrings;
};

// A context over <tmp>/sandbox (fd 3, "/sandbox"), with <tmp>/outside/secret.txt and
// optionally a second, read-only preopen <tmp>/ro (fd 4, "/ro").
// The rights wasi-libc asks for when it opens with O_RDONLY (all but the
// writing ones): how guests open directories, which refuse fd_write (EISDIR).
inline constexpr Rights kReaderRights =
    rights::kAll & ~(rights::kFdWrite | rights::kFdAllocate | rights::kFdFilestatSetSize);

class WasiFixture {
public:
  explicit WasiFixture(bool useOpenat2 = true, bool withReadOnly = true);
  WasiContext &ctx() { return *ctx_; }
  fs::path sandbox() const { return tmp_.path() / "sandbox"; }
  fs::path outside() const { return tmp_.path() / "outside"; }
  fs::path readOnlyDir() const { return tmp_.path() / "ro"; }
  fs::path root() const { return tmp_.path(); }

  static constexpr uint32_t kSandboxFd = 3, kReadOnlyFd = 4;

  // Thin wrappers that place strings in guest memory; each returns the errno and
  // stores any result in *out.
  Errno open(std::string_view path, uint32_t oflags = 0, uint32_t *fd = nullptr,
             Rights base = rights::kAll, uint32_t lookup = 0, uint16_t fdflags = 0,
             uint32_t dirFd = kSandboxFd, Rights inheriting = rights::kAll);
  Errno write(uint32_t fd, std::string_view data, uint32_t *written = nullptr);
  Errno read(uint32_t fd, uint32_t len, std::string *out);
  Errno stat(std::string_view path, bool follow = false, uint32_t dirFd = kSandboxFd);
  Errno mkdir(std::string_view path, uint32_t dirFd = kSandboxFd);
  Errno rmdir(std::string_view path, uint32_t dirFd = kSandboxFd);
  Errno unlink(std::string_view path, uint32_t dirFd = kSandboxFd);
  Errno symlink(std::string_view target, std::string_view path, uint32_t dirFd = kSandboxFd);
  Errno readlink(std::string_view path, std::string *out, uint32_t bufLen = 256,
                 uint32_t dirFd = kSandboxFd);
  Errno rename(std::string_view from, std::string_view to, uint32_t fromFd = kSandboxFd,
               uint32_t toFd = kSandboxFd);
  Errno link(std::string_view from, std::string_view to, bool follow = false,
             uint32_t fromFd = kSandboxFd, uint32_t toFd = kSandboxFd);
  Errno setTimes(std::string_view path, uint64_t atim, uint64_t mtim, uint32_t flags,
                 bool follow = false, uint32_t dirFd = kSandboxFd);
  Errno close(uint32_t fd);
  // Reads the whole directory with fd_readdir using `bufLen`-byte buffers, resuming
  // from the last complete entry's d_next like wasi-libc does.
  Errno listDir(uint32_t fd, uint32_t bufLen, std::vector<std::string> &names);

  Guest g;

private:
  TempDir tmp_;
  std::unique_ptr<WasiContext> ctx_;
};

} // namespace wasmrt::wasi::test
