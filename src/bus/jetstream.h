// NATS JetStream for the sensors' sightings (libnats, the C client): a Publisher that sends a
// message with its Nats-Msg-Id and waits for the stream's acknowledgement, and a Consumer that
// pulls from a durable consumer with explicit acks. Nothing else in phaseout knows NATS exists.
//
// Both make sure the stream exists (created with StreamConfig when missing; an existing stream
// is used as it is). Errors: Unavailable when the server cannot be reached or does not answer in
// time (the caller keeps the message and retries later); InvalidArgument for a URL that is not
// nats://HOST:PORT; Internal for anything else libnats reports, with its text.
//
// Not thread-safe: one Publisher or Consumer per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct __natsConnection;
struct __natsMsg;
struct __natsSubscription;
struct __jsCtx;

namespace phaseout::bus {

inline constexpr std::string_view kDefaultStream = "PHASEOUT_SIGHTINGS";
inline constexpr std::string_view kSubjectPrefix = "phaseout.sightings.";

struct StreamConfig {
  std::string name = std::string(kDefaultStream);
  std::string subjects = std::string(kSubjectPrefix) + ">";
  std::int64_t duplicate_window_ms = 10 * 60 * 1000;    // JetStream de-duplication by msg id
  std::int64_t max_age_ms = 7LL * 24 * 60 * 60 * 1000;  // messages kept this long
};

// "nats://host:port" (also "nats://host", port 4222; "tls://" is refused: not supported yet).
// InvalidArgument for the field "url" otherwise.
Status checkNatsUrl(std::string_view url);

// A NATS subject token: letters, digits, '-' and '_' (no '.', '*', '>' or spaces), 1..64.
bool isSubjectToken(std::string_view token);

struct PublishAck {
  std::uint64_t stream_seq = 0;
  bool duplicate = false;  // the stream had this message id already (a re-send)
};

class Publisher {
 public:
  // Connects (waiting at most timeout_ms) and makes sure the stream exists.
  static Result<std::unique_ptr<Publisher>> connect(const std::string& url,
                                                    const StreamConfig& stream,
                                                    std::int64_t timeout_ms);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Publishes and waits for the stream's acknowledgement (at most timeout_ms).
  Result<PublishAck> publish(const std::string& subject, const std::string& message_id,
                             std::string_view data);

 private:
  Publisher() = default;
  __natsConnection* conn_ = nullptr;
  __jsCtx* js_ = nullptr;
  std::string stream_;
  std::int64_t timeout_ms_ = 0;
};

// One message pulled from the durable consumer; ack() or nak() it once handled. Destroying it
// unanswered leaves it to be redelivered after the consumer's ack wait.
class Delivery {
 public:
  explicit Delivery(__natsMsg* msg) : msg_(msg) {}
  ~Delivery();
  Delivery(Delivery&& other) noexcept : msg_(other.msg_) { other.msg_ = nullptr; }
  Delivery& operator=(Delivery&&) = delete;
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  std::string subject() const;
  std::string messageId() const;  // the Nats-Msg-Id header, "" when absent
  std::string_view data() const;
  std::uint64_t deliveries() const;  // 1 the first time, more when redelivered

  Status ack();        // handled: never deliver again
  Status nak();        // not handled now: deliver again (to any process) after a short delay
  Status terminate();  // can never be handled (malformed): never deliver again

 private:
  __natsMsg* msg_;
};

class Consumer {
 public:
  // Connects (reconnecting by itself when the server goes away and comes back), makes sure the
  // stream exists, and binds to the durable pull consumer `durable` (created when missing:
  // explicit acks, ack wait ack_wait_ms, filter on the stream's subjects). Several processes
  // bound to one durable share its messages: each is given to one of them at a time.
  static Result<std::unique_ptr<Consumer>> connect(const std::string& url,
                                                   const StreamConfig& stream,
                                                   const std::string& durable,
                                                   std::int64_t ack_wait_ms,
                                                   std::int64_t timeout_ms);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Up to `batch` messages, waiting at most timeout_ms for the first; none when the wait ends
  // with nothing (not an error). Unavailable while the server is away.
  Result<std::vector<Delivery>> fetch(int batch, std::int64_t timeout_ms);

 private:
  Consumer() = default;
  __natsConnection* conn_ = nullptr;
  __jsCtx* js_ = nullptr;
  __natsSubscription* sub_ = nullptr;
};

}  // namespace phaseout::bus
