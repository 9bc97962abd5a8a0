// The JSON form of a detect run, `phaseout detect --format json`: written here and read back
// here (`phaseout sightings import`), so the two cannot drift apart. The writer is a hot path
// (a capture of a whole office gives thousands of devices) and uses core/json_writer.h; the
// reader uses nlohmann/json (non-throwing at this boundary).
//
// {"devices": [{"key", "macs", "ips", "hostnames", "users", "first_seen", "last_seen",
//   "platform", "kind", "vendor", "model", "confidence", "level", "candidates": [{"platform",
//   "p"}], "evidence": [{"signal", "value", "signature", "weight", "group", "counted",
//   "observed_only" (only when true), "count", "file", "frame" | "line"}], "services":
//   [{"service", "user", "user_agent", "count", "file", "frame" | "line"}]}], "stats": {...}}
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "campaign/reconcile.h"
#include "core/status.h"
#include "detect/signature_set.h"
#include "service/detect.h"
#include "service/workspace.h"

namespace phaseout::service {

// Appends the whole document (with a final newline). Evidence is named through
// setup.signatures, which must be the set the report's SignatureIds refer to.
void writeDetectJson(const DetectReport& report, const DetectSetup& setup, std::string& out);

// The document as sightings, all-or-nothing: InvalidArgument naming `source_name`, the device
// (1-based) and the field when anything is malformed. Reads key, macs, ips, hostnames,
// platform, kind, vendor, model, confidence, level, evidence, and when present
// first_seen/last_seen (ISO 8601 UTC text, or first_seen_ns/last_seen_ns numbers), users
// [text] and services. Unknown keys are ignored (the detect output grows).
Result<std::vector<campaign::Sighting>> parseDetectJson(std::string_view text,
                                                        std::string_view source_name,
                                                        const detect::SignatureSet& signatures,
                                                        const Recording& recording);

}  // namespace phaseout::service
