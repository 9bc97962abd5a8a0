// Webhooks of `phaseout serve`: the verdict changes service/webhooks.h finds, POSTed to each
// configured receiver (ServerConfig::webhooks) with libcurl.
//
// Each POST carries the JSON body stored in the outbox and the headers
//   X-Phaseout-Delivery:  the delivery id (the receiver's idempotency key; a retry repeats it)
//   X-Phaseout-Timestamp: seconds since the epoch when this attempt was sent
//   X-Phaseout-Signature: sha256=<hex HMAC-SHA256 of the raw body under the webhook's secret>
// A 2xx answer delivers it; anything else (another status, no connection, a timeout) is
// retried with exponential backoff and jitter, and given up after max_attempts (logged on
// stderr as one JSON line, with the URL's scheme, host and path only, never the secret).
//
// WebhookDispatcher runs two threads of its own, each with its own Workspace, so requests are
// never held up by a slow receiver: one compares verdicts every poll (and when poked), one
// sends due deliveries. Several `phaseout serve` on one database share the work through the
// outbox's claims (at least once; ids dedupe).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "server/app.h"
#include "service/evaluation_cache.h"

namespace phaseout::server {

// Lower-case hex HMAC-SHA256 of `body` under `secret` (libsodium; any key length).
std::string webhookSignature(std::string_view secret, std::string_view body);

// Ok for an absolute http:// or https:// URL with a host (and a numeric port if any), no
// user:password@ and no whitespace or control characters; InvalidArgument saying what is wrong.
Status checkWebhookUrl(std::string_view url);

// The URL as logs show it: without its query and fragment (they may carry a token).
std::string webhookUrlForLog(std::string_view url);

class WebhookDispatcher {
 public:
  // Starts the threads. `cache` (shared with the request handlers; thread-safe) may be null.
  // `now_ms` is the clock (the epoch in ms).
  WebhookDispatcher(std::vector<WebhookConfig> hooks, std::string db_url,
                    service::EvaluationCache* cache, std::int64_t poll_ms,
                    std::function<std::int64_t()> now_ms);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // A change was recorded through this server: compare now rather than at the next poll.
  void poke();
  // Stops both threads; an attempt in flight is abandoned (its claim expires and it is sent
  // again later). Idempotent.
  void shutdown();

 private:
  void detectLoop();
  void deliverLoop();
  // Waits up to `ms` or until woken (`flag` set) or stopping; clears `flag`.
  bool waitFor(std::int64_t ms, bool& flag);
  void log(std::string_view line);

  const std::vector<WebhookConfig> hooks_;
  const std::string db_url_;
  service::EvaluationCache* const cache_;
  const std::int64_t poll_ms_;
  const std::function<std::int64_t()> now_ms_;
  const std::string claimer_;  // this process's name in the outbox's claims
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool detect_poked_ = false;
  bool deliver_poked_ = false;
  std::thread detector_;
  std::thread deliverer_;
};

}  // namespace phaseout::server
