// Campaign use cases: dispositions, replacements, waivers, cases and their steps. Each
// recording call is one write transaction bound to one audit event; a refused request changes
// nothing.
//
// Every call takes the Caller first. Reads (waivers, cases) are narrowed to what it sees;
// writes are checked: dispositions, replacements and case steps need Caller::mayAct on the
// device's unit and holder (NotFound when out of view, PermissionDenied when read-only),
// waivers need Caller::mayAdminister. Errors about one request field name it ("by", "until").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "campaign/history.h"
#include "campaign/progress.h"
#include "campaign/record.h"
#include "campaign/waiver.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct DispositionRequest {
  std::string device_id;
  campaign::Disposition as = campaign::Disposition::kReturned;
  std::string by;             // the person who recorded or witnessed it
  std::string to;             // recipient of a transfer
  std::string evidence_path;  // optional file, hashed and stored
  std::string note;
  // Or, instead of evidence_path, the SHA-256 of evidence already uploaded (service/evidence.h).
  std::string evidence_sha256 = {};
};

// A stored evidence file: its name and the SHA-256 it is kept under.
struct EvidenceFile {
  std::string name;
  std::string sha256;
  std::int64_t size_bytes = 0;
};

struct DispositionOutcome {
  inventory::Device device;  // the new version
  Date on;
  std::optional<EvidenceFile> evidence;
  std::int64_t event_seq = 0;
};

Result<DispositionOutcome> recordDisposition(const Caller& caller, Workspace& ws,
                                             const DispositionRequest& request,
                                             const Recording& recording);

struct ReplacementRequest {
  std::string person_id;
  std::string directive_id;  // "" = the only stored directive
  std::string device_file;   // a .csv/.json file holding exactly one device, or
  std::string device_id;     // "" = assigned ("R-<person>-<n>")
  std::string model;
  std::string vendor;
  std::string platform;  // canonical name or free text ("Aurora OS 4.0.2")
  std::string os_version;
  std::string kind;     // default phone
  std::string channel;  // official | parallel-import | personal
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
Result<ReplacementOutcome> recordReplacement(const Caller& caller, Workspace& ws,
                                             const ReplacementRequest& request,
                                             const Recording& recording);

struct WaiverRequest {
  std::string directive_id;  // "" = the only stored directive
  std::string device_id;     // exactly one of device, person, unit
  std::string person_id;
  std::string unit;
  std::string approver;
  std::string reason;
  std::optional<Date> from;   // default: the recording's day
  std::optional<Date> until;  // required: a waiver is never open-ended
};

// InvalidArgument on "until" when it is missing (a waiver is never open-ended); the waiver
// rules of campaign::validateWaiver otherwise.
Result<campaign::Waiver> grantWaiver(const Caller& caller, Workspace& ws,
                                     const WaiverRequest& request, const Recording& recording);

struct WaiverRevoked {
  std::string waiver_id;
  Date revoked_from;
};

// Revokes from the recording's day on.
Result<WaiverRevoked> revokeWaiver(const Caller& caller, Workspace& ws,
                                   const std::string& waiver_id, const Recording& recording);

struct WaiverListRequest {
  std::string directive_id;  // "" = every directive's waivers
  std::optional<Date> at;    // the day their state is given for; default today
  std::int64_t now_ms = 0;
};

struct WaiverList {
  Date at;
  std::vector<campaign::Waiver> waivers;  // those whose target the caller sees
};

Result<WaiverList> listWaivers(const Caller& caller, Workspace& ws,
                               const WaiverListRequest& request);

struct CaseFilter {
  std::string unit;       // a unit glob ("pa/press/**")
  std::string stage;      // a case stage name (request field "status")
  std::string milestone;  // cases not meeting this milestone's requirement
  bool overdue = false;   // only cases whose device is overdue
};

struct CaseListRequest {
  std::string directive_id;  // "" = the only stored directive
  std::optional<Date> at;    // default today
  std::int64_t now_ms = 0;
  CaseFilter filter;
};

struct CaseList {
  std::string directive_id;
  Date as_of;
  std::vector<campaign::CaseView> cases;
  std::vector<campaign::MilestoneCheck> milestones;  // over what the caller sees
};

Result<CaseList> listCases(const Caller& caller, Workspace& ws, const CaseListRequest& request);

struct CaseRequest {
  std::string directive_id;    // "" = from the case id, else the only stored directive
  std::string case_or_device;  // "<directive>/<device>" or a device id
  std::optional<Date> at;      // default today
  std::int64_t now_ms = 0;
};

// NotFound for a case the caller does not see, exactly as for one that does not exist.
Result<campaign::CaseView> showCase(const Caller& caller, Workspace& ws,
                                    const CaseRequest& request);

struct CaseStepRequest {
  std::string directive_id;
  std::string case_or_device;
  campaign::CaseStage stage = campaign::CaseStage::kAcknowledged;
  std::string note;
};

// Records a manual step (acknowledged, verified, closed, notified) of an existing case on the
// recording's day.
Result<campaign::CaseStep> recordCaseStep(const Caller& caller, Workspace& ws,
                                          const CaseStepRequest& request,
                                          const Recording& recording);

}  // namespace phaseout::service
