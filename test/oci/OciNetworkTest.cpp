// Listen sockets for Wasm containers (io.wasmrt.tcplisten, WASMRT_TCPLISTEN),
// network namespaces, and process.terminal through --console-socket.
#include "OciHarness.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

using namespace oci_test;
using namespace std::chrono_literals;
using Json = nlohmann::json;

namespace {

// A loopback port nobody listens on right now.
int freePort() {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(sock, reinterpret_cast<sockaddr *>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(sock, reinterpret_cast<sockaddr *>(&address), &length);
  close(sock);
  return ntohs(address.sin_port);
}

// One HTTP/1.0 GET on 127.0.0.1:port; the whole response, or "" on failure.
std::string httpGet(int port) {
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(sock, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0) {
    std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    (void)!write(sock, request.data(), request.size());
    char buffer[4096];
    pollfd ready{.fd = sock, .events = POLLIN, .revents = 0};
    while (poll(&ready, 1, 10000) > 0) {
      ssize_t got = read(sock, buffer, sizeof buffer);
      if (got <= 0)
        break;
      response.append(buffer, size_t(got));
    }
  }
  close(sock);
  return response;
}

// Creates and starts http-hello with `config` changes; checks one request
// is answered on `port`, then kills the container.
void serveOneRequest(OciHarness &oci, const std::string &id, Json config, int port) {
  std::string bundle = oci.makeBundleWithConfig(id, config);
  std::filesystem::copy_file(OCI_HTTP_HELLO_WASM, bundle + "/rootfs/app/guest.wasm",
                             std::filesystem::copy_options::overwrite_existing);
  CommandResult created;
  pid_t pid = oci.create(id, bundle, &created);
  INFO(created.err);
  REQUIRE(pid > 0);
  REQUIRE(oci.oci({"start", id}).status == 0);
  CHECK_THAT(httpGet(port), Catch::Contains("Hello from wasmrt"));
  REQUIRE(oci.oci({"kill", id, "KILL"}).status == 0);
  CHECK(OciHarness::waitForExit(pid, 10s).signal == SIGKILL);
  REQUIRE(oci.oci({"delete", id}).status == 0);
}

} // namespace

TEST_CASE("io.wasmrt.tcplisten gives the guest a listening socket (host network)") {
  OciHarness oci("tcplisten");
  int port = freePort();
  Json config = oci.guestConfig(oci.dir() + "/annotated", {});
  config["annotations"] = {{"io.wasmrt.tcplisten", "127.0.0.1:" + std::to_string(port)}};
  serveOneRequest(oci, "annotated", config, port);
}

TEST_CASE("WASMRT_TCPLISTEN in process.env works the same") {
  OciHarness oci("tcplisten-env");
  int port = freePort();
  Json config = oci.guestConfig(oci.dir() + "/env", {});
  config["process"]["env"].push_back("WASMRT_TCPLISTEN=127.0.0.1:" + std::to_string(port));
  serveOneRequest(oci, "env", config, port);
}

TEST_CASE("a network namespace given by path is joined") {
  OciHarness oci("netns-path");
  int port = freePort();
  Json config = oci.guestConfig(oci.dir() + "/joined", {});
  // This process's own namespace: the server stays reachable from here.
  config["linux"]["namespaces"].push_back(
      {{"type", "network"}, {"path", "/proc/" + std::to_string(getpid()) + "/ns/net"}});
  config["annotations"] = {{"io.wasmrt.tcplisten", "127.0.0.1:" + std::to_string(port)}};
  serveOneRequest(oci, "joined", config, port);
}

TEST_CASE("a new network namespace isolates the guest's sockets") {
  OciHarness oci("netns-new");
  int port = freePort();
  // (exit, not hello: with a socket at fd 3, wasi-libc stops looking for
  // preopens there and the guest would not find its files; docs/OCI.md.)
  Json config = oci.guestConfig(oci.dir() + "/isolated", {"exit", "0"});
  config["linux"]["namespaces"].push_back({{"type", "network"}});
  config["annotations"] = {{"io.wasmrt.tcplisten", "127.0.0.1:" + std::to_string(port)}};
  std::string bundle = oci.makeBundleWithConfig("isolated", config);
  CommandResult created;
  pid_t pid = oci.create("isolated", bundle, &created);
  INFO(created.err);
  if (pid == 0 && created.err.find("network namespace") != std::string::npos) {
    WARN("cannot create network namespaces here (needs CAP_SYS_ADMIN): " << created.err);
    return;
  }
  REQUIRE(pid > 0);
  // Bound inside its own namespace (on its loopback, brought up), so the
  // port is still free on ours.
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(sock, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
  close(sock);
  REQUIRE(oci.oci({"start", "isolated"}).status == 0);
  CHECK(OciHarness::waitForExit(pid, 30s).code == 0);
}

namespace {

// Accepts one connection on a unix socket and receives the fd sent over it.
int receiveConsole(int listener, std::string &name) {
  pollfd ready{.fd = listener, .events = POLLIN, .revents = 0};
  if (poll(&ready, 1, 10000) <= 0)
    return -1;
  int connection = accept(listener, nullptr, nullptr);
  char payload[256] = {};
  char control[CMSG_SPACE(sizeof(int))] = {};
  iovec data{.iov_base = payload, .iov_len = sizeof payload - 1};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  int fd = -1;
  if (recvmsg(connection, &message, 0) > 0) {
    cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (header && header->cmsg_type == SCM_RIGHTS)
      std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
    name = payload;
  }
  close(connection);
  return fd;
}

} // namespace

TEST_CASE("process.terminal: the pty master goes to --console-socket, the guest writes to the pty") {
  OciHarness oci("console");
  std::string socketPath = oci.dir() + "/console.sock";
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{.sun_family = AF_UNIX, .sun_path = {}};
  std::strncpy(address.sun_path, socketPath.c_str(), sizeof address.sun_path - 1);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 1) == 0);

  Json config = oci.guestConfig(oci.dir() + "/tty", {"hello"});
  config["process"]["terminal"] = true;
  std::string bundle = oci.makeBundleWithConfig("tty", config);
  std::string master;
  int masterFd = -1;
  std::thread receiver([&] { masterFd = receiveConsole(listener, master); });
  CommandResult created = oci.oci({"create", "--bundle", bundle, "--console-socket", socketPath,
                                   "--pid-file", bundle + "/init.pid", "tty"});
  receiver.join();
  close(listener);
  INFO(created.err);
  REQUIRE(created.status == 0);
  REQUIRE(masterFd >= 0);
  CHECK_THAT(master, Catch::StartsWith("/dev/pts/"));
  pid_t pid = pid_t(std::stol(readFile(bundle + "/init.pid")));
  REQUIRE(oci.oci({"start", "tty"}).status == 0);
  std::string output;
  char buffer[1024];
  pollfd ready{.fd = masterFd, .events = POLLIN, .revents = 0};
  while (output.find("motd from the rootfs") == std::string::npos && poll(&ready, 1, 10000) > 0) {
    ssize_t got = read(masterFd, buffer, sizeof buffer);
    if (got <= 0)
      break;
    output.append(buffer, size_t(got));
  }
  CHECK_THAT(output, Catch::Contains("hello from wasm\r\n")); // the pty's line discipline
  CHECK(OciHarness::waitForExit(pid, 30s).code == 0);
  close(masterFd);
  CHECK(oci.oci({"delete", "tty"}).status == 0);
}
