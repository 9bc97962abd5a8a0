#include "report/sightings_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/strings.h"

namespace phaseout::report {
namespace {

using nlohmann::ordered_json;

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

ordered_json sightingObject(const campaign::Sighting& s) {
  ordered_json services = ordered_json::array();
  for (const auto& u : s.services) {
    services.push_back({{"service", u.service},
                        {"user", u.user},
                        {"user_agent", u.user_agent},
                        {"ua_platform", platform::name(u.ua_platform)},
                        {"ua_kind", platform::name(u.ua_kind)},
                        {"where", u.where},
                        {"count", u.count}});
  }
  return {{"id", s.id},
          {"key", s.key},
          {"seen_on", s.seen_on.toString()},
          {"first_seen_ms", s.first_seen_ms},
          {"last_seen_ms", s.last_seen_ms},
          {"macs", s.macs},
          {"ips", s.ips},
          {"hostnames", s.hostnames},
          {"users", s.users},
          {"serial", s.serial},
          {"platform", platform::name(s.platform)},
          {"kind", platform::name(s.kind)},
          {"vendor", s.vendor},
          {"model", s.model},
          {"level", campaign::name(s.level)},
          {"confidence", s.confidence},
          {"sources", s.sources},
          {"services", services},
          {"evidence", s.evidence}};
}

}  // namespace

std::string sightingListJson(const std::vector<campaign::Sighting>& sightings) {
  ordered_json list = ordered_json::array();
  for (const auto& s : sightings) list.push_back(sightingObject(s));
  return ordered_json{{"sightings", list}}.dump(2) + "\n";
}

std::string sightingListText(const std::vector<campaign::Sighting>& sightings) {
  std::string out;
  for (const auto& s : sightings) {
    out += s.id + "  " + s.seen_on.toString() + "  " + std::string(platform::name(s.platform));
    if (s.kind != platform::Kind::kUnknown) out += " " + std::string(platform::name(s.kind));
    out += "  " + std::string(campaign::name(s.level)) + " " + fixed(s.confidence) + "  " + s.key;
    if (!s.vendor.empty()) out += "  " + s.vendor;
    if (!s.model.empty()) out += " " + s.model;
    out += "\n";
    if (!s.macs.empty()) out += "    macs: " + join(s.macs, " ") + "\n";
    if (!s.ips.empty()) out += "    ips: " + join(s.ips, " ") + "\n";
    if (!s.hostnames.empty()) out += "    hostnames: " + join(s.hostnames, " ") + "\n";
    if (!s.users.empty()) out += "    users: " + join(s.users, " ") + "\n";
    for (const auto& u : s.services) {
      out += "    service " + u.service;
      if (!u.user.empty()) out += " by " + u.user;
      out += " (" + std::string(platform::name(u.ua_platform)) + " " +
             std::string(platform::name(u.ua_kind)) + ")";
      if (!u.where.empty()) out += " at " + u.where;
      out += "\n";
    }
    if (!s.sources.empty()) out += "    sources: " + join(s.sources, ", ") + "\n";
  }
  out += std::to_string(sightings.size()) + " sighting(s)\n";
  return out;
}

std::string findingListJson(Date as_of, const std::vector<campaign::Finding>& findings) {
  ordered_json list = ordered_json::array();
  for (const auto& f : findings) {
    list.push_back({{"kind", campaign::name(f.kind)},
                    {"directive", f.directive_id},
                    {"seen_on", f.seen_on.toString()},
                    {"sighting", f.sighting_id},
                    {"sighting_key", f.sighting_key},
                    {"device", f.device_id},
                    {"person", f.person_id},
                    {"reason", f.reason},
                    {"evidence", f.evidence}});
  }
  return ordered_json{{"as_of", as_of.toString()}, {"findings", list}}.dump(2) + "\n";
}

std::string findingListText(Date as_of, const std::vector<campaign::Finding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    out += std::string(campaign::name(f.kind)) + "  " +
           (f.directive_id.empty() ? "-" : f.directive_id) + "  " + f.seen_on.toString() + "  " +
           f.sighting_id;
    if (!f.device_id.empty()) out += "  device " + f.device_id;
    if (!f.person_id.empty()) out += "  person " + f.person_id;
    out += "\n  " + f.reason + "\n";
    for (const auto& e : f.evidence) out += "    " + e + "\n";
  }
  out += std::to_string(findings.size()) + " finding(s) as of " + as_of.toString() + "\n";
  return out;
}

std::string sightingsImportedJson(const std::vector<std::string>& files, std::size_t sightings,
                                  std::int64_t event_seq) {
  ordered_json out;
  if (files.size() == 1) {
    out["file"] = files.front();
  } else {
    out["files"] = files;
  }
  out["sightings"] = sightings;
  out["event_seq"] = event_seq;
  return out.dump() + "\n";
}

std::string sightingsImportedText(const std::vector<std::string>& files, std::size_t sightings,
                                  std::int64_t event_seq) {
  return join(files, ", ") + ": " + std::to_string(sightings) +
         " sighting(s) recorded (audit entry " + std::to_string(event_seq) + ")\n";
}

}  // namespace phaseout::report
