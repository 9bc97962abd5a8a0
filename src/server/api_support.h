// What every API handler shares: strict parsing of JSON bodies and query parameters into the
// fields of a service request, JSON responses, and the one mapping of a Status to an HTTP
// error {"error": {"code", "message_id", "message", "field"}} in the caller's language.
//
// Parsing is strict: an unknown field or query parameter, a wrong type, a malformed date is a
// 400 naming it, so a typo is never silently ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "server/http.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::server {

// A JSON response (the body as rendered, e.g. by report::*Json).
Response jsonResponse(int status, std::string body);
// The HTTP status a service Status maps to: InvalidArgument and FailedPrecondition 422 (a rule
// refused; the message is the CLI's sentence), NotFound 404, AlreadyExists 409,
// PermissionDenied 403, Unauthenticated 401, ResourceExhausted 429, Unavailable 503, others 500.
int httpStatusOf(const Status& status);
// {"error": {"code", "message_id", "message", "field"}} with httpStatusOf(status), in English.
// `code` names the StatusCode; `message_id` is the catalog key the sentence was built from
// (i18n::Catalog::recognise: "api.sentence.no_device"), null when the catalog has none; both
// are stable, for programs. The dispatcher says the message again in the caller's language
// (localiseError).
Response errorResponse(const Status& status);
// The same body with an explicit HTTP status (400 for malformed requests, 413, 404 ...).
Response errorResponse(int http_status, const Status& status);
// 400: the request itself is malformed (bad JSON, unknown or mistyped field).
Response badRequest(const Status& status);
// "invalid_argument", "not_found", ...
std::string errorCodeName(StatusCode code);
// An error response as errorResponse made it, its message said in `language` (the catalog's
// text of its message_id with the same values) and Content-Language set. Any other response,
// and English, are left as they are.
void localiseError(Response& response, std::string_view language);

// A JSON object body, parsed strictly. Every accessor names the field in its error.
class JsonBody {
 public:
  // InvalidArgument (field "body") for anything but one JSON object; (field NAME) for a member
  // whose name is not in `allowed`.
  static Result<JsonBody> parse(std::string_view text,
                                std::initializer_list<std::string_view> allowed);

  // A string member; "" when absent. InvalidArgument naming the field when it is not a
  // string (or absent while required).
  Result<std::string> text(std::string_view name, bool required = false) const;
  // A date member "YYYY-MM-DD"; nullopt when absent or null.
  Result<std::optional<Date>> date(std::string_view name, bool required = false) const;
  bool has(std::string_view name) const;
  // True once an accessor refused a member: the request is malformed (400), whatever the
  // handler returns afterwards.
  bool refused() const { return refused_; }
  // Marks the request malformed and returns `s` (for checks a handler makes itself).
  Status refuse(Status s) const {
    refused_ = true;
    return s;
  }

 private:
  nlohmann::json json_;
  mutable bool refused_ = false;
};

// The query parameters, checked against `allowed` (400 naming the first unknown one, or one
// given twice).
Status checkQuery(const Request& request, std::initializer_list<std::string_view> allowed);
// A query parameter's text, "" when absent.
std::string queryText(const Request& request, std::string_view name);
// A query date; InvalidArgument naming the parameter when malformed.
Result<std::optional<Date>> queryDate(const Request& request, std::string_view name);

// The server's workspaces: one open database connection per concurrent request, reused.
// Thread-safe.
class WorkspacePool {
 public:
  explicit WorkspacePool(std::string db_url) : db_url_(std::move(db_url)) {}

  class Lease {
   public:
    Lease(WorkspacePool* pool, std::unique_ptr<service::Workspace> ws)
        : pool_(pool), ws_(std::move(ws)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();
    service::Workspace& operator*() const { return *ws_; }
    service::Workspace* operator->() const { return ws_.get(); }

   private:
    WorkspacePool* pool_;
    std::unique_ptr<service::Workspace> ws_;
  };

  // A workspace of its own for the calling thread until the lease ends.
  Result<Lease> acquire();

 private:
  friend class Lease;
  void release(std::unique_ptr<service::Workspace> ws);

  const std::string db_url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<service::Workspace>> idle_;
};

// Rendered answers kept between requests (GET /api/v1/status on a million devices renders in
// milliseconds; its cached evaluation is not enough to answer 32 connections fast). Keys name
// everything the body depends on, including the last change's seq, so a write makes older
// entries unreachable; clear() drops them. Thread-safe; at most `capacity` entries.
class RenderedCache {
 public:
  explicit RenderedCache(std::size_t capacity = 64) : capacity_(capacity) {}
  std::shared_ptr<const std::string> find(const std::string& key);
  void put(const std::string& key, std::shared_ptr<const std::string> body);
  void clear();

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> entries_;  // newest last
};

// What a caller's reads depend on, as a cache key part: "*" for every unit, else its subtrees
// and own person.
std::string scopeKey(const service::Caller& caller);

// Milliseconds since the epoch (the front door reads the clock once per request).
std::int64_t nowMs();

}  // namespace phaseout::server
