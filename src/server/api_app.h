// The Application behind `phaseout serve` (server/app.h): the router with every API v1 route,
// the authentication layer, the pool of workspaces (one per concurrent request), the shared
// evaluation cache and the event hub. Declared here so tests can reach it without a socket.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "server/api_events.h"
#include "server/api_routes.h"
#include "server/api_support.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/router.h"
#include "server/webhooks.h"
#include "service/evaluation_cache.h"

namespace phaseout::server {

class ApiApplication final : public Application {
 public:
  explicit ApiApplication(const ServerConfig& config);
  ~ApiApplication() override;

  Response handle(const Request& request, RequestLogFields& log) override;
  void shutdown() override;

  // The same dispatch as handle(), with the Caller given instead of derived from credentials
  // (tests of the handlers; no session or token involved).
  Response handleAs(const Request& request, const service::Caller& caller);

  const Router& router() const { return router_; }
  service::EvaluationCache& cache() { return cache_; }
  EventHub& events() { return *events_; }
  Authenticator& auth() { return auth_; }

 private:
  Response dispatch(const Request& request, RequestLogFields& log,
                    const service::Caller* given_caller);
  // The language a refusal is said in: the caller's stored one, else the request's
  // Accept-Language, else English.
  std::string refusalLanguage(const Request& request, const std::optional<service::Caller>& caller);

  ServerConfig config_;
  WorkspacePool pool_;
  service::EvaluationCache cache_;
  RenderedCache rendered_;
  std::unique_ptr<EventHub> events_;
  Authenticator auth_;
  ApiEnv env_;
  Router router_;
  std::unique_ptr<WebhookDispatcher> webhooks_;  // when webhooks are configured
};

// Every response: Content-Security-Policy "default-src 'self'; frame-ancestors 'none'",
// X-Content-Type-Options nosniff, Referrer-Policy no-referrer; under /api/ also
// Cache-Control no-store.
void addSecurityHeaders(std::string_view path, Response& response);

// The OpenAPI 3 document of API v1 (src/server/openapi.json, embedded at build time).
std::string_view openApiDocument();

}  // namespace phaseout::server
