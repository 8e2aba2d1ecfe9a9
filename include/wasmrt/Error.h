// Error and Expected<T>: how every wasmrt layer and the public API report
// failures a user can cause. No exceptions cross a wasmrt interface.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace wasmrt {

enum class ErrorKind : uint8_t {
  Malformed,   // the bytes (or text) are not a well-formed module
  Invalid,     // well-formed, but fails validation
  Unlinkable,  // imports cannot be resolved or do not match
  Trap,        // execution trapped
  Io,          // a file could not be read or written
  Usage,       // bad command-line flag or API misuse
  Unsupported, // a feature wasmrt does not implement
  Internal,    // a wasmrt bug; never caused by input
};

const char *errorKindName(ErrorKind kind);

class Error {
public:
  Error(ErrorKind kind, std::string message)
      : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  const std::string &message() const { return message_; }
  // "<kind>: <message>", for printing to a user.
  std::string describe() const {
    return std::string(errorKindName(kind_)) + ": " + message_;
  }

private:
  ErrorKind kind_;
  std::string message_;
};

// Either a value or an Error. Check with `if (result)` before dereferencing.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

  explicit operator bool() const { return storage_.index() == 0; }
  bool hasValue() const { return storage_.index() == 0; }

  T &value() & { assert(hasValue()); return std::get<0>(storage_); }
  const T &value() const & { assert(hasValue()); return std::get<0>(storage_); }
  T &&value() && { assert(hasValue()); return std::get<0>(std::move(storage_)); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const Error &error() const & { assert(!hasValue()); return std::get<1>(storage_); }
  Error &&error() && { assert(!hasValue()); return std::get<1>(std::move(storage_)); }

private:
  std::variant<T, Error> storage_;
};

template <> class [[nodiscard]] Expected<void> {
public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), failed_(true) {}

  explicit operator bool() const { return !failed_; }
  bool hasValue() const { return !failed_; }
  const Error &error() const & { assert(failed_); return error_; }
  Error &&error() && { assert(failed_); return std::move(error_); }

private:
  Error error_{ErrorKind::Internal, {}};
  bool failed_ = false;
};

inline const char *errorKindName(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::Malformed: return "malformed module";
  case ErrorKind::Invalid: return "invalid module";
  case ErrorKind::Unlinkable: return "unlinkable module";
  case ErrorKind::Trap: return "trap";
  case ErrorKind::Io: return "i/o error";
  case ErrorKind::Usage: return "usage error";
  case ErrorKind::Unsupported: return "unsupported";
  case ErrorKind::Internal: return "internal error";
  }
  return "error";
}

} // namespace wasmrt
