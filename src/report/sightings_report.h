// Network sightings and the findings reconciled from them, as a reader sees them: text (lines
// for a terminal) and JSON (indented by 2), each ending with a newline. Pure functions: same
// inputs, same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "campaign/reconcile.h"
#include "core/date.h"

namespace phaseout::report {

// {"sightings": [{"id", "key", "seen_on", "first_seen_ms", "last_seen_ms", "macs", "ips",
// "hostnames", "users", "serial", "platform", "kind", "vendor", "model", "level", "confidence",
// "sources", "services": [{"service", "user", "user_agent", "ua_platform", "ua_kind", "where",
// "count"}], "evidence"}]}.
std::string sightingListJson(const std::vector<campaign::Sighting>& sightings);
// A head line per sighting (id, day, platform and kind, level and confidence, key, vendor and
// model), indented lines for its identifiers, services and sources, then "N sighting(s)".
std::string sightingListText(const std::vector<campaign::Sighting>& sightings);

// {"as_of", "findings": [{"kind", "directive", "seen_on", "sighting", "sighting_key", "device",
// "person", "reason", "evidence"}]}.
std::string findingListJson(Date as_of, const std::vector<campaign::Finding>& findings);
// Per finding: kind, directive ("-" for none), day, sighting, device and person; the reason;
// the evidence indented. Then "N finding(s) as of DAY".
std::string findingListText(Date as_of, const std::vector<campaign::Finding>& findings);

// A stored batch of imported files, on one line: {"file" (one file) or "files", "sightings",
// "event_seq"} / "a.json, b.json: N sighting(s) recorded (audit entry SEQ)".
std::string sightingsImportedJson(const std::vector<std::string>& files, std::size_t sightings,
                                  std::int64_t event_seq);
std::string sightingsImportedText(const std::vector<std::string>& files, std::size_t sightings,
                                  std::int64_t event_seq);

}  // namespace phaseout::report
