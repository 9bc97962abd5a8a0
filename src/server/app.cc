#include "server/app.h"

#include "detect/signature_set.h"
#include "i18n/language.h"
#include "server/api_app.h"
#include "server/web.h"
#include "service/language.h"

namespace phaseout::embedded {
extern const std::string_view openapi_json;
}

namespace phaseout::server {

std::string_view openApiDocument() { return embedded::openapi_json; }

void addSecurityHeaders(std::string_view path, Response& response) {
  response.headers.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("X-Frame-Options", "DENY");
  if (path.rfind("/api/", 0) == 0) response.headers.set("Cache-Control", "no-store");
}

Result<std::unique_ptr<Application>> Application::create(const ServerConfig& config) {
  PH_ASSIGN_OR_RETURN(auto ws, service::Workspace::open(config.db_url));
  PH_RETURN_IF_ERROR(ws->checkReady());
  for (const WebhookConfig& hook : config.webhooks) {
    PH_RETURN_IF_ERROR(checkWebhookUrl(hook.url));
    if (hook.secret.empty())
      return invalidArgument("webhook " + webhookUrlForLog(hook.url) +
                             ": no secret to sign its deliveries with");
  }
  std::unique_ptr<OidcClient> oidc;
  if (!config.oidc_issuer.empty()) {
    // The provider sends the browser back to this server's own callback.
    std::string base = config.public_url;
    if (base.empty()) base = (config.tls_cert.empty() ? "http://" : "https://") + config.listen;
    while (!base.empty() && base.back() == '/') base.pop_back();
    PH_ASSIGN_OR_RETURN(oidc, OidcClient::create(config.oidc_issuer, config.oidc_client_id,
                                                 base + "/api/v1/oidc/callback"));
  }
  auto app = std::make_unique<ApiApplication>(config);
  app->auth().setOidc(std::move(oidc));
  return std::unique_ptr<Application>(std::move(app));
}

ApiApplication::ApiApplication(const ServerConfig& config)
    : config_(config),
      pool_(config_.db_url),
      events_(std::make_unique<EventHub>(pool_)),
      auth_(config_, pool_, nowMs),
      env_{config_, pool_, cache_, *events_, nowMs, rendered_, nullptr} {
  auto signatures = detect::SignatureSet::loadBuiltin();
  if (signatures.isOk()) env_.signatures = *signatures;
  auth_.addRoutes(router_);
  addReadRoutes(router_, env_);
  addWriteRoutes(router_, env_);
  addLanguageRoutes(router_, env_);
  router_.add("GET", "/api/v1/events", Access::kAuthenticated, [this](RouteContext& ctx) {
    if (Status s = checkQuery(ctx.request, {"after"}); !s.isOk()) return badRequest(s);
    // The stream outlives the request: its credentials are checked again while it is open.
    Request credentials;
    for (const char* name : {"Authorization", "Cookie"}) {
      if (auto v = ctx.request.headers.get(name)) credentials.headers.add(name, std::string(*v));
    }
    // (A caller given in-process, as handleAs does, carries no credentials to check.)
    EventHub::Recheck recheck;
    if (!credentials.headers.all().empty()) {
      recheck = [this, credentials] { return auth_.currentCaller(credentials); };
    }
    return eventStream(*events_, *ctx.caller, ctx.request, std::move(recheck));
  });
  router_.add("GET", "/api/v1/openapi.json", Access::kPublic,
              [](RouteContext&) { return jsonResponse(200, std::string(openApiDocument())); });
  registerWebRoutes(router_);
  if (!config_.webhooks.empty()) {
    webhooks_ = std::make_unique<WebhookDispatcher>(config_.webhooks, config_.db_url, &cache_,
                                                    config_.webhook_poll_ms, nowMs);
  }
}

ApiApplication::~ApiApplication() {
  if (webhooks_) webhooks_->shutdown();
  events_->shutdown();
}

void ApiApplication::shutdown() {
  if (webhooks_) webhooks_->shutdown();
  events_->shutdown();
}

std::string ApiApplication::refusalLanguage(const Request& request,
                                            const std::optional<service::Caller>& caller) {
  std::string stored;
  if (caller && !caller->person_id.empty()) {
    // A refusal is rare; its one extra read is not worth a cache.
    if (auto ws = pool_.acquire(); ws.isOk()) {
      if (auto language = service::ownLanguage(*caller, **ws); language.isOk()) stored = *language;
    }
  }
  const auto accept = request.headers.get("Accept-Language");
  return i18n::chooseLanguage(stored, accept ? *accept : std::string_view());
}

Response ApiApplication::handle(const Request& request, RequestLogFields& log) {
  return dispatch(request, log, nullptr);
}

Response ApiApplication::handleAs(const Request& request, const service::Caller& caller) {
  RequestLogFields log;
  return dispatch(request, log, &caller);
}

Response ApiApplication::dispatch(const Request& request, RequestLogFields& log,
                                  const service::Caller* given_caller) {
  Response response;
  std::optional<service::Caller> who;  // once known: whose language a refusal is said in
  auto match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    if (match.status == 405) {
      response = errorResponse(405, Status(StatusCode::kInvalidArgument,
                                           "method " + request.method + " not allowed here"));
      response.headers.set("Allow", match.allow);
    } else {
      response = errorResponse(404, notFound("no such resource"));
    }
  } else if (request.body.size() > config_.body_limit) {
    response = errorResponse(
        413, Status(StatusCode::kResourceExhausted,
                    "the body is larger than " + std::to_string(config_.body_limit) + " bytes")
                 .withField("body"));
  } else {
    RouteContext ctx{request, std::move(match.params), std::nullopt, ""};
    std::optional<Response> refused;
    if (given_caller != nullptr) {
      ctx.caller = *given_caller;
      log.person = given_caller->actor;
    } else {
      refused = auth_.authenticate(*match.route, ctx, log);
    }
    response = refused ? std::move(*refused) : match.route->handler(ctx);
    who = std::move(ctx.caller);
  }
  if (response.status >= 400) localiseError(response, refusalLanguage(request, who));
  addSecurityHeaders(request.path, response);
  return response;
}

}  // namespace phaseout::server
