// Self-service for holders: what every active person may do about their own devices, without
// an officer — acknowledge a notice, declare a device no inventory lists, report that they
// handed a device over (an officer then confirms it). Each is one write transaction bound to
// one audit event whose actor is the person (the Caller).
#pragma once

#include <cstdint>
#include <string>

#include "campaign/history.h"
#include "core/status.h"
#include "inventory/model.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct AcknowledgeRequest {
  std::string directive_id;  // "" = the only stored directive
  std::string device_id;
  std::string note;
};

// Records the "acknowledged" step of the device's case on the recording's day. The holder of
// the device may, and so may a caller who may act on it (Caller::mayAct). NotFound when the
// device or its case is out of view or absent.
Result<campaign::CaseStep> acknowledgeNotice(const Caller& caller, Workspace& ws,
                                             const AcknowledgeRequest& request,
                                             const Recording& recording);

struct DeclarationRequest {
  std::string person_id;  // "" = the caller's own person
  std::string model;
  std::string vendor;
  std::string platform;  // canonical name or free text, as an import
  std::string os_version;
  std::string kind;  // default phone
  std::string channel;
  std::string serial;
  std::string imei;
  std::string note;
};

struct DeclarationOutcome {
  inventory::Device device;  // "DECL-<person>-<n>", held by the person
  std::int64_t event_seq = 0;
};

// A device the person holds that no inventory lists, stored as a new device (one
// "device.declare" event). A holder declares for themself; a caller who may act in the
// person's unit may declare for them. InvalidArgument on "model" when neither model nor
// platform is given; the import's field rules otherwise (named by field).
Result<DeclarationOutcome> declareDevice(const Caller& caller, Workspace& ws,
                                         const DeclarationRequest& request,
                                         const Recording& recording);

struct HandoverReport {
  std::string device_id;
  std::string to;  // the person it was handed to
  std::string note;
};

struct HandoverReported {
  std::string device_id;
  std::string from;
  std::string to;
  std::int64_t event_seq = 0;  // the report's event; the confirmation names it
};

// The holder reports handing the device to another person ("handover.report"); nothing
// changes in the inventory until an officer confirms. NotFound when the device is not the
// caller's (and out of view), PermissionDenied when in view but not held by the caller;
// NotFound on "to" for an unknown person; FailedPrecondition when a report is already pending.
Result<HandoverReported> reportHandover(const Caller& caller, Workspace& ws,
                                        const HandoverReport& request, const Recording& recording);

struct HandoverConfirmed {
  inventory::Device device;  // the new version, held by the recipient
  std::int64_t report_seq = 0;
  std::int64_t event_seq = 0;
};

// An officer (Caller::mayAct on the device) confirms the pending report: a new version of the
// device held by the recipient ("handover.confirm"). FailedPrecondition when none is pending.
Result<HandoverConfirmed> confirmHandover(const Caller& caller, Workspace& ws,
                                          const std::string& device_id, const Recording& recording);

std::string caseStepJsonLine(const campaign::CaseStep& step);
std::string declarationJson(const DeclarationOutcome& outcome);
std::string handoverReportedJson(const HandoverReported& reported);
std::string handoverConfirmedJson(const HandoverConfirmed& confirmed);

}  // namespace phaseout::service
