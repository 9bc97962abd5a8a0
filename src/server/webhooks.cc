#include "server/webhooks.h"

#include <curl/curl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "core/date.h"
#include "service/webhooks.h"
#include "service/workspace.h"

namespace phaseout::server {
namespace {

constexpr std::size_t kClaimBatch = 16;
constexpr std::size_t kMaxReplyBytes = 64 * 1024;  // a receiver's answer is read, not kept
constexpr std::int64_t kLeaseMarginMs = 5000;

std::string randomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

std::size_t discardReply(char*, std::size_t size, std::size_t count, void* user) {
  auto* total = static_cast<std::size_t*>(user);
  *total += size * count;
  return *total > kMaxReplyBytes ? 0 : size * count;
}

// Aborts a transfer once the dispatcher stops.
int abortWhenStopping(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

struct PostOutcome {
  bool delivered = false;
  std::string error;  // "HTTP 500", "Couldn't connect to server", ...
};

PostOutcome post(const WebhookConfig& hook, const service::WebhookDelivery& delivery,
                 std::int64_t now_ms, const std::atomic<bool>& stopping) {
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (kInit != CURLE_OK) return {false, "libcurl could not be initialised"};
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {false, "libcurl could not make a handle"};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  auto add = [&headers](const std::string& header) {
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  };
  add("Content-Type: application/json");
  add("User-Agent: phaseout-webhooks/1");
  add("X-Phaseout-Delivery: " + delivery.delivery_id);
  add("X-Phaseout-Timestamp: " + std::to_string(now_ms / 1000));
  add("X-Phaseout-Signature: sha256=" + webhookSignature(hook.secret, delivery.payload));
  add("Expect:");  // no 100-continue round trip
  std::size_t reply_bytes = 0;
  curl_easy_setopt(curl.get(), CURLOPT_URL, hook.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(hook.timeout_ms));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, delivery.payload.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(delivery.payload.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discardReply);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply_bytes);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, abortWhenStopping);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &stopping);
  const CURLcode rc = curl_easy_perform(curl.get());
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {true, ""};
  if (status != 0) return {false, "HTTP " + std::to_string(status)};
  return {false, rc == CURLE_OK ? "no answer" : curl_easy_strerror(rc)};
}

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '[' || c == ']' ||
         c == ':' || c == '%';
}

}  // namespace

std::string webhookSignature(std::string_view secret, std::string_view body) {
  crypto_auth_hmacsha256_state state;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, sizeof mac * 2);
}

Status checkWebhookUrl(std::string_view url) {
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return invalidArgument("a URL has no spaces or control characters");
  }
  std::string lower(url.substr(0, std::min<std::size_t>(url.size(), 8)));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t start = 0;
  if (lower.rfind("https://", 0) == 0) {
    start = 8;
  } else if (lower.rfind("http://", 0) == 0) {
    start = 7;
  } else {
    return invalidArgument("expected an http:// or https:// URL");
  }
  const std::size_t end = url.find_first_of("/?#", start);
  const std::string_view authority =
      url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (authority.find('@') != std::string_view::npos) {
    return invalidArgument("a user or password in the URL is not accepted (it would be logged)");
  }
  if (authority.empty()) return invalidArgument("the URL names no host");
  for (char c : authority) {
    if (!isUnreserved(static_cast<unsigned char>(c))) {
      return invalidArgument("the URL's host has a character not allowed there");
    }
  }
  // A port, when given, is a number from 1 to 65535 (an IPv6 literal is in brackets).
  const std::size_t bracket = authority.rfind(']');
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = authority.substr(colon + 1);
    const std::string_view host = authority.substr(0, colon);
    if (host.empty()) return invalidArgument("the URL names no host");
    long value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || value > 65535) {
        return invalidArgument("the URL's port is not a number from 1 to 65535");
      }
      value = value * 10 + (c - '0');
    }
    if (port.empty() || value < 1 || value > 65535) {
      return invalidArgument("the URL's port is not a number from 1 to 65535");
    }
  }
  return Status::ok();
}

std::string webhookUrlForLog(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

WebhookDispatcher::WebhookDispatcher(std::vector<WebhookConfig> hooks, std::string db_url,
                                     service::EvaluationCache* cache, std::int64_t poll_ms,
                                     std::function<std::int64_t()> now_ms)
    : hooks_(std::move(hooks)),
      db_url_(std::move(db_url)),
      cache_(cache),
      poll_ms_(std::max<std::int64_t>(poll_ms, 10)),
      now_ms_(std::move(now_ms)),
      claimer_("serve-" + std::to_string(::getpid()) + "-" + randomHex(6)) {
  detector_ = std::thread([this] { detectLoop(); });
  deliverer_ = std::thread([this] { deliverLoop(); });
}

WebhookDispatcher::~WebhookDispatcher() { shutdown(); }

void WebhookDispatcher::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (detector_.joinable()) detector_.join();
  if (deliverer_.joinable()) deliverer_.join();
}

void WebhookDispatcher::poke() {
  {
    std::lock_guard lock(mutex_);
    detect_poked_ = true;
  }
  wake_.notify_all();
}

bool WebhookDispatcher::waitFor(std::int64_t ms, bool& flag) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load() || flag; });
  flag = false;
  return !stopping_;
}

void WebhookDispatcher::log(std::string_view line) {
  std::string out(line);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stderr);  // one write: lines never interleave
}

void WebhookDispatcher::detectLoop() {
  std::vector<service::WebhookTarget> targets;
  for (const auto& h : hooks_) targets.push_back({h.url, h.directives});
  service::VerdictWatcher watcher(std::move(targets));
  const service::Caller reader = service::Caller::localOperator("phaseout serve");
  std::unique_ptr<service::Workspace> ws;
  std::string last_error;
  do {
    if (!ws) {
      auto opened = service::Workspace::open(db_url_);
      if (!opened.isOk()) continue;
      ws = std::move(opened).value();
    }
    auto scan = watcher.scan(reader, *ws, cache_, now_ms_());
    if (!scan.isOk()) {
      // Said once per distinct problem, not at every poll.
      if (scan.status().message() != last_error) {
        last_error = scan.status().message();
        nlohmann::ordered_json j{{"time", formatUtcTimestamp(now_ms_())},
                                 {"webhooks", "verdicts not compared"},
                                 {"error", last_error}};
        log(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
      }
      continue;
    }
    last_error.clear();
    if (scan->baseline) {
      nlohmann::ordered_json j{{"time", formatUtcTimestamp(now_ms_())},
                               {"webhooks",
                                "verdicts stored as the baseline; changes from now "
                                "on are announced"}};
      log(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    }
    if (scan->deliveries > 0) {
      {
        std::lock_guard lock(mutex_);
        deliver_poked_ = true;
      }
      wake_.notify_all();
    }
  } while (waitFor(poll_ms_, detect_poked_));
}

void WebhookDispatcher::deliverLoop() {
  const service::Caller reader = service::Caller::localOperator("phaseout serve");
  std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  std::unique_ptr<service::Workspace> ws;
  bool busy = false;
  do {
    busy = false;
    if (!ws) {
      auto opened = service::Workspace::open(db_url_);
      if (!opened.isOk()) continue;
      ws = std::move(opened).value();
    }
    for (const WebhookConfig& hook : hooks_) {
      if (stopping_) return;
      auto claimed =
          service::claimWebhookDeliveries(reader, *ws, hook.url, claimer_, now_ms_(),
                                          hook.timeout_ms * 2 + kLeaseMarginMs, kClaimBatch);
      if (!claimed.isOk()) continue;  // the database is busy: next round
      const service::BackoffPolicy policy{hook.backoff_initial_ms, hook.backoff_max_ms,
                                          hook.max_attempts};
      for (const auto& delivery : *claimed) {
        if (stopping_) return;  // the claim expires; another round sends it
        busy = true;
        const PostOutcome sent = post(hook, delivery, now_ms_(), stopping_);
        if (stopping_ && !sent.delivered) return;
        const service::WebhookAttempt attempt{&delivery, claimer_, now_ms_(), sent.delivered,
                                              sent.error};
        auto outcome = service::recordWebhookAttempt(reader, *ws, attempt, policy, jitter(random));
        if (!outcome.isOk() || *outcome == service::AttemptOutcome::kDelivered) continue;
        nlohmann::ordered_json j{
            {"time", formatUtcTimestamp(now_ms_())},
            {"webhook", webhookUrlForLog(hook.url)},
            {"delivery", delivery.delivery_id},
            {"attempt", delivery.attempts + 1},
            {"outcome", *outcome == service::AttemptOutcome::kGivenUp ? "given up" : "will retry"},
            {"error", sent.error}};
        log(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
      }
    }
  } while (busy ? !stopping_ : waitFor(poll_ms_, deliver_poked_));
}

}  // namespace phaseout::server
