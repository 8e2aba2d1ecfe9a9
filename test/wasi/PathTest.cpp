// path_* semantics inside the sandbox: directories, readdir, times, links, open flags.
#include "WasiTestUtil.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

using namespace wasmrt::wasi;
using namespace wasmrt::wasi::test;

namespace {
constexpr uint32_t kSandbox = WasiFixture::kSandboxFd;

struct timespec hostMtime(const fs::path &p, bool follow = true) {
  struct stat st;
  REQUIRE((follow ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st)) == 0);
  return st.st_mtim;
}
struct timespec hostAtime(const fs::path &p) {
  struct stat st;
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_atim;
}
} // namespace

TEST_CASE("directories: create, remove, unlink, rename") {
  WasiFixture f;
  CHECK(f.mkdir("d") == errno_::kSuccess);
  CHECK(f.mkdir("d") == errno_::kExist);
  CHECK(f.mkdir("d/e/") == errno_::kSuccess); // trailing slash is fine on mkdir
  CHECK(fs::is_directory(f.sandbox() / "d" / "e"));
  CHECK(f.mkdir("missing/x") == errno_::kNoent);
  CHECK(f.mkdir(".") == errno_::kExist);
  writeHostFile(f.sandbox() / "d" / "file", "x");
  CHECK(f.mkdir("d/file/sub") == errno_::kNotdir);
  CHECK(f.rmdir("d") == errno_::kNotempty);
  CHECK(f.rmdir("d/file") == errno_::kNotdir);
  CHECK(f.unlink("d/e") == errno_::kIsdir);
  CHECK(f.unlink("d/e/") == errno_::kIsdir);
  CHECK(f.unlink("d/file/") == errno_::kNotdir);
  CHECK(f.unlink("d/nothing") == errno_::kNoent);
  CHECK(f.rmdir(".") == errno_::kInval);
  CHECK(f.rename("d/file", "d/e/moved") == errno_::kSuccess);
  CHECK(readHostFile(f.sandbox() / "d" / "e" / "moved") == "x");
  CHECK(f.rename("d/e/moved/", "d/again") == errno_::kNotdir);
  CHECK(f.rename("d/e", "d/f/") == errno_::kSuccess); // directories may carry a slash
  CHECK(f.unlink("d/f/moved") == errno_::kSuccess);
  CHECK(f.rmdir("d/f/") == errno_::kSuccess);
  CHECK(f.rmdir("d") == errno_::kSuccess);
  CHECK_FALSE(fs::exists(f.sandbox() / "d"));
  CHECK(f.rmdir("d") == errno_::kNoent);
  CHECK(f.mkdir("") == errno_::kNoent);
}

TEST_CASE("path_open: oflags, fdflags and lookup flags") {
  WasiFixture f;
  uint32_t fd = 0;
  CHECK(f.open("new", oflags::kCreat | oflags::kExcl, &fd) == errno_::kSuccess);
  CHECK(f.write(fd, "12345") == errno_::kSuccess);
  CHECK(f.open("new", oflags::kCreat | oflags::kExcl) == errno_::kExist);
  CHECK(f.open("new", oflags::kDirectory) == errno_::kNotdir);
  CHECK(f.open("absent") == errno_::kNoent);
  CHECK(f.open("new/") == errno_::kNotdir);
  CHECK(f.open("new", oflags::kTrunc, &fd) == errno_::kSuccess);
  CHECK(fs::file_size(f.sandbox() / "new") == 0);
  CHECK(f.open("x/", oflags::kCreat) == errno_::kIsdir);
  CHECK(f.open("new", 0x10) == errno_::kInval);
  CHECK(f.open("new", 0, nullptr, rights::kAll, 0, 0x40) == errno_::kInval);

  fs::create_directory(f.sandbox() / "dir");
  CHECK(f.open("dir", 0, &fd, rights::kFdRead | rights::kFdWrite) == errno_::kIsdir);
  // O_DIRECTORY with a writing right: EISDIR once the path resolved (the
  // official suite's path_open_preopen); lookup errors still come first.
  CHECK(f.open("dir", oflags::kDirectory, nullptr, rights::kFdRead | rights::kFdWrite) ==
        errno_::kIsdir);
  CHECK(f.open("dir", oflags::kDirectory, nullptr, rights::kFdAllocate) == errno_::kIsdir);
  CHECK(f.open("absent", oflags::kDirectory, nullptr, rights::kFdWrite) == errno_::kNoent);
  CHECK(f.open("new", oflags::kDirectory, nullptr, rights::kFdWrite) == errno_::kNotdir);
  REQUIRE(f.open("dir", oflags::kDirectory, &fd, kReaderRights) == errno_::kSuccess);
  REQUIRE(fdFdstatGet(f.ctx(), f.g.mem(), fd, 0) == errno_::kSuccess);
  CHECK(f.g.u8(0) == filetype::kDirectory);
  // A directory descriptor opens paths relative to itself.
  uint32_t inner = 0;
  CHECK(f.open("inner", oflags::kCreat, &inner, rights::kAll, 0, 0, fd) == errno_::kSuccess);
  CHECK(fs::exists(f.sandbox() / "dir" / "inner"));
  // ... but it is not a preopen.
  CHECK(fdPrestatGet(f.ctx(), f.g.mem(), fd, 0) == errno_::kBadf);
  // A file descriptor is not a directory.
  CHECK(f.open("x", 0, nullptr, rights::kAll, 0, 0, inner) == errno_::kNotdir);

  ::symlink("new", (f.sandbox() / "ln").c_str());
  CHECK(f.open("ln") == errno_::kLoop); // no SYMLINK_FOLLOW: a final symlink is refused
  CHECK(f.open("ln", 0, &fd, rights::kAll, lookupflags::kSymlinkFollow) == errno_::kSuccess);
  CHECK(f.open("ln", oflags::kCreat | oflags::kExcl, nullptr, rights::kAll,
               lookupflags::kSymlinkFollow) == errno_::kExist);
  // Creating through a dangling (inside) symlink creates its target.
  ::symlink("target-made", (f.sandbox() / "dangling").c_str());
  CHECK(f.open("dangling", oflags::kCreat, nullptr, rights::kAll,
               lookupflags::kSymlinkFollow) == errno_::kSuccess);
  CHECK(fs::exists(f.sandbox() / "target-made"));
  // "..", "." and repeated slashes that stay inside are fine.
  CHECK(f.open("dir/.//../dir/./inner") == errno_::kSuccess);
  CHECK(f.open("dir/inner\0", 0) == errno_::kSuccess); // path length excludes the NUL
  std::string withNul("dir/inner\0x", 11);
  CHECK(f.open(withNul) == errno_::kIlseq);
  CHECK(f.open("\xff\xfe") == errno_::kIlseq);
}

TEST_CASE("path_open checks the directory's rights") {
  WasiFixture f;
  Guest &g = f.g;
  writeHostFile(f.sandbox() / "file", "x");
  uint32_t dir = 0;
  REQUIRE(f.open(".", oflags::kDirectory, &dir, kReaderRights) == errno_::kSuccess);
  Rights noCreate = rights::kDirectoryBase & ~rights::kPathCreateFile;
  REQUIRE(fdFdstatSetRights(f.ctx(), g.mem(), dir, noCreate, rights::kFdRead) ==
          errno_::kSuccess);
  CHECK(f.open("other", oflags::kCreat, nullptr, rights::kFdRead, 0, 0, dir) ==
        errno_::kNotcapable);
  CHECK(f.open("file", 0, nullptr, rights::kFdWrite, 0, 0, dir) == errno_::kNotcapable);
  uint32_t fd = 0;
  CHECK(f.open("file", 0, &fd, rights::kFdRead, 0, 0, dir) == errno_::kNotcapable);
  REQUIRE(f.open("file", 0, &fd, rights::kFdRead, 0, 0, dir, rights::kFdRead) ==
          errno_::kSuccess);
  CHECK(f.write(fd, "y") == errno_::kNotcapable);
  REQUIRE(fdFdstatSetRights(f.ctx(), g.mem(), dir, 0, 0) == errno_::kSuccess);
  CHECK(f.open("file", 0, nullptr, 0, 0, 0, dir) == errno_::kNotcapable);
  CHECK(f.mkdir("m", dir) == errno_::kNotcapable);
  CHECK(f.stat("file", false, dir) == errno_::kNotcapable);
}

TEST_CASE("fd_readdir: 1000 entries across small buffers, cookies and truncation") {
  WasiFixture f;
  fs::create_directory(f.sandbox() / "many");
  std::set<std::string> expected = {".", ".."};
  for (int i = 0; i < 1000; ++i) {
    std::string name = "entry-" + std::to_string(i) + std::string(size_t(i % 37), 'x');
    writeHostFile(f.sandbox() / "many" / name, "");
    expected.insert(name);
  }
  fs::create_directory(f.sandbox() / "many" / "subdir");
  expected.insert("subdir");
  uint32_t dir = 0;
  REQUIRE(f.open("many", oflags::kDirectory, &dir, kReaderRights) == errno_::kSuccess);
  for (uint32_t bufLen : {4096u, 128u, 37u, 16u}) {
    std::vector<std::string> names;
    REQUIRE(f.listDir(dir, bufLen, names) == errno_::kSuccess);
    CHECK(names.size() == expected.size());
    CHECK(std::set<std::string>(names.begin(), names.end()) == expected);
  }
  // Entry types and inode numbers.
  Guest &g = f.g;
  REQUIRE(fdReaddir(f.ctx(), g.mem(), dir, Guest::kData, 60000, 0, 0) == errno_::kSuccess);
  uint32_t used = g.u32(0), at = 0;
  bool sawSubdir = false;
  while (at < used) {
    uint32_t namlen = g.u32(Guest::kData + at + layout::kDirentNamlen);
    std::string name = g.getBytes(Guest::kData + at + layout::kDirentSize, namlen);
    uint8_t type = g.u8(Guest::kData + at + layout::kDirentType);
    if (name == "subdir") {
      sawSubdir = true;
      CHECK(type == filetype::kDirectory);
      struct stat st;
      REQUIRE(::stat((f.sandbox() / "many" / "subdir").c_str(), &st) == 0);
      CHECK(g.u64(Guest::kData + at + layout::kDirentIno) == st.st_ino);
    } else if (name.rfind("entry-", 0) == 0) {
      CHECK(type == filetype::kRegularFile);
    }
    at += layout::kDirentSize + namlen;
  }
  CHECK(sawSubdir);
  CHECK(at == used);
  // A cookie past the end reads nothing; a buffer of 10 gets a truncated header.
  REQUIRE(fdReaddir(f.ctx(), g.mem(), dir, Guest::kData, 100, 5000, 0) == errno_::kSuccess);
  CHECK(g.u32(0) == 0);
  REQUIRE(fdReaddir(f.ctx(), g.mem(), dir, Guest::kData, 10, 0, 0) == errno_::kSuccess);
  CHECK(g.u32(0) == 10);
  // Files are not directories; the right is needed.
  uint32_t file = 0;
  REQUIRE(f.open("many/entry-1x", 0, &file) == errno_::kSuccess);
  CHECK(fdReaddir(f.ctx(), g.mem(), file, Guest::kData, 100, 0, 0) == errno_::kNotdir);
  REQUIRE(fdFdstatSetRights(f.ctx(), g.mem(), dir, rights::kFdFilestatGet, 0) ==
          errno_::kSuccess);
  CHECK(fdReaddir(f.ctx(), g.mem(), dir, Guest::kData, 100, 0, 0) == errno_::kNotcapable);
}

TEST_CASE("fd_readdir sees new entries after a rewind (cookie 0)") {
  WasiFixture f;
  std::vector<std::string> names;
  REQUIRE(f.listDir(WasiFixture::kSandboxFd, 256, names) == errno_::kSuccess);
  CHECK(names.size() == 2);
  writeHostFile(f.sandbox() / "later", "");
  names.clear();
  REQUIRE(f.listDir(WasiFixture::kSandboxFd, 256, names) == errno_::kSuccess);
  CHECK(std::count(names.begin(), names.end(), "later") == 1);
}

TEST_CASE("timestamps: fd and path set_times, NOW and OMIT, invalid flags") {
  WasiFixture f;
  Guest &g = f.g;
  writeHostFile(f.sandbox() / "t", "x");
  uint32_t fd = 0;
  REQUIRE(f.open("t", 0, &fd) == errno_::kSuccess);
  using namespace fstflags;
  const uint64_t a = 1000000000ull * 1000 + 123, m = 1000000000ull * 2000 + 456;
  REQUIRE(fdFilestatSetTimes(f.ctx(), g.mem(), fd, a, m, kAtim | kMtim) == errno_::kSuccess);
  REQUIRE(fdFilestatGet(f.ctx(), g.mem(), fd, 0) == errno_::kSuccess);
  CHECK(g.u64(layout::kFilestatAtim) == a);
  CHECK(g.u64(layout::kFilestatMtim) == m);
  // MTIM only: atime stays (OMIT).
  REQUIRE(fdFilestatSetTimes(f.ctx(), g.mem(), fd, 0, m + 1, kMtim) == errno_::kSuccess);
  CHECK(hostAtime(f.sandbox() / "t").tv_sec == 1000);
  CHECK(hostMtime(f.sandbox() / "t").tv_nsec == 457);
  // MTIM_NOW: roughly the current time.
  REQUIRE(fdFilestatSetTimes(f.ctx(), g.mem(), fd, 0, 0, kMtimNow) == errno_::kSuccess);
  CHECK(hostMtime(f.sandbox() / "t").tv_sec > 1600000000);
  CHECK(hostAtime(f.sandbox() / "t").tv_sec == 1000);
  CHECK(fdFilestatSetTimes(f.ctx(), g.mem(), fd, 0, 0, kAtim | kAtimNow) == errno_::kInval);
  CHECK(fdFilestatSetTimes(f.ctx(), g.mem(), fd, 0, 0, kMtim | kMtimNow) == errno_::kInval);
  CHECK(fdFilestatSetTimes(f.ctx(), g.mem(), fd, 0, 0, 16) == errno_::kInval);

  REQUIRE(f.setTimes("t", a, m, kAtim | kMtim) == errno_::kSuccess);
  CHECK(hostMtime(f.sandbox() / "t").tv_sec == 2000);
  CHECK(f.setTimes("t", 0, 0, kAtimNow | kAtim) == errno_::kInval);
  CHECK(f.setTimes("absent", 0, 0, kAtimNow) == errno_::kNoent);
  // A symlink's own times, or its target's with SYMLINK_FOLLOW.
  ::symlink("t", (f.sandbox() / "lt").c_str());
  REQUIRE(f.setTimes("lt", 0, m + 1000000000ull, kMtim, false) == errno_::kSuccess);
  CHECK(hostMtime(f.sandbox() / "lt", false).tv_sec == 2001);
  CHECK(hostMtime(f.sandbox() / "t").tv_sec == 2000);
  REQUIRE(f.setTimes("lt", 0, m + 3000000000ull, kMtim, true) == errno_::kSuccess);
  CHECK(hostMtime(f.sandbox() / "t").tv_sec == 2003);
  CHECK(f.setTimes("t/", 0, 0, kMtimNow) == errno_::kNotdir);
  // The preopen itself.
  REQUIRE(fdFilestatSetTimes(f.ctx(), g.mem(), 3, 0, m, kMtim) == errno_::kSuccess);
  CHECK(hostMtime(f.sandbox()).tv_sec == 2000);
}

TEST_CASE("links: hard links, symlinks, readlink, stat with and without follow") {
  WasiFixture f;
  Guest &g = f.g;
  writeHostFile(f.sandbox() / "orig", "content");
  CHECK(f.link("orig", "hard") == errno_::kSuccess);
  CHECK(readHostFile(f.sandbox() / "hard") == "content");
  CHECK(fs::hard_link_count(f.sandbox() / "orig") == 2);
  CHECK(f.link("orig", "hard") == errno_::kExist);
  CHECK(f.link("absent", "h2") == errno_::kNoent);
  fs::create_directory(f.sandbox() / "dir");
  CHECK(f.link("dir", "dirlink") == errno_::kPerm);
  CHECK(f.link("orig", "new/") == errno_::kNoent);
  CHECK(f.link("orig", "hard/") == errno_::kExist);
  CHECK(f.link("orig/", "h3") == errno_::kNotdir);

  CHECK(f.symlink("orig", "sym") == errno_::kSuccess);
  CHECK(f.symlink("orig", "sym") == errno_::kExist);
  CHECK(f.symlink("orig", "sym2/") == errno_::kNoent);
  CHECK(f.symlink("orig", "dir/") == errno_::kExist);
  CHECK(f.symlink("", "empty") == errno_::kNoent);
  std::string target;
  REQUIRE(f.readlink("sym", &target) == errno_::kSuccess);
  CHECK(target == "orig");
  REQUIRE(f.readlink("sym", &target, 2) == errno_::kSuccess);
  CHECK(target == "or"); // truncated like readlink(2)
  CHECK(f.readlink("orig", &target) == errno_::kInval);
  CHECK(f.readlink("absent", &target) == errno_::kNoent);

  REQUIRE(f.stat("sym", false) == errno_::kSuccess);
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kSymbolicLink);
  CHECK(g.u64(layout::kFilestatSize_) == 4);
  REQUIRE(f.stat("sym", true) == errno_::kSuccess);
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kRegularFile);
  CHECK(g.u64(layout::kFilestatSize_) == 7);
  CHECK(g.u64(layout::kFilestatNlink) == 2);
  REQUIRE(f.stat("dir", false) == errno_::kSuccess);
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kDirectory);
  CHECK(f.stat("orig/") == errno_::kNotdir);
  CHECK(f.stat("absent") == errno_::kNoent);
  // Symlink chains and a symlink to a directory used in the middle of a path.
  CHECK(f.symlink("sym", "sym-sym") == errno_::kSuccess);
  REQUIRE(f.stat("sym-sym", true) == errno_::kSuccess);
  CHECK(g.u64(layout::kFilestatSize_) == 7);
  writeHostFile(f.sandbox() / "dir" / "inner", "in");
  CHECK(f.symlink("dir", "dl") == errno_::kSuccess);
  REQUIRE(f.stat("dl/inner") == errno_::kSuccess);
  CHECK(g.u64(layout::kFilestatSize_) == 2);
  REQUIRE(f.stat("dl/") == errno_::kSuccess); // a trailing slash follows
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kDirectory);
  CHECK(f.symlink("../orig", "dir/up") == errno_::kSuccess);
  REQUIRE(f.stat("dir/up", true) == errno_::kSuccess);
  CHECK(g.u64(layout::kFilestatSize_) == 7);
  // A hard link made through a followed symlink links the target.
  CHECK(f.link("sym", "hard-from-sym", true) == errno_::kSuccess);
  REQUIRE(f.stat("hard-from-sym", false) == errno_::kSuccess);
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kRegularFile);
  CHECK(f.link("sym", "link-to-sym", false) == errno_::kSuccess);
  REQUIRE(f.stat("link-to-sym", false) == errno_::kSuccess);
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kSymbolicLink);
  // Unlinking a symlink removes the link, not the target.
  CHECK(f.unlink("sym") == errno_::kSuccess);
  CHECK(fs::exists(f.sandbox() / "orig"));
  CHECK(f.unlink("dl") == errno_::kSuccess);
  CHECK(fs::exists(f.sandbox() / "dir" / "inner"));
  CHECK(f.rmdir("dl") == errno_::kNoent);
}
