#include "service/detect_text.h"

#include <cstdio>

#include "core/strings.h"
#include "detect/scoring.h"
#include "dissect/observation.h"

namespace phaseout::service {
namespace {

// Service uses listed per device; the JSON form lists all.
constexpr std::size_t kMaxTextServices = 10;

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string signedWeight(float w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", static_cast<double>(w));
  return buf;
}

std::string baseName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string isoTime(std::int64_t ns) {
  std::string out;
  dissect::appendTimestamp(ns, out);
  return out;
}

}  // namespace

void writeDetectText(const DetectReport& report, const DetectSetup& setup, std::string& out) {
  const detect::SignatureSet& set = *setup.signatures;
  for (const auto& d : report.devices) {
    out += d.key + "  " + std::string(platform::name(d.verdict.platform()));
    if (d.kind != platform::Kind::kUnknown) out += " " + std::string(platform::name(d.kind));
    out += "  " + std::string(detect::name(d.verdict.level)) + " " + fixed(d.verdict.confidence, 3);
    if (d.verdict.level == detect::Level::kUnknown) {
      out += "  (";
      bool first = true;
      for (const auto& c : detect::candidates(d.verdict)) {
        out += (first ? "" : ", ") + std::string(detect::hypothesisName(c.platform)) + " " +
               fixed(c.probability, 2);
        first = false;
      }
      out += ")";
    }
    if (!d.vendor.empty()) out += "  " + d.vendor;
    if (!d.model.empty()) out += " " + d.model;
    out += '\n';
    if (d.verdict.level != detect::Level::kUnknown) {
      out += "    specific signals: " + std::to_string(d.verdict.discriminating_groups) +
             " groups (nearest other platform: " +
             std::string(detect::hypothesisName(d.verdict.rival)) + ")\n";
    }
    if (!d.macs.empty()) out += "    macs: " + join(d.macs, " ") + '\n';
    if (!d.ips.empty()) out += "    ips: " + join(d.ips, " ") + '\n';
    if (!d.hostnames.empty()) out += "    hostnames: " + join(d.hostnames, " ") + '\n';
    if (!d.users.empty()) out += "    users: " + join(d.users, " ") + '\n';
    if (d.first_seen_ns != 0) {
      out += "    seen: " + isoTime(d.first_seen_ns) + " .. " + isoTime(d.last_seen_ns) + '\n';
    }
    for (const auto& e : d.evidence) {
      const detect::Signature& s = set.signature(e.signature);
      out += "    " + signedWeight(e.weight) + " (margin " + signedWeight(e.margin) + ")" +
             (e.counted ? "  " : " ~") + std::string(detect::name(e.signal)) + " \"" + e.value +
             "\" [" + s.id + ", " + set.group(s.group).id +
             (s.observed_only ? ", observed only]" : "]");
      if (e.where.frame != 0 && e.where.source < report.sources.size()) {
        out += " " + baseName(report.sources[e.where.source]) + "#" + std::to_string(e.where.frame);
      } else if (e.where.line != 0 && e.where.source < report.sources.size()) {
        out += " " + baseName(report.sources[e.where.source]) + ":" + std::to_string(e.where.line);
      }
      if (e.count > 1) out += " x" + std::to_string(e.count);
      out += '\n';
    }
    for (std::size_t i = 0; i < d.services.size() && i < kMaxTextServices; ++i) {
      const auto& u = d.services[i];
      out += "    service " + u.service;
      if (!u.user.empty()) out += " user=" + u.user;
      if (u.count > 1) out += " x" + std::to_string(u.count);
      if (!u.user_agent.empty()) out += " \"" + u.user_agent + "\"";
      out += '\n';
    }
    if (d.services.size() > kMaxTextServices) {
      out += "    (" + std::to_string(d.services.size() - kMaxTextServices) +
             " more services; --format json lists all)\n";
    }
  }
  const DetectReport::LevelCounts c = report.levels();
  out += "stats: files=" + std::to_string(report.observe.files) +
         " packets=" + std::to_string(report.observe.packets) +
         " log_files=" + std::to_string(report.logs.files) +
         " log_lines=" + std::to_string(report.logs.lines) +
         " log_bad_lines=" + std::to_string(report.logs.bad_lines) +
         " observations=" + std::to_string(report.observe.observations) +
         " devices=" + std::to_string(report.devices.size()) +
         " confirmed=" + std::to_string(c.confirmed) + " likely=" + std::to_string(c.likely) +
         " unknown=" + std::to_string(c.unknown) + " oui=" + setup.ouiSource() + '\n';
  out +=
      "(~ marks evidence outweighed within its group; weights are log10 likelihood ratios "
      "for the platform shown; the margin is the weight minus the evidence's largest weight for "
      "a platform outside that platform's family: confirmed needs two groups with a margin of "
      "0.5 or more)\n";
}

}  // namespace phaseout::service
