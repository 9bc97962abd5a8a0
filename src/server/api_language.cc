// PUT /api/v1/me/language: the signed-in person chooses the language they read phaseout in
// (pages, the API's sentences, reminder e-mails). One audit event when it changes.
#include <nlohmann/json.hpp>

#include "server/api_routes.h"
#include "service/language.h"

namespace phaseout::server {
namespace {

Response setOwnLanguage(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {}); !s.isOk()) return badRequest(s);
  auto body = JsonBody::parse(ctx.request.body.empty() ? std::string_view("{}") : ctx.request.body,
                              {"language"});
  if (!body.isOk()) return badRequest(body.status());
  auto language = body->text("language", /*required=*/true);
  if (!language.isOk()) return badRequest(language.status());
  const service::Caller& caller = *ctx.caller;
  if (caller.person_id.empty()) {
    return errorResponse(notFound("this token belongs to no person"));
  }
  auto ws = env.pool.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  auto changed = service::setLanguage(caller, **ws, caller.person_id, *language,
                                      service::Recording{std::nullopt, env.clock()});
  if (!changed.isOk()) return errorResponse(changed.status());
  if (*changed) env.written();
  return jsonResponse(200, nlohmann::ordered_json{{"person_id", caller.person_id},
                                                  {"language", *language},
                                                  {"changed", *changed}}
                                   .dump() +
                               "\n");
}

}  // namespace

void addLanguageRoutes(Router& router, ApiEnv& env) {
  router.add("PUT", "/api/v1/me/language", Access::kAuthenticated,
             [&env](RouteContext& ctx) { return setOwnLanguage(env, ctx); });
}

}  // namespace phaseout::server
