// random_get through getentropy and arc4random.
#include "check.h"
#include <unistd.h>

int main(void) {
  unsigned char a[256], b[256];
  CHECK(getentropy(a, sizeof a) == 0 && getentropy(b, sizeof b) == 0);
  CHECK(memcmp(a, b, sizeof a) != 0);
  int zeros = 0;
  for (size_t i = 0; i < sizeof a; ++i)
    zeros += a[i] == 0;
  CHECK(zeros < 32);
  CHECK(getentropy(a, 257) < 0 && errno == EIO); // getentropy's own limit
  unsigned x = arc4random(), y = arc4random();
  CHECK(x != y || arc4random() != x);
  printf("ok random\n");
  return 0;
}
