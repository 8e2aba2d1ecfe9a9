// Every way out of a preopen we know of must fail with the right errno while the
// files outside stay untouched. Each case runs with openat2 and with the portable walk.
#include "WasiTestUtil.h"

#include <sys/stat.h>
#include <unistd.h>

#include <map>

using namespace wasmrt::wasi;
using namespace wasmrt::wasi::test;

namespace {

constexpr uint32_t kFollow = lookupflags::kSymlinkFollow;

// Names, contents and modification times of everything under a directory.
std::map<std::string, std::string> treeState(const fs::path &dir) {
  std::map<std::string, std::string> state;
  for (const auto &entry : fs::recursive_directory_iterator(dir)) {
    struct stat st;
    REQUIRE(::lstat(entry.path().c_str(), &st) == 0);
    std::string value = std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec) + ":" +
                        std::to_string(st.st_mode) + ":" + std::to_string(st.st_nlink);
    if (entry.is_regular_file())
      value += ":" + readHostFile(entry.path());
    state[fs::relative(entry.path(), dir).string()] = value;
  }
  return state;
}

void makeEscapeLinks(WasiFixture &f) {
  fs::create_directory(f.sandbox() / "sub");
  writeHostFile(f.sandbox() / "file", "inside");
  fs::path abs = f.outside();
  auto link = [&](const std::string &target, const std::string &name) {
    REQUIRE(::symlink(target.c_str(), (f.sandbox() / name).c_str()) == 0);
  };
  link("..", "up");
  link("../outside", "out_rel");
  link("../outside/secret.txt", "out_file");
  link(abs.string(), "out_abs");
  link((abs / "secret.txt").string(), "out_abs_file");
  link("loop2", "loop1");
  link("loop1", "loop2");
  link("self", "self");
  link("../../outside/secret.txt", "sub/deep_up");
  link("../file", "sub/ok_up");
  link("../outside/newfile", "dangle_out");
  link("sub/../up", "indirect_up");
}

} // namespace

TEST_CASE("sandbox: path_open cannot leave the preopen") {
  bool useOpenat2 = GENERATE(true, false);
  CAPTURE(useOpenat2);
  WasiFixture f(useOpenat2);
  makeEscapeLinks(f);
  auto before = treeState(f.outside());
  const std::string abs = (f.outside() / "secret.txt").string();
  const uint32_t dir = oflags::kDirectory;

  CHECK(f.open("..", dir) == errno_::kPerm);
  CHECK(f.open("../outside/secret.txt") == errno_::kPerm);
  CHECK(f.open("sub/../../outside/secret.txt") == errno_::kPerm);
  CHECK(f.open("sub/../sub/../..", dir) == errno_::kPerm);
  CHECK(f.open("/etc/passwd") == errno_::kPerm);
  CHECK(f.open(abs) == errno_::kPerm);
  CHECK(f.open("out_rel/secret.txt") == errno_::kPerm);
  CHECK(f.open("out_rel/secret.txt", 0, nullptr, rights::kAll, kFollow) == errno_::kPerm);
  CHECK(f.open("out_file", 0, nullptr, rights::kAll, kFollow) == errno_::kPerm);
  CHECK(f.open("out_file") == errno_::kLoop); // not followed at all
  CHECK(f.open("out_abs/secret.txt") == errno_::kPerm);
  CHECK(f.open("out_abs_file", 0, nullptr, rights::kAll, kFollow) == errno_::kPerm);
  CHECK(f.open("up/outside/secret.txt") == errno_::kPerm);
  CHECK(f.open("up", dir, nullptr, rights::kAll, kFollow) == errno_::kPerm);
  CHECK(f.open("up/", dir) == errno_::kPerm); // a trailing slash follows
  CHECK(f.open("out_rel/", dir) == errno_::kPerm);
  CHECK(f.open("indirect_up/outside/secret.txt") == errno_::kPerm);
  CHECK(f.open("sub/deep_up", 0, nullptr, rights::kAll, kFollow) == errno_::kPerm);
  CHECK(f.open("loop1", 0, nullptr, rights::kAll, kFollow) == errno_::kLoop);
  CHECK(f.open("self/x") == errno_::kLoop);
  // Creating or truncating through links that lead out.
  CHECK(f.open("dangle_out", oflags::kCreat, nullptr, rights::kAll, kFollow) ==
        errno_::kPerm);
  CHECK(f.open("out_rel/planted", oflags::kCreat) == errno_::kPerm);
  CHECK(f.open("out_file", oflags::kTrunc, nullptr, rights::kAll, kFollow) == errno_::kPerm);
  CHECK(f.open("../outside/planted", oflags::kCreat) == errno_::kPerm);
  // Links that stay inside keep working.
  uint32_t fd = 0;
  REQUIRE(f.open("sub/ok_up", 0, &fd, rights::kAll, kFollow) == errno_::kSuccess);
  std::string s;
  REQUIRE(f.read(fd, 100, &s) == errno_::kSuccess);
  CHECK(s == "inside");
  // A directory descriptor is its own root: ".." from it is an escape too.
  uint32_t sub = 0;
  REQUIRE(f.open("sub", dir, &sub, kReaderRights) == errno_::kSuccess);
  CHECK(f.open("../file", 0, nullptr, rights::kAll, 0, 0, sub) == errno_::kPerm);
  CHECK(f.open("ok_up", 0, nullptr, rights::kAll, kFollow, 0, sub) == errno_::kPerm);

  CHECK_FALSE(fs::exists(f.outside() / "newfile"));
  CHECK_FALSE(fs::exists(f.outside() / "planted"));
  CHECK(treeState(f.outside()) == before);
}

TEST_CASE("sandbox: stat, times, readlink and readdir stay inside") {
  bool useOpenat2 = GENERATE(true, false);
  CAPTURE(useOpenat2);
  WasiFixture f(useOpenat2);
  makeEscapeLinks(f);
  auto before = treeState(f.outside());
  Guest &g = f.g;
  using namespace fstflags;

  CHECK(f.stat("..") == errno_::kPerm);
  CHECK(f.stat("../outside/secret.txt") == errno_::kPerm);
  CHECK(f.stat("out_file", true) == errno_::kPerm);
  CHECK(f.stat("out_abs_file", true) == errno_::kPerm);
  CHECK(f.stat("out_rel/") == errno_::kPerm);
  CHECK(f.stat("up/") == errno_::kPerm);
  CHECK(f.stat("up/.") == errno_::kPerm);
  CHECK(f.stat("out_rel/secret.txt") == errno_::kPerm);
  CHECK(f.stat("loop1", true) == errno_::kLoop);
  REQUIRE(f.stat("out_file", false) == errno_::kSuccess); // the link itself
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kSymbolicLink);
  REQUIRE(f.stat(".") == errno_::kSuccess);
  CHECK(g.u8(layout::kFilestatFiletype) == filetype::kDirectory);

  CHECK(f.setTimes("out_file", 0, 0, kMtimNow, true) == errno_::kPerm);
  CHECK(f.setTimes("../outside/secret.txt", 0, 0, kMtimNow) == errno_::kPerm);
  CHECK(f.setTimes("out_rel/secret.txt", 0, 0, kMtimNow) == errno_::kPerm);
  CHECK(f.setTimes("up/", 0, 0, kMtimNow) == errno_::kPerm);
  CHECK(f.setTimes("out_file", 0, 5000000000ull, kMtim, false) == errno_::kSuccess);

  std::string target;
  CHECK(f.readlink("../outside/secret.txt", &target) == errno_::kPerm);
  CHECK(f.readlink("out_rel/secret.txt", &target) == errno_::kPerm);
  CHECK(f.readlink("up/x", &target) == errno_::kPerm);
  REQUIRE(f.readlink("out_abs", &target) == errno_::kSuccess); // reading text is fine
  CHECK(target == f.outside().string());

  // The preopen's ".." entry does not reveal the outer directory's inode.
  REQUIRE(fdReaddir(f.ctx(), g.mem(), 3, Guest::kData, 60000, 0, 0) == errno_::kSuccess);
  uint32_t used = g.u32(0), at = 0;
  uint64_t dotIno = 0, dotdotIno = 1;
  while (at < used) {
    uint32_t namlen = g.u32(Guest::kData + at + layout::kDirentNamlen);
    std::string name = g.getBytes(Guest::kData + at + layout::kDirentSize, namlen);
    uint64_t ino = g.u64(Guest::kData + at + layout::kDirentIno);
    if (name == ".")
      dotIno = ino;
    if (name == "..")
      dotdotIno = ino;
    at += layout::kDirentSize + namlen;
  }
  CHECK(dotIno == dotdotIno);
  CHECK(treeState(f.outside()) == before);
}

TEST_CASE("sandbox: mkdir, rmdir, unlink, rename, link and symlink stay inside") {
  bool useOpenat2 = GENERATE(true, false);
  CAPTURE(useOpenat2);
  WasiFixture f(useOpenat2);
  makeEscapeLinks(f);
  auto before = treeState(f.outside());
  const std::string abs = (f.outside() / "secret.txt").string();

  CHECK(f.mkdir("../newdir") == errno_::kPerm);
  CHECK(f.mkdir("out_rel/newdir") == errno_::kPerm);
  CHECK(f.mkdir("up/newdir") == errno_::kPerm);
  CHECK(f.mkdir((f.outside() / "newdir").string()) == errno_::kPerm);

  CHECK(f.rmdir("..") == errno_::kPerm);
  CHECK(f.rmdir("../outside") == errno_::kPerm);
  CHECK(f.rmdir("up/outside") == errno_::kPerm);
  CHECK(f.rmdir("out_rel/") == errno_::kNotdir); // the link itself is no directory

  CHECK(f.unlink("../outside/secret.txt") == errno_::kPerm);
  CHECK(f.unlink("out_rel/secret.txt") == errno_::kPerm);
  CHECK(f.unlink(abs) == errno_::kPerm);
  CHECK(f.unlink("up/outside/secret.txt") == errno_::kPerm);

  CHECK(f.rename("../outside/secret.txt", "stolen") == errno_::kPerm);
  CHECK(f.rename("out_rel/secret.txt", "stolen") == errno_::kPerm);
  CHECK(f.rename("file", "../outside/planted") == errno_::kPerm);
  CHECK(f.rename("file", "out_rel/planted") == errno_::kPerm);
  CHECK(f.rename("file", "up/outside/planted") == errno_::kPerm);
  CHECK(f.rename("file", abs) == errno_::kPerm);

  CHECK(f.link("../outside/secret.txt", "hard") == errno_::kPerm);
  CHECK(f.link("out_file", "hard", true) == errno_::kPerm);
  CHECK(f.link("out_abs_file", "hard", true) == errno_::kPerm);
  CHECK(f.link("out_rel/secret.txt", "hard") == errno_::kPerm);
  CHECK(f.link("file", "../outside/planted") == errno_::kPerm);
  CHECK(f.link("file", "out_rel/planted") == errno_::kPerm);

  CHECK(f.symlink("/etc/passwd", "abs_link") == errno_::kPerm);
  CHECK(f.symlink(abs, "abs_link") == errno_::kPerm);
  CHECK(f.symlink("file", "../outside/planted") == errno_::kPerm);
  CHECK(f.symlink("file", "out_rel/planted") == errno_::kPerm);
  // A relative link pointing out may be created, but never followed.
  REQUIRE(f.symlink("../outside/secret.txt", "made_out") == errno_::kSuccess);
  CHECK(f.open("made_out", 0, nullptr, rights::kAll, kFollow) == errno_::kPerm);

  // Operating on the links themselves is allowed and leaves their targets alone.
  CHECK(f.link("out_file", "link_of_link", false) == errno_::kSuccess);
  CHECK(f.rename("out_file", "renamed_link") == errno_::kSuccess);
  CHECK(f.unlink("renamed_link") == errno_::kSuccess);
  CHECK(f.unlink("out_rel") == errno_::kSuccess);
  CHECK(f.unlink("out_abs") == errno_::kSuccess);
  CHECK(fs::exists(f.outside() / "secret.txt"));

  CHECK_FALSE(fs::exists(f.root() / "newdir"));
  CHECK_FALSE(fs::exists(f.outside() / "newdir"));
  CHECK_FALSE(fs::exists(f.outside() / "planted"));
  CHECK(treeState(f.outside()) == before);
}

TEST_CASE("sandbox: rename and link do not cross preopens") {
  bool useOpenat2 = GENERATE(true, false);
  TempDir tmp;
  fs::create_directory(tmp.path() / "a");
  fs::create_directory(tmp.path() / "b");
  writeHostFile(tmp.path() / "a" / "file", "a");
  WasiConfig config;
  config.preopens = {{(tmp.path() / "a").string(), "/a", false},
                     {(tmp.path() / "b").string(), "/b", false}};
  config.useOpenat2 = useOpenat2;
  auto ctx = WasiContext::create(config);
  REQUIRE(ctx);
  Guest g;
  uint32_t src = g.put("file"), dst = g.put("moved");
  CHECK(pathRename(**ctx, g.mem(), 3, src, 4, 4, dst, 5) == errno_::kXdev);
  CHECK(pathLink(**ctx, g.mem(), 3, 0, src, 4, 4, dst, 5) == errno_::kXdev);
  CHECK(fs::exists(tmp.path() / "a" / "file"));
  CHECK_FALSE(fs::exists(tmp.path() / "b" / "moved"));
  CHECK(pathRename(**ctx, g.mem(), 3, src, 4, 3, dst, 5) == errno_::kSuccess);
  CHECK(fs::exists(tmp.path() / "a" / "moved"));
}

TEST_CASE("read-only preopens reject every change with EPERM") {
  bool useOpenat2 = GENERATE(true, false);
  WasiFixture f(useOpenat2);
  Guest &g = f.g;
  const uint32_t ro = WasiFixture::kReadOnlyFd;
  fs::create_directory(f.readOnlyDir() / "sub");
  auto before = treeState(f.readOnlyDir());
  using namespace fstflags;

  uint32_t fd = 0;
  Rights readRights = rights::kAll & ~(rights::kFdWrite | rights::kFdAllocate |
                                       rights::kFdFilestatSetSize | rights::kFdDatasync);
  REQUIRE(f.open("data.txt", 0, &fd, readRights, 0, 0, ro) == errno_::kSuccess);
  std::string s;
  REQUIRE(f.read(fd, 100, &s) == errno_::kSuccess);
  CHECK(s == "read-only data");
  std::vector<std::string> names;
  CHECK(f.listDir(ro, 256, names) == errno_::kSuccess);
  CHECK(names.size() == 4);
  CHECK(f.stat("data.txt", false, ro) == errno_::kSuccess);

  CHECK(f.open("data.txt", 0, nullptr, rights::kFdWrite, 0, 0, ro) == errno_::kPerm);
  CHECK(f.open("data.txt", 0, nullptr, readRights, 0, fdflags::kAppend, ro) == errno_::kPerm);
  CHECK(f.open("data.txt", oflags::kTrunc, nullptr, readRights, 0, 0, ro) == errno_::kPerm);
  CHECK(f.open("new.txt", oflags::kCreat, nullptr, readRights, 0, 0, ro) == errno_::kPerm);
  CHECK(f.mkdir("newdir", ro) == errno_::kPerm);
  CHECK(f.rmdir("sub", ro) == errno_::kPerm);
  CHECK(f.unlink("data.txt", ro) == errno_::kPerm);
  CHECK(f.rename("data.txt", "renamed", ro, ro) == errno_::kPerm);
  CHECK(f.symlink("data.txt", "ln", ro) == errno_::kPerm);
  CHECK(f.link("data.txt", "hard", false, ro, ro) == errno_::kPerm);
  CHECK(f.setTimes("data.txt", 0, 0, kMtimNow, false, ro) == errno_::kPerm);
  // Moving or linking between a read-only and a writable tree is refused too.
  CHECK(f.rename("data.txt", "stolen", ro, WasiFixture::kSandboxFd) == errno_::kPerm);
  CHECK(f.link("data.txt", "hard", false, ro, WasiFixture::kSandboxFd) == errno_::kPerm);
  writeHostFile(f.sandbox() / "w", "w");
  CHECK(f.rename("w", "w", WasiFixture::kSandboxFd, ro) == errno_::kPerm);
  // Descriptors opened beneath it, and the preopen itself.
  CHECK(f.write(fd, "x") == errno_::kNotcapable);
  CHECK(fdFilestatSetSize(f.ctx(), g.mem(), fd, 0) == errno_::kPerm);
  CHECK(fdFilestatSetTimes(f.ctx(), g.mem(), fd, 0, 0, kMtimNow) == errno_::kPerm);
  CHECK(fdAllocate(f.ctx(), g.mem(), fd, 0, 100) == errno_::kPerm);
  CHECK(fdFilestatSetTimes(f.ctx(), g.mem(), ro, 0, 0, kMtimNow) == errno_::kPerm);
  REQUIRE(fdFdstatGet(f.ctx(), g.mem(), ro, 0) == errno_::kSuccess);
  CHECK((g.u64(8) & rights::kMutating) == 0);
  CHECK((g.u64(8) & rights::kPathOpen));
  uint32_t sub = 0;
  REQUIRE(f.open("sub", oflags::kDirectory, &sub, readRights, 0, 0, ro) == errno_::kSuccess);
  CHECK(f.open("x", oflags::kCreat, nullptr, readRights, 0, 0, sub) == errno_::kPerm);
  CHECK(f.mkdir("x", sub) == errno_::kPerm);

  CHECK(treeState(f.readOnlyDir()) == before);
  CHECK(fs::exists(f.sandbox() / "w"));
}

TEST_CASE("sandbox: deep paths, long paths and long symlink chains") {
  bool useOpenat2 = GENERATE(true, false);
  CAPTURE(useOpenat2);
  WasiFixture f(useOpenat2);
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += (i ? "/d" : "d");
  fs::create_directories(f.sandbox() / deep);
  writeHostFile(f.sandbox() / deep / "leaf", "deep");
  uint32_t fd = 0;
  REQUIRE(f.open(deep + "/leaf", 0, &fd) == errno_::kSuccess);
  std::string ups;
  for (int i = 0; i < 200; ++i)
    ups += "../";
  CHECK(f.open(deep + "/" + ups + "file") == errno_::kNoent); // exactly back at the root
  CHECK(f.open(deep + "/" + ups + "../outside/secret.txt") == errno_::kPerm);
  CHECK(f.open(std::string(5000, 'a')) == errno_::kNametoolong);

  // 40 expansions resolve, 41 are a loop.
  writeHostFile(f.sandbox() / "end", "end");
  std::string prev = "end";
  for (int i = 0; i < 41; ++i) {
    std::string name = "chain" + std::to_string(i);
    REQUIRE(::symlink(prev.c_str(), (f.sandbox() / name).c_str()) == 0);
    prev = name;
  }
  CHECK(f.open("chain39", 0, nullptr, rights::kAll, kFollow) == errno_::kSuccess);
  CHECK(f.open("chain40", 0, nullptr, rights::kAll, kFollow) == errno_::kLoop);
  CHECK(f.stat("chain39", true) == errno_::kSuccess);
  CHECK(f.stat("chain40", true) == errno_::kLoop);
}
