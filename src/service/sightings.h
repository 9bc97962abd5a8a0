// Sightings: network verdicts stored as sightings, and the findings reconciled from them.
//
// Recording: detect's device verdicts (or the JSON `phaseout detect --format json` printed)
// become campaign::Sightings — each service use's User-Agent is classified here with detect's
// UA rules, so campaign stays free of detect — and are stored as one batch: one transaction,
// one audit event ("sightings.record"). A refused batch stores nothing.
//
// The day a sighting is judged on: Recording::on when given (replaying an old capture "as if
// seen on"), else the UTC day of the device's last-seen time, else the recording's today.
//
// Findings are computed on read (storage/sighting_store.h says why): the stored sightings seen
// on or before the day asked, reconciled (campaign/reconcile.h) with the inventory and every
// directive as they were on each sighting's day. Each call is one read transaction.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/reconcile.h"
#include "core/date.h"
#include "core/status.h"
#include "detect/ledger.h"
#include "detect/signature_set.h"
#include "service/workspace.h"

namespace phaseout::service {

// One verdict as a sighting. `sources` are the names Where::source indexes. `day` is the day
// it is judged on when no time is known or `override_day` is set (see top of file).
campaign::Sighting toSighting(const detect::DeviceVerdict& verdict,
                              const std::vector<std::string>& sources,
                              const detect::SignatureSet& signatures, Date day, bool override_day);

// The output of `phaseout detect --format json` as sightings, all-or-nothing: InvalidArgument
// naming `source_name`, the device (1-based) and the field when anything is malformed. Reads
// key, macs, ips, hostnames, platform, kind, vendor, model, confidence, level, evidence
// [{signal, value, signature, weight, group, counted, count, file, frame|line}], and when
// present first_seen/last_seen (ISO 8601 UTC text, or first_seen_ns/last_seen_ns numbers),
// users [text] and services [{service, user, user_agent, count, file, frame|line}].
// Unknown keys are ignored (the detect output grows).
Result<std::vector<campaign::Sighting>> parseDetectJson(std::string_view text,
                                                        std::string_view source_name,
                                                        const detect::SignatureSet& signatures,
                                                        const Recording& recording);

struct SightingsRecorded {
  std::int64_t event_seq = 0;
  std::size_t sightings = 0;
  std::vector<std::string> sources;
};

// Stores every verdict as one batch (`sources`: the inputs, named in the audit event and in
// each sighting's evidence). InvalidArgument when `verdicts` is empty.
Result<SightingsRecorded> recordSightings(Workspace& ws,
                                          const std::vector<detect::DeviceVerdict>& verdicts,
                                          const std::vector<std::string>& sources,
                                          const detect::SignatureSet& signatures,
                                          const Recording& recording);
// Stores already converted sightings as one batch.
Result<SightingsRecorded> recordSightings(Workspace& ws,
                                          const std::vector<campaign::Sighting>& sightings,
                                          const std::vector<std::string>& sources,
                                          const Recording& recording);
// Reads a `detect --format json` file and stores it as one batch (parseDetectJson's errors;
// a file with no devices is InvalidArgument).
Result<SightingsRecorded> importDetectJson(Workspace& ws, const std::string& path,
                                           const detect::SignatureSet& signatures,
                                           const Recording& recording);

struct SightingFilter {
  std::string device_id;      // only sightings matching this inventory device on their day
  std::optional<Date> since;  // seen on or after
  std::optional<Date> as_of;  // seen on or before
};
// Stored sightings, ordered by (seen day, id). NotFound for a device id never stored.
Result<std::vector<campaign::Sighting>> listSightings(Workspace& ws, const SightingFilter& filter);

struct FindingQuery {
  std::string directive_id;  // "" = every finding (also those of no directive)
  Date as_of;
  std::optional<campaign::FindingKind> kind;
};
// NotFound for a directive id never stored.
Result<std::vector<campaign::Finding>> findings(Workspace& ws, const FindingQuery& query);

// What `status` shows beside the inventory verdicts: the directive's network findings as of
// the day, by kind. directive_id "" counts the findings of no directive (an unknown phone or a
// disposed device that no ban matches). Returns at once, without loading the inventory, when
// no sighting was seen by then. NotFound for a directive id never stored.
struct NetworkFindingCounts {
  std::string directive_id;
  Date as_of;
  std::size_t sightings = 0;  // stored sightings seen on or before as_of
  std::size_t banned_platform = 0;
  std::size_t unknown_phone = 0;
  std::size_t disposed_seen_again = 0;
  std::size_t usage_ban = 0;

  std::size_t total() const {
    return banned_platform + unknown_phone + disposed_seen_again + usage_ban;
  }
};
Result<NetworkFindingCounts> networkFindingCounts(Workspace& ws, const std::string& directive_id,
                                                  Date as_of);

}  // namespace phaseout::service
