// Evaluation of a directive over people and devices as of a date: a pure function.
//
// It never reads the clock, the database or the network; the same inputs give the same
// verdicts in the same order. Thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>

#include "core/date.h"
#include "inventory/model.h"
#include "policy/directive.h"

namespace phaseout::policy {

enum class VerdictStatus { kCompliant, kPending, kOverdue, kExempt, kUnknown };
std::string_view name(VerdictStatus s);

struct Verdict {
  const inventory::Device* device = nullptr;  // points into the evaluated span
  const inventory::Person* holder = nullptr;
  VerdictStatus status = VerdictStatus::kCompliant;
  int rule = 0;          // 1-based index of the deciding ban rule; 0 when none
  std::string reason;    // one sentence
};

struct Evaluation {
  std::string directive_id;
  Date as_of;
  std::size_t people_in_scope = 0;
  std::vector<Verdict> verdicts;  // one per device in scope, ordered by device_id
};

// True when the unit path matches the scope glob ("pa/**", "pa/*", "pa/press").
bool unitMatches(std::string_view pattern, std::string_view unit);
bool personInScope(const Directive& d, const inventory::Person& p);

Evaluation evaluate(const Directive& directive, const std::vector<inventory::Person>& people,
                    const std::vector<inventory::Device>& devices, Date as_of);

}  // namespace phaseout::policy
