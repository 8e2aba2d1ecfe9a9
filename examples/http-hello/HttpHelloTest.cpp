// End-to-end test of examples/http-hello: starts `wasmrt run --tcplisten` on a free
// loopback port, sends 1,000 sequential requests (half on one keep-alive connection,
// half on fresh "Connection: close" connections) and then 100 concurrent connections
// (two requests each), checks every response, and kills the server. Every socket
// operation has a timeout and a watchdog ends the whole test after 60 s.
//
// usage: http_hello_test [EMULATOR...] WASMRT HTTP_HELLO_WASM
// In cross builds CMake passes CMAKE_CROSSCOMPILING_EMULATOR first: this test
// itself runs under the emulator, but the server it starts would not.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

pid_t server = -1;
const char kBody[] = "Hello from wasmrt\n";

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "FAIL: %s (errno %d: %s)\n", what.c_str(), errno, std::strerror(errno));
  if (server > 0) {
    kill(server, SIGKILL);
    waitpid(server, nullptr, 0);
  }
  std::exit(1);
}

void watchdog(int) {
  const char msg[] = "FAIL: watchdog: the test took longer than 60 s\n";
  (void)!write(2, msg, sizeof msg - 1);
  if (server > 0)
    kill(server, SIGKILL);
  _exit(1);
}

uint16_t freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
    fail("finding a free port");
  uint16_t port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

int connectTo(uint16_t port, bool quiet = false) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    fail("socket");
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    close(fd);
    if (quiet)
      return -1;
    fail("connect");
  }
  return fd;
}

void sendAll(int fd, const std::string &data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      fail("send");
    off += size_t(n);
  }
}

// Reads one response and checks it; `closing` says the server must announce a close.
void readResponse(int fd, bool closing, const std::string &context) {
  std::string data;
  char buf[4096];
  size_t headerEnd;
  while ((headerEnd = data.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      fail(context + ": connection ended before the headers");
    data.append(buf, size_t(n));
  }
  std::string headers = data.substr(0, headerEnd + 4);
  if (headers.rfind("HTTP/1.1 200 OK\r\n", 0) != 0)
    fail(context + ": bad status line: " + headers);
  size_t cl = headers.find("Content-Length: ");
  if (cl == std::string::npos)
    fail(context + ": no Content-Length");
  size_t length = std::strtoul(headers.c_str() + cl + 16, nullptr, 10);
  if (length != sizeof kBody - 1)
    fail(context + ": Content-Length " + std::to_string(length));
  bool announcedClose = headers.find("Connection: close\r\n") != std::string::npos;
  if (announcedClose != closing)
    fail(context + ": wrong Connection header: " + headers);
  std::string body = data.substr(headerEnd + 4);
  while (body.size() < length) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      fail(context + ": connection ended in the body");
    body.append(buf, size_t(n));
  }
  if (body != kBody)
    fail(context + ": body '" + body + "'");
  if (closing && recv(fd, buf, sizeof buf, 0) != 0)
    fail(context + ": the server did not close after 'Connection: close'");
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s [EMULATOR...] WASMRT HTTP_HELLO_WASM\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGALRM, watchdog);
  alarm(60);

  uint16_t port = freePort();
  std::string listen = "127.0.0.1:" + std::to_string(port);
  std::vector<char *> args(argv + 1, argv + argc - 1);
  for (const char *arg : {"run", "--tcplisten"})
    args.push_back(const_cast<char *>(arg));
  args.push_back(listen.data());
  args.push_back(argv[argc - 1]);
  args.push_back(nullptr);
  pid_t parent = getpid();
  server = fork();
  if (server < 0)
    fail("fork");
  if (server == 0) {
    // The server must not outlive the test, whatever happens to it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(1);
    // execvp: an emulator may be given by name, as CMake allows.
    execvp(args[0], args.data());
    _exit(127);
  }

  // The server is ready once it accepts (compiling the module takes a moment).
  int probe = -1;
  for (int i = 0; i < 400 && probe < 0; ++i) {
    int status;
    if (waitpid(server, &status, WNOHANG) == server) {
      server = -1;
      fail("the server exited early");
    }
    probe = connectTo(port, true);
    if (probe < 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (probe < 0)
    fail("the server never accepted a connection");
  close(probe);
  auto start = std::chrono::steady_clock::now();

  // 500 sequential requests on one keep-alive connection...
  int fd = connectTo(port);
  for (int i = 0; i < 500; ++i) {
    sendAll(fd, "GET /keep-alive/" + std::to_string(i) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    readResponse(fd, false, "keep-alive request " + std::to_string(i));
  }
  // ... with a body, then one closing request on it.
  sendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  readResponse(fd, false, "POST with a body");
  sendAll(fd, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  readResponse(fd, true, "closing request");
  close(fd);
  // 500 sequential requests, each on a new connection.
  for (int i = 0; i < 500; ++i) {
    fd = connectTo(port);
    bool http10 = i % 2;
    sendAll(fd, http10 ? "GET /one HTTP/1.0\r\n\r\n"
                       : "GET /one HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    readResponse(fd, true, "connection " + std::to_string(i));
    close(fd);
  }
  std::printf("1000 sequential requests ok\n");

  // 100 concurrent connections, all open at once, two requests each (the second
  // pipelined with a close), answered in any order.
  std::vector<int> fds;
  for (int i = 0; i < 100; ++i)
    fds.push_back(connectTo(port));
  for (int i = 0; i < 100; ++i)
    sendAll(fds[size_t(i)], "GET /concurrent HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 99; i >= 0; --i)
    readResponse(fds[size_t(i)], false, "concurrent connection " + std::to_string(i));
  for (int i = 0; i < 100; ++i)
    sendAll(fds[size_t(i)], "GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  for (int i = 0; i < 100; ++i) {
    readResponse(fds[size_t(i)], true, "concurrent connection " + std::to_string(i) + " again");
    close(fds[size_t(i)]);
  }
  std::printf("100 concurrent connections ok\n");

  // A client that connects and says nothing must not block the others.
  int idle = connectTo(port);
  fd = connectTo(port);
  sendAll(fd, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  readResponse(fd, true, "request next to an idle connection");
  close(fd);
  close(idle);

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("all responses correct in %.2f s\n", seconds);
  int status = 0;
  if (waitpid(server, &status, WNOHANG) != 0)
    fail("the server died during the test");
  kill(server, SIGTERM);
  waitpid(server, &status, 0);
  server = -1;
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
    fail("the server did not stop on SIGTERM as expected");
  return 0;
}
