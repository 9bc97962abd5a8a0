// Ingest: the centre's side of the sensor feed (sensor_feed.h). Pulls the sensors' messages from
// a durable JetStream consumer and stores each batch of sightings exactly once.
//
// Exactly once: a message's sightings and its message id (storage/ingest_store.h, migration 9)
// are written in one write transaction, as one "sightings.record" audit event whose source is
// "nats:<message id>"; the message is acknowledged to the bus only after the commit. The
// messages of one fetch share the transaction (one commit for them all). A message
// delivered again (its ack lost, the process killed between commit and ack, a sensor's re-send
// after JetStream's duplicate window) finds its id stored and is acknowledged without a write.
// Several processes may share one durable: the bus gives each message to one of them at a time,
// and the engines serialise the writers, so the look-up and the insert cannot race.
//
// A message that can never be stored (not a phaseout-sightings/1 message, a malformed detect
// document, no device) is terminated on the bus (never redelivered) and reported to the
// listener. Anything else that fails (the database) leaves the messages unacknowledged (the
// bus redelivers them) and ends the run with the error.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "detect/signature_set.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

inline constexpr std::string_view kDefaultDurable = "phaseout-ingest";

struct IngestedBatch {
  bool duplicate = false;      // stored before: nothing written
  std::int64_t event_seq = 0;  // the audit event that stored it
  std::size_t sightings = 0;
  std::string site;
  std::string message_id;
};

// Stores one message (see the top of this file). `message_id` "" = the id the sensor derives
// from the message (site and SHA-256). InvalidArgument naming the message when it is
// malformed; PermissionDenied unless the caller may record sightings; storage's errors.
Result<IngestedBatch> ingestMessage(const Caller& caller, Workspace& ws,
                                    std::string_view message_id, std::string_view data,
                                    const detect::SignatureSet& signatures, std::int64_t now_ms);

// One message for ingestMessages: its id ("" as for ingestMessage) and its bytes.
struct IncomingMessage {
  std::string_view message_id;
  std::string_view data;
};

// Stores the messages in order, in one write transaction (one audit event each, one commit for
// them all). Gives one result per message: its batch (or `duplicate`: stored before, by
// another message or an earlier one of these), or InvalidArgument for a message that cannot
// be read, which is refused alone. Fails as a whole, storing nothing, as ingestMessage does
// (PermissionDenied, storage's errors).
Result<std::vector<Result<IngestedBatch>>> ingestMessages(
    const Caller& caller, Workspace& ws, const std::vector<IncomingMessage>& messages,
    const detect::SignatureSet& signatures, std::int64_t now_ms);

struct IngestRequest {
  std::string url;  // nats://HOST:PORT
  std::string durable = std::string(kDefaultDurable);
  std::string stream;                    // "" = bus::kDefaultStream
  int batch = 16;                        // messages fetched at once
  bool once = false;                     // stop once the consumer has nothing more to give
  std::int64_t idle_exit_ms = 0;         // stop after this long without a message; 0: never
  std::int64_t ack_wait_ms = 30'000;     // a message unacknowledged this long goes to another
  std::int64_t timeout_ms = 5000;        // to connect
  std::string signatures_dir;            // User-Agent rules: "" = the built-in set
  std::function<std::int64_t()> now_ms;  // the clock (front door's)
};

struct IngestStats {
  std::size_t messages = 0;    // stored
  std::size_t duplicates = 0;  // delivered again, already stored
  std::size_t rejected = 0;    // terminated as malformed
  std::size_t sightings = 0;   // stored
};

class IngestListener {
 public:
  virtual ~IngestListener() = default;
  virtual void onStored(const IngestedBatch& /*batch*/) {}
  virtual void onRejected(const std::string& /*message_id*/, const Status& /*why*/) {}
  // The bus is away (reconnecting) or an acknowledgement failed; the run goes on.
  virtual void onBusProblem(const Status& /*why*/) {}
};

// Runs until `stop`, or as `once` / `idle_exit_ms` say; a bus that cannot be reached (at the
// start too) is waited for. Errors: InvalidArgument for the request (field "url", "durable",
// "batch"); Unavailable when the bus cannot be reached with `once`; the storage error that
// stopped the run (its messages are redelivered).
Result<IngestStats> ingest(const Caller& caller, Workspace& ws, const IngestRequest& request,
                           IngestListener& listener, const std::atomic<bool>& stop);

}  // namespace phaseout::service
