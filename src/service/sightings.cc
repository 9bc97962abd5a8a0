#include "service/sightings.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "core/strings.h"
#include "detect/scoring.h"
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

std::string whereText(const std::string& file, std::uint64_t frame, std::uint64_t line) {
  if (file.empty()) return "";
  if (frame != 0) return file + "#" + std::to_string(frame);
  if (line != 0) return file + ":" + std::to_string(line);
  return file;
}

// "+2.10 user_agent "Mozilla/5.0 (iPhone; ...)" [ua.iphone.browser, ua] office.pcap#12 x3".
std::string evidenceLine(double weight, std::string_view signal, std::string_view value,
                         std::string_view signature, std::string_view group, bool counted,
                         const std::string& where, std::uint64_t count) {
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
  out += ']';
  if (!where.empty()) out += " " + where;
  if (count > 1) out += " x" + std::to_string(count);
  if (!counted) out += " (outweighed in its group)";
  return out;
}

// Whether a User-Agent is a smartphone's, for usage bans. The UA rules name the kind when the
// string does (iPhone, iPad); Android-derived browsers say only "Android", so the "Mobile"
// token decides, as Chrome on Android sets it on phones and leaves it out on tablets. App
// UAs without it (Dalvik, OkHttp) stay of unknown kind: no accusation on a guess.
void classify(ServiceUse& use, const detect::SignatureSet& signatures) {
  if (use.user_agent.empty()) return;
  const auto m = signatures.classifyUserAgent(use.user_agent);
  if (!m.rule) return;
  use.ua_platform = m.platform;
  use.ua_kind = m.kind != platform::Kind::kUnknown ? m.kind : signatures.defaultKind(m.platform);
  const bool android_derived = m.platform == platform::Platform::kAndroid ||
                               m.platform == platform::Platform::kHarmonyos ||
                               m.platform == platform::Platform::kHarmonyosNext;
  if (use.ua_kind == platform::Kind::kUnknown && android_derived &&
      icontains(use.user_agent, "mobile")) {
    use.ua_kind = platform::Kind::kPhone;
  }
}

void addSource(std::vector<std::string>& sources, const std::string& name) {
  if (!name.empty() && std::find(sources.begin(), sources.end(), name) == sources.end()) {
    sources.push_back(name);
  }
}

// The day a sighting is judged on (see sightings.h).
Date judgedDay(const Sighting& s, const Recording& recording) {
  if (recording.on) return *recording.on;
  if (s.last_seen_ms != 0) return Date::fromEpochMs(s.last_seen_ms);
  return recording.today();
}

storage::ChangeContext changeFor(const Recording& recording, std::string source) {
  storage::ChangeContext change;
  change.effective = recording.on ? *recording.on : recording.today();
  change.effective_given = true;
  change.recorded_ms = recording.now_ms;
  change.actor = recording.actor;
  change.source = std::move(source);
  return change;
}

// --- JSON (the output of `phaseout detect --format json`) ---------------------------------

using Json = nlohmann::json;

class JsonReader {
 public:
  explicit JsonReader(std::string prefix) : prefix_(std::move(prefix)) {}
  const std::string& prefix() const { return prefix_; }

  Status error(const std::string& key, const std::string& expected) const {
    return invalidArgument(prefix_ + key + ": expected " + expected);
  }
  Result<std::string> text(const Json& obj, const char* key, bool required) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required) return error(key, "a string (required)");
      return std::string();
    }
    if (!it->is_string()) return error(key, "a string");
    return it->get<std::string>();
  }
  Result<std::vector<std::string>> list(const Json& obj, const char* key) const {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array()) return error(key, "a list of strings");
    for (const auto& v : *it) {
      if (!v.is_string()) return error(key, "a list of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  Result<double> number(const Json& obj, const char* key, double fallback) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_number()) return error(key, "a number");
    return it->get<double>();
  }
  Result<std::uint64_t> count(const Json& obj, const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::uint64_t{0};
    if (!it->is_number_unsigned()) return error(key, "a non-negative integer");
    return it->get<std::uint64_t>();
  }
  // first_seen: "2023-04-05T10:42:32.576Z" (or +hh:mm), or first_seen_ns: an integer.
  Result<std::int64_t> timeMs(const Json& obj, const std::string& key) const {
    if (auto ns = obj.find(key + "_ns"); ns != obj.end() && !ns->is_null()) {
      if (!ns->is_number_integer()) return error(key + "_ns", "an integer (ns since 1970)");
      return ns->get<std::int64_t>() / kNsPerMs;
    }
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::int64_t{0};
    if (!it->is_string()) return error(key, "an ISO 8601 time such as 2023-04-05T10:42:32Z");
    auto ms = parseIsoTime(it->get<std::string>());
    if (!ms) return error(key, "an ISO 8601 time such as 2023-04-05T10:42:32Z");
    return *ms;
  }

 private:
  static std::optional<std::int64_t> parseIsoTime(std::string_view t) {
    if (t.size() < 10) return std::nullopt;
    auto date = Date::parse(t.substr(0, 10));
    if (!date) return std::nullopt;
    std::int64_t ms = date->epochMs();
    t.remove_prefix(10);
    if (t.empty()) return ms;
    if (t[0] != 'T' && t[0] != ' ') return std::nullopt;
    t.remove_prefix(1);
    auto digits = [&t](std::size_t n, int& out) {
      if (t.size() < n) return false;
      out = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (t[i] < '0' || t[i] > '9') return false;
        out = out * 10 + (t[i] - '0');
      }
      t.remove_prefix(n);
      return true;
    };
    int h = 0, m = 0, s = 0;
    if (!digits(2, h) || t.empty() || t[0] != ':') return std::nullopt;
    t.remove_prefix(1);
    if (!digits(2, m) || t.empty() || t[0] != ':') return std::nullopt;
    t.remove_prefix(1);
    if (!digits(2, s) || h > 23 || m > 59 || s > 60) return std::nullopt;
    ms += (h * 3600 + m * 60 + s) * std::int64_t{1000};
    if (!t.empty() && t[0] == '.') {
      t.remove_prefix(1);
      int scale = 100, frac = 0;
      while (!t.empty() && t[0] >= '0' && t[0] <= '9') {
        frac += (t[0] - '0') * scale;
        scale /= 10;
        t.remove_prefix(1);
      }
      ms += frac;
    }
    if (t == "Z" || t == "+00:00" || t.empty()) return ms;
    if (t.size() != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':') return std::nullopt;
    const int sign = t[0] == '+' ? 1 : -1;
    t.remove_prefix(1);
    int oh = 0, om = 0;
    if (!digits(2, oh)) return std::nullopt;
    t.remove_prefix(1);
    if (!digits(2, om)) return std::nullopt;
    return ms - sign * (oh * 60 + om) * std::int64_t{60'000};
  }

  std::string prefix_;
};

Result<Sighting> sightingFromJson(const Json& d, const JsonReader& r,
                                  const detect::SignatureSet& signatures,
                                  const Recording& recording) {
  if (!d.is_object()) return r.error("", "an object");
  Sighting s;
  PH_ASSIGN_OR_RETURN(s.key, r.text(d, "key", true));
  if (s.key.empty()) return r.error("key", "a non-empty device key");
  PH_ASSIGN_OR_RETURN(s.macs, r.list(d, "macs"));
  for (auto& mac : s.macs) mac = toLower(mac);
  PH_ASSIGN_OR_RETURN(s.ips, r.list(d, "ips"));
  PH_ASSIGN_OR_RETURN(s.hostnames, r.list(d, "hostnames"));
  PH_ASSIGN_OR_RETURN(s.users, r.list(d, "users"));
  PH_ASSIGN_OR_RETURN(s.serial, r.text(d, "serial", false));
  PH_ASSIGN_OR_RETURN(s.vendor, r.text(d, "vendor", false));
  PH_ASSIGN_OR_RETURN(s.model, r.text(d, "model", false));
  PH_ASSIGN_OR_RETURN(std::string platform_text, r.text(d, "platform", true));
  auto p = platform::parsePlatform(platform_text);
  if (!p) {
    std::string names;
    for (auto n : platform::platformNames()) names += (names.empty() ? "" : ", ") + std::string(n);
    return r.error("platform", "one of " + names);
  }
  s.platform = *p;
  PH_ASSIGN_OR_RETURN(std::string kind_text, r.text(d, "kind", false));
  if (!kind_text.empty()) {
    auto kind = platform::parseKind(kind_text);
    if (!kind) return r.error("kind", "a device kind (phone, tablet, laptop, ...)");
    s.kind = *kind;
  }
  PH_ASSIGN_OR_RETURN(std::string level_text, r.text(d, "level", true));
  auto level = campaign::parseSightingLevel(level_text);
  if (!level) return r.error("level", "confirmed, likely or unknown");
  s.level = *level;
  PH_ASSIGN_OR_RETURN(s.confidence, r.number(d, "confidence", 0));
  if (s.confidence < 0 || s.confidence > 1) return r.error("confidence", "a number in [0, 1]");
  PH_ASSIGN_OR_RETURN(s.first_seen_ms, r.timeMs(d, "first_seen"));
  PH_ASSIGN_OR_RETURN(s.last_seen_ms, r.timeMs(d, "last_seen"));

  if (auto ev = d.find("evidence"); ev != d.end() && !ev->is_null()) {
    if (!ev->is_array()) return r.error("evidence", "a list of objects");
    for (std::size_t i = 0; i < ev->size(); ++i) {
      const Json& e = (*ev)[i];
      const JsonReader er(r.prefix() + "evidence[" + std::to_string(i + 1) + "].");
      if (!e.is_object()) return r.error("evidence[" + std::to_string(i + 1) + "]", "an object");
      PH_ASSIGN_OR_RETURN(std::string signal, er.text(e, "signal", true));
      PH_ASSIGN_OR_RETURN(std::string value, er.text(e, "value", true));
      PH_ASSIGN_OR_RETURN(std::string signature, er.text(e, "signature", false));
      PH_ASSIGN_OR_RETURN(std::string group, er.text(e, "group", false));
      PH_ASSIGN_OR_RETURN(double weight, er.number(e, "weight", 0));
      PH_ASSIGN_OR_RETURN(std::uint64_t n, er.count(e, "count"));
      PH_ASSIGN_OR_RETURN(std::string file, er.text(e, "file", false));
      PH_ASSIGN_OR_RETURN(std::uint64_t frame, er.count(e, "frame"));
      PH_ASSIGN_OR_RETURN(std::uint64_t line, er.count(e, "line"));
      bool counted = true;
      if (auto c = e.find("counted"); c != e.end() && c->is_boolean()) counted = c->get<bool>();
      addSource(s.sources, file);
      s.evidence.push_back(evidenceLine(weight, signal, value, signature, group, counted,
                                        whereText(file, frame, line), n));
    }
  }
  if (auto sv = d.find("services"); sv != d.end() && !sv->is_null()) {
    if (!sv->is_array()) return r.error("services", "a list of objects");
    for (std::size_t i = 0; i < sv->size(); ++i) {
      const Json& e = (*sv)[i];
      const JsonReader sr(r.prefix() + "services[" + std::to_string(i + 1) + "].");
      if (!e.is_object()) return r.error("services[" + std::to_string(i + 1) + "]", "an object");
      ServiceUse u;
      PH_ASSIGN_OR_RETURN(u.service, sr.text(e, "service", true));
      if (u.service.empty()) return sr.error("service", "a host or host/path");
      PH_ASSIGN_OR_RETURN(u.user, sr.text(e, "user", false));
      PH_ASSIGN_OR_RETURN(u.user_agent, sr.text(e, "user_agent", false));
      PH_ASSIGN_OR_RETURN(u.count, sr.count(e, "count"));
      PH_ASSIGN_OR_RETURN(std::string file, sr.text(e, "file", false));
      PH_ASSIGN_OR_RETURN(std::uint64_t frame, sr.count(e, "frame"));
      PH_ASSIGN_OR_RETURN(std::uint64_t line, sr.count(e, "line"));
      u.where = whereText(file, frame, line);
      addSource(s.sources, file);
      classify(u, signatures);
      if (!u.user.empty() && std::find(s.users.begin(), s.users.end(), u.user) == s.users.end()) {
        s.users.push_back(u.user);
      }
      s.services.push_back(std::move(u));
    }
  }
  s.seen_on = judgedDay(s, recording);
  return s;
}

Result<std::vector<campaign::Sighting>> loadAllSightings(storage::Repository& repo,
                                                         std::optional<Date> as_of) {
  storage::SightingStore store(repo);
  storage::SightingQuery q;
  q.as_of = as_of;
  return store.loadSightings(q);
}

Result<campaign::Reconciler> reconciler(storage::Repository& repo) {
  storage::SightingStore store(repo);
  PH_ASSIGN_OR_RETURN(auto in, store.loadReconcileInputs());
  return campaign::Reconciler(std::move(in.people), std::move(in.devices),
                              std::move(in.directives));
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
    addSource(s.sources, file);
    s.evidence.push_back(evidenceLine(e.weight, detect::name(e.signal), e.value, sig.id,
                                      signatures.group(sig.group).id, e.counted,
                                      whereText(file, e.where.frame, e.where.line), e.count));
  }
  for (const auto& use : v.services) {
    ServiceUse u;
    u.service = use.service;
    u.user = use.user;
    u.user_agent = use.user_agent;
    u.count = use.count;
    const std::string file = sourceName(use.where.source);
    addSource(s.sources, file);
    u.where = whereText(file, use.where.frame, use.where.line);
    classify(u, signatures);
    s.services.push_back(std::move(u));
  }
  s.seen_on = !override_day && s.last_seen_ms != 0 ? Date::fromEpochMs(s.last_seen_ms) : day;
  return s;
}

Result<std::vector<campaign::Sighting>> parseDetectJson(std::string_view text,
                                                        std::string_view source_name,
                                                        const detect::SignatureSet& signatures,
                                                        const Recording& recording) {
  const std::string name(source_name);
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return invalidArgument(name + ": not valid JSON (byte " + std::to_string(e.byte) +
                           "); expected the output of 'phaseout detect --format json'");
  }
  if (!doc.is_object() || !doc.contains("devices") || !doc["devices"].is_array()) {
    return invalidArgument(name +
                           ": expected an object with a \"devices\" list (the output of "
                           "'phaseout detect --format json')");
  }
  std::vector<Sighting> out;
  const Json& devices = doc["devices"];
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const JsonReader r(name + ": devices[" + std::to_string(i + 1) + "].");
    PH_ASSIGN_OR_RETURN(Sighting s, sightingFromJson(devices[i], r, signatures, recording));
    out.push_back(std::move(s));
  }
  return out;
}

Result<SightingsRecorded> recordSightings(Workspace& ws,
                                          const std::vector<campaign::Sighting>& sightings,
                                          const std::vector<std::string>& sources,
                                          const Recording& recording) {
  if (sightings.empty()) return invalidArgument("no devices to record as sightings");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  storage::SightingStore store(repo);
  PH_ASSIGN_OR_RETURN(auto batch, store.recordSightings(sightings, sources,
                                                        changeFor(recording, join(sources, ", "))));
  PH_RETURN_IF_ERROR(tx->commit());
  return SightingsRecorded{batch.seq, batch.sightings, sources};
}

Result<SightingsRecorded> recordSightings(Workspace& ws,
                                          const std::vector<detect::DeviceVerdict>& verdicts,
                                          const std::vector<std::string>& sources,
                                          const detect::SignatureSet& signatures,
                                          const Recording& recording) {
  std::vector<Sighting> sightings;
  sightings.reserve(verdicts.size());
  const Date day = recording.on ? *recording.on : recording.today();
  for (const auto& v : verdicts) {
    sightings.push_back(toSighting(v, sources, signatures, day, recording.on.has_value()));
  }
  return recordSightings(ws, sightings, sources, recording);
}

Result<SightingsRecorded> importDetectJson(Workspace& ws, const std::string& path,
                                           const detect::SignatureSet& signatures,
                                           const Recording& recording) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  PH_ASSIGN_OR_RETURN(auto sightings, parseDetectJson(text, path, signatures, recording));
  if (sightings.empty()) return invalidArgument(path + ": no devices to record");
  return recordSightings(ws, sightings, {path}, recording);
}

Result<std::vector<campaign::Sighting>> listSightings(Workspace& ws, const SightingFilter& filter) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  storage::SightingStore store(repo);
  storage::SightingQuery q;
  q.since = filter.since;
  q.as_of = filter.as_of;
  PH_ASSIGN_OR_RETURN(auto sightings, store.loadSightings(q));
  if (filter.device_id.empty()) return sightings;
  PH_ASSIGN_OR_RETURN(bool exists, repo.deviceExists(filter.device_id));
  if (!exists) return notFound("no device '" + filter.device_id + "' in the inventory");
  PH_ASSIGN_OR_RETURN(auto r, reconciler(repo));
  std::erase_if(sightings,
                [&](const Sighting& s) { return r.matchedDeviceId(s) != filter.device_id; });
  return sightings;
}

Result<std::vector<campaign::Finding>> findings(Workspace& ws, const FindingQuery& query) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kRead));
  PH_RETURN_IF_ERROR(checkDirectiveExists(repo, query.directive_id));
  PH_ASSIGN_OR_RETURN(auto sightings, loadAllSightings(repo, query.as_of));
  PH_ASSIGN_OR_RETURN(auto r, reconciler(repo));
  auto out = r.findings(sightings, query.as_of);
  std::erase_if(out, [&](const campaign::Finding& f) {
    return (!query.directive_id.empty() && f.directive_id != query.directive_id) ||
           (query.kind && f.kind != *query.kind);
  });
  return out;
}

Result<NetworkFindingCounts> networkFindingCounts(Workspace& ws, const std::string& directive_id,
                                                  Date as_of) {
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
  PH_ASSIGN_OR_RETURN(auto r, reconciler(repo));
  for (const auto& f : r.findings(sightings, as_of)) {
    if (f.directive_id != directive_id) continue;
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
