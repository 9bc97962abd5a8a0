#include "service/sightings.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "core/strings.h"
#include "detect/scoring.h"
#include "service/detect_json.h"
#include "service/sighting_text.h"
#include "service/workspace_access.h"
#include "storage/connection.h"
#include "storage/sighting_store.h"

namespace phaseout::service {
namespace {

using campaign::ServiceUse;
using campaign::Sighting;
using storage::Transaction;

constexpr std::int64_t kNsPerMs = 1'000'000;

campaign::SightingLevel levelOf(detect::Level level) {
  switch (level) {
    case detect::Level::kConfirmed:
      return campaign::SightingLevel::kConfirmed;
    case detect::Level::kLikely:
      return campaign::SightingLevel::kLikely;
    case detect::Level::kUnknown:
      break;
  }
  return campaign::SightingLevel::kUnknown;
}

Result<std::vector<campaign::Sighting>> loadAllSightings(storage::Repository& repo,
                                                         std::optional<Date> as_of) {
  storage::SightingStore store(repo);
  storage::SightingQuery q;
  q.as_of = as_of;
  return store.loadSightings(q);
}

Status checkDirectiveExists(storage::Repository& repo, const std::string& directive_id) {
  if (directive_id.empty()) return Status::ok();
  auto d = repo.getDirective(directive_id);
  if (!d.isOk() && d.status().code() == StatusCode::kNotFound) {
    return notFound("no directive '" + directive_id + "'; see 'phaseout directive list'");
  }
  return d.status();
}

}  // namespace

std::string sightingWhere(const std::string& file, std::uint64_t frame, std::uint64_t line) {
  if (file.empty()) return "";
  if (frame != 0) return file + "#" + std::to_string(frame);
  if (line != 0) return file + ":" + std::to_string(line);
  return file;
}

std::string sightingEvidenceLine(double weight, std::string_view signal, std::string_view value,
                                 std::string_view signature, std::string_view group, bool counted,
                                 bool observed_only, const std::string& where,
                                 std::uint64_t count) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", weight);
  std::string out = buf;
  out += ' ';
  out += signal;
  out += " \"";
  out += value;
  out += "\" [";
  out += signature;
  if (!group.empty()) {
    out += ", ";
    out += group;
  }
  if (observed_only) out += ", observed only";
  out += ']';
  if (!where.empty()) out += " " + where;
  if (count > 1) out += " x" + std::to_string(count);
  if (!counted) out += " (outweighed in its group)";
  return out;
}

// Whether a User-Agent is a smartphone's, for usage bans: the kind the UA rules read (the
// model, else the browser's "Mobile" token), else the platform's default. App UAs that name
// neither (Dalvik, OkHttp) stay of unknown kind: no accusation on a guess.
void classifyServiceUse(ServiceUse& use, const detect::SignatureSet& signatures) {
  if (use.user_agent.empty()) return;
  const auto m = signatures.classifyUserAgent(use.user_agent);
  if (!m.rule) return;
  use.ua_platform = m.platform;
  use.ua_kind = m.kind != platform::Kind::kUnknown ? m.kind : signatures.defaultKind(m.platform);
}

void addSightingSource(std::vector<std::string>& sources, const std::string& name) {
  if (!name.empty() && std::find(sources.begin(), sources.end(), name) == sources.end()) {
    sources.push_back(name);
  }
}

Date judgedDay(const Sighting& s, const Recording& recording) {
  if (recording.on) return *recording.on;
  if (s.last_seen_ms != 0) return Date::fromEpochMs(s.last_seen_ms);
  return recording.today();
}

campaign::Sighting toSighting(const detect::DeviceVerdict& v,
                              const std::vector<std::string>& sources,
                              const detect::SignatureSet& signatures, Date day, bool override_day) {
  Sighting s;
  s.key = v.key;
  s.macs = v.macs;
  s.ips = v.ips;
  s.hostnames = v.hostnames;
  s.users = v.users;
  s.vendor = v.vendor;
  s.platform = v.verdict.platform();
  s.kind = v.kind;
  s.model = v.model;
  s.level = levelOf(v.verdict.level);
  s.confidence = v.verdict.confidence;
  s.first_seen_ms = v.first_seen_ns / kNsPerMs;
  s.last_seen_ms = v.last_seen_ns / kNsPerMs;
  auto sourceName = [&sources](std::uint32_t i) {
    return i < sources.size() ? sources[i] : std::string();
  };
  for (const auto& e : v.evidence) {
    const detect::Signature& sig = signatures.signature(e.signature);
    const std::string file = sourceName(e.where.source);
    addSightingSource(s.sources, file);
    s.evidence.push_back(sightingEvidenceLine(
        e.weight, detect::name(e.signal), e.value, sig.id, signatures.group(sig.group).id,
        e.counted, sig.observed_only, sightingWhere(file, e.where.frame, e.where.line), e.count));
  }
  for (const auto& use : v.services) {
    ServiceUse u;
    u.service = use.service;
    u.user = use.user;
    u.user_agent = use.user_agent;
    u.count = use.count;
    const std::string file = sourceName(use.where.source);
    addSightingSource(s.sources, file);
    u.where = sightingWhere(file, use.where.frame, use.where.line);
    classifyServiceUse(u, signatures);
    s.services.push_back(std::move(u));
  }
  s.seen_on = !override_day && s.last_seen_ms != 0 ? Date::fromEpochMs(s.last_seen_ms) : day;
  return s;
}

Result<SightingsRecorded> recordSightings(const Caller& caller, Workspace& ws,
                                          const std::vector<campaign::Sighting>& sightings,
                                          const std::vector<std::string>& sources,
                                          const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayRecordSightings());
  if (sightings.empty()) return invalidArgument("no devices to record as sightings");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  storage::SightingStore store(repo);
  PH_ASSIGN_OR_RETURN(auto batch,
                      store.recordSightings(sightings, sources,
                                            changeContext(caller, recording, join(sources, ", "))));
  PH_RETURN_IF_ERROR(tx->commit());
  return SightingsRecorded{batch.seq, batch.sightings, sources};
}

Result<SightingsRecorded> recordSightings(const Caller& caller, Workspace& ws,
                                          const std::vector<detect::DeviceVerdict>& verdicts,
                                          const std::vector<std::string>& sources,
                                          const detect::SignatureSet& signatures,
                                          const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayRecordSightings());
  std::vector<Sighting> sightings;
  sightings.reserve(verdicts.size());
  const Date day = recording.on ? *recording.on : recording.today();
  for (const auto& v : verdicts) {
    sightings.push_back(toSighting(v, sources, signatures, day, recording.on.has_value()));
  }
  return recordSightings(caller, ws, sightings, sources, recording);
}

Result<SightingsImported> importSightings(const Caller& caller, Workspace& ws,
                                          const SightingsImportRequest& request) {
  PH_RETURN_IF_ERROR(caller.mayRecordSightings());
  PH_RETURN_IF_ERROR(WorkspaceAccess::repository(ws).checkReady());
  if (request.files.empty()) return invalidField("files", "no file to import");
  SightingsImported out;
  std::vector<SkippedInput> unreadable;
  std::vector<std::pair<std::string, std::string>> texts;  // (file, contents)
  for (const std::string& file : request.files) {
    auto text = readFile(file);
    if (!text.isOk()) {
      unreadable.push_back({file, text.status().message()});
      continue;
    }
    texts.emplace_back(file, std::move(text).value());
  }
  if (!unreadable.empty() && (!request.keep_going || texts.empty())) {
    if (request.files.size() == 1) return invalidArgument(unreadable.front().reason);
    return unreadableInputs(unreadable, request.files.size());
  }
  PH_ASSIGN_OR_RETURN(auto signatures, detect::SignatureSet::load(request.signatures_dir));
  Recording recording;
  recording.on = request.on;
  recording.now_ms = request.now_ms;
  std::vector<Sighting> sightings;
  for (const auto& [file, text] : texts) {
    PH_ASSIGN_OR_RETURN(auto parsed, parseDetectJson(text, file, *signatures, recording));
    if (parsed.empty() && texts.size() == 1)
      return invalidArgument(file + ": no devices to record");
    for (auto& s : parsed) sightings.push_back(std::move(s));
    out.files.push_back(file);
  }
  if (sightings.empty()) return invalidArgument(join(out.files, ", ") + ": no devices to record");
  PH_ASSIGN_OR_RETURN(out.recorded, recordSightings(caller, ws, sightings, out.files, recording));
  out.skipped = std::move(unreadable);
  return out;
}

namespace {

// Who holds which device and where each person is, as the inventory stands now: what a scoped
// caller's view of sightings and findings is decided on.
class ScopeView {
 public:
  ScopeView(const std::vector<campaign::Versioned<inventory::Person>>& people,
            const std::vector<campaign::Versioned<inventory::Device>>& devices) {
    // Versions are sorted by (id, valid_from, seq): the last of an id is its latest.
    for (const auto& p : people) unit_of_[p.record.person_id] = p.record.unit;
    for (const auto& d : devices) holder_of_[d.record.device_id] = d.record.holder;
  }
  bool seesPerson(const Caller& caller, const std::string& person_id) const {
    if (person_id.empty()) return false;
    auto it = unit_of_.find(person_id);
    return caller.sees(it == unit_of_.end() ? std::string_view() : std::string_view(it->second),
                       person_id);
  }
  bool seesDevice(const Caller& caller, const std::string& device_id) const {
    if (device_id.empty()) return false;
    auto it = holder_of_.find(device_id);
    if (it == holder_of_.end() || it->second.empty()) return false;  // unassigned: the org's
    return seesPerson(caller, it->second);
  }

 private:
  std::map<std::string, std::string, std::less<>> unit_of_;
  std::map<std::string, std::string, std::less<>> holder_of_;
};

struct ReconcileView {
  campaign::Reconciler reconciler;
  ScopeView scope;
};

Result<ReconcileView> reconcileView(storage::Repository& repo) {
  storage::SightingStore store(repo);
  PH_ASSIGN_OR_RETURN(auto in, store.loadReconcileInputs());
  ScopeView scope(in.people, in.devices);
  return ReconcileView{
      campaign::Reconciler(std::move(in.people), std::move(in.devices), std::move(in.directives)),
      std::move(scope)};
}

}  // namespace

Result<std::vector<campaign::Sighting>> listSightings(const Caller& caller, Workspace& ws,
                                                      const SightingFilter& filter) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  storage::SightingStore store(repo);
  storage::SightingQuery q;
  q.since = filter.since;
  q.as_of = filter.as_of;
  PH_ASSIGN_OR_RETURN(auto sightings, store.loadSightings(q));
  const bool scoped = !caller.scope.all_units;
  if (filter.device_id.empty() && !scoped) return sightings;
  PH_ASSIGN_OR_RETURN(auto view, reconcileView(repo));
  if (!filter.device_id.empty()) {
    PH_ASSIGN_OR_RETURN(bool exists, repo.deviceExists(filter.device_id));
    if (!exists || (scoped && !view.scope.seesDevice(caller, filter.device_id))) {
      return notFound("no device '" + filter.device_id + "' in the inventory");
    }
  }
  std::erase_if(sightings, [&](const Sighting& s) {
    const std::string device = view.reconciler.matchedDeviceId(s);
    if (!filter.device_id.empty() && device != filter.device_id) return true;
    return scoped && !view.scope.seesDevice(caller, device);
  });
  return sightings;
}

Result<FindingsResult> findings(const Caller& caller, Workspace& ws, const FindingQuery& query) {
  std::optional<campaign::FindingKind> kind;
  if (!query.kind.empty()) {
    kind = campaign::parseFindingKind(query.kind);
    if (!kind) {
      std::string names;
      for (auto n : campaign::findingKindNames()) {
        names += (names.empty() ? "" : ", ") + std::string(n);
      }
      return invalidField("kind", "expected one of " + names + ", got \"" + query.kind + "\"");
    }
  }
  FindingsResult result;
  result.as_of = query.as_of.value_or(Date::fromEpochMs(query.now_ms));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  PH_RETURN_IF_ERROR(checkDirectiveExists(repo, query.directive_id));
  PH_ASSIGN_OR_RETURN(auto sightings, loadAllSightings(repo, result.as_of));
  PH_ASSIGN_OR_RETURN(auto view, reconcileView(repo));
  result.findings = view.reconciler.findings(sightings, result.as_of);
  const bool scoped = !caller.scope.all_units;
  std::erase_if(result.findings, [&](const campaign::Finding& f) {
    if ((!query.directive_id.empty() && f.directive_id != query.directive_id) ||
        (kind && f.kind != *kind)) {
      return true;
    }
    return scoped && !view.scope.seesDevice(caller, f.device_id) &&
           !view.scope.seesPerson(caller, f.person_id);
  });
  return result;
}

Result<NetworkFindingCounts> networkFindingCounts(const Caller& caller, Workspace& ws,
                                                  const std::string& directive_id, Date as_of) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  PH_RETURN_IF_ERROR(checkDirectiveExists(repo, directive_id));
  PH_ASSIGN_OR_RETURN(auto sightings, loadAllSightings(repo, as_of));
  NetworkFindingCounts counts;
  counts.directive_id = directive_id;
  counts.as_of = as_of;
  counts.sightings = sightings.size();
  if (sightings.empty()) return counts;
  PH_ASSIGN_OR_RETURN(auto view, reconcileView(repo));
  const bool scoped = !caller.scope.all_units;
  if (scoped) {
    counts.sightings = static_cast<std::size_t>(
        std::count_if(sightings.begin(), sightings.end(), [&](const Sighting& s) {
          return view.scope.seesDevice(caller, view.reconciler.matchedDeviceId(s));
        }));
  }
  for (const auto& f : view.reconciler.findings(sightings, as_of)) {
    if (f.directive_id != directive_id) continue;
    if (scoped && !view.scope.seesDevice(caller, f.device_id) &&
        !view.scope.seesPerson(caller, f.person_id)) {
      continue;
    }
    switch (f.kind) {
      case campaign::FindingKind::kBannedPlatform:
        ++counts.banned_platform;
        break;
      case campaign::FindingKind::kUnknownPhone:
        ++counts.unknown_phone;
        break;
      case campaign::FindingKind::kDisposedSeenAgain:
        ++counts.disposed_seen_again;
        break;
      case campaign::FindingKind::kUsageBan:
        ++counts.usage_ban;
        break;
    }
  }
  return counts;
}

}  // namespace phaseout::service
