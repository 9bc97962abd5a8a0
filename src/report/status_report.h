// Status reports of one directive's evaluation: the contract JSON, a per-unit text table,
// CSV of every device in scope, and a self-contained HTML page.
//
// Pure functions of (directive, evaluation): same inputs, same bytes. The evaluation's
// pointers must stay valid during the call.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/progress.h"
#include "core/date.h"
#include "policy/directive.h"
#include "policy/evaluator.h"
#include "policy/summary.h"

namespace phaseout::report {

// What the network showed for the directive as of the report's day (stored sightings and the
// findings reconciled from them; see `phaseout sightings findings`), counted beside the
// inventory's verdicts.
struct NetworkSummary {
  std::size_t sightings = 0;  // devices seen on or before the day
  std::size_t banned_platform = 0;
  std::size_t unknown_phone = 0;
  std::size_t disposed_seen_again = 0;
  std::size_t usage_ban = 0;
  std::size_t findings() const {
    return banned_platform + unknown_phone + disposed_seen_again + usage_ban;
  }
};

// {"directive", "as_of", "totals": {...}, "units": [...], "milestones": [...],
//  "devices": [...] (only with include_devices)} followed by a newline.
// `checks` (milestone progress, campaign/progress.h) adds "requires", "met" and "total" to
// each milestone when given.
// `network`, when given, adds {"network": {"sightings", "findings", "banned_platform",
// "unknown_phone", "disposed_seen_again", "usage_ban"}} after the milestones.
std::string statusJson(const policy::Directive& directive, const policy::Evaluation& evaluation,
                       bool include_devices,
                       const std::vector<campaign::MilestoneCheck>& checks = {},
                       const NetworkSummary* network = nullptr);
// statusJson / statusText without devices, from a summary (policy/summary.h) computed by
// whoever streamed the verdicts: the same bytes as the forms above give for an evaluation with
// that summary and include_devices false.
std::string statusJson(const policy::Directive& directive, const policy::EvaluationSummary& summary,
                       const std::vector<campaign::MilestoneCheck>& checks = {},
                       const NetworkSummary* network = nullptr);
std::string statusText(const policy::Directive& directive, const policy::EvaluationSummary& summary,
                       const std::vector<campaign::MilestoneCheck>& checks = {},
                       const NetworkSummary* network = nullptr);
// {"devices": [...]}: the device objects of statusJson with include_devices, alone.
std::string statusDevicesJson(const policy::Evaluation& evaluation);
// A per-unit table, totals and days to each milestone; with include_devices, every device
// that is not compliant with its reason.
std::string statusText(const policy::Directive& directive, const policy::Evaluation& evaluation,
                       bool include_devices,
                       const std::vector<campaign::MilestoneCheck>& checks = {},
                       const NetworkSummary* network = nullptr);
// One row per device in scope: device_id, person_id, unit, model, platform, kind, status,
// rule, reason. RFC 4180 quoting.
std::string statusCsv(const policy::Evaluation& evaluation);
// One self-contained page (inline CSS, no scripts): summary, per-unit table, milestones and
// every violating or unknown device with its reason.
std::string statusHtml(const policy::Directive& directive, const policy::Evaluation& evaluation,
                       const std::vector<campaign::MilestoneCheck>& checks = {});
// The same page with a chart (one <svg> element, e.g. report::burndownSvg()) embedded under
// "Burn-down", after the milestones; an empty chart_svg gives the page above. `network`, when
// given, adds a "Seen on the network" section with the finding counts.
std::string statusHtml(const policy::Directive& directive, const policy::Evaluation& evaluation,
                       const std::vector<campaign::MilestoneCheck>& checks,
                       std::string_view chart_svg, const NetworkSummary* network = nullptr);

}  // namespace phaseout::report
