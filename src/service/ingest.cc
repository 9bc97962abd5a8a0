#include "service/ingest.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "audit/hash_chain.h"
#include "bus/jetstream.h"
#include "service/detect_json.h"
#include "service/sensor_feed.h"
#include "service/workspace_access.h"
#include "storage/connection.h"
#include "storage/ingest_store.h"
#include "storage/sighting_store.h"

namespace phaseout::service {
namespace {

constexpr std::int64_t kFetchWaitMs = 1000;
constexpr std::int64_t kReconnectPauseMs = 250;
constexpr int kFetchFailuresBeforeResubscribe = 8;
constexpr std::size_t kMessageIdHexDigits = 32;

struct ParsedMessage {
  std::string site;
  std::string message_id;
  Recording seen;  // the sensor's clock and day: what the sightings are judged on
  std::vector<campaign::Sighting> sightings;
};

Result<ParsedMessage> parseMessage(std::string_view message_id, std::string_view data,
                                   const detect::SignatureSet& signatures) {
  const std::string where =
      "message " + (message_id.empty() ? std::string("without an id") : std::string(message_id));
  const nlohmann::json doc = nlohmann::json::parse(data, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return invalidArgument(where + ": not a JSON object");
  auto text = [&doc](const char* key) -> std::optional<std::string> {
    const auto it = doc.find(key);
    if (it == doc.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto format = text("format");
  if (format != std::string(kSightingsMessageFormat)) {
    return invalidArgument(where + ": format: expected \"" + std::string(kSightingsMessageFormat) +
                           "\"");
  }
  ParsedMessage out;
  const auto site = text("site");
  if (!site || !bus::isSubjectToken(*site))
    return invalidArgument(where + ": site: missing or bad");
  out.site = *site;
  const auto created = doc.find("created_ms");
  if (created == doc.end() || !created->is_number_integer()) {
    return invalidArgument(where + ": created_ms: expected epoch milliseconds");
  }
  out.seen.now_ms = created->get<std::int64_t>();
  if (const auto on = text("on")) {
    const auto day = Date::parse(*on);
    if (!day) return invalidArgument(where + ": on: expected YYYY-MM-DD, got \"" + *on + "\"");
    out.seen.on = *day;
  }
  const auto detect_doc = doc.find("detect");
  if (detect_doc == doc.end() || !detect_doc->is_object()) {
    return invalidArgument(where + ": detect: expected the document of 'phaseout detect'");
  }
  out.message_id = !message_id.empty()
                       ? std::string(message_id)
                       : out.site + "-" + audit::sha256Hex(data).substr(0, kMessageIdHexDigits);
  PH_ASSIGN_OR_RETURN(
      out.sightings, parseDetectJson(detect_doc->dump(), where + ": detect", signatures, out.seen));
  if (out.sightings.empty()) return invalidArgument(where + ": no devices to record");
  return out;
}

}  // namespace

Result<IngestedBatch> ingestMessage(const Caller& caller, Workspace& ws,
                                    std::string_view message_id, std::string_view data,
                                    const detect::SignatureSet& signatures, std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(auto results,
                      ingestMessages(caller, ws, {{message_id, data}}, signatures, now_ms));
  return std::move(results.front());
}

Result<std::vector<Result<IngestedBatch>>> ingestMessages(
    const Caller& caller, Workspace& ws, const std::vector<IncomingMessage>& messages,
    const detect::SignatureSet& signatures, std::int64_t now_ms) {
  PH_RETURN_IF_ERROR(caller.mayRecordSightings());
  std::vector<Result<ParsedMessage>> parsed;
  parsed.reserve(messages.size());
  bool any = false;
  for (const IncomingMessage& m : messages) {
    parsed.push_back(parseMessage(m.message_id, m.data, signatures));
    any = any || parsed.back().isOk();
  }
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  std::vector<Result<IngestedBatch>> out;
  out.reserve(messages.size());
  if (!any) {
    for (auto& p : parsed) out.emplace_back(p.status());
    return out;
  }
  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite));
  storage::IngestStore ingested(repo);
  storage::SightingStore store(repo);
  for (auto& p : parsed) {
    if (!p.isOk()) {
      out.emplace_back(p.status());
      continue;
    }
    const ParsedMessage& m = *p;
    IngestedBatch batch;
    batch.site = m.site;
    batch.message_id = m.message_id;
    PH_ASSIGN_OR_RETURN(auto stored, ingested.find(m.message_id));
    if (stored) {
      batch.duplicate = true;  // nothing written for it
      batch.event_seq = stored->seq;
      out.emplace_back(std::move(batch));
      continue;
    }
    const std::vector<std::string> sources = {"nats:" + m.message_id};
    Recording recorded;  // the audit event: recorded now, effective on the day the sensor saw
    recorded.on = m.seen.on;
    recorded.now_ms = now_ms;
    PH_ASSIGN_OR_RETURN(
        auto written,
        store.recordSightings(m.sightings, sources,
                              changeContext(caller, recorded, sources.front(), m.seen.day())));
    PH_RETURN_IF_ERROR(ingested.record({m.message_id, written.seq, m.site, now_ms}));
    batch.event_seq = written.seq;
    batch.sightings = written.sightings;
    out.emplace_back(std::move(batch));
  }
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

Result<IngestStats> ingest(const Caller& caller, Workspace& ws, const IngestRequest& request,
                           IngestListener& listener, const std::atomic<bool>& stop) {
  PH_RETURN_IF_ERROR(caller.mayRecordSightings());
  PH_RETURN_IF_ERROR(bus::checkNatsUrl(request.url));
  if (request.batch < 1 || request.batch > 1000) {
    return invalidField("batch",
                        "expected 1 to 1000 messages, got " + std::to_string(request.batch));
  }
  if (!request.stream.empty() && !bus::isSubjectToken(request.stream)) {
    return invalidField("stream", "\"" + request.stream + "\" is not a stream name");
  }
  PH_RETURN_IF_ERROR(WorkspaceAccess::repository(ws).checkReady());
  PH_ASSIGN_OR_RETURN(auto signatures, detect::SignatureSet::load(request.signatures_dir));
  bus::StreamConfig stream;
  if (!request.stream.empty()) stream.name = request.stream;
  auto now = [&request] {
    return request.now_ms ? request.now_ms()
                          : std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  };
  IngestStats stats;
  std::int64_t last_message_ms = now();
  // A bus that is away at the start (restarting, say) is waited for, as one that goes away
  // later; a subscription that keeps failing after the bus came back is made again.
  std::unique_ptr<bus::Consumer> consumer;
  int failed_fetches = 0;
  while (!stop.load()) {
    while (!consumer) {
      auto connected = bus::Consumer::connect(request.url, stream, request.durable,
                                              request.ack_wait_ms, request.timeout_ms);
      if (connected.isOk()) {
        consumer = std::move(connected).value();
        break;
      }
      if (connected.status().code() != StatusCode::kUnavailable || request.once) {
        return connected.status();
      }
      listener.onBusProblem(connected.status());
      if (stop.load() ||
          (request.idle_exit_ms > 0 && now() - last_message_ms >= request.idle_exit_ms)) {
        return stats;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kReconnectPauseMs * 2));
    }
    auto fetched = consumer->fetch(request.batch, kFetchWaitMs);
    if (!fetched.isOk()) {
      if (fetched.status().code() != StatusCode::kUnavailable) return fetched.status();
      listener.onBusProblem(fetched.status());
      std::this_thread::sleep_for(std::chrono::milliseconds(kReconnectPauseMs));
      if (++failed_fetches >= kFetchFailuresBeforeResubscribe) {
        consumer.reset();
        failed_fetches = 0;
      }
    } else if (!fetched->empty()) {
      failed_fetches = 0;
      last_message_ms = now();
    } else if (request.once) {
      break;
    }
    if (request.idle_exit_ms > 0 && now() - last_message_ms >= request.idle_exit_ms) break;
    if (!fetched.isOk()) continue;
    std::vector<bus::Delivery>& deliveries = *fetched;
    if (deliveries.empty()) continue;
    // The fetch is stored in one transaction, then each message is answered.
    std::vector<std::string> ids;
    std::vector<IncomingMessage> incoming;
    ids.reserve(deliveries.size());
    incoming.reserve(deliveries.size());
    for (const bus::Delivery& d : deliveries) ids.push_back(d.messageId());
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      incoming.push_back({ids[i], deliveries[i].data()});
    }
    auto results = ingestMessages(caller, ws, incoming, *signatures, now());
    if (!results.isOk()) {
      // Not the messages' fault: hand them back to the bus, and stop.
      for (bus::Delivery& d : deliveries) (void)d.nak();
      return results.status();
    }
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      bus::Delivery& d = deliveries[i];
      const std::string& id = ids[i];
      Result<IngestedBatch>& stored = (*results)[i];
      if (!stored.isOk()) {
        ++stats.rejected;
        listener.onRejected(id, stored.status());
        const Status term = d.terminate();
        if (!term.isOk()) listener.onBusProblem(term);
        continue;
      }
      if (stored->duplicate) {
        ++stats.duplicates;
      } else {
        ++stats.messages;
        stats.sightings += stored->sightings;
      }
      listener.onStored(*stored);
      // After the commit; a lost ack only means a redelivery, which finds the id stored.
      const Status acked = d.ack();
      if (!acked.isOk()) listener.onBusProblem(acked);
    }
  }
  return stats;
}

}  // namespace phaseout::service
