#include "cache/Sha256.h"

#include <catch2/catch.hpp>

#include <string>

using namespace wasmrt::internal::cache;

// Vectors from FIPS 180-2 (appendix B) and the NIST examples.
static const char kEmptyDigest[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char kAbcDigest[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char kTwoBlockMessage[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char kTwoBlockDigest[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

TEST_CASE("SHA-256 of the empty string, \"abc\" and a two-block message") {
  CHECK(Sha256().hexDigest() == kEmptyDigest);
  CHECK(Sha256().update("abc").hexDigest() == kAbcDigest);
  CHECK(Sha256().update(kTwoBlockMessage).hexDigest() == kTwoBlockDigest);
  const uint8_t abc[] = {'a', 'b', 'c'};
  CHECK(sha256Hex(abc) == kAbcDigest);
}

TEST_CASE("SHA-256 of one million 'a's") {
  std::string million(1'000'000, 'a');
  CHECK(Sha256().update(million).hexDigest() ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 updated piecewise equals the one-shot digest at every split") {
  std::string message(kTwoBlockMessage);
  message += message; // crosses several 64-byte blocks
  std::string expected = Sha256().update(message).hexDigest();
  for (size_t split = 0; split <= message.size(); ++split) {
    Sha256 hash;
    hash.update(std::string_view(message).substr(0, split));
    hash.update(std::string_view(message).substr(split));
    CHECK(hash.hexDigest() == expected);
  }
}

TEST_CASE("SHA-256 digest() starts the hasher over") {
  Sha256 hash;
  hash.update("abc");
  Sha256::Digest first = hash.digest();
  CHECK(toHex(first) == kAbcDigest);
  CHECK(hash.hexDigest() == kEmptyDigest);
}

TEST_CASE("toHex writes two lowercase digits per byte") {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  CHECK(toHex(bytes) == "000fa5ff");
  CHECK(toHex({}) == "");
}
