// Unsafe routes of API v1: each parses its JSON body strictly (an unknown field or a wrong
// type is 400 naming it), calls one service use case as the route's Caller — who is the
// actor of the one audit event it records — and renders the CLI's JSON of the result.
#include "campaign/record.h"
#include "report/campaign_report.h"
#include "report/sightings_report.h"
#include "server/api_routes.h"
#include "service/campaign.h"
#include "service/detect_json.h"
#include "service/evidence.h"
#include "service/self_service.h"
#include "service/sightings.h"
#include "service/waiver_requests.h"

namespace phaseout::server {
namespace {

// Parses a body with `allowed` fields; then runs `fn(body, caller, workspace)`. A parse error
// is 400, a service error its mapped status; a success is a write (the cache is dropped).
template <typename Fn>
Response writeWith(ApiEnv& env, RouteContext& ctx, std::initializer_list<std::string_view> allowed,
                   Fn fn) {
  if (Status s = checkQuery(ctx.request, {}); !s.isOk()) return badRequest(s);
  auto body = JsonBody::parse(ctx.request.body.empty() ? std::string_view("{}") : ctx.request.body,
                              allowed);
  if (!body.isOk()) return badRequest(body.status());
  auto ws = env.pool.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  Result<std::string> out = fn(*body, *ctx.caller, **ws);
  if (!out.isOk()) {
    // A member the body reader refused is the request's fault (400); errors from service
    // (rules refusing) keep their own mapping.
    return body->refused() ? badRequest(out.status()) : errorResponse(out.status());
  }
  env.written();
  return jsonResponse(200, std::move(out).value());
}

service::Recording recordingOn(const ApiEnv& env, std::optional<Date> on) {
  return service::Recording{on, env.clock()};
}

// A body field that must parse; a parse failure becomes a 400 (see writeWith).
#define PH_BODY(lhs, expr) PH_ASSIGN_OR_RETURN(lhs, expr)

// The device description a replacement and a declaration both carry, read in this order.
template <typename DeviceRequest>
[[nodiscard]] Status readDeviceFields(const JsonBody& b, DeviceRequest& req) {
  PH_BODY(req.model, b.text("model"));
  PH_BODY(req.vendor, b.text("vendor"));
  PH_BODY(req.platform, b.text("platform"));
  PH_BODY(req.os_version, b.text("os_version"));
  PH_BODY(req.kind, b.text("kind"));
  PH_BODY(req.channel, b.text("channel"));
  PH_BODY(req.serial, b.text("serial"));
  PH_BODY(req.imei, b.text("imei"));
  return Status::ok();
}

Response disposition(ApiEnv& env, RouteContext& ctx) {
  const std::string device(ctx.param("id"));
  return writeWith(
      env, ctx, {"as", "on", "by", "to", "evidence", "note"},
      [&](const JsonBody& b, const service::Caller& caller,
          service::Workspace& ws) -> Result<std::string> {
        PH_BODY(const std::string as_text, b.text("as", true));
        const auto as = campaign::parseDisposition(as_text);
        if (!as) {
          return b.refuse(invalidField("as", "expected returned, destroyed, transferred or lost"));
        }
        PH_BODY(const auto on, b.date("on"));
        service::DispositionRequest req;
        req.device_id = device;
        req.as = *as;
        PH_BODY(req.by, b.text("by"));
        PH_BODY(req.to, b.text("to"));
        PH_BODY(req.evidence_sha256, b.text("evidence"));
        PH_BODY(req.note, b.text("note"));
        PH_ASSIGN_OR_RETURN(auto out,
                            service::recordDisposition(caller, ws, req, recordingOn(env, on)));
        report::DispositionView view{&out.device, *as, out.on, req.by,
                                     req.to,      "",  "",     out.event_seq};
        if (out.evidence) {
          view.evidence_name = out.evidence->name;
          view.evidence_sha256 = out.evidence->sha256;
        }
        return report::dispositionJson(view);
      });
}

Response evidence(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"name"}); !s.isOk()) return badRequest(s);
  auto ws = env.pool.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  auto up = service::uploadEvidence(*ctx.caller, **ws, queryText(ctx.request, "name"),
                                    ctx.request.body, recordingOn(env, std::nullopt));
  if (!up.isOk()) {
    return up.status().field() == "name" || up.status().field() == "body"
               ? badRequest(up.status())
               : errorResponse(up.status());
  }
  env.written();
  return jsonResponse(201, service::evidenceUploadedJson(*up));
}

Response acknowledge(ApiEnv& env, RouteContext& ctx) {
  const std::string device(ctx.param("id"));
  return writeWith(env, ctx, {"directive", "note"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::AcknowledgeRequest req;
                     req.device_id = device;
                     PH_BODY(req.directive_id, b.text("directive"));
                     PH_BODY(req.note, b.text("note"));
                     PH_ASSIGN_OR_RETURN(auto step, service::acknowledgeNotice(
                                                        caller, ws, req, recordingOn(env, {})));
                     return report::caseStepJson(step);
                   });
}

Response handover(ApiEnv& env, RouteContext& ctx) {
  const std::string device(ctx.param("id"));
  return writeWith(env, ctx, {"to", "note"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::HandoverReport req;
                     req.device_id = device;
                     PH_BODY(req.to, b.text("to", true));
                     PH_BODY(req.note, b.text("note"));
                     PH_ASSIGN_OR_RETURN(
                         auto out, service::reportHandover(caller, ws, req, recordingOn(env, {})));
                     return service::handoverReportedJson(out);
                   });
}

Response confirmHandover(ApiEnv& env, RouteContext& ctx) {
  const std::string device(ctx.param("id"));
  return writeWith(env, ctx, {},
                   [&](const JsonBody&, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     PH_ASSIGN_OR_RETURN(auto out, service::confirmHandover(caller, ws, device,
                                                                            recordingOn(env, {})));
                     return service::handoverConfirmedJson(out);
                   });
}

Response replacement(ApiEnv& env, RouteContext& ctx) {
  const std::string person(ctx.param("id"));
  return writeWith(env, ctx,
                   {"directive", "device_id", "model", "vendor", "platform", "os_version", "kind",
                    "channel", "serial", "imei", "on"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::ReplacementRequest req;
                     req.person_id = person;
                     PH_BODY(req.directive_id, b.text("directive"));
                     PH_BODY(req.device_id, b.text("device_id"));
                     PH_RETURN_IF_ERROR(readDeviceFields(b, req));
                     PH_BODY(const auto on, b.date("on"));
                     PH_ASSIGN_OR_RETURN(auto out, service::recordReplacement(
                                                       caller, ws, req, recordingOn(env, on)));
                     return report::replacementJson(out.device, out.on, out.event_seq);
                   });
}

Response grantWaiver(ApiEnv& env, RouteContext& ctx) {
  return writeWith(env, ctx, {"directive", "device", "person", "unit", "reason", "from", "until"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::WaiverRequest req;
                     PH_BODY(req.directive_id, b.text("directive"));
                     PH_BODY(req.device_id, b.text("device"));
                     PH_BODY(req.person_id, b.text("person"));
                     PH_BODY(req.unit, b.text("unit"));
                     PH_BODY(req.reason, b.text("reason"));
                     PH_BODY(req.from, b.date("from"));
                     PH_BODY(req.until, b.date("until"));
                     // The approver is the caller, never a field of the request.
                     req.approver = caller.person_id.empty() ? caller.actor : caller.person_id;
                     PH_ASSIGN_OR_RETURN(
                         auto w, service::grantWaiver(caller, ws, req, recordingOn(env, {})));
                     return report::waiverGrantedJson(w);
                   });
}

Response requestWaiver(ApiEnv& env, RouteContext& ctx) {
  return writeWith(env, ctx, {"directive", "device", "reason", "from", "until"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::WaiverAsk ask;
                     PH_BODY(ask.directive_id, b.text("directive"));
                     PH_BODY(ask.device_id, b.text("device", true));
                     PH_BODY(ask.reason, b.text("reason"));
                     PH_BODY(ask.from, b.date("from"));
                     PH_BODY(ask.until, b.date("until"));
                     PH_ASSIGN_OR_RETURN(
                         auto r, service::requestWaiver(caller, ws, ask, recordingOn(env, {})));
                     return service::waiverRequestJson(r);
                   });
}

// Approve or refuse; the approver is the caller, never a field of the request.
Response decideWaiver(ApiEnv& env, RouteContext& ctx, bool approve) {
  const std::string id(ctx.param("id"));
  return writeWith(env, ctx, {"reason"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::WaiverDecision decision;
                     decision.request_id = id;
                     decision.approve = approve;
                     PH_BODY(decision.reason, b.text("reason"));
                     PH_ASSIGN_OR_RETURN(auto out, service::decideWaiverRequest(
                                                       caller, ws, decision, recordingOn(env, {})));
                     return service::waiverRequestJson(out.request);
                   });
}

Response approveWaiver(ApiEnv& env, RouteContext& ctx) { return decideWaiver(env, ctx, true); }
Response refuseWaiver(ApiEnv& env, RouteContext& ctx) { return decideWaiver(env, ctx, false); }

Response caseStep(ApiEnv& env, RouteContext& ctx) {
  const std::string device(ctx.param("id"));
  return writeWith(env, ctx, {"directive", "to", "note", "on"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::CaseStepRequest req;
                     req.case_or_device = device;
                     PH_BODY(req.directive_id, b.text("directive"));
                     PH_BODY(const std::string to, b.text("to", true));
                     const auto stage = campaign::parseCaseStage(to);
                     if (!stage) {
                       return b.refuse(invalidField(
                           "to", "expected notified, acknowledged, verified or closed"));
                     }
                     req.stage = *stage;
                     PH_BODY(req.note, b.text("note"));
                     PH_BODY(const auto on, b.date("on"));
                     PH_ASSIGN_OR_RETURN(
                         auto step, service::recordCaseStep(caller, ws, req, recordingOn(env, on)));
                     return report::caseStepJson(step);
                   });
}

Response declaration(ApiEnv& env, RouteContext& ctx) {
  return writeWith(env, ctx,
                   {"person", "model", "vendor", "platform", "os_version", "kind", "channel",
                    "serial", "imei", "note"},
                   [&](const JsonBody& b, const service::Caller& caller,
                       service::Workspace& ws) -> Result<std::string> {
                     service::DeclarationRequest req;
                     PH_BODY(req.person_id, b.text("person"));
                     PH_RETURN_IF_ERROR(readDeviceFields(b, req));
                     PH_BODY(req.note, b.text("note"));
                     PH_ASSIGN_OR_RETURN(
                         auto out, service::declareDevice(caller, ws, req, recordingOn(env, {})));
                     return service::declarationJson(out);
                   });
}

Response sightings(ApiEnv& env, RouteContext& ctx) {
  if (Status s = checkQuery(ctx.request, {"on"}); !s.isOk()) return badRequest(s);
  auto on = queryDate(ctx.request, "on");
  if (!on.isOk()) return badRequest(on.status());
  if (!env.signatures) {
    return errorResponse(Status(StatusCode::kUnavailable, "no User-Agent rules loaded"));
  }
  const service::Recording recording = recordingOn(env, *on);
  auto parsed = service::parseDetectJson(ctx.request.body, "body", *env.signatures, recording);
  if (!parsed.isOk()) return badRequest(parsed.status());
  auto ws = env.pool.acquire();
  if (!ws.isOk()) return errorResponse(ws.status());
  const std::vector<std::string> sources{"api:" + ctx.caller->actor};
  // A sensor token's Scope allows this one write (Scope::may_record_sightings, checked in
  // service); the actor is the token.
  auto recorded = service::recordSightings(*ctx.caller, **ws, *parsed, sources, recording);
  if (!recorded.isOk()) return errorResponse(recorded.status());
  env.written();
  return jsonResponse(
      200, report::sightingsImportedJson(sources, recorded->sightings, recorded->event_seq));
}

}  // namespace

void addWriteRoutes(Router& router, ApiEnv& env) {
  auto add = [&](const char* pattern, Access access, Response (*fn)(ApiEnv&, RouteContext&)) {
    router.add("POST", pattern, access, [&env, fn](RouteContext& ctx) { return fn(env, ctx); });
  };
  add("/api/v1/devices/{id}/disposition", Access::kAuthenticated, disposition);
  add("/api/v1/devices/{id}/acknowledge", Access::kAuthenticated, acknowledge);
  add("/api/v1/devices/{id}/handover", Access::kAuthenticated, handover);
  add("/api/v1/devices/{id}/handover/confirm", Access::kAuthenticated, confirmHandover);
  add("/api/v1/evidence", Access::kAuthenticated, evidence);
  add("/api/v1/people/{id}/replacements", Access::kAuthenticated, replacement);
  add("/api/v1/waivers", Access::kAuthenticated, grantWaiver);
  add("/api/v1/declarations", Access::kAuthenticated, declaration);
  add("/api/v1/waiver-requests", Access::kAuthenticated, requestWaiver);
  add("/api/v1/waiver-requests/{id}/approve", Access::kAuthenticated, approveWaiver);
  add("/api/v1/waiver-requests/{id}/refuse", Access::kAuthenticated, refuseWaiver);
  add("/api/v1/cases/{id}/steps", Access::kAuthenticated, caseStep);
  add("/api/v1/sightings", Access::kSensor, sightings);
}

}  // namespace phaseout::server
