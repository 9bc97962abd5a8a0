// SightingStore: persistence of network sightings (what captures, sensor logs and access logs
// showed about each device), with their time and sources.
//
// A batch of sightings (one `detect` run, one imported file) is recorded as ONE audit event of
// kind "sightings.record" whose payload carries the digest of every row it wrote, written in
// the caller's write transaction: the batch is stored whole or not at all, and
// `verifyAudit()` (through addSightingDigests) notices a sightings row altered, added or
// removed behind phaseout's back. Rows are never updated; a sighting's id is "S<seq>.<item>".
//
// Findings are not stored: they are computed on read (campaign/reconcile.h) from the stored
// sightings, the inventory history and the directives, as of the day asked. They are thus
// reproducible for any date and follow later corrections of the inventory (a disposition
// recorded afterwards with an earlier effective date), as verdicts do.
//
// List columns (macs, ips, hostnames, users, sources, evidence) and service uses are stored as
// canonical JSON text. Not thread-safe; shares the Repository's connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/hash_chain.h"
#include "campaign/reconcile.h"
#include "core/date.h"
#include "core/status.h"
#include "storage/repository.h"
#include "storage/rows.h"

namespace phaseout::storage {

struct SightingQuery {
  std::optional<Date> as_of;  // only sightings seen on or before this day
  std::optional<Date> since;  // only sightings seen on or after this day
};

struct RecordedBatch {
  std::int64_t seq = 0;  // the audit event
  std::size_t sightings = 0;
};

class SightingStore {
 public:
  explicit SightingStore(Repository& repository) : repo_(repository) {}

  // Stores the batch with one "sightings.record" event (subject: the sources joined by ", ").
  // Must run inside a write transaction. InvalidArgument for an empty batch or a sighting
  // without a key. The event's detail names the sources, the count and the days covered.
  Result<RecordedBatch> recordSightings(const std::vector<campaign::Sighting>& sightings,
                                        const std::vector<std::string>& sources,
                                        const ChangeContext& change);

  // Stored sightings (ids filled in), ordered by (seen_on, id). DataLoss when a stored row
  // cannot be read back (an enum or JSON column altered).
  Result<std::vector<campaign::Sighting>> loadSightings(const SightingQuery& query = {});

  // Every version of every person and device, sorted by (id, valid_from, seq), and every
  // version of every directive: what campaign::Reconciler needs. DataLoss when a stored
  // directive no longer parses.
  struct ReconcileInputs {
    std::vector<campaign::Versioned<inventory::Person>> people;
    std::vector<campaign::Versioned<inventory::Device>> devices;
    std::vector<campaign::DirectiveVersion> directives;
  };
  Result<ReconcileInputs> loadReconcileInputs();

 private:
  Repository& repo_;
};

// For Repository::verifyAudit(): adds the canonical encoding of every stored sightings row to
// the digest of the event that wrote it and counts the rows in `rows`.
// Reads the raw columns only, so an altered row changes the digest instead of failing here.
Status addSightingDigests(Connection& connection, RowDigests& digests, std::int64_t& rows);

}  // namespace phaseout::storage
