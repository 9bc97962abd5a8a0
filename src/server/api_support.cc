#include "server/api_support.h"

#include <chrono>

#include "i18n/catalog.h"

namespace phaseout::server {

Response jsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

std::string errorCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
  }
  return "internal";
}

int httpStatusOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return 422;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response errorResponse(int http_status, const Status& status) {
  // Internal failures are not described to the client (they may name files or SQL).
  const bool hide = http_status >= 500 && status.code() != StatusCode::kUnavailable;
  const std::string message = hide ? std::string("internal error") : status.message();
  const auto recognised = i18n::Catalog::builtin().recognise(message);
  nlohmann::ordered_json error{
      {"code", errorCodeName(status.code())},
      {"message_id",
       recognised ? nlohmann::ordered_json(recognised->key) : nlohmann::ordered_json(nullptr)},
      {"message", message},
      {"field", status.field().empty() ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(status.field())}};
  return jsonResponse(http_status, nlohmann::ordered_json{{"error", error}}.dump(
                                       -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                                       "\n");
}

Response errorResponse(const Status& status) { return errorResponse(httpStatusOf(status), status); }

void localiseError(Response& response, std::string_view language) {
  if (response.status < 400 || response.content_type != "application/json") return;
  if (language.empty() || language == "en") return;
  auto body = nlohmann::ordered_json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("error")) return;
  auto& error = body["error"];
  if (!error.is_object() || !error.contains("message_id") || !error["message_id"].is_string() ||
      !error.contains("message") || !error["message"].is_string()) {
    return;
  }
  error["message"] =
      i18n::Catalog::builtin().translate(language, error["message"].get<std::string>());
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  response.headers.set("Content-Language", std::string(language));
}

Response badRequest(const Status& status) { return errorResponse(400, status); }

Result<JsonBody> JsonBody::parse(std::string_view text,
                                 std::initializer_list<std::string_view> allowed) {
  JsonBody body;
  body.json_ = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.json_.is_discarded()) return invalidField("body", "expected a JSON object; not JSON");
  if (!body.json_.is_object()) return invalidField("body", "expected a JSON object");
  for (const auto& [key, value] : body.json_.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) {
      // The name is echoed back only when it is printable ASCII of a sensible length.
      std::string shown;
      for (char c : key.substr(0, 64)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
      return invalidField(shown, "unknown field");
    }
  }
  return body;
}

bool JsonBody::has(std::string_view name) const {
  const auto it = json_.find(std::string(name));
  return it != json_.end() && !it->is_null();
}

Result<std::string> JsonBody::text(std::string_view name, bool required) const {
  const auto it = json_.find(std::string(name));
  if (it == json_.end() || it->is_null()) {
    if (required) return refuse(invalidField(std::string(name), "required"));
    return std::string();
  }
  if (!it->is_string()) return refuse(invalidField(std::string(name), "expected a string"));
  return it->get<std::string>();
}

Result<std::optional<Date>> JsonBody::date(std::string_view name, bool required) const {
  PH_ASSIGN_OR_RETURN(std::string text, this->text(name, required));
  if (text.empty()) {
    if (required) return refuse(invalidField(std::string(name), "required"));
    return std::optional<Date>();
  }
  auto d = Date::parse(text);
  if (!d) return refuse(invalidField(std::string(name), "expected a date YYYY-MM-DD"));
  return std::optional<Date>(*d);
}

Status checkQuery(const Request& request, std::initializer_list<std::string_view> allowed) {
  std::vector<std::string_view> seen;
  for (const auto& [key, value] : request.query) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    std::string shown;
    for (char c : key.substr(0, 64)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (!known) return invalidField(shown, "unknown query parameter");
    for (std::string_view s : seen) {
      if (s == key) return invalidField(shown, "given more than once");
    }
    seen.push_back(key);
  }
  return Status::ok();
}

std::string queryText(const Request& request, std::string_view name) {
  auto v = request.queryParam(name);
  return v ? std::string(*v) : std::string();
}

Result<std::optional<Date>> queryDate(const Request& request, std::string_view name) {
  auto v = request.queryParam(name);
  if (!v || v->empty()) return std::optional<Date>();
  auto d = Date::parse(*v);
  if (!d) return invalidField(std::string(name), "expected a date YYYY-MM-DD");
  return std::optional<Date>(*d);
}

WorkspacePool::Lease::~Lease() {
  if (pool_ != nullptr && ws_) pool_->release(std::move(ws_));
}

Result<WorkspacePool::Lease> WorkspacePool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto ws = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(ws));
    }
  }
  PH_ASSIGN_OR_RETURN(auto ws, service::Workspace::open(db_url_));
  return Lease(this, std::move(ws));
}

void WorkspacePool::release(std::unique_ptr<service::Workspace> ws) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(ws));
}

std::shared_ptr<const std::string> RenderedCache::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  for (const auto& [k, body] : entries_) {
    if (k == key) return body;
  }
  return nullptr;
}

void RenderedCache::put(const std::string& key, std::shared_ptr<const std::string> body) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const auto& e) { return e.first == key; });
  entries_.emplace_back(key, std::move(body));
  if (entries_.size() > capacity_) entries_.erase(entries_.begin());
}

void RenderedCache::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

std::string scopeKey(const service::Caller& caller) {
  if (caller.scope.all_units) return "*";
  std::string key = "own=" + caller.scope.own_person;
  for (const auto& unit : caller.scope.unit_subtrees) key += "|" + unit;
  return key;
}

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace phaseout::server
