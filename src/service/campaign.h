// Campaign use cases: dispositions, replacements, waivers, cases and their steps, and the
// audit trail. Each recording call is one write transaction bound to one audit event; a
// refused request changes nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "campaign/history.h"
#include "campaign/progress.h"
#include "campaign/record.h"
#include "campaign/waiver.h"
#include "service/workspace.h"
#include "storage/campaign_store.h"

namespace phaseout::service {

struct DispositionRequest {
  std::string device_id;
  campaign::Disposition as = campaign::Disposition::kReturned;
  std::string by;             // the person who recorded or witnessed it
  std::string to;             // recipient of a transfer
  std::string evidence_path;  // optional file, hashed and stored
  std::string note;
};

struct DispositionOutcome {
  inventory::Device device;  // the new version
  Date on;
  std::optional<storage::EvidenceFile> evidence;
  std::int64_t event_seq = 0;
};

Result<DispositionOutcome> recordDisposition(Workspace& ws, const DispositionRequest& request,
                                             const Recording& recording);

struct ReplacementRequest {
  std::string person_id;
  std::string directive_id;     // "" = the only stored directive
  std::string device_file;      // a .csv/.json file holding exactly one device, or
  std::string device_id;        // "" = assigned ("R-<person>-<n>")
  std::string model;
  std::string vendor;
  std::string platform;         // canonical name or free text ("Aurora OS 4.0.2")
  std::string os_version;
  std::string kind;             // default phone
  std::string channel;          // official | parallel-import | personal
  std::string serial;
  std::string imei;
};

struct ReplacementOutcome {
  inventory::Device device;
  Date on;
  std::string directive_id;
  std::int64_t event_seq = 0;
};

// FailedPrecondition with the reason when the directive refuses the replacement.
Result<ReplacementOutcome> recordReplacement(Workspace& ws, const ReplacementRequest& request,
                                             const Recording& recording);

struct WaiverRequest {
  std::string directive_id;
  std::string device_id;
  std::string person_id;
  std::string unit;
  std::string approver;
  std::string reason;
  Date from;
  Date until;
};

Result<campaign::Waiver> grantWaiver(Workspace& ws, const WaiverRequest& request,
                                     const Recording& recording);
Status revokeWaiver(Workspace& ws, const std::string& waiver_id, const Recording& recording);
Result<std::vector<campaign::Waiver>> listWaivers(Workspace& ws, const std::string& directive_id);

// The directive named, or the only one stored.
Result<std::string> resolveDirective(Workspace& ws, const std::string& given);

struct CaseFilter {
  std::string unit;       // a unit glob ("pa/press/**")
  std::string stage;      // a case stage name
  std::string milestone;  // cases not meeting this milestone's requirement
  bool overdue = false;   // only cases whose device is overdue
};

struct CaseList {
  std::string directive_id;
  Date as_of;
  std::vector<campaign::CaseView> cases;
  std::vector<campaign::MilestoneCheck> milestones;
};

Result<CaseList> listCases(Workspace& ws, const std::string& directive_id, Date as_of,
                           const CaseFilter& filter);
// A case by id ("<directive>/<device>") or by device id with the directive given.
Result<campaign::CaseView> showCase(Workspace& ws, const std::string& directive_id,
                                    const std::string& case_or_device, Date as_of);
// Records a manual step (acknowledged, verified, closed, notified) of an existing case.
Result<campaign::CaseStep> recordCaseStep(Workspace& ws, const std::string& directive_id,
                                          const std::string& case_or_device,
                                          campaign::CaseStage stage, const std::string& note,
                                          const Recording& recording);

}  // namespace phaseout::service
