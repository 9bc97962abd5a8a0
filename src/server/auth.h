// The authentication layer: who a request is made as, and the sign-in routes.
//
// A request carries either a session cookie (set by POST /api/v1/login or the OIDC callback)
// or a bearer token (`Authorization: Bearer po_...`). Both are turned into a service::Caller
// through service/accounts.h on every request, so a locked or departed person is refused at
// once. A session must send its CSRF token in `X-CSRF-Token` with every unsafe method (403
// otherwise); a bearer token needs none (a browser never sends one on its own). Read tokens
// may not write; sensor tokens may only post sightings.
//
// Sign-in failures are answered 401 with the same body whatever was wrong; repeated failures
// for one login or from one address are answered 429 with Retry-After (LoginLimiter).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/api_support.h"
#include "server/app.h"
#include "server/http.h"
#include "server/oidc.h"
#include "server/router.h"

namespace phaseout::server {

inline constexpr std::string_view kSessionCookie = "phaseout_session";

// Failed sign-ins counted per login and per client address over a sliding window.
// Thread-safe.
class LoginLimiter {
 public:
  LoginLimiter(int max_per_login = 5, int max_per_address = 20,
               std::int64_t window_ms = 15 * 60 * 1000);
  // Seconds to wait before trying again, or nullopt when an attempt may be made now.
  std::optional<std::int64_t> retryAfter(std::string_view login, std::string_view address,
                                         std::int64_t now_ms);
  void failed(std::string_view login, std::string_view address, std::int64_t now_ms);
  // A successful sign-in clears the login's failures (not the address's).
  void succeeded(std::string_view login);

 private:
  using Failures = std::deque<std::int64_t>;
  std::optional<std::int64_t> wait(Failures& f, int max, std::int64_t now_ms) const;

  const int max_per_login_;
  const int max_per_address_;
  const std::int64_t window_ms_;
  std::mutex mutex_;
  std::map<std::string, Failures, std::less<>> by_login_;
  std::map<std::string, Failures, std::less<>> by_address_;
};

class Authenticator {
 public:
  Authenticator(const ServerConfig& config, WorkspacePool& pool,
                std::function<std::int64_t()> clock);

  // For a route that is not public: sets ctx.caller (and ctx.session_id, log.person), or
  // returns the refusal (401 without valid credentials; 403 for a session write without its
  // CSRF token, a read token writing, a sensor token off its route or another credential on it).
  std::optional<Response> authenticate(const Route& route, RouteContext& ctx,
                                       RequestLogFields& log);

  // POST /api/v1/login (public), POST /api/v1/logout, GET /api/v1/me, and the single sign-on
  // routes GET /api/v1/oidc/start and /api/v1/oidc/callback (public; 404 unless configured).
  void addRoutes(Router& router);
  // The Caller the request's credentials give now (a session or a bearer token checked again):
  // Unauthenticated once they stopped working, another error when they cannot be checked now;
  // for streams that outlive their request.
  Result<service::Caller> currentCaller(const Request& request);
  // Single sign-on through this client (none: the OIDC routes answer 404).
  void setOidc(std::unique_ptr<OidcClient> oidc) { oidc_ = std::move(oidc); }

  Response login(const Request& request);
  Response logout(RouteContext& ctx);
  Response me(RouteContext& ctx);
  // 302 to the provider, keeping the sign-in's PKCE verifier and nonce here (never in the
  // browser) for 10 minutes, keyed by its state.
  Response oidcStart(const Request& request);
  // The provider's redirect: the pending sign-in (used once), the ID token verified, the
  // person's session opened (cookie set), then 302 to "/". 401 for anything refused.
  Response oidcCallback(const Request& request);

  // The Set-Cookie value of a session (Secure under TLS).
  static std::string sessionCookie(std::string_view session_id, bool tls);
  // The session id a request's Cookie header carries, or "".
  static std::string sessionIdOf(const Request& request);

 private:
  const ServerConfig& config_;
  WorkspacePool& pool_;
  std::function<std::int64_t()> clock_;
  LoginLimiter limiter_;
  std::unique_ptr<OidcClient> oidc_;
  struct PendingSignIn {
    OidcClient::Pending pending;
    std::int64_t expires_ms = 0;
  };
  std::mutex pending_mutex_;
  std::map<std::string, PendingSignIn, std::less<>> pending_;
  // A request's credentials checked: a bearer token, else the session cookie (with its id and
  // CSRF token). Unauthenticated when there are none or they do not work.
  struct Credentials {
    service::Authenticated who;
    std::string session_id;  // empty for a token
    std::string csrf_token;
  };
  Result<Credentials> checkCredentials(const Request& request);
  // What /me tells about the caller, kept per request.
  struct Who {
    std::vector<std::string> roles;
    std::string csrf_token;
    std::optional<std::string> token_scope;
  };
  Result<Who> whoIs(RouteContext& ctx);
};

bool isUnsafeMethod(std::string_view method);

}  // namespace phaseout::server
