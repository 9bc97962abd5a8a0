// SourceStore: import provenance (migration 5) — each external source's record of each device
// (inventory/merge.h): which source lists the device under which id, from which file, exported
// and synchronised when, the holder it named, and the fields it gave.
//
// Rows are never updated: an import that changes a record, or a --full import that lacks it,
// writes a new row, and the current record of (source, record_id) is its row of the highest
// seq. A merge is stored as ONE audit event whose row digest covers the device versions and the
// source records it wrote, in the caller's write transaction (recordMerge), so
// Repository::verifyAudit notices a provenance row altered, added or removed. Not thread-safe;
// shares the Repository's connection.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "inventory/merge.h"
#include "storage/repository.h"
#include "storage/rows.h"

namespace phaseout::storage {

class SourceStore {
 public:
  explicit SourceStore(Repository& repository) : repo_(repository) {}

  // The current record of every (source, record_id), ordered by source then record id.
  // DataLoss when a stored row cannot be read back.
  Result<std::vector<inventory::SourceRecord>> loadCurrent();
  // The current records of one device (none for a device no external source lists).
  Result<std::vector<inventory::SourceRecord>> loadOfDevice(const std::string& device_id);

  // Writes the plan's device versions (valid from change.effective; a device new to the store
  // from kBaselineDay when no day was given) and source records, bound to one event of `kind`
  // with `detail` in its payload. Must run inside a write transaction. Returns the event's seq.
  Result<std::int64_t> recordMerge(const inventory::MergePlan& plan, const ChangeContext& change,
                                   std::string_view kind, const nlohmann::ordered_json& detail);

 private:
  Repository& repo_;
};

// The canonical encoding of one source record row (what event digests cover).
std::string sourceRecordRow(const inventory::SourceRecord& record);

// For Repository::verifyAudit(): adds every stored source record row to the digest of the
// event that wrote it and counts the rows in `rows`.
Status addSourceRecordDigests(Connection& connection, RowDigests& digests, std::int64_t& rows);

}  // namespace phaseout::storage
