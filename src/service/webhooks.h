// Webhooks: the verdict changes `phaseout serve` announces, and the outbox they go through.
//
// VerdictWatcher compares, after each new event (and at each new day, since a pending device
// becomes overdue without any event), the verdict of every (directive, device) as of today with
// the snapshot of the last comparison, and writes in ONE write transaction the verdicts that
// changed, the cursor (event seq, day) and one delivery per change and webhook. A crash thus
// neither loses a change (the cursor does not move without its deliveries) nor invents one
// (the snapshot moves with them). The rules stay in policy and campaign: the verdicts are the
// status use case's (through the EvaluationCache when given), waivers applied.
//
// Delivery is at least once: a sender claims open deliveries for a lease (claimWebhookDeliveries,
// so of several processes on one database one sends each), POSTs them and records the outcome
// (recordWebhookAttempt); a claim whose sender died expires and the delivery is sent again. A
// delivery's id is the receiver's idempotency key. A device's deliveries to one webhook go in
// the order they were created: a later one waits until the earlier one is delivered or given up.
//
// Server-internal use cases: `reader` must see every unit (PermissionDenied otherwise). They
// append no audit event (nothing a person did; the change announced has its own event).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "policy/evaluator.h"
#include "service/caller.h"
#include "service/evaluation_cache.h"
#include "service/workspace.h"

namespace phaseout::service {

// The status of a (directive, device) with no verdict: the device is not (or no longer) in the
// directive's scope (retired, handed to someone out of scope, new).
inline constexpr std::string_view kOutOfScope = "out-of-scope";

// One webhook as far as detection needs it.
struct WebhookTarget {
  std::string endpoint;                 // the URL; deliveries are kept per endpoint
  std::vector<std::string> directives;  // only these directives' changes; empty = every one
  bool wants(std::string_view directive_id) const;
};

struct VerdictChange {
  std::string directive_id;
  std::string device_id;
  std::string holder;      // the device's holder ("" when unknown)
  std::string unit;        // the holder's unit ("" when unknown)
  std::string old_status;  // policy::name(VerdictStatus) or kOutOfScope
  std::string new_status;
  std::string reason;          // the new verdict's sentence
  std::int64_t event_seq = 0;  // the last event seen when the change was found
  Date day;                    // the day the verdicts were evaluated as of
  std::int64_t detected_ms = 0;
};

// The delivery's JSON body: {"delivery_id", "type": "verdict.changed", "directive", "device",
// "holder", "unit", "old_status", "new_status", "reason", "event_seq", "day", "at"} (no newline).
std::string verdictChangeJson(const VerdictChange& change, std::string_view delivery_id);

struct VerdictScan {
  bool evaluated = false;  // a new event or day was looked at
  bool baseline = false;   // the first comparison: the snapshot stored, nothing announced
  bool elsewhere = false;  // another process had already compared this far: nothing done here
  std::vector<VerdictChange> changes;
  std::size_t deliveries = 0;
};

// Keeps the last compared snapshot in memory, so a comparison costs one evaluation (usually a
// cache hit) and a pass over the verdicts; the stored snapshot is read again only when another
// process moved the cursor. Not thread-safe: one watcher per thread.
class VerdictWatcher {
 public:
  explicit VerdictWatcher(std::vector<WebhookTarget> targets);

  // Compares today's verdicts (today = the UTC day of now_ms) with the snapshot when the last
  // event or the day moved since the last comparison; nothing when neither did. A directive
  // not in force today is left as it was. Errors: PermissionDenied (reader), storage errors
  // (nothing written; the next scan starts again from the stored snapshot).
  Result<VerdictScan> scan(const Caller& reader, Workspace& ws, EvaluationCache* cache,
                           std::int64_t now_ms);

 private:
  using Snapshot =
      std::unordered_map<std::string, std::unordered_map<std::string, policy::VerdictStatus>>;

  std::vector<WebhookTarget> targets_;
  Snapshot snapshot_;
  bool loaded_ = false;  // snapshot_ equals the stored snapshot at (seq_, day_)
  std::int64_t seq_ = -1;
  std::int32_t day_ = 0;
};

// When a failed delivery is tried again.
struct BackoffPolicy {
  std::int64_t initial_ms = 1000;  // the delay after the first failure
  std::int64_t max_ms = 300000;    // no delay is longer
  std::int64_t max_attempts = 10;  // given up after this many failed attempts
};

// The delay after `failed_attempts` (>= 1) failed attempts: initial_ms doubled per earlier
// failure, capped at max_ms, then "equal jitter": half of it fixed, half scaled by `jitter`
// in [0, 1) (so that receivers coming back are not hit by every sender at once).
std::int64_t backoffDelayMs(const BackoffPolicy& policy, std::int64_t failed_attempts,
                            double jitter);

struct WebhookDelivery {
  std::string delivery_id;
  std::string endpoint;
  std::string device_id;
  std::string payload;        // the body to send, byte for byte
  std::int64_t attempts = 0;  // attempts made before this one
};

// Claims for `claimer` until now_ms + lease_ms at most `limit` deliveries of `endpoint` that
// are due and not claimed by a live lease, oldest first, at most one per device (a device's
// later delivery waits for its earlier one). One write transaction.
Result<std::vector<WebhookDelivery>> claimWebhookDeliveries(
    const Caller& reader, Workspace& ws, const std::string& endpoint, const std::string& claimer,
    std::int64_t now_ms, std::int64_t lease_ms, std::size_t limit);

struct WebhookAttempt {
  const WebhookDelivery* delivery = nullptr;
  std::string claimer;
  std::int64_t now_ms = 0;
  bool delivered = false;
  std::string error;  // why it failed (no secret, no body)
};

enum class AttemptOutcome { kDelivered, kRetrying, kGivenUp };

// Records an attempt of a delivery claimed by attempt.claimer: delivered, else retried after
// backoffDelayMs(policy, attempts so far, jitter), else given up once policy.max_attempts
// attempts failed. Nothing changes when the claim was lost meanwhile.
Result<AttemptOutcome> recordWebhookAttempt(const Caller& reader, Workspace& ws,
                                            const WebhookAttempt& attempt,
                                            const BackoffPolicy& policy, double jitter);

}  // namespace phaseout::service
