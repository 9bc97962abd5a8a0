// Sensor feed: a detect run's verdicts sent to the centre over NATS JetStream (bus/), one
// message per batch, through a bounded on-disk queue that survives the sensor's restart.
//
// The message (docs/sensors.md): a JSON object
//   {"format": "phaseout-sightings/1", "site": SITE, "created": ISO 8601 UTC,
//    "on": "YYYY-MM-DD" (only when the run was told the day), "detect": {the document
//    `phaseout detect --format json` prints}}
// published on the subject "phaseout.sightings.<site>" with the Nats-Msg-Id
// "<site>-<first 32 hex digits of the SHA-256 of the message>": a re-send of a queued message
// is byte for byte the same, so JetStream (within its duplicate window) and ingest (always, by
// the id stored with the sightings) keep one copy.
//
// Order: the batch is appended (fsync'd) to the queue first, then the queue is sent oldest
// first, each message removed only once the stream acknowledged it. The first failure stops
// the sending: what is left waits for the next run, still in order.
//
// Bound: when the queue would pass its bound, the OLDER messages are kept and the new batch is
// refused (dropped, never sent): FeedOutcome::batch_refused says so, with the queue's figures.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "service/caller.h"
#include "service/detect.h"

namespace phaseout::service {

inline constexpr std::string_view kSightingsMessageFormat = "phaseout-sightings/1";
inline constexpr std::uint64_t kDefaultQueueLimitBytes = 64ULL << 20;

struct SensorFeed {
  std::string url;        // nats://HOST:PORT
  std::string site;       // the subject token (bus::isSubjectToken)
  std::string stream;     // "" = bus::kDefaultStream
  std::string queue_dir;  // the on-disk queue (one sensor per directory)
  std::uint64_t queue_limit_bytes = kDefaultQueueLimitBytes;
  std::int64_t timeout_ms = 5000;  // to connect, and for each acknowledgement
};

// InvalidArgument naming the field ("url", "site", "queue-dir", "queue-limit").
Status checkSensorFeed(const SensorFeed& feed);

// The message of one batch (see the top of this file) and its id.
struct SightingsMessage {
  std::string subject;
  std::string message_id;
  std::string data;
};
SightingsMessage sightingsMessage(const std::string& site, std::string_view detect_json,
                                  std::optional<Date> on, std::int64_t now_ms);

struct FeedOutcome {
  std::string message_id;      // this run's batch ("" when it had no device)
  std::size_t devices = 0;     // in this run's batch
  bool batch_queued = false;   // this run's batch reached the queue (and maybe the stream)
  Status batch_refused;        // not ok: the queue was full and this batch was dropped
  std::size_t sent = 0;        // messages the stream acknowledged in this run, oldest first
  std::size_t duplicates = 0;  // of those, ones the stream had already (a re-send)
  std::size_t waiting = 0;     // messages still queued for the next run
  std::uint64_t waiting_bytes = 0;
  std::uint64_t limit_bytes = 0;
  Status send_error;                 // why sending stopped early (ok when all was sent)
  std::vector<std::string> repairs;  // torn queue tails cut off at open, as text
};

// Queues this run's batch (when `detect_json` is not empty) and sends what the queue holds.
// Errors: the feed's InvalidArgument; the queue's (FailedPrecondition when another process holds
// it, DataLoss when it is damaged, Unavailable when the disk refuses). A server that cannot be
// reached is not an error: FeedOutcome::send_error.
Result<FeedOutcome> feedSightings(const SensorFeed& feed, std::string_view detect_json,
                                  std::size_t devices, std::optional<Date> on, std::int64_t now_ms);

struct SensorRunResult {
  DetectResult detect;
  FeedOutcome feed;
};

// What one period of a live run fed (request.period_ms): its verdicts, and the feed's outcome
// or why the queue could not be used.
using PeriodFed = std::function<void(const DetectReport& period, const DetectSetup& setup,
                                     const Result<FeedOutcome>& fed)>;

// `phaseout detect ... --publish`: the detect use case (detect.h; request.store must be false),
// then its verdicts fed to the bus as one batch (none when no device showed evidence, or a live
// capture failed: the queue is still sent). A live run with request.period_ms feeds each
// period's verdicts as it ends (told to `on_period`; a period without a device still sends what
// waits in the queue), and the last period's as the run's own; the capture goes on meanwhile.
Result<SensorRunResult> detectAndPublish(const Caller& caller, const DetectRequest& request,
                                         const SensorFeed& feed, DetectListener& listener,
                                         const PeriodFed& on_period = {});

}  // namespace phaseout::service
