#include "service/detect_json.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/json_writer.h"
#include "core/strings.h"
#include "detect/scoring.h"
#include "dissect/observation.h"
#include "service/sighting_text.h"

namespace phaseout::service {
namespace {

using campaign::ServiceUse;
using campaign::Sighting;

constexpr std::int64_t kNsPerMs = 1'000'000;

// --- writing ------------------------------------------------------------------------------

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void appendStringArray(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    appendJsonString(out, values[i]);
  }
  out += ']';
}

std::string isoTime(std::int64_t ns) {
  std::string out;
  dissect::appendTimestamp(ns, out);
  return out;
}

// "file" and "frame" (captures) or "line" (logs) of a first sighting, when known.
void appendWhere(std::string& out, const detect::Where& where,
                 const std::vector<std::string>& sources) {
  if (where.frame == 0 && where.line == 0) return;
  appendJsonKey(out, "file");
  appendJsonString(out, where.source < sources.size() ? sources[where.source] : std::string());
  if (where.frame != 0) {
    appendJsonKey(out, "frame");
    appendJsonInt(out, static_cast<std::int64_t>(where.frame));
  } else {
    appendJsonKey(out, "line");
    appendJsonInt(out, static_cast<std::int64_t>(where.line));
  }
}

}  // namespace

void writeDetectJson(const DetectReport& report, const DetectSetup& setup, std::string& out) {
  const detect::SignatureSet& set = *setup.signatures;
  out += "{\"devices\": [";
  bool first_device = true;
  for (const auto& d : report.devices) {
    out += first_device ? "\n  {" : ",\n  {";
    first_device = false;
    appendJsonKey(out, "key", true);
    appendJsonString(out, d.key);
    appendJsonKey(out, "macs");
    appendStringArray(out, d.macs);
    appendJsonKey(out, "ips");
    appendStringArray(out, d.ips);
    appendJsonKey(out, "hostnames");
    appendStringArray(out, d.hostnames);
    appendJsonKey(out, "users");
    appendStringArray(out, d.users);
    if (d.first_seen_ns != 0) {
      appendJsonKey(out, "first_seen");
      appendJsonString(out, isoTime(d.first_seen_ns));
      appendJsonKey(out, "last_seen");
      appendJsonString(out, isoTime(d.last_seen_ns));
    }
    appendJsonKey(out, "platform");
    appendJsonString(out, platform::name(d.verdict.platform()));
    appendJsonKey(out, "kind");
    appendJsonString(out, platform::name(d.kind));
    if (!d.vendor.empty()) {
      appendJsonKey(out, "vendor");
      appendJsonString(out, d.vendor);
    }
    if (!d.model.empty()) {
      appendJsonKey(out, "model");
      appendJsonString(out, d.model);
    }
    appendJsonKey(out, "confidence");
    out += fixed(d.verdict.confidence, 4);
    appendJsonKey(out, "level");
    appendJsonString(out, detect::name(d.verdict.level));
    // Why the level: groups specific to the platform (margin >= 0.5 over every platform
    // outside its family) and the nearest other platform (scoring.h).
    appendJsonKey(out, "specific_groups");
    appendJsonInt(out, static_cast<std::int64_t>(d.verdict.discriminating_groups));
    appendJsonKey(out, "rival");
    appendJsonString(out, detect::hypothesisName(d.verdict.rival));
    appendJsonKey(out, "candidates");
    out += '[';
    bool first = true;
    for (const auto& c : detect::candidates(d.verdict)) {
      out += first ? "{" : ", {";
      first = false;
      appendJsonKey(out, "platform", true);
      appendJsonString(out, detect::hypothesisName(c.platform));
      appendJsonKey(out, "p");
      out += fixed(c.probability, 4);
      out += '}';
    }
    out += ']';
    appendJsonKey(out, "evidence");
    out += '[';
    first = true;
    for (const auto& e : d.evidence) {
      const detect::Signature& s = set.signature(e.signature);
      out += first ? "\n    {" : ",\n    {";
      first = false;
      appendJsonKey(out, "signal", true);
      appendJsonString(out, detect::name(e.signal));
      appendJsonKey(out, "value");
      appendJsonString(out, e.value);
      appendJsonKey(out, "signature");
      appendJsonString(out, s.id);
      appendJsonKey(out, "weight");
      out += fixed(e.weight, 2);
      appendJsonKey(out, "margin");
      out += fixed(e.margin, 2);
      appendJsonKey(out, "group");
      appendJsonString(out, set.group(s.group).id);
      appendJsonKey(out, "counted");
      out += e.counted ? "true" : "false";
      if (s.observed_only) {
        appendJsonKey(out, "observed_only");
        out += "true";
      }
      appendJsonKey(out, "count");
      appendJsonInt(out, static_cast<std::int64_t>(e.count));
      appendWhere(out, e.where, report.sources);
      out += '}';
    }
    out += ']';
    appendJsonKey(out, "services");
    out += '[';
    first = true;
    for (const auto& u : d.services) {
      out += first ? "\n    {" : ",\n    {";
      first = false;
      appendJsonKey(out, "service", true);
      appendJsonString(out, u.service);
      appendJsonKey(out, "user");
      appendJsonString(out, u.user);
      appendJsonKey(out, "user_agent");
      appendJsonString(out, u.user_agent);
      appendJsonKey(out, "count");
      appendJsonInt(out, static_cast<std::int64_t>(u.count));
      appendWhere(out, u.where, report.sources);
      out += '}';
    }
    out += "]}";
  }
  out += first_device ? "],\n" : "\n],\n";
  const DetectReport::LevelCounts c = report.levels();
  auto field = [&out](std::string_view key, std::uint64_t v, bool first = false) {
    appendJsonKey(out, key, first);
    appendJsonInt(out, static_cast<std::int64_t>(v));
  };
  out += "\"stats\": {";
  field("files", report.observe.files, true);
  field("unreadable_files", report.observe.unreadable_files);
  field("packets", report.observe.packets);
  field("bytes", report.observe.bytes);
  field("observations", report.observe.observations);
  field("warnings", report.observe.warnings);
  field("log_files", report.logs.files);
  field("log_lines", report.logs.lines);
  field("log_records", report.logs.records);
  field("log_bad_lines", report.logs.bad_lines);
  field("evidence", report.ledger.evidence);
  field("service_uses", report.ledger.service_uses);
  field("services_dropped", report.ledger.services_dropped);
  field("users_dropped", report.ledger.users_dropped);
  field("devices", report.devices.size());
  field("confirmed", c.confirmed);
  field("likely", c.likely);
  field("unknown", c.unknown);
  field("routers", report.ledger.routers);
  field("linked", report.ledger.linked);
  appendJsonKey(out, "signatures");
  appendJsonString(out, set.version());
  appendJsonKey(out, "oui");
  appendJsonString(out, setup.ouiSource());
  appendJsonKey(out, "anomalies");
  out += '{';
  bool first = true;
  for (const auto& [name, count] : report.observe.anomalies.all()) {
    field(name, count, first);
    first = false;
  }
  out += "}}}\n";
}

namespace {

// --- reading ------------------------------------------------------------------------------

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
      bool observed_only = false;
      if (auto o = e.find("observed_only"); o != e.end() && o->is_boolean()) {
        observed_only = o->get<bool>();
      }
      addSightingSource(s.sources, file);
      s.evidence.push_back(sightingEvidenceLine(weight, signal, value, signature, group, counted,
                                                observed_only, sightingWhere(file, frame, line),
                                                n));
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
      u.where = sightingWhere(file, frame, line);
      addSightingSource(s.sources, file);
      classifyServiceUse(u, signatures);
      if (!u.user.empty() && std::find(s.users.begin(), s.users.end(), u.user) == s.users.end()) {
        s.users.push_back(u.user);
      }
      s.services.push_back(std::move(u));
    }
  }
  s.seen_on = judgedDay(s, recording);
  return s;
}

}  // namespace

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
                           "); expected the JSON output of detect");
  }
  if (!doc.is_object() || !doc.contains("devices") || !doc["devices"].is_array()) {
    return invalidArgument(name +
                           ": expected an object with a \"devices\" list (the JSON output of "
                           "detect)");
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

}  // namespace phaseout::service
