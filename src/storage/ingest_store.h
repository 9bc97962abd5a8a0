// IngestStore: which bus messages have been stored (migration 9, table ingested_messages).
//
// `phaseout ingest` stores a message's sightings and the message's id in one write transaction
// (the id is the table's primary key), and acknowledges the message to the bus only after the
// commit. A message delivered again (its acknowledgement lost, or the process killed between
// commit and ack) is found here and not stored twice. Writers are serialised by the engines'
// write transactions (SQLite BEGIN IMMEDIATE, PostgreSQL's writer lock), so looking up and then
// inserting inside one write transaction cannot race another ingest process.
//
// Not thread-safe; shares the Repository's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"
#include "storage/repository.h"

namespace phaseout::storage {

struct IngestedMessage {
  std::string message_id;
  std::int64_t seq = 0;  // the audit event that stored its sightings
  std::string site;
  std::int64_t received_ms = 0;
};

class IngestStore {
 public:
  explicit IngestStore(Repository& repository) : repo_(repository) {}

  // The message stored under `message_id`, if any.
  Result<std::optional<IngestedMessage>> find(const std::string& message_id);

  // Records a stored message. Must run inside the write transaction that stored its sightings.
  // AlreadyExists when the id is stored already (the transaction should then be abandoned).
  Status record(const IngestedMessage& message);

 private:
  Repository& repo_;
};

}  // namespace phaseout::storage
