// The pod sandbox ("pause") process for the containerd end-to-end test: the CRI
// plugin needs a sandbox image and there is no registry, so the test builds one
// from this static binary. It waits for SIGTERM or SIGINT and exits, and reaps
// children in case it becomes the pod's init (a shared PID namespace).
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void onStop(int sig) {
  (void)sig;
  _exit(0);
}

static void onChild(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction stop = {0};
  stop.sa_handler = onStop;
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  struct sigaction child = {0};
  child.sa_handler = onChild;
  child.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &child, NULL);
  for (;;)
    pause();
}
