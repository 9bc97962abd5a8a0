// What the campaign's records look like to a reader: waivers, cases, case steps, dispositions
// and replacements as text (lines for a terminal) and JSON (one object or array, then a
// newline). Pure functions: same inputs, same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/history.h"
#include "campaign/progress.h"
#include "campaign/record.h"
#include "campaign/waiver.h"
#include "core/date.h"
#include "inventory/model.h"

namespace phaseout::report {

// A waiver granted: {"waiver_id", "directive", "target", "approver", "reason", "from",
// "until", "revoked_from", "state" (as of its first day)} / "granted waiver W-... for ...".
std::string waiverGrantedJson(const campaign::Waiver& waiver);
std::string waiverGrantedText(const campaign::Waiver& waiver);
// Waivers with their state on `at` (campaign::waiverState): a JSON array of the objects above,
// or one line each ("no waivers" when there is none).
std::string waiverListJson(const std::vector<campaign::Waiver>& waivers, Date at);
std::string waiverListText(const std::vector<campaign::Waiver>& waivers, Date at);
std::string waiverRevokedJson(std::string_view waiver_id, Date revoked_from);
std::string waiverRevokedText(std::string_view waiver_id, Date revoked_from);

// Cases as of a day with milestone progress: {"directive", "as_of", "milestones", "cases"} or a
// table, the count and one line per milestone.
std::string caseListJson(std::string_view directive_id, Date as_of,
                         const std::vector<campaign::CaseView>& cases,
                         const std::vector<campaign::MilestoneCheck>& milestones);
std::string caseListText(Date as_of, const std::vector<campaign::CaseView>& cases,
                         const std::vector<campaign::MilestoneCheck>& milestones);
// One case with its steps.
std::string caseJson(const campaign::CaseView& c);
std::string caseText(const campaign::CaseView& c);
std::string caseStepJson(const campaign::CaseStep& step);
std::string caseStepText(const campaign::CaseStep& step);

// A recorded disposition of `device` (its new version): what, when, by whom, to whom, and the
// evidence file's name and SHA-256 when one was stored (empty otherwise).
struct DispositionView {
  const inventory::Device* device = nullptr;
  campaign::Disposition as = campaign::Disposition::kReturned;
  Date on;
  std::string by;
  std::string to;
  std::string evidence_name;
  std::string evidence_sha256;
  std::int64_t event_seq = 0;
};
std::string dispositionJson(const DispositionView& d);
std::string dispositionText(const DispositionView& d);
// A recorded replacement device.
std::string replacementJson(const inventory::Device& device, Date on, std::int64_t event_seq);
std::string replacementText(const inventory::Device& device, Date on);

}  // namespace phaseout::report
