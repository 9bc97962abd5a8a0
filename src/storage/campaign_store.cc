#include "storage/campaign_store.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <tuple>

#include "audit/hash_chain.h"
#include "core/memory.h"
#include "policy/directive.h"
#include "storage/catalog.h"
#include "storage/rows.h"

namespace phaseout::storage {
namespace {

Result<std::int64_t> appendWithRow(Repository& repo, const ChangeContext& change, std::string kind,
                                   std::string subject, const nlohmann::ordered_json& detail,
                                   const std::string& row) {
  audit::RowSetDigest digest;
  digest.add(row);
  return repo.appendEvent(changeEvent(change, std::move(kind), std::move(subject), detail, digest));
}

Result<std::size_t> countRows(Connection& conn, Query count_query) {
  PH_ASSIGN_OR_RETURN(auto count, prepare(conn, count_query));
  PH_ASSIGN_OR_RETURN(bool row, count->step());
  return row && count->integer(0) > 0 ? static_cast<std::size_t>(count->integer(0)) : 0;
}

// Versions read in place (no record is moved after it is read) into a vector reserved for
// `reserve` records, so a million versions never regrow it.
template <typename Record, typename ReadInto>
Result<std::vector<campaign::Versioned<Record>>> loadAllVersions(Connection& conn,
                                                                 std::size_t reserve, Query query,
                                                                 ReadInto read_into) {
  std::vector<campaign::Versioned<Record>> out;
  out.reserve(reserve);
  adviseHugePages(out.data(), out.capacity() * sizeof(campaign::Versioned<Record>));
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, query));
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::Versioned<Record>& v = out.emplace_back();
    v.valid_from = static_cast<std::int32_t>(s->integer(kVersionValidFrom));
    v.seq = s->integer(kVersionSeq);
    PH_RETURN_IF_ERROR(read_into(*s, v.record));
  }
  return out;
}

}  // namespace

Result<std::string> CampaignStore::nextWaiverId() {
  PH_ASSIGN_OR_RETURN(auto count, prepare(repo_.connection(), Query::kCountWaivers));
  PH_ASSIGN_OR_RETURN(bool has, count->step());
  char id[32];
  std::snprintf(id, sizeof id, "W-%06lld",
                static_cast<long long>((has ? count->integer(0) : 0) + 1));
  return std::string(id);
}

Status CampaignStore::insertWaiver(const campaign::Waiver& w, std::int64_t seq) {
  PH_ASSIGN_OR_RETURN(auto ins, prepare(repo_.connection(), Query::kInsertWaiver));
  ins->bind("waiver_id", w.waiver_id);
  ins->bind("directive_id", w.directive_id);
  ins->bind("device_id", w.device_id);
  ins->bind("person_id", w.person_id);
  ins->bind("unit", w.unit);
  ins->bind("approver", w.approver);
  ins->bind("reason", w.reason);
  ins->bind("from_day", std::int64_t{w.from.days()});
  ins->bind("until_day", std::int64_t{w.until.days()});
  ins->bind("seq", seq);
  return ins->execute();
}

Result<campaign::Waiver> CampaignStore::grantWaiver(campaign::Waiver w,
                                                    const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(w.waiver_id, nextWaiverId());
  nlohmann::ordered_json detail{{"waiver_id", w.waiver_id},   {"directive", w.directive_id},
                                {"target", w.target()},       {"approver", w.approver},
                                {"reason", w.reason},         {"from", w.from.toString()},
                                {"until", w.until.toString()}};
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendWithRow(repo_, change, "waiver.grant", w.waiver_id,
                                                      detail, waiverRow(w)));
  PH_RETURN_IF_ERROR(insertWaiver(w, seq));
  return w;
}

Result<campaign::RequestedWaiver> CampaignStore::requestWaiver(campaign::RequestedWaiver r,
                                                               const ChangeContext& change) {
  Connection& conn = repo_.connection();
  PH_ASSIGN_OR_RETURN(const std::size_t count, countRows(conn, Query::kCountWaiverRequests));
  char id[32];
  std::snprintf(id, sizeof id, "WR-%06zu", count + 1);
  r.request_id = id;
  r.state = campaign::WaiverRequestState::kPending;
  nlohmann::ordered_json detail{{"request_id", r.request_id}, {"directive", r.directive_id},
                                {"device", r.device_id},      {"requested_by", r.requested_by},
                                {"reason", r.reason},         {"from", r.from.toString()},
                                {"until", r.until.toString()}};
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendWithRow(repo_, change, "waiver.request", r.device_id,
                                                      detail, waiverRequestRow(r)));
  PH_ASSIGN_OR_RETURN(auto ins, prepare(conn, Query::kInsertWaiverRequest));
  ins->bind("request_id", r.request_id);
  ins->bind("directive_id", r.directive_id);
  ins->bind("device_id", r.device_id);
  ins->bind("requested_by", r.requested_by);
  ins->bind("reason", r.reason);
  ins->bind("from_day", std::int64_t{r.from.days()});
  ins->bind("until_day", std::int64_t{r.until.days()});
  ins->bind("requested_day", std::int64_t{r.requested_on.days()});
  ins->bind("seq", seq);
  PH_RETURN_IF_ERROR(ins->execute());
  return r;
}

Result<campaign::RequestedWaiver> CampaignStore::decideWaiverRequest(
    campaign::RequestedWaiver r, std::optional<campaign::Waiver> granted,
    const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(auto stored, loadWaiverRequests(r.directive_id));
  auto it = std::find_if(stored.begin(), stored.end(), [&](const campaign::RequestedWaiver& s) {
    return s.request_id == r.request_id;
  });
  if (it == stored.end()) return notFound("no waiver request '" + r.request_id + "'");
  if (it->state != campaign::WaiverRequestState::kPending) {
    return failedPrecondition("waiver request " + r.request_id + " is already " +
                              std::string(campaign::name(it->state)));
  }
  const bool approve = r.state == campaign::WaiverRequestState::kApproved;
  if (approve != granted.has_value() || r.state == campaign::WaiverRequestState::kPending) {
    return internalError("a waiver request is approved with its waiver, or refused without one");
  }
  audit::RowSetDigest digest;
  nlohmann::ordered_json detail{{"request_id", r.request_id},
                                {"directive", r.directive_id},
                                {"device", r.device_id},
                                {"decision", campaign::name(r.state)},
                                {"decided_by", r.decided_by}};
  if (granted) {
    PH_ASSIGN_OR_RETURN(granted->waiver_id, nextWaiverId());
    r.waiver_id = granted->waiver_id;
    digest.add(waiverRow(*granted));
    detail["waiver_id"] = granted->waiver_id;
    detail["from"] = granted->from.toString();
    detail["until"] = granted->until.toString();
  } else {
    detail["reason"] = r.decision_reason;
  }
  digest.add(waiverDecisionRow(r));
  audit::Event e;
  e.effective_day = change.effective.days();
  e.recorded_ms = change.recorded_ms;
  e.actor = change.actor;
  e.kind = approve ? "waiver.approve" : "waiver.refuse";
  e.subject = r.device_id;
  e.payload = rowsPayload(detail, digest);
  PH_ASSIGN_OR_RETURN(std::int64_t seq, repo_.appendEvent(std::move(e)));
  if (granted) PH_RETURN_IF_ERROR(insertWaiver(*granted, seq));
  PH_ASSIGN_OR_RETURN(auto ins, prepare(repo_.connection(), Query::kInsertWaiverDecision));
  ins->bind("request_id", r.request_id);
  ins->bind("decision", std::string(campaign::name(r.state)));
  ins->bind("decided_by", r.decided_by);
  ins->bind("decided_day", std::int64_t{r.decided_on ? r.decided_on->days() : 0});
  ins->bind("reason", r.decision_reason);
  ins->bind("waiver_id", r.waiver_id);
  ins->bind("seq", seq);
  PH_RETURN_IF_ERROR(ins->execute());
  return r;
}

Result<std::vector<campaign::RequestedWaiver>> CampaignStore::loadWaiverRequests(
    const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWaiverRequests));
  s->bind("directive_id", directive_id);
  std::vector<campaign::RequestedWaiver> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    PH_ASSIGN_OR_RETURN(auto r,
                        readWaiverRequest(*s, static_cast<int>(kWaiverRequestColumns.size())));
    out.push_back(std::move(r));
  }
  return out;
}

Status CampaignStore::revokeWaiver(const std::string& waiver_id, Date from,
                                   const ChangeContext& change) {
  Connection& conn = repo_.connection();
  PH_ASSIGN_OR_RETURN(auto find, prepare(conn, Query::kWaiverRevocationOf));
  find->bind("waiver_id", waiver_id);
  PH_ASSIGN_OR_RETURN(bool found, find->step());
  if (!found) return notFound("no waiver '" + waiver_id + "'; see 'phaseout waiver list'");
  if (!find->isNull(1)) {
    return failedPrecondition(
        "waiver " + waiver_id + " is already revoked from " +
        Date::fromDays(static_cast<std::int32_t>(find->integer(1))).toString());
  }
  find.reset();
  nlohmann::ordered_json detail{{"waiver_id", waiver_id}, {"revoked_from", from.toString()}};
  PH_ASSIGN_OR_RETURN(std::int64_t seq,
                      appendWithRow(repo_, change, "waiver.revoke", waiver_id, detail,
                                    waiverRevocationRow(waiver_id, from.days())));
  PH_ASSIGN_OR_RETURN(auto ins, prepare(conn, Query::kInsertWaiverRevocation));
  ins->bind("waiver_id", waiver_id);
  ins->bind("revoked_from", std::int64_t{from.days()});
  ins->bind("seq", seq);
  return ins->execute();
}

Result<std::vector<campaign::Waiver>> CampaignStore::loadWaivers(const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kWaivers));
  s->bind("directive_id", directive_id);
  // revoked_from follows the waiver's columns.
  constexpr int kRevokedFrom = static_cast<int>(kWaiverColumns.size());
  std::vector<campaign::Waiver> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::Waiver w = readWaiver(*s);
    if (!s->isNull(kRevokedFrom)) {
      w.revoked_from = Date::fromDays(static_cast<std::int32_t>(s->integer(kRevokedFrom)));
    }
    out.push_back(std::move(w));
  }
  return out;
}

Result<std::int64_t> CampaignStore::recordCaseStep(const campaign::CaseStep& step,
                                                   const ChangeContext& change) {
  nlohmann::ordered_json detail{{"case", step.directive_id + "/" + step.device_id},
                                {"stage", campaign::name(step.stage)},
                                {"on", step.on.toString()},
                                {"note", step.note}};
  campaign::CaseStep stored = step;
  stored.actor = change.actor;
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendWithRow(repo_, change, "case.step",
                                                      step.directive_id + "/" + step.device_id,
                                                      detail, caseStepRow(stored)));
  PH_ASSIGN_OR_RETURN(auto ins, prepare(repo_.connection(), Query::kInsertCaseStep));
  ins->bind("seq", seq);
  ins->bind("directive_id", step.directive_id);
  ins->bind("device_id", step.device_id);
  ins->bind("stage", campaign::name(step.stage));
  ins->bind("on_day", std::int64_t{step.on.days()});
  ins->bind("actor", change.actor);
  ins->bind("note", step.note);
  PH_RETURN_IF_ERROR(ins->execute());
  return seq;
}

Result<std::vector<campaign::CaseStep>> CampaignStore::loadCaseSteps(
    const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kCaseStepsOf));
  s->bind("directive_id", directive_id);
  std::vector<campaign::CaseStep> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    PH_ASSIGN_OR_RETURN(campaign::CaseStep st, readCaseStep(*s));
    out.push_back(std::move(st));
  }
  return out;
}

Result<EvidenceFile> CampaignStore::storeEvidence(const std::string& name, std::string_view bytes) {
  EvidenceFile f;
  f.sha256 = audit::sha256Hex(bytes);
  f.name = name;
  f.size_bytes = static_cast<std::int64_t>(bytes.size());
  PH_ASSIGN_OR_RETURN(auto ins, prepare(repo_.connection(), Query::kInsertEvidence));
  ins->bind("sha256", f.sha256);
  ins->bind("name", f.name);
  ins->bind("size_bytes", f.size_bytes);
  ins->bindBlob("content", bytes);
  PH_RETURN_IF_ERROR(ins->execute());
  return f;
}

Result<std::string> CampaignStore::loadEvidence(const std::string& sha256) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kEvidenceContent));
  s->bind("sha256", sha256);
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return notFound("no evidence file with SHA-256 " + sha256);
  std::string content(s->blob(0));
  if (audit::sha256Hex(content) != sha256) {
    return dataLoss("evidence file " + sha256 + " no longer matches its hash");
  }
  return content;
}

Result<bool> CampaignStore::notificationSent(const std::string& directive_id,
                                             const std::string& device_id,
                                             const std::string& milestone,
                                             const std::string& step) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kNotificationSent));
  s->bind("directive_id", directive_id);
  s->bind("device_id", device_id);
  s->bind("milestone", milestone);
  s->bind("step", step);
  return s->step();
}

Status CampaignStore::recordNotification(const Notification& n, const ChangeContext& change) {
  nlohmann::ordered_json detail{{"case", n.directive_id + "/" + n.device_id},
                                {"milestone", n.milestone},
                                {"step", n.step},
                                {"recipient", n.recipient},
                                {"sent_on", n.sent_on.toString()}};
  PH_ASSIGN_OR_RETURN(
      std::int64_t seq,
      appendWithRow(repo_, change, "notification", n.directive_id + "/" + n.device_id, detail,
                    notificationRow(n.directive_id, n.device_id, n.milestone, n.step, n.recipient,
                                    n.sent_on.days())));
  PH_ASSIGN_OR_RETURN(auto ins, prepare(repo_.connection(), Query::kInsertNotification));
  ins->bind("directive_id", n.directive_id);
  ins->bind("device_id", n.device_id);
  ins->bind("milestone", n.milestone);
  ins->bind("step", n.step);
  ins->bind("recipient", n.recipient);
  ins->bind("sent_day", std::int64_t{n.sent_on.days()});
  ins->bind("seq", seq);
  return ins->execute();
}

Result<std::vector<Notification>> CampaignStore::loadNotifications(
    const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kNotificationsOf));
  s->bind("directive_id", directive_id);
  auto at = [](std::string_view c) consteval { return columnIndex(kNotificationColumns, c); };
  std::vector<Notification> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    out.push_back({std::string(s->text(at("directive_id"))), std::string(s->text(at("device_id"))),
                   std::string(s->text(at("milestone"))), std::string(s->text(at("step"))),
                   std::string(s->text(at("recipient"))),
                   Date::fromDays(static_cast<std::int32_t>(s->integer(at("sent_day"))))});
  }
  return out;
}

namespace {

// Reads the versions `query` selects (binding `split` to :split) into `out`, in place, and
// says how many it read; DataLoss if there are more than `out` holds. The queries read only
// the columns cases, burn-down and reminders need: millions of rows load faster.
Status readDevicesInto(Connection& conn, Query query, std::string_view split,
                       std::span<campaign::Versioned<inventory::Device>> out, std::size_t& filled) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, query));
  s->bind("split", split);
  filled = 0;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    if (filled == out.size()) return dataLoss("device versions changed while being read");
    campaign::Versioned<inventory::Device>& v = out[filled++];
    v.valid_from = static_cast<std::int32_t>(s->integer(kVersionValidFrom));
    v.seq = s->integer(kVersionSeq);
    PH_RETURN_IF_ERROR(readDeviceInto(*s, v.record));
  }
  return Status::ok();
}

// The upper half on `conn`, in a read transaction of its own; `seq` is the snapshot it read.
Status readUpperHalf(Connection& conn, Query query, std::string_view split,
                     std::span<campaign::Versioned<inventory::Device>> out, std::size_t& filled,
                     std::int64_t& seq) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(conn, Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(seq, lastEventSeq(conn));
  PH_RETURN_IF_ERROR(readDevicesInto(conn, query, split, out, filled));
  return tx->commit();
}

}  // namespace

// Every device version. With a second connection, the versions of the upper part of the
// device ids (about 60%: this thread goes on to read the people and case steps) are read on a
// second thread meanwhile, into the same (presized) vector; both parts must come from the same
// snapshot (the same last event), else the upper part is read again here.
Result<std::vector<campaign::Versioned<inventory::Device>>> CampaignStore::loadDeviceHistory(
    Connection& conn, Connection* second) {
  PH_ASSIGN_OR_RETURN(const std::size_t n, countRows(conn, Query::kCountDeviceVersions));
  std::string split;
  std::size_t lower_count = 0;
  if (second != nullptr && n > 1) {
    constexpr double kThisThreadShare = 0.4;
    const auto at = static_cast<std::int64_t>(static_cast<double>(n) * kThisThreadShare);
    PH_ASSIGN_OR_RETURN(auto middle, prepare(conn, Query::kDeviceVersionAtOffset));
    middle->bind("offset", at);
    PH_ASSIGN_OR_RETURN(bool found, middle->step());
    if (found) {
      split = middle->text(0);
      // `at` versions precede that row; those of its own device among them belong above.
      PH_ASSIGN_OR_RETURN(auto same, prepare(conn, Query::kCountEarlierVersionsOfDevice));
      same->bind("id", split);
      same->bind("valid_from", middle->integer(1));
      same->bind("seq", middle->integer(2));
      PH_ASSIGN_OR_RETURN(bool counted, same->step());
      if (counted) lower_count = static_cast<std::size_t>(at - same->integer(0));
    }
  }
  if (split.empty() || lower_count == 0 || lower_count >= n) {
    return loadAllVersions<inventory::Device>(conn, n, Query::kDeviceVersionsForCampaign,
                                              readDeviceInto);
  }
  PH_ASSIGN_OR_RETURN(const std::int64_t seq, lastEventSeq(conn));
  std::vector<campaign::Versioned<inventory::Device>> out;
  out.reserve(n);
  adviseHugePages(out.data(), n * sizeof(campaign::Versioned<inventory::Device>));
  out.resize(n);
  const std::span<campaign::Versioned<inventory::Device>> all(out);
  constexpr Query kLower = Query::kDeviceVersionsForCampaignBelow;
  constexpr Query kUpper = Query::kDeviceVersionsForCampaignFrom;
  std::size_t upper_filled = 0;
  std::int64_t upper_seq = -1;
  auto upper = std::async(std::launch::async, readUpperHalf, std::ref(*second), kUpper,
                          std::string_view(split), all.subspan(lower_count), std::ref(upper_filled),
                          std::ref(upper_seq));
  std::size_t lower_filled = 0;
  const Status lower = readDevicesInto(conn, kLower, split, all.first(lower_count), lower_filled);
  const Status upper_status = upper.get();
  PH_RETURN_IF_ERROR(lower);
  if (lower_filled != lower_count) return dataLoss("device versions changed while being read");
  if (!upper_status.isOk() || upper_seq != seq) {
    PH_RETURN_IF_ERROR(
        readDevicesInto(conn, kUpper, split, all.subspan(lower_count), upper_filled));
  }
  out.resize(lower_count + upper_filled);
  return out;
}

Result<campaign::History> CampaignStore::loadHistory(const std::string& directive_id,
                                                     const std::string& device_id,
                                                     Connection* second) {
  campaign::History h;
  Connection& conn = repo_.connection();
  if (device_id.empty()) {
    PH_ASSIGN_OR_RETURN(const std::size_t people, countRows(conn, Query::kCountPersonVersions));
    PH_ASSIGN_OR_RETURN(h.people, loadAllVersions<inventory::Person>(
                                      conn, people, Query::kPersonVersions, readPersonInto));
    PH_ASSIGN_OR_RETURN(h.devices, loadDeviceHistory(conn, second));
  } else {
    PH_ASSIGN_OR_RETURN(auto ds, prepare(conn, Query::kVersionsOfDevice));
    ds->bind("id", device_id);
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, ds->step());
      if (!row) break;
      campaign::Versioned<inventory::Device> v;
      v.valid_from = static_cast<std::int32_t>(ds->integer(kVersionValidFrom));
      v.seq = ds->integer(kVersionSeq);
      PH_ASSIGN_OR_RETURN(v.record, readDevice(*ds));
      h.devices.push_back(std::move(v));
    }
    std::vector<std::string> holders;
    for (const auto& v : h.devices) {
      if (!v.record.holder.empty()) holders.push_back(v.record.holder);
    }
    std::sort(holders.begin(), holders.end());
    holders.erase(std::unique(holders.begin(), holders.end()), holders.end());
    // The holders' other devices decide whether a replacement is held.
    PH_ASSIGN_OR_RETURN(auto hs, prepare(conn, Query::kOtherDevicesOfHolder));
    for (const auto& holder : holders) {
      hs->bind("holder", holder);
      hs->bind("id", device_id);
      while (true) {
        PH_ASSIGN_OR_RETURN(bool row, hs->step());
        if (!row) break;
        campaign::Versioned<inventory::Device> v;
        v.valid_from = static_cast<std::int32_t>(hs->integer(kVersionValidFrom));
        v.seq = hs->integer(kVersionSeq);
        PH_ASSIGN_OR_RETURN(v.record, readDevice(*hs));
        h.devices.push_back(std::move(v));
      }
      hs->reset();
    }
    std::sort(h.devices.begin(), h.devices.end(), [](const auto& a, const auto& b) {
      return std::tie(a.record.device_id, a.valid_from, a.seq) <
             std::tie(b.record.device_id, b.valid_from, b.seq);
    });
    PH_ASSIGN_OR_RETURN(auto ps, prepare(conn, Query::kVersionsOfPerson));
    for (const auto& holder : holders) {
      ps->bind("id", holder);
      while (true) {
        PH_ASSIGN_OR_RETURN(bool row, ps->step());
        if (!row) break;
        campaign::Versioned<inventory::Person> v;
        v.valid_from = static_cast<std::int32_t>(ps->integer(kVersionValidFrom));
        v.seq = ps->integer(kVersionSeq);
        PH_ASSIGN_OR_RETURN(v.record, readPerson(*ps));
        h.people.push_back(std::move(v));
      }
      ps->reset();
    }
  }
  PH_ASSIGN_OR_RETURN(auto s, prepare(conn, Query::kDirectiveVersionsOf));
  s->bind("directive_id", directive_id);
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::DirectiveVersion v;
    v.version = s->integer(0);
    v.valid_from = static_cast<std::int32_t>(s->integer(kVersionValidFrom));
    auto parsed =
        policy::parseDirective(s->text(2), directive_id + " v" + std::to_string(v.version));
    if (!parsed.isOk()) {
      return dataLoss("stored directive " + directive_id + " version " + std::to_string(v.version) +
                      " no longer parses: " + parsed.status().message());
    }
    v.directive = std::move(parsed).value();
    h.directive_versions.push_back(std::move(v));
  }
  if (h.directive_versions.empty()) {
    return notFound("no directive '" + directive_id + "'; see 'phaseout directive list'");
  }
  PH_ASSIGN_OR_RETURN(h.waivers, loadWaivers(directive_id));
  PH_ASSIGN_OR_RETURN(h.steps, loadCaseSteps(directive_id));
  if (!device_id.empty()) {
    std::erase_if(h.steps,
                  [&](const campaign::CaseStep& step) { return step.device_id != device_id; });
  }
  return h;
}

}  // namespace phaseout::storage
