// History: every stored version of the people, devices and one directive, the waivers and the
// recorded case steps, held in memory so that the campaign can be read as of any day —
// cases with first_failing_at, milestone progress, daily burn-down — without going back to
// the database for each day.
//
// Built by the service from the repository; immutable afterwards; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "campaign/waiver.h"
#include "core/date.h"
#include "inventory/model.h"
#include "policy/directive.h"
#include "policy/evaluator.h"

namespace phaseout::campaign {

template <typename T>
struct Versioned {
  std::int32_t valid_from = 0;  // days since the epoch; very negative for the baseline
  std::int64_t seq = 0;         // the event that wrote it
  T record;
};

struct DirectiveVersion {
  std::int32_t valid_from = 0;
  std::int64_t version = 0;
  policy::Directive directive;
};

// A case follows one (directive, banned device) to its end.
enum class CaseStage {
  kOpen,
  kNotified,
  kAcknowledged,
  kReplacementIssued,
  kSurrendered,
  kVerified,
  kClosed,
  kWaived,
};
std::string_view name(CaseStage s);  // "open", "notified", ..., "replacement-issued", ...
std::optional<CaseStage> parseCaseStage(std::string_view text);

struct CaseStep {
  std::string directive_id;
  std::string device_id;
  CaseStage stage = CaseStage::kOpen;
  Date on;
  std::int64_t seq = 0;
  std::string actor;
  std::string note;
};

struct History {
  // Sorted by (id, valid_from, seq).
  std::vector<Versioned<inventory::Person>> people;
  std::vector<Versioned<inventory::Device>> devices;
  // One directive's versions, sorted by (valid_from, version).
  std::vector<DirectiveVersion> directive_versions;
  std::vector<Waiver> waivers;
  std::vector<CaseStep> steps;  // sorted by (on, seq)

  // The directive version in force on `day`, or null before the first.
  const DirectiveVersion* directiveOn(Date day) const;
  std::vector<inventory::Person> peopleOn(Date day) const;
  std::vector<inventory::Device> devicesOn(Date day) const;
};

// The world on one day and its evaluation (waivers applied). Owns what the verdicts point to.
struct Snapshot {
  const DirectiveVersion* directive = nullptr;
  std::vector<inventory::Person> people;
  std::vector<inventory::Device> devices;
  policy::Evaluation evaluation;
};

// Null when the directive was not yet in force on `day`.
std::unique_ptr<Snapshot> snapshotOn(const History& history, Date day);

struct CaseView {
  std::string case_id;       // "<directive>/<device>"
  std::string directive_id;
  std::string device_id;
  std::string person_id;     // the holder when the device first failed
  std::string unit;
  std::string model;
  Date first_failing_at;
  CaseStage stage = CaseStage::kOpen;
  Date stage_since;
  // The device's verdict on the day asked; compliant once it left scope (e.g. surrendered).
  policy::VerdictStatus verdict = policy::VerdictStatus::kCompliant;
  std::string reason;
  bool surrendered = false;       // the device is no longer active on the day asked
  bool replacement_held = false;  // the holder has an active, allowed device on the day asked
  std::vector<CaseStep> steps;    // recorded up to the day asked
};

// Every case as of `day`: one per device that violated the directive (pending or overdue) on
// some day up to `day`, with the first such day. Ordered by device id.
std::vector<CaseView> casesOn(const History& history, Date day);

}  // namespace phaseout::campaign
