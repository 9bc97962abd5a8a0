// GET routes of API v1: each parses its query strictly, calls one service use case and renders
// the same JSON as the CLI's `--format json`.
#include <charconv>

#include "report/burndown_report.h"
#include "report/campaign_report.h"
#include "report/sightings_report.h"
#include "report/status_report.h"
#include "server/api_routes.h"
#include "service/audit.h"
#include "service/burndown.h"
#include "service/campaign.h"
#include "service/change_feed.h"
#include "service/device_detail.h"
#include "service/directive.h"
#include "service/inventory_view.h"
#include "service/sightings.h"
#include "service/waiver_requests.h"

namespace phaseout::server {
namespace {

// Runs `fn(caller, workspace)` with a pooled workspace; a failed Status becomes its error.
template <typename Fn>
Response withWorkspace(ApiEnv& env, RouteContext& ctx, Fn fn) {
  auto ws = env.pool.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  Result<std::string> body = fn(*ctx.caller, **ws);
  if (!body.isOk()) return errorResponse(body.status());
  return jsonResponse(200, std::move(body).value());
}

Response status(ApiEnv& env, RouteContext& ctx) {
  const Request& req = ctx.request;
  if (Status s = checkQuery(req, {"directive", "at"}); !s.isOk()) return badRequest(s);
  service::StatusRequest request;
  request.directive_id = queryText(req, "directive");
  auto at = queryDate(req, "at");
  if (!at.isOk()) return badRequest(at.status());
  request.at = *at;
  request.now_ms = env.clock();
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        // The same question since the last change, from a caller with the same view: the same
        // bytes.
        PH_ASSIGN_OR_RETURN(const std::int64_t seq, service::lastChangeSeq(ws));
        const std::string key = request.directive_id + "\n" +
                                service::dayOrToday(request.at, request.now_ms).toString() + "\n" +
                                std::to_string(seq) + "\n" + scopeKey(caller);
        if (auto body = env.rendered.find(key)) return *body;
        // Counts only: streamed (memory flat in the devices) unless already evaluated.
        PH_ASSIGN_OR_RETURN(auto out, service::cachedStatusSummary(caller, ws, env.cache, request));
        PH_ASSIGN_OR_RETURN(const service::InventoryReview review,
                            service::inventoryReview(caller, ws));
        const auto& r = out.summary;
        auto body = std::make_shared<const std::string>(service::withReviewJson(
            report::statusJson(r.directive, r.summary, r.milestones,
                               out.network ? &*out.network : nullptr),
            review));
        env.rendered.put(key, body);
        return *body;
      });
}

Response devices(ApiEnv& env, RouteContext& ctx) {
  const Request& req = ctx.request;
  if (Status s = checkQuery(req, {"directive", "at", "status", "unit"}); !s.isOk()) {
    return badRequest(s);
  }
  service::StatusRequest request;
  request.directive_id = queryText(req, "directive");
  auto at = queryDate(req, "at");
  if (!at.isOk()) return badRequest(at.status());
  request.at = *at;
  request.now_ms = env.clock();
  std::optional<policy::VerdictStatus> wanted;
  if (auto s = req.queryParam("status"); s && !s->empty()) {
    wanted = policy::parseVerdictStatus(*s);
    if (!wanted) {
      return badRequest(
          invalidField("status", "expected compliant, pending, overdue, exempt or unknown"));
    }
  }
  const std::string unit = queryText(req, "unit");
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto out, service::cachedStatusReport(caller, ws, env.cache, request));
        return report::statusDevicesJson(
            service::filterVerdicts(out.status->evaluation, wanted, unit));
      });
}

Response device(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"at"}); !s.isOk()) return badRequest(s);
  auto at = queryDate(ctx.request, "at");
  if (!at.isOk()) return badRequest(at.status());
  service::DeviceDetailRequest request{std::string(ctx.param("id")), *at, env.clock()};
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto detail, service::deviceDetail(caller, ws, request));
        return service::deviceDetailJson(detail);
      });
}

Response directives(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {}); !s.isOk()) return badRequest(s);
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto list, service::listDirectives(caller, ws));
        return service::directiveListJson(list);
      });
}

Response directive(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"version"}); !s.isOk()) return badRequest(s);
  std::int64_t version = 0;
  if (auto v = ctx.request.queryParam("version"); v && !v->empty()) {
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), version);
    if (ec != std::errc() || end != v->data() + v->size() || version < 1) {
      return badRequest(invalidField("version", "expected a version number (1, 2, ...)"));
    }
  }
  const std::string id(ctx.param("id"));
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto shown, service::showDirective(caller, ws, id, version));
        return service::directiveShownJson(shown);
      });
}

Response waivers(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"directive", "at"}); !s.isOk()) return badRequest(s);
  auto at = queryDate(ctx.request, "at");
  if (!at.isOk()) return badRequest(at.status());
  service::WaiverListRequest request{queryText(ctx.request, "directive"), *at, env.clock()};
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto list, service::listWaivers(caller, ws, request));
        return report::waiverListJson(list.waivers, list.at);
      });
}

Response cases(ApiEnv& env, RouteContext& ctx) {
  const Request& req = ctx.request;
  if (Status s = checkQuery(req, {"directive", "at", "unit", "status", "milestone", "overdue"});
      !s.isOk()) {
    return badRequest(s);
  }
  auto at = queryDate(req, "at");
  if (!at.isOk()) return badRequest(at.status());
  bool overdue = false;
  if (auto o = req.queryParam("overdue"); o && !o->empty()) {
    if (*o != "true" && *o != "false") {
      return badRequest(invalidField("overdue", "expected true or false"));
    }
    overdue = *o == "true";
  }
  service::CaseListRequest request{
      queryText(req, "directive"),
      *at,
      env.clock(),
      {queryText(req, "unit"), queryText(req, "status"), queryText(req, "milestone"), overdue}};
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto list, service::listCases(caller, ws, request));
        return report::caseListJson(list.directive_id, list.as_of, list.cases, list.milestones);
      });
}

Response findings(ApiEnv& env, RouteContext& ctx) {
  const Request& req = ctx.request;
  if (Status s = checkQuery(req, {"directive", "at", "kind"}); !s.isOk()) return badRequest(s);
  auto at = queryDate(req, "at");
  if (!at.isOk()) return badRequest(at.status());
  service::FindingQuery query;
  query.directive_id = queryText(req, "directive");
  query.as_of = *at;
  query.now_ms = env.clock();
  query.kind = queryText(req, "kind");
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto found, service::findings(caller, ws, query));
        return report::findingListJson(found.as_of, found.findings);
      });
}

Response burndown(ApiEnv& env, RouteContext& ctx) {
  const Request& req = ctx.request;
  if (Status s = checkQuery(req, {"directive", "from", "to"}); !s.isOk()) return badRequest(s);
  service::BurndownRequest request;
  request.directive_id = queryText(req, "directive");
  auto from = queryDate(req, "from");
  if (!from.isOk()) return badRequest(from.status());
  auto to = queryDate(req, "to");
  if (!to.isOk()) return badRequest(to.status());
  request.from = *from;
  request.to = *to;
  request.now_ms = env.clock();
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        // A sweep over every day of the campaign: kept like the status answer (same question,
        // same day, no change since, same view: the same bytes), so the overview's repeated
        // question costs a lookup.
        PH_ASSIGN_OR_RETURN(const std::int64_t seq, service::lastChangeSeq(ws));
        const std::string key = "burndown\n" + request.directive_id + "\n" +
                                (request.from ? request.from->toString() : std::string("-")) +
                                "\n" + service::dayOrToday(request.to, request.now_ms).toString() +
                                "\n" + std::to_string(seq) + "\n" + scopeKey(caller);
        if (auto body = env.rendered.find(key)) return *body;
        PH_ASSIGN_OR_RETURN(auto out, service::burndown(caller, ws, request));
        auto body =
            std::make_shared<const std::string>(report::burndownJson(out.burndown, out.forecast));
        env.rendered.put(key, body);
        return *body;
      });
}

Response auditLines(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"after"}); !s.isOk()) return badRequest(s);
  std::int64_t after = 0;
  if (auto a = ctx.request.queryParam("after"); a && !a->empty()) {
    const auto [end, ec] = std::from_chars(a->data(), a->data() + a->size(), after);
    if (ec != std::errc() || end != a->data() + a->size() || after < 0) {
      return badRequest(invalidField("after", "expected a sequence number (0, 1, ...)"));
    }
  }
  Response r = withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        std::string out;
        PH_RETURN_IF_ERROR(service::exportAudit(
                               caller, ws,
                               [&](std::string_view line) {
                                 out += line;
                                 return Status::ok();
                               },
                               after)
                               .status());
        return out;
      });
  if (r.status == 200) r.content_type = "application/x-ndjson";
  return r;
}

Response waiverRequests(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"directive", "state"}); !s.isOk()) return badRequest(s);
  service::WaiverRequestListRequest request{queryText(ctx.request, "directive"),
                                            queryText(ctx.request, "state"), env.clock()};
  if (!request.state.empty() && !campaign::parseWaiverRequestState(request.state)) {
    return badRequest(invalidField("state", "expected pending, approved or refused"));
  }
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto list, service::listWaiverRequests(caller, ws, request));
        return service::waiverRequestListJson(list);
      });
}

Response auditVerify(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {}); !s.isOk()) return badRequest(s);
  return withWorkspace(
      env, ctx, [&](const service::Caller& caller, service::Workspace& ws) -> Result<std::string> {
        PH_ASSIGN_OR_RETURN(auto check, service::verifyAudit(caller, ws));
        return service::auditCheckJson(check);
      });
}

}  // namespace

void addReadRoutes(Router& router, ApiEnv& env) {
  auto add = [&](const char* pattern, Response (*fn)(ApiEnv&, RouteContext&)) {
    router.add("GET", pattern, Access::kAuthenticated,
               [&env, fn](RouteContext& ctx) { return fn(env, ctx); });
  };
  add("/api/v1/directives", directives);
  add("/api/v1/directives/{id}", directive);
  add("/api/v1/status", status);
  add("/api/v1/devices", devices);
  add("/api/v1/devices/{id}", device);
  add("/api/v1/waivers", waivers);
  add("/api/v1/cases", cases);
  add("/api/v1/findings", findings);
  add("/api/v1/burndown", burndown);
  add("/api/v1/audit", auditLines);
  add("/api/v1/audit/verify", auditVerify);
  add("/api/v1/waiver-requests", waiverRequests);
}

}  // namespace phaseout::server
