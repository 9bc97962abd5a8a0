#include "policy/summary.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace phaseout::policy {
namespace {

// Verdicts from evaluate() carry interned unit views: equal units share one buffer, so
// grouping by (data, size) avoids hashing a string per verdict. Views that are equal but not
// shared (verdicts built elsewhere) land in separate groups and are merged after sorting.
struct ViewKey {
  const char* data;
  std::size_t size;
  bool operator==(const ViewKey&) const = default;
};

struct ViewKeyHash {
  std::size_t operator()(const ViewKey& k) const {
    return std::hash<const void*>()(k.data) ^ (k.size * 0x9e3779b97f4a7c15ULL);
  }
};

std::string_view unitOf(const Verdict& v) {
  if (!v.unit.empty() || v.holder == nullptr) return v.unit;
  return v.holder->unit;
}

}  // namespace

double StatusCounts::percentDone() const {
  if (devices_in_scope == 0) return 100.0;
  return static_cast<double>(compliant + exempt) * 100.0 / static_cast<double>(devices_in_scope);
}

void StatusCounts::add(VerdictStatus s) {
  ++devices_in_scope;
  switch (s) {
    case VerdictStatus::kCompliant:
      ++compliant;
      break;
    case VerdictStatus::kPending:
      ++pending;
      break;
    case VerdictStatus::kOverdue:
      ++overdue;
      break;
    case VerdictStatus::kExempt:
      ++exempt;
      break;
    case VerdictStatus::kUnknown:
      ++unknown;
      break;
  }
}

EvaluationSummary summarize(const Directive& directive, const Evaluation& evaluation) {
  EvaluationSummary out;
  out.directive_id = evaluation.directive_id;
  out.as_of = evaluation.as_of;
  out.total.people_in_scope = evaluation.people_in_scope;

  struct Group {
    std::string_view unit;
    std::size_t people = 0;
    StatusCounts devices;
  };
  std::vector<Group> groups;
  std::unordered_map<ViewKey, std::size_t, ViewKeyHash> index;
  auto group_for = [&](std::string_view unit) -> Group& {
    auto [it, inserted] = index.try_emplace(ViewKey{unit.data(), unit.size()}, groups.size());
    if (inserted) groups.push_back(Group{unit, 0, {}});
    return groups[it->second];
  };
  for (const UnitCount& uc : evaluation.people_in_scope_by_unit) {
    group_for(uc.unit).people += uc.count;
  }
  for (const Verdict& v : evaluation.verdicts) {
    group_for(unitOf(v)).devices.add(v.status);
    out.total.devices.add(v.status);
  }
  std::sort(groups.begin(), groups.end(),
            [](const Group& a, const Group& b) { return a.unit < b.unit; });
  for (const Group& g : groups) {
    if (out.units.empty() || out.units.back().unit != g.unit) {
      out.units.push_back(UnitSummary{std::string(g.unit), 0, {}});
    }
    UnitSummary& u = out.units.back();
    u.people_in_scope += g.people;
    StatusCounts& c = u.devices;
    c.devices_in_scope += g.devices.devices_in_scope;
    c.compliant += g.devices.compliant;
    c.pending += g.devices.pending;
    c.overdue += g.devices.overdue;
    c.exempt += g.devices.exempt;
    c.unknown += g.devices.unknown;
  }
  for (const Milestone& m : directive.milestones) {
    out.milestones.push_back(
        MilestoneProgress{m.name, m.due, m.requires_what, evaluation.as_of.daysUntil(m.due)});
  }
  return out;
}

SummaryBuilder::SummaryBuilder(const Directive& directive, Date as_of)
    : directive_(directive), as_of_(as_of) {}

std::size_t SummaryBuilder::unitIndex(std::string_view unit) {
  auto [it, inserted] = index_.try_emplace(std::string(unit), units_.size());
  if (inserted) units_.push_back(UnitSummary{std::string(unit), 0, {}});
  return it->second;
}

void SummaryBuilder::addPersonInScope(std::size_t unit) { ++units_[unit].people_in_scope; }

void SummaryBuilder::addCounts(std::size_t unit, const StatusCounts& counts) {
  StatusCounts& c = units_[unit].devices;
  c.devices_in_scope += counts.devices_in_scope;
  c.compliant += counts.compliant;
  c.pending += counts.pending;
  c.overdue += counts.overdue;
  c.exempt += counts.exempt;
  c.unknown += counts.unknown;
}

EvaluationSummary SummaryBuilder::finish() const {
  EvaluationSummary out;
  out.directive_id = directive_.id;
  out.as_of = as_of_;
  for (const UnitSummary& u : units_) {
    // summarize() lists the units of in-scope people and of verdicts (whose holders are in
    // scope): a unit numbered but never counted is not one of them.
    if (u.people_in_scope == 0 && u.devices.devices_in_scope == 0) continue;
    out.units.push_back(u);
    out.total.people_in_scope += u.people_in_scope;
    StatusCounts& c = out.total.devices;
    c.devices_in_scope += u.devices.devices_in_scope;
    c.compliant += u.devices.compliant;
    c.pending += u.devices.pending;
    c.overdue += u.devices.overdue;
    c.exempt += u.devices.exempt;
    c.unknown += u.devices.unknown;
  }
  std::sort(out.units.begin(), out.units.end(),
            [](const UnitSummary& a, const UnitSummary& b) { return a.unit < b.unit; });
  for (const Milestone& m : directive_.milestones) {
    out.milestones.push_back(
        MilestoneProgress{m.name, m.due, m.requires_what, as_of_.daysUntil(m.due)});
  }
  return out;
}

}  // namespace phaseout::policy
