// Device detail: one device as the caller sees it — its record and holder as of a day, its
// verdict under each directive in force, its cases, its stored versions and the recorded
// changes about it, and the evidence filed for it. Behind GET /api/v1/devices/{id}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "campaign/history.h"
#include "campaign/reconcile.h"
#include "core/date.h"
#include "core/status.h"
#include "inventory/model.h"
#include "policy/evaluator.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct DeviceDetailRequest {
  std::string device_id;
  std::optional<Date> at;  // default today
  std::int64_t now_ms = 0;
};

struct DeviceVerdictView {
  std::string directive_id;
  policy::VerdictStatus status = policy::VerdictStatus::kCompliant;
  int rule = 0;
  std::string reason;
  bool in_scope = false;  // false: the directive does not cover this device (compliant)
};

struct DeviceVersionView {
  Date valid_from;  // the baseline version has a day before any real one
  std::int64_t seq = 0;
  std::string holder;
  platform::DeviceState state = platform::DeviceState::kActive;
};

// A recorded change that names the device (its subject, or its case).
struct DeviceEventView {
  std::int64_t seq = 0;
  Date effective;
  std::int64_t recorded_ms = 0;
  std::string actor;
  std::string kind;
};

struct DeviceEvidenceView {
  std::int64_t seq = 0;  // the change that filed it
  std::string name;
  std::string sha256;
  std::int64_t size_bytes = 0;
};

struct DeviceDetail {
  Date as_of;
  inventory::Device device;
  std::optional<inventory::Person> holder;
  std::vector<DeviceVerdictView> verdicts;  // one per directive in force on as_of
  std::vector<campaign::CaseView> cases;    // one per directive with a case for the device
  std::vector<DeviceVersionView> versions;  // oldest first
  std::vector<DeviceEventView> events;      // oldest first
  std::vector<DeviceEvidenceView> evidence;
  // The network sightings matched to the device on their day, seen on or before as_of, with
  // their evidence (service/sightings.h listSightings).
  std::vector<campaign::Sighting> sightings;
};

// NotFound ("device ID not found") when the device did not exist on the day or the caller does
// not see it (its holder's unit, or the caller holds it): the two are indistinguishable.
Result<DeviceDetail> deviceDetail(const Caller& caller, Workspace& ws,
                                  const DeviceDetailRequest& request);

// {"as_of", "device": {...}, "holder": {...} | null, "verdicts": [...], "cases": [caseJson...],
//  "versions": [...], "events": [...], "evidence": [...], "sightings": [as
//  report::sightingListJson]} and a newline.
std::string deviceDetailJson(const DeviceDetail& detail);

}  // namespace phaseout::service
