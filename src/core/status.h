// Status and Result<T>: the error currency of every phaseout library.
//
// No exception crosses a module boundary. A function that can fail returns Status (no value) or
// Result<T> (a value or a Status). Both are [[nodiscard]]. Codes follow the canonical set of
// leveldb/abseil; the message says where and what, for a human.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace phaseout {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong (bad file, bad flag, bad value)
  kNotFound,           // a named thing does not exist
  kAlreadyExists,      // a thing that must be new exists
  kFailedPrecondition, // the system is not in a state where this can be done
  kUnavailable,        // a resource (database, server) cannot be reached now
  kDataLoss,           // stored data is corrupt or truncated
  kInternal,           // a bug or an unexpected failure of a dependency
  kPermissionDenied,   // the caller may see the thing but not do this to it
  kUnauthenticated,    // no valid credentials (sign-in, session, token)
  kResourceExhausted,  // too many attempts or too much input; retry later or send less
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The request field the error concerns ("directive", "until"), or empty. Service names
  // fields, never a front door's spelling of them: the CLI shows "--until: ...", the HTTP API
  // {"error": {"field": "until", ...}}.
  const std::string& field() const { return field_; }
  Status&& withField(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }
  // "InvalidArgument: people.csv:3: unit: expected a unit path"; a field is put in front:
  // "InvalidArgument: until: a waiver is never open-ended".
  std::string toString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status invalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status notFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status alreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status failedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status dataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status internalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status permissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status resourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
// An InvalidArgument about one field of a request: invalidField("until", "a waiver is never
// open-ended").
inline Status invalidField(std::string field, std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m)).withField(std::move(field));
}

// A value or an error. Access to value() on an error is a programming bug (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.isOk());
  }

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const { return status_; }

  T& value() & { assert(isOk()); return *value_; }
  const T& value() const& { assert(isOk()); return *value_; }
  T&& value() && { assert(isOk()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace phaseout

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define PH_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::phaseout::Status ph_status_ = (expr);          \
    if (!ph_status_.isOk()) return ph_status_;       \
  } while (false)

#define PH_CONCAT_INNER(a, b) a##b
#define PH_CONCAT(a, b) PH_CONCAT_INNER(a, b)
// PH_ASSIGN_OR_RETURN(auto x, resultExpr): binds the value or returns the error.
#define PH_ASSIGN_OR_RETURN(lhs, expr) \
  PH_ASSIGN_OR_RETURN_IMPL(PH_CONCAT(ph_result_, __LINE__), lhs, expr)
#define PH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.isOk()) return tmp.status();          \
  lhs = std::move(tmp).value()
