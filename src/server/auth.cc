#include "server/auth.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "service/accounts.h"
#include "service/language.h"

namespace phaseout::server {
namespace {

using nlohmann::ordered_json;

// A sign-in must come back from the provider within this time.
constexpr std::int64_t kPendingSignInMs = 10 * 60 * 1000;
constexpr std::size_t kMaxPendingSignIns = 10000;

// One sentence whatever was wrong, so that a caller cannot tell which accounts exist.
constexpr std::string_view kSignInRefused = "the login or the password is wrong";

bool equalConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string bearerOf(const Request& request) {
  auto header = request.headers.get("Authorization");
  if (!header) return "";
  constexpr std::string_view kPrefix = "Bearer ";
  if (header->size() <= kPrefix.size() ||
      lowerAscii(header->substr(0, kPrefix.size())) != lowerAscii(kPrefix)) {
    return "";
  }
  return std::string(header->substr(kPrefix.size()));
}

Response refused401() {
  Response r = errorResponse(Status(StatusCode::kUnauthenticated, "sign in first"));
  r.headers.set("WWW-Authenticate", "Bearer realm=\"phaseout\"");
  return r;
}

}  // namespace

bool isUnsafeMethod(std::string_view method) {
  return !(method == "GET" || method == "HEAD" || method == "OPTIONS");
}

LoginLimiter::LoginLimiter(int max_per_login, int max_per_address, std::int64_t window_ms)
    : max_per_login_(max_per_login), max_per_address_(max_per_address), window_ms_(window_ms) {}

std::optional<std::int64_t> LoginLimiter::wait(Failures& f, int max, std::int64_t now_ms) const {
  while (!f.empty() && f.front() + window_ms_ <= now_ms) f.pop_front();
  if (static_cast<int>(f.size()) < max) return std::nullopt;
  // Until the oldest failure counted leaves the window.
  const std::int64_t ms = f.front() + window_ms_ - now_ms;
  return std::max<std::int64_t>(1, (ms + 999) / 1000);
}

std::optional<std::int64_t> LoginLimiter::retryAfter(std::string_view login,
                                                     std::string_view address,
                                                     std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  std::optional<std::int64_t> out;
  if (auto it = by_login_.find(lowerAscii(login)); it != by_login_.end()) {
    out = wait(it->second, max_per_login_, now_ms);
  }
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    auto a = wait(it->second, max_per_address_, now_ms);
    if (a && (!out || *a > *out)) out = a;
  }
  return out;
}

void LoginLimiter::failed(std::string_view login, std::string_view address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  // Bounded memory: a flood of distinct logins forgets the oldest ones.
  constexpr std::size_t kMaxTracked = 100000;
  if (by_login_.size() > kMaxTracked) by_login_.clear();
  if (by_address_.size() > kMaxTracked) by_address_.clear();
  by_login_[lowerAscii(login)].push_back(now_ms);
  by_address_[std::string(address)].push_back(now_ms);
}

void LoginLimiter::succeeded(std::string_view login) {
  std::lock_guard lock(mutex_);
  by_login_.erase(lowerAscii(login));
}

Authenticator::Authenticator(const ServerConfig& config, WorkspacePool& pool,
                             std::function<std::int64_t()> clock)
    : config_(config), pool_(pool), clock_(std::move(clock)) {}

std::string Authenticator::sessionCookie(std::string_view session_id, bool tls) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(session_id) +
                  "; HttpOnly; SameSite=Strict; Path=/";
  if (session_id.empty()) c += "; Max-Age=0";
  if (tls) c += "; Secure";
  return c;
}

std::string Authenticator::sessionIdOf(const Request& request) {
  auto header = request.headers.get("Cookie");
  if (!header) return "";
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == kSessionCookie) return std::string(part.substr(eq + 1));
  }
  return "";
}

Result<Authenticator::Credentials> Authenticator::checkCredentials(const Request& request) {
  PH_ASSIGN_OR_RETURN(auto ws, pool_.acquire());
  const std::int64_t now = clock_();
  Credentials out;
  const std::string bearer = bearerOf(request);
  if (!bearer.empty()) {
    PH_ASSIGN_OR_RETURN(out.who, service::authenticateToken(*ws, bearer, now, config_.roles));
    return out;
  }
  out.session_id = sessionIdOf(request);
  if (out.session_id.empty()) return unauthenticated("no session or token");
  PH_ASSIGN_OR_RETURN(auto ticket, service::resumeSession(*ws, out.session_id, now, config_.roles));
  out.who = std::move(ticket.who);
  out.csrf_token = std::move(ticket.csrf_token);
  return out;
}

Result<service::Caller> Authenticator::currentCaller(const Request& request) {
  PH_ASSIGN_OR_RETURN(auto credentials, checkCredentials(request));
  return std::move(credentials.who.caller);
}

std::optional<Response> Authenticator::authenticate(const Route& route, RouteContext& ctx,
                                                    RequestLogFields& log) {
  if (route.access == Access::kPublic) return std::nullopt;
  const Request& request = ctx.request;
  auto credentials = checkCredentials(request);
  if (!credentials.isOk()) {
    if (credentials.status().code() == StatusCode::kUnauthenticated) return refused401();
    return errorResponse(credentials.status());
  }
  Credentials& c = *credentials;
  log.person = c.who.caller.actor;
  if (c.who.token_scope) {
    const auto scope = *c.who.token_scope;
    if (route.access == Access::kSensor && scope != service::TokenScope::kSensor) {
      return errorResponse(permissionDenied("this route takes a sensor token"));
    }
    if (route.access != Access::kSensor && scope == service::TokenScope::kSensor) {
      return errorResponse(permissionDenied("a sensor token may only post sightings"));
    }
    if (scope == service::TokenScope::kRead && isUnsafeMethod(request.method)) {
      return errorResponse(permissionDenied("this token may only read"));
    }
    ctx.caller = std::move(c.who.caller);
    return std::nullopt;
  }
  if (route.access == Access::kSensor) {
    return errorResponse(permissionDenied("this route takes a sensor token"));
  }
  if (isUnsafeMethod(request.method)) {
    auto sent = request.headers.get("X-CSRF-Token");
    if (!sent || c.csrf_token.empty() || !equalConstantTime(*sent, c.csrf_token)) {
      return errorResponse(
          Status(StatusCode::kPermissionDenied, "missing or wrong X-CSRF-Token header")
              .withField("X-CSRF-Token"));
    }
  }
  ctx.session_id = std::move(c.session_id);
  ctx.caller = std::move(c.who.caller);
  return std::nullopt;
}

Response Authenticator::login(const Request& request) {
  auto body = JsonBody::parse(request.body, {"login", "password"});
  if (!body.isOk()) return badRequest(body.status());
  auto login = body->text("login", true);
  if (!login.isOk()) return badRequest(login.status());
  auto password = body->text("password", true);
  if (!password.isOk()) return badRequest(password.status());
  const std::int64_t now = clock_();
  if (auto wait = limiter_.retryAfter(*login, request.peer, now)) {
    Response r = errorResponse(
        Status(StatusCode::kResourceExhausted, "too many failed sign-ins; try again later"));
    r.headers.set("Retry-After", std::to_string(*wait));
    return r;
  }
  auto ws = pool_.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  auto ticket = service::login(**ws, *login, *password, now, config_.roles);
  if (!ticket.isOk()) {
    if (ticket.status().code() != StatusCode::kUnauthenticated) {
      return errorResponse(ticket.status());
    }
    limiter_.failed(*login, request.peer, now);
    return errorResponse(Status(StatusCode::kUnauthenticated, std::string(kSignInRefused)));
  }
  limiter_.succeeded(*login);
  Response r = jsonResponse(200, ordered_json{{"person_id", ticket->who.caller.person_id},
                                              {"roles", ticket->who.roles},
                                              {"csrf_token", ticket->csrf_token}}
                                         .dump() +
                                     "\n");
  r.headers.add("Set-Cookie", sessionCookie(ticket->session_id, request.tls));
  return r;
}

Response Authenticator::logout(RouteContext& ctx) {
  if (!ctx.session_id.empty()) {
    auto ws = pool_.acquire();
    if (!ws.isOk()) return errorResponse(ws.status());
    Status s = service::endSession(**ws, ctx.session_id);
    if (!s.isOk()) return errorResponse(s);
  }
  Response r = jsonResponse(200, "{\"signed_out\":true}\n");
  r.headers.add("Set-Cookie", sessionCookie("", ctx.request.tls));
  return r;
}

Result<Authenticator::Who> Authenticator::whoIs(RouteContext& ctx) {
  PH_ASSIGN_OR_RETURN(auto ws, pool_.acquire());
  Who who;
  const std::int64_t now = clock_();
  if (!ctx.session_id.empty()) {
    PH_ASSIGN_OR_RETURN(auto ticket,
                        service::resumeSession(*ws, ctx.session_id, now, config_.roles));
    who.roles = ticket.who.roles;
    who.csrf_token = ticket.csrf_token;
    return who;
  }
  const std::string bearer = bearerOf(ctx.request);
  PH_ASSIGN_OR_RETURN(auto token, service::authenticateToken(*ws, bearer, now, config_.roles));
  who.roles = token.roles;
  if (token.token_scope) who.token_scope = std::string(service::name(*token.token_scope));
  return who;
}

Response Authenticator::me(RouteContext& ctx) {
  auto who = whoIs(ctx);
  if (!who.isOk()) return errorResponse(who.status());
  const service::Caller& c = *ctx.caller;
  ordered_json scope{
      {"all_units", c.scope.all_units},           {"unit_subtrees", c.scope.unit_subtrees},
      {"own_person", c.scope.own_person},         {"may_act", c.scope.may_act},
      {"may_administer", c.scope.may_administer}, {"may_read_audit", c.scope.may_read_audit}};
  ordered_json out{
      {"person_id", c.person_id}, {"actor", c.actor}, {"roles", who->roles}, {"scope", scope}};
  if (!who->csrf_token.empty()) out["csrf_token"] = who->csrf_token;
  if (who->token_scope) out["token_scope"] = *who->token_scope;
  // The language the person chose (service/language.h), null when none: the pages adopt it.
  out["language"] = nullptr;
  if (auto ws = pool_.acquire(); ws.isOk()) {
    if (auto language = service::ownLanguage(c, **ws); language.isOk() && !language->empty()) {
      out["language"] = *language;
    }
  }
  return jsonResponse(200, out.dump() + "\n");
}

Response Authenticator::oidcStart(const Request& request) {
  if (!oidc_) return errorResponse(404, notFound("single sign-on is not configured"));
  if (Status s = checkQuery(request, {}); !s.isOk()) return badRequest(s);
  OidcClient::Pending pending = oidc_->start();
  const std::int64_t now = clock_();
  Response r;
  r.status = 302;
  r.content_type = "text/plain";
  r.headers.set("Location", pending.redirect_url);
  {
    std::lock_guard lock(pending_mutex_);
    std::erase_if(pending_, [&](const auto& e) { return e.second.expires_ms <= now; });
    if (pending_.size() >= kMaxPendingSignIns) {
      return errorResponse(
          Status(StatusCode::kResourceExhausted, "too many sign-ins in progress; try again later"));
    }
    const std::string state = pending.state;
    pending_.emplace(state, PendingSignIn{std::move(pending), now + kPendingSignInMs});
  }
  return r;
}

Response Authenticator::oidcCallback(const Request& request) {
  if (!oidc_) return errorResponse(404, notFound("single sign-on is not configured"));
  const Response refused =
      errorResponse(Status(StatusCode::kUnauthenticated, "single sign-on refused"));
  const std::string state = queryText(request, "state");
  std::optional<OidcClient::Pending> pending;
  {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(state);
    if (it != pending_.end()) {
      // Each sign-in is used once, whatever its outcome.
      if (it->second.expires_ms > clock_()) pending = std::move(it->second.pending);
      pending_.erase(it);
    }
  }
  if (!pending || request.queryParam("error") || queryText(request, "code").empty()) {
    return refused;
  }
  auto email = oidc_->finish(queryText(request, "code"), *pending);
  if (!email.isOk()) {
    return email.status().code() == StatusCode::kUnavailable ? errorResponse(email.status())
                                                             : refused;
  }
  auto ws = pool_.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  auto ticket = service::openSession(**ws, *email, clock_(), config_.roles);
  if (!ticket.isOk()) {
    return ticket.status().code() == StatusCode::kUnavailable ? errorResponse(ticket.status())
                                                              : refused;
  }
  // The browser goes home signed in; the pages read the CSRF token from GET /api/v1/me.
  Response r = jsonResponse(302, "{\"signed_in\":true}\n");
  r.headers.set("Location", "/");
  r.headers.add("Set-Cookie", sessionCookie(ticket->session_id, request.tls));
  return r;
}

void Authenticator::addRoutes(Router& router) {
  router.add("GET", "/api/v1/oidc/start", Access::kPublic,
             [this](RouteContext& ctx) { return oidcStart(ctx.request); });
  router.add("GET", "/api/v1/oidc/callback", Access::kPublic,
             [this](RouteContext& ctx) { return oidcCallback(ctx.request); });
  router.add("POST", "/api/v1/login", Access::kPublic,
             [this](RouteContext& ctx) { return login(ctx.request); });
  // What the sign-in page offers: single sign-on when an OIDC provider is configured.
  router.add("GET", "/api/v1/login", Access::kPublic, [this](RouteContext& ctx) {
    if (Status s = checkQuery(ctx.request, {}); !s.isOk()) return badRequest(s);
    nlohmann::ordered_json body{{"password", true}, {"sso", oidc_ != nullptr}};
    if (oidc_) body["sso_start"] = "/api/v1/oidc/start";
    return jsonResponse(200, body.dump() + "\n");
  });
  router.add("POST", "/api/v1/logout", Access::kAuthenticated,
             [this](RouteContext& ctx) { return logout(ctx); });
  router.add("GET", "/api/v1/me", Access::kAuthenticated,
             [this](RouteContext& ctx) { return me(ctx); });
}

}  // namespace phaseout::server
