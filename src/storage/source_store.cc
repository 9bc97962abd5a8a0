#include "storage/source_store.h"

#include "storage/catalog.h"

namespace phaseout::storage {
namespace {

using inventory::SourceRecord;

constexpr std::string_view kListed = "listed";
constexpr std::string_view kMissing = "missing";

std::string fieldsJson(const SourceRecord& record) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const inventory::FieldValue& value : record.fields) fields[value.first] = value.second;
  return fields.dump();
}

Result<SourceRecord> readSourceRecord(Statement& s) {
  constexpr auto& c = kSourceRecordColumns;
  SourceRecord r;
  r.source = s.text(columnIndex(c, "source"));
  r.record_id = s.text(columnIndex(c, "record_id"));
  r.seq = s.integer(columnIndex(c, "seq"));
  r.device_id = s.text(columnIndex(c, "device_id"));
  r.file = s.text(columnIndex(c, "file"));
  r.location = s.text(columnIndex(c, "location"));
  r.exported_ms = s.integer(columnIndex(c, "exported_ms"));
  r.synced_ms = s.integer(columnIndex(c, "synced_ms"));
  const std::string_view presence = s.text(columnIndex(c, "presence"));
  if (presence != kListed && presence != kMissing) {
    return Status(StatusCode::kDataLoss, "source record with presence '" + std::string(presence) +
                                             "' (entry " + std::to_string(r.seq) + ")");
  }
  r.missing = presence == kMissing;
  r.holder_ref = s.text(columnIndex(c, "holder_ref"));
  const auto match = inventory::parseHolderMatch(s.text(columnIndex(c, "holder_match")));
  if (!match) {
    return Status(StatusCode::kDataLoss, "source record with an unknown holder match (entry " +
                                             std::to_string(r.seq) + ")");
  }
  r.holder_match = *match;
  const nlohmann::json fields =
      nlohmann::json::parse(s.text(columnIndex(c, "fields")), nullptr, false);
  if (!fields.is_object()) {
    return Status(
        StatusCode::kDataLoss,
        "source record whose fields are not a JSON object (entry " + std::to_string(r.seq) + ")");
  }
  for (const std::string_view name : inventory::mergedFieldNames()) {
    const auto it = fields.find(std::string(name));
    if (it != fields.end() && it->is_string()) {
      r.fields.emplace_back(std::string(name), it->get<std::string>());
    }
  }
  return r;
}

// Reads rows ordered by (source, record_id, seq) and keeps the last of each key.
Result<std::vector<SourceRecord>> loadLatest(Statement& s) {
  std::vector<SourceRecord> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) break;
    PH_ASSIGN_OR_RETURN(SourceRecord r, readSourceRecord(s));
    if (!out.empty() && out.back().source == r.source && out.back().record_id == r.record_id) {
      out.back() = std::move(r);
    } else {
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace

std::string sourceRecordRow(const SourceRecord& r) {
  std::string out;
  field(out, r.source);
  field(out, r.record_id);
  field(out, std::to_string(r.seq));
  field(out, r.device_id);
  field(out, r.file);
  field(out, r.location);
  field(out, std::to_string(r.exported_ms));
  field(out, std::to_string(r.synced_ms));
  field(out, r.missing ? kMissing : kListed);
  field(out, r.holder_ref);
  field(out, inventory::name(r.holder_match));
  field(out, fieldsJson(r));
  return out;
}

Result<std::vector<SourceRecord>> SourceStore::loadCurrent() {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSourceRecords));
  return loadLatest(*s);
}

Result<std::vector<SourceRecord>> SourceStore::loadOfDevice(const std::string& device_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSourceRecordsOfDevice));
  s->bind("device_id", device_id);
  return loadLatest(*s);
}

Result<std::int64_t> SourceStore::recordMerge(const inventory::MergePlan& plan,
                                              const ChangeContext& change, std::string_view kind,
                                              const nlohmann::ordered_json& detail) {
  Connection& conn = repo_.connection();
  // The rows carry the event's seq; the event, whose payload holds the rows' digest, is
  // appended last in the same transaction and must get that seq.
  PH_ASSIGN_OR_RETURN(const std::int64_t last, lastEventSeq(conn));
  const std::int64_t seq = last + 1;
  audit::RowSetDigest digest;

  PH_ASSIGN_OR_RETURN(auto insert_device, prepare(conn, Query::kInsertDevice));
  for (const inventory::Device& device : plan.versions) {
    PH_ASSIGN_OR_RETURN(const bool exists, repo_.deviceExists(device.device_id));
    const std::int64_t valid_from =
        !exists && !change.effective_given ? kBaselineDay : std::int64_t{change.effective.days()};
    bindDevice(*insert_device, device);
    insert_device->bind("valid_from", valid_from);
    insert_device->bind("seq", seq);
    digest.add(deviceRow(device, valid_from));
    PH_RETURN_IF_ERROR(insert_device->execute());
    insert_device->reset();
  }
  PH_ASSIGN_OR_RETURN(auto insert_record, prepare(conn, Query::kInsertSourceRecord));
  for (SourceRecord record : plan.records) {
    record.seq = seq;
    const std::string fields = fieldsJson(record);
    insert_record->bind("source", record.source);
    insert_record->bind("record_id", record.record_id);
    insert_record->bind("seq", seq);
    insert_record->bind("device_id", record.device_id);
    insert_record->bind("file", record.file);
    insert_record->bind("location", record.location);
    insert_record->bind("exported_ms", record.exported_ms);
    insert_record->bind("synced_ms", record.synced_ms);
    insert_record->bind("presence", std::string(record.missing ? kMissing : kListed));
    insert_record->bind("holder_ref", record.holder_ref);
    insert_record->bind("holder_match", std::string(inventory::name(record.holder_match)));
    insert_record->bind("fields", fields);
    digest.add(sourceRecordRow(record));
    PH_RETURN_IF_ERROR(insert_record->execute());
    insert_record->reset();
  }
  PH_ASSIGN_OR_RETURN(
      const std::int64_t written,
      repo_.appendEvent(changeEvent(change, std::string(kind), change.source, detail, digest)));
  if (written != seq) return internalError("event sequence moved during an import");
  return seq;
}

Status addSourceRecordDigests(Connection& connection, RowDigests& digests, std::int64_t& rows) {
  // The raw columns, in the order sourceRecordRow() writes them: an altered row changes the
  // digest instead of failing to read here.
  PH_ASSIGN_OR_RETURN(auto s, prepare(connection, Query::kSourceRecordRows));
  std::string row_text;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    row_text.clear();
    for (std::size_t i = 0; i < kSourceRecordColumns.size(); ++i) {
      const std::string_view name = kSourceRecordColumns[i];
      const int column = static_cast<int>(i);
      if (name == "seq" || name == "exported_ms" || name == "synced_ms") {
        field(row_text, std::to_string(s->integer(column)));
      } else {
        field(row_text, s->text(column));
      }
    }
    digests.add(s->integer(columnIndex(kSourceRecordColumns, "seq")), row_text);
    ++rows;
  }
  return Status::ok();
}

}  // namespace phaseout::storage
