#include "report/status_report.h"

#include <algorithm>
#include <cstdio>

#include "core/json_writer.h"
#include "core/strings.h"

namespace phaseout::report {
namespace {

using policy::Evaluation;
using policy::StatusCounts;
using policy::Verdict;
using policy::VerdictStatus;

const std::string kEmpty;

const std::string& unitOf(const Verdict& v) { return v.holder ? v.holder->unit : kEmpty; }
const std::string& personOf(const Verdict& v) { return v.holder ? v.holder->person_id : kEmpty; }

std::string percentText(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", p);
  return buf;
}

// {"people_in_scope": n (when people is given), "devices_in_scope": n, "compliant": n, ...}
void appendCountsJson(std::string& out, const StatusCounts& c, const std::size_t* people) {
  out += '{';
  bool first = true;
  if (people) {
    appendJsonKey(out, "people_in_scope", true);
    appendJsonInt(out, static_cast<std::int64_t>(*people));
    first = false;
  }
  appendJsonKey(out, "devices_in_scope", first);
  appendJsonInt(out, static_cast<std::int64_t>(c.devices_in_scope));
  const std::pair<const char*, std::size_t> fields[] = {{"compliant", c.compliant},
                                                        {"pending", c.pending},
                                                        {"overdue", c.overdue},
                                                        {"exempt", c.exempt},
                                                        {"unknown", c.unknown}};
  for (const auto& [key, value] : fields) {
    appendJsonKey(out, key);
    appendJsonInt(out, static_cast<std::int64_t>(value));
  }
  out += '}';
}

std::string daysText(int days_left) {
  if (days_left > 1) return std::to_string(days_left) + " days left";
  if (days_left == 1) return "1 day left";
  if (days_left == 0) return "due today";
  if (days_left == -1) return "passed 1 day ago";
  return "passed " + std::to_string(-days_left) + " days ago";
}

std::string csvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos &&
      (s.empty() || (s.front() != ' ' && s.back() != ' '))) {
    return std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// "12 of 30 banned devices surrendered", "4 of 9 holders hold an allowed replacement".
std::string progressText(const campaign::MilestoneCheck& c) {
  std::string what;
  if (c.requires_what == policy::kRequiresBannedDevicesSurrendered) {
    what = "banned devices surrendered";
  } else if (c.requires_what == policy::kRequiresAllowedReplacementHeld) {
    what = "holders hold an allowed replacement";
  } else {
    what = "banned devices out of use or exempt";
  }
  std::string out = std::to_string(c.met) + " of " + std::to_string(c.total) + " " + what;
  if (c.passed() && !c.complete()) out += " (missed)";
  return out;
}

// [{"device_id", "person_id", "unit", "platform", "kind", "status", "rule", "reason"}, ...]
void appendDevicesJson(std::string& out, const Evaluation& evaluation) {
  out += '[';
  bool first = true;
  for (const Verdict& v : evaluation.verdicts) {
    if (!first) out += ',';
    first = false;
    out += '{';
    appendJsonKey(out, "device_id", true);
    appendJsonString(out, v.device->device_id);
    appendJsonKey(out, "person_id");
    appendJsonString(out, personOf(v));
    appendJsonKey(out, "unit");
    appendJsonString(out, unitOf(v));
    appendJsonKey(out, "platform");
    appendJsonString(out, platform::name(v.device->platform));
    appendJsonKey(out, "kind");
    appendJsonString(out, platform::name(v.device->kind));
    appendJsonKey(out, "status");
    appendJsonString(out, policy::name(v.status));
    appendJsonKey(out, "rule");
    appendJsonInt(out, v.rule);
    appendJsonKey(out, "reason");
    appendJsonString(out, v.reason);
    out += '}';
  }
  out += ']';
}

}  // namespace

namespace {

// statusJson over a summary; `devices` (the evaluation whose verdicts are listed) may be null.
std::string summaryJson(const policy::Directive& directive, const policy::EvaluationSummary& s,
                        const std::vector<campaign::MilestoneCheck>& checks,
                        const NetworkSummary* network, const Evaluation* devices) {
  std::string out;
  out.reserve(devices ? 256 + devices->verdicts.size() * 256 : 4096);
  out += '{';
  appendJsonKey(out, "directive", true);
  appendJsonString(out, directive.id);
  appendJsonKey(out, "as_of");
  appendJsonString(out, s.as_of.toString());
  appendJsonKey(out, "totals");
  appendCountsJson(out, s.total.devices, &s.total.people_in_scope);
  appendJsonKey(out, "units");
  out += '[';
  for (std::size_t i = 0; i < s.units.size(); ++i) {
    if (i) out += ',';
    out += '{';
    appendJsonKey(out, "unit", true);
    appendJsonString(out, s.units[i].unit);
    appendJsonKey(out, "people_in_scope");
    appendJsonInt(out, static_cast<std::int64_t>(s.units[i].people_in_scope));
    appendJsonKey(out, "counts");
    appendCountsJson(out, s.units[i].devices, nullptr);
    out += '}';
  }
  out += ']';
  appendJsonKey(out, "milestones");
  out += '[';
  for (std::size_t i = 0; i < s.milestones.size(); ++i) {
    if (i) out += ',';
    out += '{';
    appendJsonKey(out, "name", true);
    appendJsonString(out, s.milestones[i].name);
    appendJsonKey(out, "due");
    appendJsonString(out, s.milestones[i].due.toString());
    appendJsonKey(out, "days_left");
    appendJsonInt(out, s.milestones[i].days_left);
    if (i < checks.size()) {
      appendJsonKey(out, "requires");
      appendJsonString(out, checks[i].requires_what);
      appendJsonKey(out, "met");
      appendJsonInt(out, static_cast<std::int64_t>(checks[i].met));
      appendJsonKey(out, "total");
      appendJsonInt(out, static_cast<std::int64_t>(checks[i].total));
    }
    out += '}';
  }
  out += ']';
  if (network != nullptr) {
    appendJsonKey(out, "network");
    out += '{';
    const std::pair<const char*, std::size_t> fields[] = {
        {"sightings", network->sightings},
        {"findings", network->findings()},
        {"banned_platform", network->banned_platform},
        {"unknown_phone", network->unknown_phone},
        {"disposed_seen_again", network->disposed_seen_again},
        {"usage_ban", network->usage_ban}};
    bool first = true;
    for (const auto& [key, value] : fields) {
      appendJsonKey(out, key, first);
      appendJsonInt(out, static_cast<std::int64_t>(value));
      first = false;
    }
    out += '}';
  }
  if (devices != nullptr) {
    appendJsonKey(out, "devices");
    appendDevicesJson(out, *devices);
  }
  out += "}\n";
  return out;
}

}  // namespace

std::string statusJson(const policy::Directive& directive, const Evaluation& evaluation,
                       bool include_devices, const std::vector<campaign::MilestoneCheck>& checks,
                       const NetworkSummary* network) {
  return summaryJson(directive, policy::summarize(directive, evaluation), checks, network,
                     include_devices ? &evaluation : nullptr);
}

std::string statusJson(const policy::Directive& directive, const policy::EvaluationSummary& summary,
                       const std::vector<campaign::MilestoneCheck>& checks,
                       const NetworkSummary* network) {
  return summaryJson(directive, summary, checks, network, nullptr);
}

std::string statusDevicesJson(const Evaluation& evaluation) {
  std::string out;
  out.reserve(32 + evaluation.verdicts.size() * 256);
  out += '{';
  appendJsonKey(out, "devices", true);
  appendDevicesJson(out, evaluation);
  out += "}\n";
  return out;
}

namespace {

// statusText over a summary; `devices` (the evaluation whose devices needing action are
// listed) may be null.
std::string summaryText(const policy::Directive& directive, const policy::EvaluationSummary& s,
                        const std::vector<campaign::MilestoneCheck>& checks,
                        const NetworkSummary* network, const Evaluation* devices) {
  std::size_t width = 5;  // "TOTAL"
  for (const auto& row : s.units) width = std::max(width, row.unit.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%s: %s\nas of %s: %zu people and %zu devices in scope\n\n",
                directive.id.c_str(), directive.title.c_str(), s.as_of.toString().c_str(),
                s.total.people_in_scope, s.total.devices.devices_in_scope);
  out += line;
  const int w = static_cast<int>(width);
  std::snprintf(line, sizeof line, "%-*s %8s %9s %8s %8s %7s %8s %7s\n", w, "UNIT", "IN SCOPE",
                "COMPLIANT", "PENDING", "OVERDUE", "EXEMPT", "UNKNOWN", "DONE");
  out += line;
  auto row = [&](const std::string& unit, const StatusCounts& c) {
    std::snprintf(line, sizeof line, "%-*s %8zu %9zu %8zu %8zu %7zu %8zu %7s\n", w, unit.c_str(),
                  c.devices_in_scope, c.compliant, c.pending, c.overdue, c.exempt, c.unknown,
                  percentText(c.percentDone()).c_str());
    out += line;
  };
  for (const auto& u : s.units) row(u.unit.empty() ? "(no unit)" : u.unit, u.devices);
  out += std::string(width + 66, '-') + "\n";
  row("TOTAL", s.total.devices);
  out += "\nmilestones:\n";
  for (std::size_t i = 0; i < s.milestones.size(); ++i) {
    const auto& m = s.milestones[i];
    std::snprintf(line, sizeof line, "  %-12s due %s  %-18s", m.name.c_str(),
                  m.due.toString().c_str(), daysText(m.days_left).c_str());
    out += line;
    if (i < checks.size()) out += progressText(checks[i]);
    out += '\n';
  }
  if (network != nullptr) {
    std::snprintf(line, sizeof line,
                  "\nnetwork: %zu device(s) seen, %zu finding(s): %zu banned platform, %zu unknown "
                  "phone, %zu disposed but seen again, %zu usage ban%s\n",
                  network->sightings, network->findings(), network->banned_platform,
                  network->unknown_phone, network->disposed_seen_again, network->usage_ban,
                  network->findings() > 0 ? " (see 'phaseout sightings findings')" : "");
    out += line;
  }
  if (devices != nullptr) {
    out += "\ndevices needing action:\n";
    for (const Verdict& v : devices->verdicts) {
      if (v.status == VerdictStatus::kCompliant || v.status == VerdictStatus::kExempt) continue;
      out += "  ";
      out += v.device->device_id;
      out += "  ";
      out += policy::name(v.status);
      out += "  ";
      out += v.reason;
      out += '\n';
    }
  }
  return out;
}

}  // namespace

std::string statusText(const policy::Directive& directive, const Evaluation& evaluation,
                       bool include_devices, const std::vector<campaign::MilestoneCheck>& checks,
                       const NetworkSummary* network) {
  return summaryText(directive, policy::summarize(directive, evaluation), checks, network,
                     include_devices ? &evaluation : nullptr);
}

std::string statusText(const policy::Directive& directive, const policy::EvaluationSummary& summary,
                       const std::vector<campaign::MilestoneCheck>& checks,
                       const NetworkSummary* network) {
  return summaryText(directive, summary, checks, network, nullptr);
}

std::string statusCsv(const Evaluation& evaluation) {
  std::string out = "device_id,person_id,unit,model,platform,kind,status,rule,reason\n";
  for (const Verdict& v : evaluation.verdicts) {
    out += csvField(v.device->device_id) + ',' + csvField(personOf(v)) + ',' + csvField(unitOf(v)) +
           ',' + csvField(v.device->model) + ',' + std::string(platform::name(v.device->platform)) +
           ',' + std::string(platform::name(v.device->kind)) + ',' +
           std::string(policy::name(v.status)) + ',' + std::to_string(v.rule) + ',' +
           csvField(v.reason) + '\n';
  }
  return out;
}

std::string statusHtml(const policy::Directive& directive, const Evaluation& evaluation,
                       const std::vector<campaign::MilestoneCheck>& checks) {
  return statusHtml(directive, evaluation, checks, {});
}

std::string statusHtml(const policy::Directive& directive, const Evaluation& evaluation,
                       const std::vector<campaign::MilestoneCheck>& checks,
                       std::string_view chart_svg, const NetworkSummary* network) {
  const policy::EvaluationSummary s = policy::summarize(directive, evaluation);
  std::string out;
  out += R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)" +
         escapeMarkup(directive.id) + " status as of " + evaluation.as_of.toString() + R"(</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1b1f24}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #d0d7de}
.meta{color:#57606a}.cards{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6em 1em;min-width:7em}
.card b{display:block;font-size:1.6em}
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.pending{color:#9a6700}.overdue{color:#cf222e;font-weight:600}.unknown{color:#6e7781}.compliant{color:#1a7f37}
.bar{background:#eaeef2;border-radius:3px;height:.7em;width:8em;display:inline-block;vertical-align:middle}
.bar i{display:block;height:100%;background:#2da44e;border-radius:3px}
</style></head><body>
)";
  out += "<h1>" + escapeMarkup(directive.title) + "</h1>\n";
  out += "<p class=\"meta\">Directive <b>" + escapeMarkup(directive.id) + "</b>, issued " +
         directive.issued.toString() + " by " + escapeMarkup(directive.issuer) +
         ". Status as of <b>" + evaluation.as_of.toString() + "</b>.</p>\n";
  if (!directive.reason.empty()) out += "<p>Reason: " + escapeMarkup(directive.reason) + "</p>\n";
  const StatusCounts& t = s.total.devices;
  out += "<div class=\"cards\">";
  auto card = [&](const char* label, std::size_t n, const char* cls) {
    out += std::string("<div class=\"card ") + cls + "\"><b>" + std::to_string(n) + "</b>" + label +
           "</div>";
  };
  card("people in scope", s.total.people_in_scope, "");
  card("devices in scope", t.devices_in_scope, "");
  card("compliant", t.compliant, "compliant");
  card("pending", t.pending, "pending");
  card("overdue", t.overdue, "overdue");
  card("exempt", t.exempt, "");
  card("unknown", t.unknown, "unknown");
  out += "</div>\n<p>Done: <b>" + percentText(t.percentDone()) + "</b> of devices in scope.</p>\n";

  out +=
      "<h2>Milestones</h2>\n<table><tr><th>Milestone</th><th>Due</th><th>Time</th>"
      "<th>Progress</th></tr>\n";
  for (std::size_t i = 0; i < s.milestones.size(); ++i) {
    const auto& m = s.milestones[i];
    out += "<tr><td>" + escapeMarkup(m.name) + "</td><td>" + m.due.toString() + "</td><td>" +
           daysText(m.days_left) + "</td><td>" +
           (i < checks.size() ? escapeMarkup(progressText(checks[i])) : std::string()) +
           "</td></tr>\n";
  }
  out += "</table>\n";
  if (!chart_svg.empty()) {
    out += "<h2>Burn-down</h2>\n<figure style=\"margin:0;overflow-x:auto\">\n";
    out += chart_svg;
    out += "</figure>\n";
  }
  if (network != nullptr) {
    out +=
        "<h2>Seen on the network</h2>\n<table><tr><th>Devices seen</th><th>Findings</th>"
        "<th>Banned platform</th><th>Unknown phone</th><th>Disposed, seen again</th>"
        "<th>Usage ban</th></tr>\n<tr>";
    for (const std::size_t v :
         {network->sightings, network->findings(), network->banned_platform, network->unknown_phone,
          network->disposed_seen_again, network->usage_ban}) {
      out += "<td>" + std::to_string(v) + "</td>";
    }
    out += "</tr></table>\n";
    if (network->findings() > 0) {
      out +=
          "<p>Each finding, with its reason and evidence: <code>phaseout sightings findings "
          "--directive " +
          escapeMarkup(directive.id) + " --at " + evaluation.as_of.toString() + "</code>.</p>\n";
    }
  }

  out +=
      "<h2>By unit</h2>\n<table><tr><th>Unit</th><th>People</th><th>Devices</th>"
      "<th>Compliant</th><th>Pending</th><th>Overdue</th><th>Exempt</th><th>Unknown</th>"
      "<th>Done</th></tr>\n";
  for (const auto& u : s.units) {
    const StatusCounts& c = u.devices;
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f", c.percentDone());
    out += "<tr><td>" + escapeMarkup(u.unit.empty() ? "(no unit)" : u.unit) + "</td><td class=n>" +
           std::to_string(u.people_in_scope) + "</td><td class=n>" +
           std::to_string(c.devices_in_scope) + "</td><td class=n>" + std::to_string(c.compliant) +
           "</td><td class=n>" + std::to_string(c.pending) + "</td><td class=n>" +
           std::to_string(c.overdue) + "</td><td class=n>" + std::to_string(c.exempt) +
           "</td><td class=n>" + std::to_string(c.unknown) +
           "</td><td><span class=bar><i style=\"width:" + pct + "%\"></i></span> " +
           percentText(c.percentDone()) + "</td></tr>\n";
  }
  out += "</table>\n";

  out +=
      "<h2>Devices needing action</h2>\n<table><tr><th>Device</th><th>Holder</th>"
      "<th>Unit</th><th>Status</th><th>Rule</th><th>Reason</th></tr>\n";
  std::size_t listed = 0;
  for (const Verdict& v : evaluation.verdicts) {
    if (v.status == VerdictStatus::kCompliant || v.status == VerdictStatus::kExempt) continue;
    ++listed;
    const std::string st(policy::name(v.status));
    out += "<tr><td>" + escapeMarkup(v.device->device_id) + "</td><td>" +
           escapeMarkup(personOf(v)) + "</td><td>" + escapeMarkup(unitOf(v)) + "</td><td class=\"" +
           st + "\">" + st + "</td><td class=n>" +
           (v.rule ? std::to_string(v.rule) : std::string()) + "</td><td>" +
           escapeMarkup(v.reason) + "</td></tr>\n";
  }
  if (listed == 0) out += "<tr><td colspan=6>None: every device in scope is compliant.</td></tr>\n";
  out +=
      "</table>\n<p class=\"meta\">Generated by phaseout from the stored inventory; the same "
      "inputs give the same page.</p>\n</body></html>\n";
  return out;
}

}  // namespace phaseout::report
