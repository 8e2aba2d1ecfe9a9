// Directories: mkdir, readdir over many entries, rename, rmdir, unlink.
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

enum { kFiles = 500 };

int main(void) {
  CHECK(mkdir("many", 0755) == 0);
  CHECK(mkdir("many", 0755) < 0 && errno == EEXIST);
  char name[64];
  for (int i = 0; i < kFiles; ++i) {
    // Long names make fd_readdir fill and refill its buffer many times.
    snprintf(name, sizeof name, "many/entry-with-a-fairly-long-name-%04d.txt", i);
    int fd = open(name, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    close(fd);
  }
  CHECK(mkdir("many/sub", 0755) == 0);
  static char seen[kFiles];
  int files = 0, dirs = 0, dots = 0;
  DIR *dir = opendir("many");
  CHECK(dir);
  struct dirent *e;
  while ((e = readdir(dir))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
      ++dots;
      CHECK(e->d_type == DT_DIR);
      continue;
    }
    if (!strcmp(e->d_name, "sub")) {
      ++dirs;
      CHECK(e->d_type == DT_DIR);
      continue;
    }
    int n;
    CHECK(sscanf(e->d_name, "entry-with-a-fairly-long-name-%04d.txt", &n) == 1);
    CHECK(n >= 0 && n < kFiles && !seen[n] && e->d_type == DT_REG);
    seen[n] = 1;
    ++files;
  }
  rewinddir(dir);
  int again = 0;
  while (readdir(dir))
    ++again;
  closedir(dir);
  printf("readdir: %d files, %d dirs, %d dot entries, %d after rewind\n", files, dirs, dots,
         again);

  CHECK(rename("many/entry-with-a-fairly-long-name-0000.txt", "many/sub/moved.txt") == 0);
  struct stat st;
  CHECK(stat("many/sub/moved.txt", &st) == 0 && S_ISREG(st.st_mode));
  CHECK(rename("many/sub", "renamed") == 0 && stat("renamed/moved.txt", &st) == 0);
  CHECK(rmdir("many") < 0 && errno == ENOTEMPTY);
  CHECK(rmdir("renamed") < 0 && errno == ENOTEMPTY);
  CHECK(unlink("renamed") < 0 && (errno == EISDIR || errno == EPERM));
  CHECK(unlink("renamed/moved.txt") == 0 && rmdir("renamed") == 0);
  for (int i = 1; i < kFiles; ++i) {
    snprintf(name, sizeof name, "many/entry-with-a-fairly-long-name-%04d.txt", i);
    CHECK(unlink(name) == 0);
  }
  CHECK(rmdir("many") == 0 && stat("many", &st) < 0 && errno == ENOENT);
  printf("ok mkdir/rename/rmdir/unlink\n");
  return 0;
}
