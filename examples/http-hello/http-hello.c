// A small HTTP/1.1 server for wasm32-wasi: answers every request with
// "Hello from wasmrt". Run it with a preopened listening socket:
//
//   wasmrt run --tcplisten 127.0.0.1:8080 http-hello.wasm
//
// WASI preview1 cannot create sockets, so the server looks for the one it was given
// (the first fd >= 3 whose type is socket_stream). One thread serves every connection:
// poll() (poll_oneoff) waits on the listener and all connections at once, and
// connections are non-blocking, so a slow client never stalls the others. Keep-alive
// is the HTTP/1.1 default; "Connection: close" (or HTTP/1.0 without keep-alive) closes
// after the response.
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wasi/api.h>

enum { kMaxConns = 512, kBufSize = 16384 };

static const char kBody[] = "Hello from wasmrt\n";

struct Conn {
  int fd;
  size_t inLen;
  char in[kBufSize];
  size_t outLen, outOff;
  char out[kBufSize];
  int closeAfterWrite;
};

static struct Conn *conns[kMaxConns];
static int nconns;

static int findListener(void) {
  for (int fd = 3; fd < 1024; ++fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e == __WASI_ERRNO_BADF)
      continue;
    if (e == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
      return fd;
  }
  return -1;
}

static void closeConn(int i) {
  close(conns[i]->fd);
  free(conns[i]);
  conns[i] = conns[--nconns];
}

// The value of header `name` in [headers, end), or NULL.
static const char *header(const char *headers, const char *end, const char *name,
                          size_t *len) {
  size_t n = strlen(name);
  for (const char *line = headers; line < end;) {
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol)
      eol = end;
    if ((size_t)(eol - line) > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
      const char *v = line + n + 1;
      while (v < eol && (*v == ' ' || *v == '\t'))
        ++v;
      const char *e = eol;
      while (e > v && (e[-1] == '\r' || e[-1] == ' '))
        --e;
      *len = (size_t)(e - v);
      return v;
    }
    line = eol + 1;
  }
  return NULL;
}

// Consumes complete requests from c->in and queues their responses. Returns -1 if the
// request is malformed or too large (the connection is then closed).
static int handleRequests(struct Conn *c) {
  for (;;) {
    char *end = NULL;
    for (size_t i = 0; i + 3 < c->inLen; ++i)
      if (!memcmp(c->in + i, "\r\n\r\n", 4)) {
        end = c->in + i + 4;
        break;
      }
    if (!end)
      return c->inLen == sizeof c->in ? -1 : 0;
    const char *line = memchr(c->in, '\n', (size_t)(end - c->in));
    int http10 = line && line - c->in >= 9 && !memcmp(line - 9, "HTTP/1.0", 8);
    size_t len = 0;
    const char *v = header(line + 1, end, "Connection", &len);
    int keepAlive = http10 ? (v && len == 10 && !strncasecmp(v, "keep-alive", 10))
                           : !(v && len == 5 && !strncasecmp(v, "close", 5));
    size_t body = 0;
    if ((v = header(line + 1, end, "Content-Length", &len)))
      body = strtoul(v, NULL, 10);
    size_t consumed = (size_t)(end - c->in) + body;
    if (consumed > c->inLen)
      return consumed > sizeof c->in ? -1 : 0; // wait for the rest of the body
    int n = snprintf(c->out + c->outLen, sizeof c->out - c->outLen,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                     "Connection: %s\r\n\r\n%s",
                     sizeof kBody - 1, keepAlive ? "keep-alive" : "close", kBody);
    if (n < 0 || (size_t)n >= sizeof c->out - c->outLen)
      return -1; // a client pipelining more than we buffer
    c->outLen += (size_t)n;
    memmove(c->in, c->in + consumed, c->inLen - consumed);
    c->inLen -= consumed;
    if (!keepAlive) {
      c->closeAfterWrite = 1;
      c->inLen = 0;
      return 0;
    }
  }
}

// Writes what is queued; returns -1 when the connection is finished or broken.
static int flush(struct Conn *c) {
  while (c->outOff < c->outLen) {
    ssize_t n = write(c->fd, c->out + c->outOff, c->outLen - c->outOff);
    if (n < 0)
      return errno == EAGAIN ? 0 : -1;
    c->outOff += (size_t)n;
  }
  c->outOff = c->outLen = 0;
  return c->closeAfterWrite ? -1 : 0;
}

static int onReadable(struct Conn *c) {
  if (c->closeAfterWrite)
    return 0;
  ssize_t n = read(c->fd, c->in + c->inLen, sizeof c->in - c->inLen);
  if (n < 0)
    return errno == EAGAIN ? 0 : -1;
  if (n == 0)
    return -1; // the client closed
  c->inLen += (size_t)n;
  if (handleRequests(c) < 0)
    return -1;
  return flush(c);
}

int main(void) {
  int listener = findListener();
  if (listener < 0) {
    fprintf(stderr, "http-hello: no listening socket; run with --tcplisten HOST:PORT\n");
    return 1;
  }
  printf("http-hello: serving on fd %d\n", listener);
  fflush(stdout);
  static struct pollfd fds[kMaxConns + 1];
  for (;;) {
    int n = 0;
    for (int i = 0; i < nconns; ++i)
      fds[n++] = (struct pollfd){conns[i]->fd,
                                 conns[i]->outLen > conns[i]->outOff ? POLLWRNORM : POLLRDNORM,
                                 0};
    int listening = nconns < kMaxConns;
    if (listening)
      fds[n++] = (struct pollfd){listener, POLLRDNORM, 0};
    if (poll(fds, (nfds_t)n, -1) < 0) {
      if (errno == EINTR)
        continue;
      perror("http-hello: poll");
      return 1;
    }
    // Connections first, newest last, so closing (swap with the last) is safe going down.
    for (int i = nconns - 1; i >= 0; --i) {
      short ev = fds[i].revents;
      if (!ev)
        continue;
      struct Conn *c = conns[i];
      int r = 0;
      if (ev & POLLWRNORM)
        r = flush(c);
      else if (ev & (POLLRDNORM | POLLHUP | POLLERR))
        r = onReadable(c);
      if (r < 0)
        closeConn(i);
    }
    if (listening && (fds[n - 1].revents & POLLRDNORM)) {
      __wasi_fd_t fd;
      __wasi_errno_t e = __wasi_sock_accept(listener, __WASI_FDFLAGS_NONBLOCK, &fd);
      if (e == 0) {
        struct Conn *c = calloc(1, sizeof *c);
        if (!c) {
          close((int)fd);
          continue;
        }
        c->fd = (int)fd;
        conns[nconns++] = c;
      } else if (e != __WASI_ERRNO_AGAIN) {
        fprintf(stderr, "http-hello: sock_accept: errno %d\n", e);
      }
    }
  }
}
