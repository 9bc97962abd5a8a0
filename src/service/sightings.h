// Sightings: network verdicts stored as sightings, and the findings reconciled from them.
//
// Recording: detect's device verdicts (or the JSON `phaseout detect --format json` printed,
// read by detect_json.h) become campaign::Sightings — each service use's User-Agent is
// classified here with detect's UA rules, so campaign stays free of detect — and are stored as
// one batch: one transaction, one audit event ("sightings.record"). A refused batch stores
// nothing. Storing needs a caller who may administer; reads are filtered by the caller's scope.
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
#include "service/caller.h"
#include "service/inputs.h"
#include "service/workspace.h"

namespace phaseout::service {

// One verdict as a sighting. `sources` are the names Where::source indexes. `day` is the day
// it is judged on when no time is known or `override_day` is set (see top of file).
campaign::Sighting toSighting(const detect::DeviceVerdict& verdict,
                              const std::vector<std::string>& sources,
                              const detect::SignatureSet& signatures, Date day, bool override_day);

struct SightingsRecorded {
  std::int64_t event_seq = 0;
  std::size_t sightings = 0;
  std::vector<std::string> sources;
};

// Stores every verdict as one batch (`sources`: the inputs, named in the audit event and in
// each sighting's evidence). PermissionDenied unless the caller may administer;
// InvalidArgument when `verdicts` is empty.
Result<SightingsRecorded> recordSightings(const Caller& caller, Workspace& ws,
                                          const std::vector<detect::DeviceVerdict>& verdicts,
                                          const std::vector<std::string>& sources,
                                          const detect::SignatureSet& signatures,
                                          const Recording& recording);
// Stores already converted sightings as one batch (the same checks).
Result<SightingsRecorded> recordSightings(const Caller& caller, Workspace& ws,
                                          const std::vector<campaign::Sighting>& sightings,
                                          const std::vector<std::string>& sources,
                                          const Recording& recording);
// `phaseout sightings import`: files written by `detect --format json`, stored as one batch.
struct SightingsImportRequest {
  std::vector<std::string> files;
  std::optional<Date> on;      // judge every sighting on this day (replaying an old capture)
  std::string signatures_dir;  // User-Agent rules: "" = the built-in set
  bool keep_going = false;     // skip files that cannot be read instead of refusing the batch
  std::int64_t now_ms = 0;
};
struct SightingsImported {
  SightingsRecorded recorded;
  std::vector<std::string> files;     // the files stored
  std::vector<SkippedInput> skipped;  // with keep_going: the files that could not be read
};
// Reads every file, then stores all their devices as one batch. All or nothing: a malformed
// file is InvalidArgument (parseDetectJson's, naming file, device and field) and nothing is
// stored; so is a file that cannot be read (inputs.h: each named), unless keep_going skips it.
// A batch without devices is InvalidArgument. PermissionDenied unless the caller may
// administer, before anything is read.
Result<SightingsImported> importSightings(const Caller& caller, Workspace& ws,
                                          const SightingsImportRequest& request);

struct SightingFilter {
  std::string device_id;      // only sightings matching this inventory device on their day
  std::optional<Date> since;  // seen on or after
  std::optional<Date> as_of;  // seen on or before
};
// Stored sightings, ordered by (seen day, id). NotFound for a device id never stored.
// Filtered by the caller's scope: a caller who does not see every unit sees only the sightings
// matched (on their day) to an inventory device whose holder they see (Caller::sees on the
// holder's unit and the holder); unmatched sightings are the organisation's, not theirs.
Result<std::vector<campaign::Sighting>> listSightings(const Caller& caller, Workspace& ws,
                                                      const SightingFilter& filter);

struct FindingQuery {
  std::string directive_id;   // "" = every finding (also those of no directive)
  std::optional<Date> as_of;  // the day judged; none: the UTC day of now_ms
  std::int64_t now_ms = 0;
  std::string kind;  // "" = every kind, else a campaign::FindingKind name
};
struct FindingsResult {
  Date as_of;  // the day judged
  std::vector<campaign::Finding> findings;
};
// NotFound for a directive id never stored; InvalidArgument (field "kind") for an unknown
// kind. Filtered by the caller's scope: a caller who does not see every unit sees only
// findings attributed to a device whose holder they see or to a person they see
// (Caller::sees on the person's unit and id).
Result<FindingsResult> findings(const Caller& caller, Workspace& ws, const FindingQuery& query);

// What `status` shows beside the inventory verdicts: the directive's network findings as of
// the day, by kind. directive_id "" counts the findings of no directive (an unknown phone or a
// disposed device that no ban matches). Returns at once, without loading the inventory, when
// no sighting was seen by then. NotFound for a directive id never stored. Narrowed to the
// caller: only the findings findings() shows them and the sightings listSightings() shows them
// are counted.
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
Result<NetworkFindingCounts> networkFindingCounts(const Caller& caller, Workspace& ws,
                                                  const std::string& directive_id, Date as_of);

}  // namespace phaseout::service
