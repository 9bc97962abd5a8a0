#include "service/change_feed.h"

#include <nlohmann/json.hpp>

#include "service/workspace_access.h"
#include "storage/connection.h"

namespace phaseout::service {

Result<std::int64_t> lastChangeSeq(Workspace& ws) {
  return storage::lastEventSeq(WorkspaceAccess::repository(ws).connection());
}

Result<std::vector<Change>> changesAfter(const Caller& reader, Workspace& ws,
                                         std::int64_t after_seq, std::size_t limit) {
  if (!reader.scope.all_units) return permissionDenied("not allowed to read every change");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kRead));
  std::vector<Change> out;
  // Only the events after after_seq, at most `limit` (a range of the seq key).
  PH_RETURN_IF_ERROR(repo.forEachEventAfter(after_seq, limit, [&](const audit::Event& e) -> Status {
    if (e.seq <= after_seq || out.size() >= limit) return Status::ok();
    Change c;
    c.seq = e.seq;
    c.effective = Date::fromDays(e.effective_day);
    c.recorded_ms = e.recorded_ms;
    c.actor = e.actor;
    c.kind = e.kind;
    c.subject = e.subject;
    out.push_back(std::move(c));
    return Status::ok();
  }));
  for (Change& c : out) {
    // A case is "<directive>/<device>"; other subjects are a device, a person or neither.
    std::string id = c.subject;
    if (c.kind.rfind("case.", 0) == 0) {
      const auto slash = id.rfind('/');
      if (slash != std::string::npos) id = id.substr(slash + 1);
    }
    const Date day = Date::fromEpochMs(c.recorded_ms);
    std::string person;
    if (auto device = repo.loadDevice(id, c.effective); device.isOk()) {
      person = device->holder;
    } else if (auto later = repo.loadDevice(id, day); later.isOk()) {
      person = later->holder;
    } else {
      person = id;
    }
    if (person.empty()) continue;
    auto p = repo.loadPerson(person, c.effective);
    if (!p.isOk()) p = repo.loadPerson(person, day);
    if (p.isOk()) {
      c.holder = p->person_id;
      c.unit = p->unit;
    }
  }
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

bool seesChange(const Caller& caller, const Change& change) {
  if (caller.scope.all_units) return true;
  if (change.holder.empty()) return false;
  return caller.sees(change.unit, change.holder);
}

std::string changeJson(const Change& c) {
  return nlohmann::ordered_json{{"seq", c.seq},
                                {"effective", c.effective.toString()},
                                {"recorded_ms", c.recorded_ms},
                                {"actor", c.actor},
                                {"kind", c.kind},
                                {"subject", c.subject}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace phaseout::service
