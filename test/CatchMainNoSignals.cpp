// Our own Catch2 main: Catch's fatal-signal handling installs its SIGSEGV handler at
// the start of every test case and restores the previous disposition at the end,
// which would silently uninstall the (install-once) trap handler after the first
// test case that used it. With POSIX signal handling off, our handler stays in place;
// a genuine crash still fails the test (the process dies).
// GCC 12 with -fsanitize=address reports false maybe-uninitialized warnings inside
// Catch's implementation (std::function in its regex use); it is not our code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
