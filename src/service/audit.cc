#include "service/audit.h"

#include <nlohmann/json.hpp>

#include "audit/hash_chain.h"
#include "core/date.h"
#include "service/workspace_access.h"

namespace phaseout::service {
namespace {

std::string exportLine(const audit::Event& e) {
  nlohmann::ordered_json j{{"seq", e.seq},
                           {"effective", Date::fromDays(e.effective_day).toString()},
                           {"recorded_ms", e.recorded_ms},
                           {"actor", e.actor},
                           {"kind", e.kind},
                           {"subject", e.subject}};
  // Non-throwing parse: a payload that is not JSON (altered?) is exported as text, and
  // verification says so.
  auto payload = nlohmann::ordered_json::parse(e.payload, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) {
    j["payload"] = e.payload;
  } else {
    j["payload"] = std::move(payload);
  }
  j["prev_hash"] = e.prev_hash;
  j["hash"] = e.hash;
  return j.dump() + "\n";
}

}  // namespace

Result<AuditCheck> verifyAudit(const Caller& caller, Workspace& ws) {
  PH_RETURN_IF_ERROR(caller.mayReadAudit());
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  auto second = WorkspaceAccess::openReader(ws);
  PH_ASSIGN_OR_RETURN(auto v, repo.verifyAudit(second.get()));
  AuditCheck check;
  check.events = v.events;
  check.rows = v.rows;
  check.first_broken_seq = v.first_broken_seq;
  check.problem = std::move(v.problem);
  check.altered_evidence = std::move(v.altered_evidence);
  return check;
}

Result<std::size_t> exportAudit(const Caller& caller, Workspace& ws, const AuditLineSink& sink,
                                std::int64_t after_seq) {
  PH_RETURN_IF_ERROR(caller.mayReadAudit());
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  std::size_t n = 0;
  const Status walked = repo.forEachEvent([&](const audit::Event& e) -> Status {
    if (e.seq <= after_seq) return Status::ok();
    PH_RETURN_IF_ERROR(sink(exportLine(e)));
    ++n;
    return Status::ok();
  });
  PH_RETURN_IF_ERROR(walked);
  return n;
}

std::string auditCheckText(const AuditCheck& check) {
  if (check.ok()) {
    return "audit trail intact: " + std::to_string(check.events) + " entries, " +
           std::to_string(check.rows) + " rows checked\n";
  }
  std::string out;
  if (check.first_broken_seq) {
    out += "audit trail BROKEN at entry " + std::to_string(*check.first_broken_seq) + ": " +
           check.problem + "\n";
  }
  for (const auto& sha : check.altered_evidence) {
    out += "evidence file " + sha + " no longer matches its hash\n";
  }
  return out;
}

std::string auditCheckJson(const AuditCheck& check) {
  nlohmann::ordered_json j{{"ok", check.ok()}, {"events", check.events}, {"rows", check.rows}};
  if (check.first_broken_seq) {
    j["first_broken_entry"] = *check.first_broken_seq;
    j["problem"] = check.problem;
  }
  if (!check.altered_evidence.empty()) j["altered_evidence"] = check.altered_evidence;
  return j.dump() + "\n";
}

}  // namespace phaseout::service
