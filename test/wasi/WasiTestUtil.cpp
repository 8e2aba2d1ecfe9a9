#include "WasiTestUtil.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wasmrt::wasi::test {

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "wasmrt-wasi-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string readHostFile(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeHostFile(const fs::path &p, std::string_view data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), std::streamsize(data.size()));
}

uint32_t Guest::put(std::string_view s) {
  uint32_t at = nextString_;
  putBytes(at, s);
  nextString_ += uint32_t(s.size()) + 8;
  REQUIRE(nextString_ < kData);
  return at;
}

void Guest::putBytes(uint32_t at, std::string_view s) {
  REQUIRE(uint64_t(at) + s.size() <= bytes_.size());
  std::memcpy(bytes_.data() + at, s.data(), s.size());
}

std::string Guest::getBytes(uint32_t at, uint32_t len) const {
  return std::string(reinterpret_cast<const char *>(bytes_.data() + at), len);
}

uint16_t Guest::u16(uint32_t at) const {
  uint16_t v;
  std::memcpy(&v, bytes_.data() + at, 2);
  return v;
}
uint32_t Guest::u32(uint32_t at) const {
  uint32_t v;
  std::memcpy(&v, bytes_.data() + at, 4);
  return v;
}
uint64_t Guest::u64(uint32_t at) const {
  uint64_t v;
  std::memcpy(&v, bytes_.data() + at, 8);
  return v;
}
void Guest::setU16(uint32_t at, uint16_t v) { std::memcpy(bytes_.data() + at, &v, 2); }
void Guest::setU32(uint32_t at, uint32_t v) { std::memcpy(bytes_.data() + at, &v, 4); }
void Guest::setU64(uint32_t at, uint64_t v) { std::memcpy(bytes_.data() + at, &v, 8); }

WasiFixture::WasiFixture(bool useOpenat2, bool withReadOnly) {
  fs::create_directory(sandbox());
  fs::create_directory(outside());
  fs::create_directory(readOnlyDir());
  writeHostFile(outside() / "secret.txt", "secret");
  writeHostFile(readOnlyDir() / "data.txt", "read-only data");
  WasiConfig config;
  config.args = {"prog", "arg one", ""};
  config.env = {"HOME=/sandbox", "LANG=C"};
  config.preopens.push_back({sandbox().string(), "/sandbox", false});
  if (withReadOnly)
    config.preopens.push_back({readOnlyDir().string(), "/ro", true});
  config.useOpenat2 = useOpenat2;
  auto ctx = WasiContext::create(config);
  REQUIRE(ctx);
  ctx_ = std::move(*ctx);
}

Errno WasiFixture::open(std::string_view path, uint32_t oflags, uint32_t *fd, Rights base,
                        uint32_t lookup, uint16_t fdflags, uint32_t dirFd,
                        Rights inheriting) {
  uint32_t p = g.put(path);
  Errno e = pathOpen(ctx(), g.mem(), dirFd, lookup, p, uint32_t(path.size()), oflags, base,
                     inheriting, fdflags, Guest::kResult);
  if (e == errno_::kSuccess && fd)
    *fd = g.u32(Guest::kResult);
  g.resetStrings();
  return e;
}

Errno WasiFixture::write(uint32_t fd, std::string_view data, uint32_t *written) {
  g.putBytes(Guest::kData, data);
  g.setU32(Guest::kIovs, Guest::kData);
  g.setU32(Guest::kIovs + 4, uint32_t(data.size()));
  Errno e = fdWrite(ctx(), g.mem(), fd, Guest::kIovs, 1, Guest::kResult);
  if (e == errno_::kSuccess && written)
    *written = g.u32(Guest::kResult);
  return e;
}

Errno WasiFixture::read(uint32_t fd, uint32_t len, std::string *out) {
  g.setU32(Guest::kIovs, Guest::kData);
  g.setU32(Guest::kIovs + 4, len);
  Errno e = fdRead(ctx(), g.mem(), fd, Guest::kIovs, 1, Guest::kResult);
  if (e == errno_::kSuccess && out)
    *out = g.getBytes(Guest::kData, g.u32(Guest::kResult));
  return e;
}

Errno WasiFixture::stat(std::string_view path, bool follow, uint32_t dirFd) {
  uint32_t p = g.put(path);
  Errno e = pathFilestatGet(ctx(), g.mem(), dirFd, follow ? lookupflags::kSymlinkFollow : 0,
                            p, uint32_t(path.size()), Guest::kResult);
  g.resetStrings();
  return e;
}

Errno WasiFixture::mkdir(std::string_view path, uint32_t dirFd) {
  uint32_t p = g.put(path);
  Errno e = pathCreateDirectory(ctx(), g.mem(), dirFd, p, uint32_t(path.size()));
  g.resetStrings();
  return e;
}

Errno WasiFixture::rmdir(std::string_view path, uint32_t dirFd) {
  uint32_t p = g.put(path);
  Errno e = pathRemoveDirectory(ctx(), g.mem(), dirFd, p, uint32_t(path.size()));
  g.resetStrings();
  return e;
}

Errno WasiFixture::unlink(std::string_view path, uint32_t dirFd) {
  uint32_t p = g.put(path);
  Errno e = pathUnlinkFile(ctx(), g.mem(), dirFd, p, uint32_t(path.size()));
  g.resetStrings();
  return e;
}

Errno WasiFixture::symlink(std::string_view target, std::string_view path, uint32_t dirFd) {
  uint32_t t = g.put(target);
  uint32_t p = g.put(path);
  Errno e = pathSymlink(ctx(), g.mem(), t, uint32_t(target.size()), dirFd, p,
                        uint32_t(path.size()));
  g.resetStrings();
  return e;
}

Errno WasiFixture::readlink(std::string_view path, std::string *out, uint32_t bufLen,
                            uint32_t dirFd) {
  uint32_t p = g.put(path);
  Errno e = pathReadlink(ctx(), g.mem(), dirFd, p, uint32_t(path.size()), Guest::kData,
                         bufLen, Guest::kResult);
  if (e == errno_::kSuccess && out)
    *out = g.getBytes(Guest::kData, g.u32(Guest::kResult));
  g.resetStrings();
  return e;
}

Errno WasiFixture::rename(std::string_view from, std::string_view to, uint32_t fromFd,
                          uint32_t toFd) {
  uint32_t a = g.put(from);
  uint32_t b = g.put(to);
  Errno e = pathRename(ctx(), g.mem(), fromFd, a, uint32_t(from.size()), toFd, b,
                       uint32_t(to.size()));
  g.resetStrings();
  return e;
}

Errno WasiFixture::link(std::string_view from, std::string_view to, bool follow,
                        uint32_t fromFd, uint32_t toFd) {
  uint32_t a = g.put(from);
  uint32_t b = g.put(to);
  Errno e = pathLink(ctx(), g.mem(), fromFd, follow ? lookupflags::kSymlinkFollow : 0, a,
                     uint32_t(from.size()), toFd, b, uint32_t(to.size()));
  g.resetStrings();
  return e;
}

Errno WasiFixture::setTimes(std::string_view path, uint64_t atim, uint64_t mtim,
                            uint32_t flags, bool follow, uint32_t dirFd) {
  uint32_t p = g.put(path);
  Errno e = pathFilestatSetTimes(ctx(), g.mem(), dirFd,
                                 follow ? lookupflags::kSymlinkFollow : 0, p,
                                 uint32_t(path.size()), atim, mtim, flags);
  g.resetStrings();
  return e;
}

Errno WasiFixture::close(uint32_t fd) { return fdClose(ctx(), g.mem(), fd); }

Errno WasiFixture::listDir(uint32_t fd, uint32_t bufLen, std::vector<std::string> &names) {
  uint64_t cookie = 0;
  for (;;) {
    Errno e = fdReaddir(ctx(), g.mem(), fd, Guest::kData, bufLen, cookie, Guest::kResult);
    if (e)
      return e;
    uint32_t used = g.u32(Guest::kResult);
    uint32_t at = 0;
    bool progressed = false;
    while (used - at >= layout::kDirentSize) {
      uint32_t namlen = g.u32(Guest::kData + at + layout::kDirentNamlen);
      if (used - at - layout::kDirentSize < namlen)
        break; // truncated entry: fetch it again from its own cookie
      names.push_back(g.getBytes(Guest::kData + at + layout::kDirentSize, namlen));
      cookie = g.u64(Guest::kData + at + layout::kDirentNext);
      at += layout::kDirentSize + namlen;
      progressed = true;
    }
    if (used < bufLen)
      return errno_::kSuccess; // end of directory
    if (!progressed)
      bufLen *= 2; // one entry does not fit: grow the buffer, as wasi-libc does
  }
}

} // namespace wasmrt::wasi::test
