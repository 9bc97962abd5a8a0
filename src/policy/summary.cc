#include "policy/summary.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace phaseout::policy {

double StatusCounts::percentDone() const {
  if (devices_in_scope == 0) return 100.0;
  return static_cast<double>(compliant + exempt) * 100.0 / static_cast<double>(devices_in_scope);
}

void StatusCounts::add(VerdictStatus s) {
  ++devices_in_scope;
  switch (s) {
    case VerdictStatus::kCompliant: ++compliant; break;
    case VerdictStatus::kPending: ++pending; break;
    case VerdictStatus::kOverdue: ++overdue; break;
    case VerdictStatus::kExempt: ++exempt; break;
    case VerdictStatus::kUnknown: ++unknown; break;
  }
}

EvaluationSummary summarize(const Directive& directive, const Evaluation& evaluation) {
  EvaluationSummary out;
  out.directive_id = evaluation.directive_id;
  out.as_of = evaluation.as_of;
  // Hashed by unit, sorted once at the end: verdicts are ordered by device id, so one unit's
  // verdicts are scattered and each needs a lookup.
  std::unordered_map<std::string_view, UnitSummary> units;
  for (const UnitCount& uc : evaluation.people_in_scope_by_unit) {
    UnitSummary& u = units[uc.unit];
    u.unit = uc.unit;
    u.people_in_scope = uc.count;
  }
  for (const Verdict& v : evaluation.verdicts) {
    const std::string_view unit = v.holder ? std::string_view(v.holder->unit) : std::string_view();
    UnitSummary& u = units[unit];
    if (u.unit.empty()) u.unit = unit;
    u.devices.add(v.status);
    out.total.devices.add(v.status);
  }
  out.total.people_in_scope = evaluation.people_in_scope;
  out.units.reserve(units.size());
  for (auto& [unit, summary] : units) out.units.push_back(std::move(summary));
  std::sort(out.units.begin(), out.units.end(),
            [](const UnitSummary& a, const UnitSummary& b) { return a.unit < b.unit; });
  for (const Milestone& m : directive.milestones) {
    out.milestones.push_back(
        MilestoneProgress{m.name, m.due, m.requires_what, evaluation.as_of.daysUntil(m.due)});
  }
  return out;
}

}  // namespace phaseout::policy
