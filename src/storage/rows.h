// Row codecs shared by the repository, the campaign store and the audit check: binding
// records to statements, reading them back, and the canonical encodings that event row
// digests cover. Internal to storage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

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
std::string caseStepRow(const campaign::CaseStep& s);
std::string notificationRow(std::string_view directive_id, std::string_view device_id,
                            std::string_view milestone, std::string_view step,
                            std::string_view recipient, std::int64_t sent_day);

// Reads waiver columns selected as: waiver_id, directive_id, device_id, person_id, unit,
// approver, reason, from_day, until_day (revocation not included).
campaign::Waiver readWaiver(Statement& s);
// The payload of an event that wrote rows: {"detail": ..., "rows": n, "rows_digest": hex}.
std::string rowsPayload(const nlohmann::ordered_json& detail, const audit::RowSetDigest& digest);

// Bind every record column except valid_from and seq. The record's strings are bound without a
// copy (Statement::bindView): keep the record alive and unchanged until the statement has run.
void bindPerson(Statement& s, const inventory::Person& p);
void bindDevice(Statement& s, const inventory::Device& d);
// Read rows selected as: id, valid_from, seq, then the record's columns in table order.
// DataLoss when a stored enum value is not valid.
Result<inventory::Person> readPerson(Statement& s);
Result<inventory::Device> readDevice(Statement& s);
// The same, overwriting every field of an existing record (reusing its strings' storage).
Status readPersonInto(Statement& s, inventory::Person& p);
Status readDeviceInto(Statement& s, inventory::Device& d);

}  // namespace phaseout::storage
