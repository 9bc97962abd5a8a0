#include "storage/ingest_store.h"

#include "storage/catalog.h"

namespace phaseout::storage {

Result<std::optional<IngestedMessage>> IngestStore::find(const std::string& message_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kIngestedMessage));
  s->bind("message_id", message_id);
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return std::optional<IngestedMessage>();
  constexpr auto& c = kIngestedMessageColumns;
  IngestedMessage m;
  m.message_id = std::string(s->text(columnIndex(c, "message_id")));
  m.seq = s->integer(columnIndex(c, "seq"));
  m.site = std::string(s->text(columnIndex(c, "site")));
  m.received_ms = s->integer(columnIndex(c, "received_ms"));
  return std::optional<IngestedMessage>(std::move(m));
}

Status IngestStore::record(const IngestedMessage& message) {
  PH_ASSIGN_OR_RETURN(auto existing, find(message.message_id));
  if (existing) {
    return alreadyExists("message " + message.message_id + " was stored already (audit entry " +
                         std::to_string(existing->seq) + ")");
  }
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kInsertIngestedMessage));
  s->bind("message_id", message.message_id);
  s->bind("seq", message.seq);
  s->bind("site", message.site);
  s->bind("received_ms", message.received_ms);
  return s->execute();
}

}  // namespace phaseout::storage
