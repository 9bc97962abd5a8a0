#include "service/webhooks.h"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>
#include <unordered_set>

#include "core/date.h"
#include "service/workspace_access.h"
#include "storage/webhook_store.h"

namespace phaseout::service {
namespace {

Status checkReader(const Caller& reader) {
  if (!reader.scope.all_units) {
    return permissionDenied("not allowed to read every verdict for webhooks");
  }
  return Status::ok();
}

// 128 random bits: the idempotency key a receiver dedupes on.
std::string newDeliveryId() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return "whd_" + std::string(hex);
}

struct Evaluated {
  std::string directive_id;
  std::shared_ptr<const StatusResult> result;
};

// Who held a device that left the scope, and why it left, from the records evaluated today.
class DepartureLookup {
 public:
  explicit DepartureLookup(const StatusResult& result) : result_(result) {}

  void describe(const std::string& device_id, VerdictChange& change) {
    if (!built_) build();
    const auto d = devices_.find(device_id);
    if (d == devices_.end()) {
      change.reason = "The device is no longer held by anyone the directive covers.";
      return;
    }
    const inventory::Device& device = *d->second;
    change.holder = device.holder;
    if (const auto p = units_.find(device.holder); p != units_.end()) change.unit = p->second;
    if (device.state != platform::DeviceState::kActive) {
      change.reason = policy::describeDevice(device) +
                      " is no longer in use: " + std::string(platform::name(device.state)) + ".";
    } else {
      change.reason =
          policy::describeDevice(device) + " is held by someone the directive no longer covers.";
    }
  }

 private:
  void build() {
    built_ = true;
    for (const auto& device : result_.devices) devices_.emplace(device.device_id, &device);
    for (const auto& person : result_.people) units_.emplace(person.person_id, person.unit);
  }

  const StatusResult& result_;
  bool built_ = false;
  std::unordered_map<std::string_view, const inventory::Device*> devices_;
  std::unordered_map<std::string_view, std::string_view> units_;
};

}  // namespace

bool WebhookTarget::wants(std::string_view directive_id) const {
  return directives.empty() ||
         std::find(directives.begin(), directives.end(), directive_id) != directives.end();
}

std::string verdictChangeJson(const VerdictChange& change, std::string_view delivery_id) {
  nlohmann::ordered_json j;
  j["delivery_id"] = delivery_id;
  j["type"] = "verdict.changed";
  j["directive"] = change.directive_id;
  j["device"] = change.device_id;
  j["holder"] = change.holder;
  j["unit"] = change.unit;
  j["old_status"] = change.old_status;
  j["new_status"] = change.new_status;
  j["reason"] = change.reason;
  j["event_seq"] = change.event_seq;
  j["day"] = change.day.toString();
  j["at"] = formatUtcTimestamp(change.detected_ms);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

VerdictWatcher::VerdictWatcher(std::vector<WebhookTarget> targets) : targets_(std::move(targets)) {}

Result<VerdictScan> VerdictWatcher::scan(const Caller& reader, Workspace& ws,
                                         EvaluationCache* cache, std::int64_t now_ms) {
  PH_RETURN_IF_ERROR(checkReader(reader));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  VerdictScan out;
  PH_ASSIGN_OR_RETURN(const std::int64_t seq, storage::lastEventSeq(repo.connection()));
  const Date today = Date::fromEpochMs(now_ms);
  if (loaded_ && seq_ == seq && day_ == today.days()) return out;
  out.evaluated = true;

  // Evaluate outside the write transaction: writers are not held up by it.
  PH_ASSIGN_OR_RETURN(auto directives, repo.listDirectives());
  std::vector<Evaluated> evaluated;
  auto evaluate = [&](const std::string& id) -> Result<std::shared_ptr<const StatusResult>> {
    if (cache != nullptr) return cache->status(reader, ws, id, today);
    PH_ASSIGN_OR_RETURN(StatusResult direct, ws.status(reader, id, today));
    return std::shared_ptr<const StatusResult>(std::make_shared<StatusResult>(std::move(direct)));
  };
  for (const auto& d : directives) {
    auto result = evaluate(d.directive_id);
    if (!result.isOk()) {
      // Not in force today (or gone): its verdicts are left as they were.
      const StatusCode code = result.status().code();
      if (code == StatusCode::kFailedPrecondition || code == StatusCode::kNotFound) continue;
      return result.status();
    }
    evaluated.push_back({d.directive_id, std::move(result).value()});
  }

  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite));
  storage::WebhookStore store(repo);
  PH_ASSIGN_OR_RETURN(const auto stored, store.loadCursor());
  if (stored &&
      (stored->event_seq > seq || (stored->event_seq == seq && stored->day >= today.days()))) {
    // Another process compared this far (or further): its snapshot is read on the next scan.
    loaded_ = false;
    snapshot_.clear();
    out.elsewhere = true;
    return out;
  }
  const bool baseline = !stored.has_value();
  out.baseline = baseline;
  if (!baseline && (!loaded_ || seq_ != stored->event_seq || day_ != stored->day)) {
    snapshot_.clear();
    loaded_ = false;
    PH_RETURN_IF_ERROR(store.forEachVerdict([this](storage::WebhookVerdictRow&& row) {
      auto status = policy::parseVerdictStatus(row.status);
      if (status) snapshot_[row.directive_id][row.device_id] = *status;
    }));
  }
  if (baseline) snapshot_.clear();
  loaded_ = false;  // until committed

  // The changes, directive by directive, with the snapshot rows they rewrite.
  for (const Evaluated& e : evaluated) {
    auto& before = snapshot_[e.directive_id];
    const auto& verdicts = e.result->evaluation.verdicts;
    std::unordered_set<std::string_view> present;
    present.reserve(verdicts.size());
    for (const policy::Verdict& v : verdicts) {
      const std::string& device_id = v.device->device_id;
      present.insert(device_id);
      const auto it = before.find(device_id);
      if (it != before.end() && it->second == v.status) continue;
      PH_RETURN_IF_ERROR(
          store.putVerdict({e.directive_id, device_id, std::string(policy::name(v.status))}));
      if (baseline) continue;
      VerdictChange c;
      c.directive_id = e.directive_id;
      c.device_id = device_id;
      c.holder = v.holder != nullptr ? v.holder->person_id : "";
      c.unit = std::string(v.unit);
      c.old_status =
          it == before.end() ? std::string(kOutOfScope) : std::string(policy::name(it->second));
      c.new_status = std::string(policy::name(v.status));
      c.reason = v.reason;
      out.changes.push_back(std::move(c));
    }
    DepartureLookup departures(*e.result);
    for (const auto& [device_id, status] : before) {
      if (present.count(device_id) != 0) continue;
      PH_RETURN_IF_ERROR(store.removeVerdict(e.directive_id, device_id));
      VerdictChange c;
      c.directive_id = e.directive_id;
      c.device_id = device_id;
      c.old_status = std::string(policy::name(status));
      c.new_status = std::string(kOutOfScope);
      departures.describe(device_id, c);
      out.changes.push_back(std::move(c));
    }
  }
  // One order for the deliveries: by directive, then device (the evaluation's order).
  std::stable_sort(
      out.changes.begin(), out.changes.end(), [](const VerdictChange& a, const VerdictChange& b) {
        return std::tie(a.directive_id, a.device_id) < std::tie(b.directive_id, b.device_id);
      });

  PH_ASSIGN_OR_RETURN(std::int64_t ordinal, store.nextOrdinal());
  for (VerdictChange& c : out.changes) {
    c.event_seq = seq;
    c.day = today;
    c.detected_ms = now_ms;
    for (const WebhookTarget& t : targets_) {
      if (!t.wants(c.directive_id)) continue;
      storage::WebhookDeliveryRecord d;
      d.delivery_id = newDeliveryId();
      d.ordinal = ordinal++;
      d.endpoint = t.endpoint;
      d.device_id = c.device_id;
      d.payload = verdictChangeJson(c, d.delivery_id);
      d.created_ms = now_ms;
      d.next_attempt_ms = now_ms;
      PH_RETURN_IF_ERROR(store.insertDelivery(d));
      ++out.deliveries;
    }
  }
  PH_RETURN_IF_ERROR(store.saveCursor({seq, today.days(), now_ms}));
  PH_RETURN_IF_ERROR(tx->commit());

  // Committed: the memory snapshot is the stored one.
  for (const VerdictChange& c : out.changes) {
    auto& of = snapshot_[c.directive_id];
    if (c.new_status == kOutOfScope) {
      of.erase(c.device_id);
    } else if (auto status = policy::parseVerdictStatus(c.new_status)) {
      of[c.device_id] = *status;
    }
  }
  if (baseline) {
    for (const Evaluated& e : evaluated) {
      auto& of = snapshot_[e.directive_id];
      for (const policy::Verdict& v : e.result->evaluation.verdicts) {
        of[v.device->device_id] = v.status;
      }
    }
  }
  loaded_ = true;
  seq_ = seq;
  day_ = today.days();
  return out;
}

std::int64_t backoffDelayMs(const BackoffPolicy& policy, std::int64_t failed_attempts,
                            double jitter) {
  std::int64_t delay = std::max<std::int64_t>(policy.initial_ms, 1);
  for (std::int64_t i = 1; i < failed_attempts && delay < policy.max_ms; ++i) delay *= 2;
  delay = std::min(delay, std::max<std::int64_t>(policy.max_ms, 1));
  jitter = std::clamp(jitter, 0.0, 1.0);
  const std::int64_t half = delay / 2;
  return (delay - half) + static_cast<std::int64_t>(static_cast<double>(half) * jitter);
}

Result<std::vector<WebhookDelivery>> claimWebhookDeliveries(
    const Caller& reader, Workspace& ws, const std::string& endpoint, const std::string& claimer,
    std::int64_t now_ms, std::int64_t lease_ms, std::size_t limit) {
  PH_RETURN_IF_ERROR(checkReader(reader));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  // Writers are serialised by the engine, so what is read here is still open when claimed.
  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite));
  storage::WebhookStore store(repo);
  PH_ASSIGN_OR_RETURN(auto open,
                      store.openDeliveries(endpoint, std::max<std::size_t>(limit, 1) * 8));
  std::vector<WebhookDelivery> out;
  std::unordered_set<std::string> waiting;  // devices with an earlier open delivery
  for (auto& d : open) {
    if (out.size() >= limit) break;
    if (!waiting.insert(d.device_id).second) continue;
    const bool due = d.next_attempt_ms <= now_ms;
    const bool leased = d.claimed_by.has_value() && d.claim_until_ms.value_or(0) > now_ms;
    if (!due || leased) continue;
    PH_RETURN_IF_ERROR(store.claim(d.delivery_id, claimer, now_ms + lease_ms));
    out.push_back({std::move(d.delivery_id), std::move(d.endpoint), std::move(d.device_id),
                   std::move(d.payload), d.attempts});
  }
  if (out.empty()) return out;  // nothing written: the transaction rolls back
  PH_RETURN_IF_ERROR(tx->commit());
  return out;
}

Result<AttemptOutcome> recordWebhookAttempt(const Caller& reader, Workspace& ws,
                                            const WebhookAttempt& attempt,
                                            const BackoffPolicy& policy, double jitter) {
  PH_RETURN_IF_ERROR(checkReader(reader));
  if (attempt.delivery == nullptr) return invalidArgument("no delivery given");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite));
  storage::WebhookStore store(repo);
  const std::string& id = attempt.delivery->delivery_id;
  AttemptOutcome outcome = AttemptOutcome::kDelivered;
  if (attempt.delivered) {
    PH_RETURN_IF_ERROR(store.markDelivered(id, attempt.claimer, attempt.now_ms));
  } else {
    const std::int64_t failed = attempt.delivery->attempts + 1;
    if (failed >= policy.max_attempts) {
      outcome = AttemptOutcome::kGivenUp;
      PH_RETURN_IF_ERROR(store.markAttemptFailed(id, attempt.claimer, attempt.now_ms,
                                                 attempt.now_ms, attempt.error));
    } else {
      outcome = AttemptOutcome::kRetrying;
      PH_RETURN_IF_ERROR(store.markAttemptFailed(
          id, attempt.claimer, attempt.now_ms + backoffDelayMs(policy, failed, jitter),
          std::nullopt, attempt.error));
    }
  }
  PH_RETURN_IF_ERROR(tx->commit());
  return outcome;
}

}  // namespace phaseout::service
