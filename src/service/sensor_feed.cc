#include "service/sensor_feed.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "audit/hash_chain.h"
#include "bus/disk_queue.h"
#include "bus/jetstream.h"
#include "service/detect_json.h"

namespace phaseout::service {
namespace {

constexpr std::size_t kMessageIdHexDigits = 32;  // 128 bits of the SHA-256

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

// Messages the stream acknowledged before the queue records them sent (one durable write for
// the run). A crash in between only sends them again, and the stream drops the copies (their
// message ids are within its de-duplication window).
constexpr std::size_t kAcknowledgeEvery = 64;

// Sends the queue oldest first until it is empty or something fails.
void sendQueue(const SensorFeed& feed, bus::DiskQueue& queue, FeedOutcome& out) {
  if (queue.pending().empty()) return;
  bus::StreamConfig stream;
  if (!feed.stream.empty()) stream.name = feed.stream;
  auto publisher = bus::Publisher::connect(feed.url, stream, feed.timeout_ms);
  if (!publisher.isOk()) {
    out.send_error = publisher.status();
    return;
  }
  while (!queue.pending().empty()) {
    // A run of messages published one by one, then one durable record of them all.
    const std::size_t run = std::min(kAcknowledgeEvery, queue.pending().size());
    std::size_t published = 0;
    Status failed;
    for (; published < run; ++published) {
      const bus::QueuedMessage& m = queue.pending()[published];
      auto ack = (*publisher)->publish(m.subject, m.message_id, m.data);
      if (!ack.isOk()) {
        failed = ack.status();
        break;
      }
      if (ack->duplicate) ++out.duplicates;
    }
    if (published > 0) {
      const Status removed = queue.acknowledgeThrough(queue.pending()[published - 1].seq);
      if (removed.isOk()) {
        out.sent += published;
      } else if (failed.isOk()) {
        // Sent but still queued: the next run sends them again and the stream drops the copies.
        failed = removed;
      }
    }
    if (!failed.isOk()) {
      out.send_error = failed;
      return;
    }
  }
}

}  // namespace

Status checkSensorFeed(const SensorFeed& feed) {
  PH_RETURN_IF_ERROR(bus::checkNatsUrl(feed.url));
  if (!bus::isSubjectToken(feed.site)) {
    return invalidField(
        "site", "\"" + feed.site + "\" is not a site name: 1 to 64 letters, digits, '-' or '_'");
  }
  if (!feed.stream.empty() && !bus::isSubjectToken(feed.stream)) {
    return invalidField("stream", "\"" + feed.stream + "\" is not a stream name");
  }
  if (feed.queue_dir.empty()) return invalidField("queue-dir", "no directory given");
  if (feed.queue_limit_bytes == 0) return invalidField("queue-limit", "must be more than 0 bytes");
  return Status::ok();
}

SightingsMessage sightingsMessage(const std::string& site, std::string_view detect_json,
                                  std::optional<Date> on, std::int64_t now_ms) {
  // The detect document is embedded as it was printed (it is JSON already).
  std::string data = "{\"format\":\"" + std::string(kSightingsMessageFormat) +
                     "\",\"site\":" + nlohmann::json(site).dump() + ",\"created\":\"" +
                     formatUtcTimestamp(now_ms) + "\",\"created_ms\":" + std::to_string(now_ms);
  if (on) data += ",\"on\":\"" + on->toString() + "\"";
  data += ",\"detect\":" + trimmed(detect_json) + "}\n";
  SightingsMessage m;
  m.subject = std::string(bus::kSubjectPrefix) + site;
  m.message_id = site + "-" + audit::sha256Hex(data).substr(0, kMessageIdHexDigits);
  m.data = std::move(data);
  return m;
}

Result<FeedOutcome> feedSightings(const SensorFeed& feed, std::string_view detect_json,
                                  std::size_t devices, std::optional<Date> on,
                                  std::int64_t now_ms) {
  PH_RETURN_IF_ERROR(checkSensorFeed(feed));
  PH_ASSIGN_OR_RETURN(auto queue, bus::DiskQueue::open(feed.queue_dir, feed.queue_limit_bytes));
  FeedOutcome out;
  for (const bus::QueueRepair& r : queue->repairs()) {
    out.repairs.push_back(r.file + ": cut off " + std::to_string(r.bytes_dropped) +
                          " byte(s) of a message whose queuing never completed (at byte " +
                          std::to_string(r.offset) + ")");
  }
  if (!detect_json.empty() && devices > 0) {
    const SightingsMessage m = sightingsMessage(feed.site, detect_json, on, now_ms);
    out.message_id = m.message_id;
    out.devices = devices;
    auto queued = queue->append(m.subject, m.message_id, m.data);
    if (!queued.isOk() && queued.status().code() == StatusCode::kResourceExhausted) {
      // Make room by sending the older messages first (their order is kept), then try again.
      sendQueue(feed, *queue, out);
      queued = queue->append(m.subject, m.message_id, m.data);
    }
    if (queued.isOk()) {
      out.batch_queued = true;
    } else if (queued.status().code() == StatusCode::kResourceExhausted ||
               queued.status().code() == StatusCode::kInvalidArgument) {
      out.batch_refused = queued.status();
    } else {
      return queued.status();
    }
  }
  if (out.send_error.isOk()) sendQueue(feed, *queue, out);
  out.waiting = queue->pending().size();
  out.waiting_bytes = queue->pendingBytes();
  out.limit_bytes = queue->limitBytes();
  return out;
}

Result<SensorRunResult> detectAndPublish(const Caller& caller, const DetectRequest& request,
                                         const SensorFeed& feed, DetectListener& listener,
                                         const PeriodFed& on_period) {
  if (request.store) return invalidField("publish", "either store or publish, not both");
  PH_RETURN_IF_ERROR(checkSensorFeed(feed));
  SensorRunResult out;
  DetectRequest detect_only = request;
  detect_only.on.reset();  // the day travels in the message; detect itself stores nothing
  if (request.period_ms > 0) {
    // Each message is made when its period ends: its time is the run's plus the time since.
    const auto started = std::chrono::steady_clock::now();
    detect_only.on_period = [&, started](const DetectReport& period, const DetectSetup& setup) {
      std::string json;
      if (!period.devices.empty()) writeDetectJson(period, setup, json);
      const std::int64_t elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - started)
                                          .count();
      const Result<FeedOutcome> fed =
          feedSightings(feed, json, period.devices.size(), request.on, request.now_ms + elapsed_ms);
      if (on_period) on_period(period, setup, fed);
    };
  }
  PH_ASSIGN_OR_RETURN(out.detect, detect(caller, detect_only, listener));
  std::string json;
  const bool send_batch = !out.detect.report.devices.empty() && out.detect.live_error.isOk();
  if (send_batch) writeDetectJson(out.detect.report, out.detect.setup, json);
  PH_ASSIGN_OR_RETURN(out.feed,
                      feedSightings(feed, json, send_batch ? out.detect.report.devices.size() : 0,
                                    request.on, request.now_ms));
  return out;
}

}  // namespace phaseout::service
