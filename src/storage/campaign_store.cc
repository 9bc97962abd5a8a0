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
#include "storage/rows.h"

namespace phaseout::storage {
namespace {

Result<std::int64_t> appendWithRow(Repository& repo, const ChangeContext& change, std::string kind,
                                   std::string subject, const nlohmann::ordered_json& detail,
                                   const std::string& row) {
  audit::RowSetDigest digest;
  digest.add(row);
  audit::Event e;
  e.effective_day = change.effective.days();
  e.recorded_ms = change.recorded_ms;
  e.actor = change.actor;
  e.kind = std::move(kind);
  e.subject = std::move(subject);
  e.payload = rowsPayload(detail, digest);
  return repo.appendEvent(std::move(e));
}

Result<std::size_t> countRows(Connection& conn, std::string_view table) {
  PH_ASSIGN_OR_RETURN(auto count, conn.prepare("SELECT count(*) FROM " + std::string(table)));
  PH_ASSIGN_OR_RETURN(bool row, count->step());
  return row && count->integer(0) > 0 ? static_cast<std::size_t>(count->integer(0)) : 0;
}

// Versions read in place (no record is moved after it is read) into a vector reserved for
// `reserve` records, so a million versions never regrow it. `split`, when given, is bound to
// the statement's :split parameter.
template <typename Record, typename ReadInto>
Result<std::vector<campaign::Versioned<Record>>> loadAllVersions(
    Connection& conn, std::size_t reserve, std::string_view sql, ReadInto read_into,
    std::optional<std::string_view> split = std::nullopt) {
  std::vector<campaign::Versioned<Record>> out;
  out.reserve(reserve);
  adviseHugePages(out.data(), out.capacity() * sizeof(campaign::Versioned<Record>));
  PH_ASSIGN_OR_RETURN(auto s, conn.prepare(sql));
  if (split) s->bind("split", *split);
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::Versioned<Record>& v = out.emplace_back();
    v.valid_from = static_cast<std::int32_t>(s->integer(1));
    v.seq = s->integer(2);
    PH_RETURN_IF_ERROR(read_into(*s, v.record));
  }
  return out;
}

}  // namespace

Result<campaign::Waiver> CampaignStore::grantWaiver(campaign::Waiver w,
                                                    const ChangeContext& change) {
  Connection& conn = repo_.connection();
  PH_ASSIGN_OR_RETURN(auto count, conn.prepare("SELECT count(*) FROM waivers"));
  PH_ASSIGN_OR_RETURN(bool has, count->step());
  char id[32];
  std::snprintf(id, sizeof id, "W-%06lld",
                static_cast<long long>((has ? count->integer(0) : 0) + 1));
  w.waiver_id = id;
  nlohmann::ordered_json detail{{"waiver_id", w.waiver_id},   {"directive", w.directive_id},
                                {"target", w.target()},       {"approver", w.approver},
                                {"reason", w.reason},         {"from", w.from.toString()},
                                {"until", w.until.toString()}};
  PH_ASSIGN_OR_RETURN(std::int64_t seq, appendWithRow(repo_, change, "waiver.grant", w.waiver_id,
                                                      detail, waiverRow(w)));
  PH_ASSIGN_OR_RETURN(
      auto ins, conn.prepare("INSERT INTO waivers (waiver_id, directive_id, device_id, person_id, "
                             "unit, approver, reason, from_day, until_day, seq) VALUES (:id, :d, "
                             ":device, :person, :unit, :approver, :reason, :from, :until, :seq)"));
  ins->bind("id", w.waiver_id);
  ins->bind("d", w.directive_id);
  ins->bind("device", w.device_id);
  ins->bind("person", w.person_id);
  ins->bind("unit", w.unit);
  ins->bind("approver", w.approver);
  ins->bind("reason", w.reason);
  ins->bind("from", std::int64_t{w.from.days()});
  ins->bind("until", std::int64_t{w.until.days()});
  ins->bind("seq", seq);
  PH_RETURN_IF_ERROR(ins->execute());
  return w;
}

Status CampaignStore::revokeWaiver(const std::string& waiver_id, Date from,
                                   const ChangeContext& change) {
  Connection& conn = repo_.connection();
  PH_ASSIGN_OR_RETURN(auto find, conn.prepare("SELECT w.waiver_id, r.revoked_from FROM waivers w "
                                              "LEFT JOIN waiver_revocations r ON r.waiver_id = "
                                              "w.waiver_id WHERE w.waiver_id = :id"));
  find->bind("id", waiver_id);
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
  PH_ASSIGN_OR_RETURN(auto ins, conn.prepare("INSERT INTO waiver_revocations (waiver_id, "
                                             "revoked_from, seq) VALUES (:id, :from, :seq)"));
  ins->bind("id", waiver_id);
  ins->bind("from", std::int64_t{from.days()});
  ins->bind("seq", seq);
  return ins->execute();
}

Result<std::vector<campaign::Waiver>> CampaignStore::loadWaivers(const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(
      auto s, repo_.connection().prepare(
                  "SELECT w.waiver_id, w.directive_id, w.device_id, w.person_id, w.unit, "
                  "w.approver, w.reason, w.from_day, w.until_day, r.revoked_from FROM waivers w "
                  "LEFT JOIN waiver_revocations r ON r.waiver_id = w.waiver_id "
                  "WHERE :d = '' OR w.directive_id = :d ORDER BY w.waiver_id"));
  s->bind("d", directive_id);
  std::vector<campaign::Waiver> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::Waiver w = readWaiver(*s);
    if (!s->isNull(9)) w.revoked_from = Date::fromDays(static_cast<std::int32_t>(s->integer(9)));
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
  PH_ASSIGN_OR_RETURN(auto ins, repo_.connection().prepare(
                                    "INSERT INTO case_steps (seq, directive_id, device_id, stage, "
                                    "on_day, actor, note) VALUES (:seq, :d, :device, :stage, :on, "
                                    ":actor, :note)"));
  ins->bind("seq", seq);
  ins->bind("d", step.directive_id);
  ins->bind("device", step.device_id);
  ins->bind("stage", campaign::name(step.stage));
  ins->bind("on", std::int64_t{step.on.days()});
  ins->bind("actor", change.actor);
  ins->bind("note", step.note);
  PH_RETURN_IF_ERROR(ins->execute());
  return seq;
}

Result<std::vector<campaign::CaseStep>> CampaignStore::loadCaseSteps(
    const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(auto s, repo_.connection().prepare(
                                  "SELECT seq, directive_id, device_id, stage, on_day, actor, note "
                                  "FROM case_steps WHERE directive_id = :d ORDER BY on_day, seq"));
  s->bind("d", directive_id);
  std::vector<campaign::CaseStep> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::CaseStep st;
    st.seq = s->integer(0);
    st.directive_id = s->text(1);
    st.device_id = s->text(2);
    auto stage = campaign::parseCaseStage(s->text(3));
    if (!stage)
      return dataLoss("stored case step " + std::to_string(st.seq) + " has stage \"" +
                      std::string(s->text(3)) + "\"");
    st.stage = *stage;
    st.on = Date::fromDays(static_cast<std::int32_t>(s->integer(4)));
    st.actor = s->text(5);
    st.note = s->text(6);
    out.push_back(std::move(st));
  }
  return out;
}

Result<EvidenceFile> CampaignStore::storeEvidence(const std::string& name, std::string_view bytes) {
  EvidenceFile f;
  f.sha256 = audit::sha256Hex(bytes);
  f.name = name;
  f.size_bytes = static_cast<std::int64_t>(bytes.size());
  PH_ASSIGN_OR_RETURN(auto ins, repo_.connection().prepare(
                                    "INSERT INTO evidence (sha256, name, size_bytes, content) "
                                    "VALUES (:sha, :name, :size, :content) ON CONFLICT (sha256) "
                                    "DO NOTHING"));
  ins->bind("sha", f.sha256);
  ins->bind("name", f.name);
  ins->bind("size", f.size_bytes);
  ins->bindBlob("content", bytes);
  PH_RETURN_IF_ERROR(ins->execute());
  return f;
}

Result<std::string> CampaignStore::loadEvidence(const std::string& sha256) {
  PH_ASSIGN_OR_RETURN(
      auto s, repo_.connection().prepare("SELECT content FROM evidence WHERE sha256 = :sha"));
  s->bind("sha", sha256);
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
  PH_ASSIGN_OR_RETURN(auto s, repo_.connection().prepare(
                                  "SELECT 1 FROM notifications WHERE directive_id = :d AND "
                                  "device_id = :device AND milestone = :m AND step = :step"));
  s->bind("d", directive_id);
  s->bind("device", device_id);
  s->bind("m", milestone);
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
  PH_ASSIGN_OR_RETURN(
      auto ins,
      repo_.connection().prepare("INSERT INTO notifications (directive_id, device_id, milestone, "
                                 "step, recipient, sent_day, seq) VALUES (:d, :device, :m, "
                                 ":step, :to, :day, :seq)"));
  ins->bind("d", n.directive_id);
  ins->bind("device", n.device_id);
  ins->bind("m", n.milestone);
  ins->bind("step", n.step);
  ins->bind("to", n.recipient);
  ins->bind("day", std::int64_t{n.sent_on.days()});
  ins->bind("seq", seq);
  return ins->execute();
}

Result<std::vector<Notification>> CampaignStore::loadNotifications(
    const std::string& directive_id) {
  PH_ASSIGN_OR_RETURN(auto s, repo_.connection().prepare(
                                  "SELECT directive_id, device_id, milestone, step, recipient, "
                                  "sent_day FROM notifications WHERE directive_id = :d "
                                  "ORDER BY sent_day, seq"));
  s->bind("d", directive_id);
  std::vector<Notification> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    out.push_back({std::string(s->text(0)), std::string(s->text(1)), std::string(s->text(2)),
                   std::string(s->text(3)), std::string(s->text(4)),
                   Date::fromDays(static_cast<std::int32_t>(s->integer(5)))});
  }
  return out;
}

namespace {

// Only the columns cases, burn-down and reminders read: millions of rows load faster.
constexpr std::string_view kDeviceHistory =
    "SELECT device_id, valid_from, seq, holder, kind, vendor, model, platform, os_version, "
    "'unknown', 'unknown', '', '', '', '', state FROM device_versions ";

// Reads the versions `sql` selects (binding `split` to :split) into `out`, in place, and
// says how many it read; DataLoss if there are more than `out` holds.
Status readDevicesInto(Connection& conn, const std::string& sql, std::string_view split,
                       std::span<campaign::Versioned<inventory::Device>> out, std::size_t& filled) {
  PH_ASSIGN_OR_RETURN(auto s, conn.prepare(sql));
  s->bind("split", split);
  filled = 0;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    if (filled == out.size()) return dataLoss("device versions changed while being read");
    campaign::Versioned<inventory::Device>& v = out[filled++];
    v.valid_from = static_cast<std::int32_t>(s->integer(1));
    v.seq = s->integer(2);
    PH_RETURN_IF_ERROR(readDeviceInto(*s, v.record));
  }
  return Status::ok();
}

// The upper half on `conn`, in a read transaction of its own; `seq` is the snapshot it read.
Status readUpperHalf(Connection& conn, const std::string& sql, std::string_view split,
                     std::span<campaign::Versioned<inventory::Device>> out, std::size_t& filled,
                     std::int64_t& seq) {
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(conn, Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(seq, lastEventSeq(conn));
  PH_RETURN_IF_ERROR(readDevicesInto(conn, sql, split, out, filled));
  return tx->commit();
}

}  // namespace

// Every device version. With a second connection, the versions of the upper part of the
// device ids (about 60%: this thread goes on to read the people and case steps) are read on a
// second thread meanwhile, into the same (presized) vector; both parts must come from the same
// snapshot (the same last event), else the upper part is read again here.
Result<std::vector<campaign::Versioned<inventory::Device>>> CampaignStore::loadDeviceHistory(
    Connection& conn, Connection* second) {
  PH_ASSIGN_OR_RETURN(const std::size_t n, countRows(conn, "device_versions"));
  std::string split;
  std::size_t lower_count = 0;
  if (second != nullptr && n > 1) {
    constexpr double kThisThreadShare = 0.4;
    const auto at = static_cast<std::int64_t>(static_cast<double>(n) * kThisThreadShare);
    PH_ASSIGN_OR_RETURN(auto middle,
                        conn.prepare("SELECT device_id, valid_from, seq FROM device_versions "
                                     "ORDER BY device_id, valid_from, seq LIMIT 1 OFFSET :at"));
    middle->bind("at", at);
    PH_ASSIGN_OR_RETURN(bool found, middle->step());
    if (found) {
      split = middle->text(0);
      // `at` versions precede that row; those of its own device among them belong above.
      PH_ASSIGN_OR_RETURN(auto same, conn.prepare("SELECT count(*) FROM device_versions WHERE "
                                                  "device_id = :id AND (valid_from < :v OR "
                                                  "(valid_from = :v AND seq < :s))"));
      same->bind("id", split);
      same->bind("v", middle->integer(1));
      same->bind("s", middle->integer(2));
      PH_ASSIGN_OR_RETURN(bool counted, same->step());
      if (counted) lower_count = static_cast<std::size_t>(at - same->integer(0));
    }
  }
  if (split.empty() || lower_count == 0 || lower_count >= n) {
    return loadAllVersions<inventory::Device>(
        conn, n, std::string(kDeviceHistory) + "ORDER BY device_id, valid_from, seq",
        readDeviceInto);
  }
  PH_ASSIGN_OR_RETURN(const std::int64_t seq, lastEventSeq(conn));
  std::vector<campaign::Versioned<inventory::Device>> out;
  out.reserve(n);
  adviseHugePages(out.data(), n * sizeof(campaign::Versioned<inventory::Device>));
  out.resize(n);
  const std::span<campaign::Versioned<inventory::Device>> all(out);
  const std::string lower_sql =
      std::string(kDeviceHistory) + "WHERE device_id < :split ORDER BY device_id, valid_from, seq";
  const std::string upper_sql =
      std::string(kDeviceHistory) + "WHERE device_id >= :split ORDER BY device_id, valid_from, seq";
  std::size_t upper_filled = 0;
  std::int64_t upper_seq = -1;
  auto upper = std::async(std::launch::async, readUpperHalf, std::ref(*second),
                          std::cref(upper_sql), std::string_view(split), all.subspan(lower_count),
                          std::ref(upper_filled), std::ref(upper_seq));
  std::size_t lower_filled = 0;
  const Status lower =
      readDevicesInto(conn, lower_sql, split, all.first(lower_count), lower_filled);
  const Status upper_status = upper.get();
  PH_RETURN_IF_ERROR(lower);
  if (lower_filled != lower_count) return dataLoss("device versions changed while being read");
  if (!upper_status.isOk() || upper_seq != seq) {
    PH_RETURN_IF_ERROR(
        readDevicesInto(conn, upper_sql, split, all.subspan(lower_count), upper_filled));
  }
  out.resize(lower_count + upper_filled);
  return out;
}

Result<campaign::History> CampaignStore::loadHistory(const std::string& directive_id,
                                                     const std::string& device_id,
                                                     Connection* second) {
  campaign::History h;
  Connection& conn = repo_.connection();
  constexpr std::string_view kDevices =
      "SELECT device_id, valid_from, seq, holder, kind, vendor, model, platform, os_version, "
      "ownership, channel, serial, imei, macs, hostname, state FROM device_versions ";
  constexpr std::string_view kPeople =
      "SELECT person_id, valid_from, seq, name, email, unit, roles, status FROM person_versions ";
  if (device_id.empty()) {
    PH_ASSIGN_OR_RETURN(const std::size_t people, countRows(conn, "person_versions"));
    PH_ASSIGN_OR_RETURN(
        h.people, loadAllVersions<inventory::Person>(
                      conn, people, std::string(kPeople) + "ORDER BY person_id, valid_from, seq",
                      readPersonInto));
    PH_ASSIGN_OR_RETURN(h.devices, loadDeviceHistory(conn, second));
  } else {
    PH_ASSIGN_OR_RETURN(auto ds, conn.prepare(std::string(kDevices) +
                                              "WHERE device_id = :id ORDER BY valid_from, seq"));
    ds->bind("id", device_id);
    while (true) {
      PH_ASSIGN_OR_RETURN(bool row, ds->step());
      if (!row) break;
      campaign::Versioned<inventory::Device> v;
      v.valid_from = static_cast<std::int32_t>(ds->integer(1));
      v.seq = ds->integer(2);
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
    PH_ASSIGN_OR_RETURN(auto hs, conn.prepare(std::string(kDevices) +
                                              "WHERE holder = :holder AND device_id <> :id"));
    for (const auto& holder : holders) {
      hs->bind("holder", holder);
      hs->bind("id", device_id);
      while (true) {
        PH_ASSIGN_OR_RETURN(bool row, hs->step());
        if (!row) break;
        campaign::Versioned<inventory::Device> v;
        v.valid_from = static_cast<std::int32_t>(hs->integer(1));
        v.seq = hs->integer(2);
        PH_ASSIGN_OR_RETURN(v.record, readDevice(*hs));
        h.devices.push_back(std::move(v));
      }
      hs->reset();
    }
    std::sort(h.devices.begin(), h.devices.end(), [](const auto& a, const auto& b) {
      return std::tie(a.record.device_id, a.valid_from, a.seq) <
             std::tie(b.record.device_id, b.valid_from, b.seq);
    });
    PH_ASSIGN_OR_RETURN(auto ps, conn.prepare(std::string(kPeople) +
                                              "WHERE person_id = :id ORDER BY valid_from, seq"));
    for (const auto& holder : holders) {
      ps->bind("id", holder);
      while (true) {
        PH_ASSIGN_OR_RETURN(bool row, ps->step());
        if (!row) break;
        campaign::Versioned<inventory::Person> v;
        v.valid_from = static_cast<std::int32_t>(ps->integer(1));
        v.seq = ps->integer(2);
        PH_ASSIGN_OR_RETURN(v.record, readPerson(*ps));
        h.people.push_back(std::move(v));
      }
      ps->reset();
    }
  }
  PH_ASSIGN_OR_RETURN(auto s, conn.prepare("SELECT version, valid_from, source_text FROM "
                                           "directive_versions WHERE directive_id = :d ORDER BY "
                                           "valid_from, version"));
  s->bind("d", directive_id);
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    campaign::DirectiveVersion v;
    v.version = s->integer(0);
    v.valid_from = static_cast<std::int32_t>(s->integer(1));
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
