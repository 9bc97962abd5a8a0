// Summary of an Evaluation for reports and dashboards: counts per unit and in total, and where
// each milestone stands as of the evaluation date. Pure; thread-safe.
//
// Definitions:
// - Units are the exact unit paths of in-scope people (no roll-up to parents), sorted.
// - devices_in_scope counts the verdicts of a unit (by the holder's unit); each verdict is
//   counted once under its status.
// - percentDone() = (compliant + exempt) / devices_in_scope * 100: pending, overdue and unknown
//   are not done. Surrendered devices are no longer active, so they leave the denominator.
//   A unit with no device in scope is 100 % done (nothing is left to phase out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "policy/directive.h"
#include "policy/evaluator.h"

namespace phaseout::policy {

struct StatusCounts {
  std::size_t devices_in_scope = 0;
  std::size_t compliant = 0;
  std::size_t pending = 0;
  std::size_t overdue = 0;
  std::size_t exempt = 0;
  std::size_t unknown = 0;

  // 0..100; 100 when devices_in_scope is 0.
  [[nodiscard]] double percentDone() const;
  void add(VerdictStatus s);
  bool operator==(const StatusCounts&) const = default;
};

struct UnitSummary {
  std::string unit;  // "" for the total
  std::size_t people_in_scope = 0;
  StatusCounts devices;

  bool operator==(const UnitSummary&) const = default;
};

struct MilestoneProgress {
  std::string name;
  Date due;
  std::string requires_what;
  // as_of.daysUntil(due): positive before the due date, 0 on it, negative once passed.
  std::int32_t days_left = 0;

  [[nodiscard]] bool passed() const { return days_left < 0; }
  bool operator==(const MilestoneProgress&) const = default;
};

struct EvaluationSummary {
  std::string directive_id;
  Date as_of;
  UnitSummary total;
  std::vector<UnitSummary> units;
  std::vector<MilestoneProgress> milestones;  // in the directive's (date) order
};

// summarize()'s counts folded one person or verdict at a time, for a caller that streams the
// records instead of holding an Evaluation. finish() gives what summarize() gives for the same
// people in scope and verdicts.
class SummaryBuilder {
 public:
  SummaryBuilder(const Directive& directive, Date as_of);
  // A number for `unit`, the same for equal units: what the add calls take.
  std::size_t unitIndex(std::string_view unit);
  void addPersonInScope(std::size_t unit);
  // The verdicts counted (StatusCounts::add, e.g. by each of several threads) for `unit`.
  void addCounts(std::size_t unit, const StatusCounts& counts);
  EvaluationSummary finish() const;

 private:
  const Directive& directive_;
  Date as_of_;
  std::vector<UnitSummary> units_;
  std::unordered_map<std::string, std::size_t> index_;
};

// `evaluation` must come from evaluate(directive, ...).
EvaluationSummary summarize(const Directive& directive, const Evaluation& evaluation);

}  // namespace phaseout::policy
