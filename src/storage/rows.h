// Row codecs shared by the repository, the campaign store and the audit check: binding
// records to statements, reading them back, and the canonical encodings that event row
// digests cover. Internal to storage.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/hash_chain.h"
#include "campaign/history.h"
#include "campaign/waiver.h"
#include "core/status.h"
#include "inventory/model.h"
#include "storage/connection.h"

namespace phaseout::storage {

// Appends "<len>:<bytes>;" — the unambiguous field encoding of every canonical row.
void field(std::string& out, std::string_view v);

std::string personRow(const inventory::Person& p, std::int64_t valid_from);
std::string deviceRow(const inventory::Device& d, std::int64_t valid_from);
// The same rows appended to `out` (bulk writers reuse one buffer).
void appendPersonRow(std::string& out, const inventory::Person& p, std::int64_t valid_from);
void appendDeviceRow(std::string& out, const inventory::Device& d, std::int64_t valid_from);
std::string directiveRow(std::string_view id, std::int64_t version, std::int64_t valid_from,
                         std::string_view title, std::string_view text);
std::string waiverRow(const campaign::Waiver& w);
std::string waiverRevocationRow(std::string_view waiver_id, std::int64_t revoked_from);
std::string waiverRequestRow(const campaign::RequestedWaiver& r);
// The decision half of a request (state, decided_by, decided_on, decision_reason, waiver_id).
std::string waiverDecisionRow(const campaign::RequestedWaiver& r);
std::string caseStepRow(const campaign::CaseStep& s);
std::string notificationRow(std::string_view directive_id, std::string_view device_id,
                            std::string_view milestone, std::string_view step,
                            std::string_view recipient, std::int64_t sent_day);

// The digests of the rows each event wrote, by event seq, as the audit check recomputes them
// from the stored rows: a flat table over seqs 1..max_seq (a million events is one lookup per
// row, not a tree walk). Rows naming a seq outside that range are counted as orphans.
class RowDigests {
 public:
  explicit RowDigests(std::int64_t max_seq);
  void add(std::int64_t seq, std::string_view canonical_row);
  // nullptr when no stored row names `seq`.
  const audit::RowSetDigest* find(std::int64_t seq) const;
  // The smallest seq outside 1..max_seq that rows name, if any.
  std::optional<std::int64_t> firstOrphan() const { return first_orphan_; }

 private:
  std::vector<audit::RowSetDigest> digests_;  // index = seq
  std::optional<std::int64_t> first_orphan_;
};

// Reads a case step selected as kCaseStepColumns list them (catalog.h); DataLoss when its
// stored stage is not valid.
Result<campaign::CaseStep> readCaseStep(Statement& s);
// Reads a request selected as kWaiverRequestColumns list them, followed (from column
// `decision_at` on) by kWaiverDecisionColumns, NULL when it is still pending. DataLoss when a
// stored decision is not valid.
Result<campaign::RequestedWaiver> readWaiverRequest(Statement& s, int decision_at = -1);
// Reads a waiver selected as kWaiverColumns lists them (catalog.h; revocation not included).
campaign::Waiver readWaiver(Statement& s);
// A nullable integer column, read and bound as an optional.
std::optional<std::int64_t> optionalInteger(Statement& s, int column);
void bindOptional(Statement& s, std::string_view name, std::optional<std::int64_t> value);
// The payload of an event that wrote rows: {"detail": ..., "rows": n, "rows_digest": hex}.
std::string rowsPayload(const nlohmann::ordered_json& detail, const audit::RowSetDigest& digest);

// Bind every record column except valid_from and seq. The record's strings are bound without a
// copy (Statement::bindView): keep the record alive and unchanged until the statement has run.
void bindPerson(Statement& s, const inventory::Person& p);
void bindDevice(Statement& s, const inventory::Device& d);
// Read rows selected as kPersonColumns / kDeviceColumns list them (catalog.h).
// DataLoss when a stored enum value is not valid.
Result<inventory::Person> readPerson(Statement& s);
Result<inventory::Device> readDevice(Statement& s);
// The same, overwriting every field of an existing record (reusing its strings' storage).
Status readPersonInto(Statement& s, inventory::Person& p);
Status readDeviceInto(Statement& s, inventory::Device& d);
// Rows selected as kPersonEvaluationColumns / kDeviceEvaluationColumns list them; the fields
// those lack are left empty (enums unknown).
Status readPersonForEvaluationInto(Statement& s, inventory::Person& p);
Status readDeviceForEvaluationInto(Statement& s, inventory::Device& d);
// Rows selected as kDeviceCountingColumns list them (os_version left empty).
Status readDeviceForCountingInto(Statement& s, inventory::Device& d);

}  // namespace phaseout::storage
