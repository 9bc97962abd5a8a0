#include "server/api_events.h"

#include <charconv>
#include <chrono>

#include "service/change_feed.h"

namespace phaseout::server {
namespace {

std::int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace {

std::optional<std::int64_t> parseSeq(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

EventHub::EventHub(WorkspacePool& pool, std::int64_t poll_ms, std::int64_t heartbeat_ms)
    : pool_(pool), poll_ms_(poll_ms), heartbeat_ms_(heartbeat_ms) {
  thread_ = std::thread([this] { run(); });
}

EventHub::~EventHub() { shutdown(); }

void EventHub::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    subscribers_.clear();  // the sinks go: the transport ends their streams
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::size_t EventHub::subscribers() {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

std::int64_t EventHub::lastSeq() {
  {
    std::lock_guard lock(mutex_);
    if (last_seq_ >= 0) return last_seq_;
  }
  auto ws = pool_.acquire();
  if (!ws.isOk()) return 0;
  auto seq = service::lastChangeSeq(**ws);
  return seq.isOk() ? *seq : 0;
}

void EventHub::subscribe(service::Caller caller, std::int64_t after_seq, ChunkSink sink,
                         Recheck recheck) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    subscribers_.push_back({std::move(caller), after_seq, std::move(sink), std::move(recheck)});
    poked_ = true;  // a subscriber resuming from an older seq gets the changes it missed now
  }
  wake_.notify_all();
}

void EventHub::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

void EventHub::run() {
  auto last_beat = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(poll_ms_), [&] { return stopping_ || poked_; });
    if (stopping_) break;
    poked_ = false;
    lock.unlock();
    pollOnce();
    const auto now = std::chrono::steady_clock::now();
    const bool beat = now - last_beat >= std::chrono::milliseconds(heartbeat_ms_);
    lock.lock();
    if (beat) {
      last_beat = now;
      std::erase_if(subscribers_, [](Subscriber& s) { return !s.sink(": keep-alive\n\n"); });
    }
  }
}

void EventHub::pollOnce() {
  std::int64_t from = -1;
  {
    std::lock_guard lock(mutex_);
    if (subscribers_.empty() && last_seq_ >= 0) {
      // Nobody listens: only the last seq is kept current (new subscribers start there).
    }
    for (const auto& s : subscribers_) {
      if (from < 0 || s.after_seq < from) from = s.after_seq;
    }
  }
  auto ws = pool_.acquire();
  if (!ws.isOk()) return;
  auto last = service::lastChangeSeq(**ws);
  if (!last.isOk()) return;
  std::vector<service::Change> changes;
  if (from >= 0 && *last > from) {
    auto read = service::changesAfter(service::Caller::localOperator(""), **ws, from);
    if (!read.isOk()) return;
    changes = std::move(read).value();
  }
  std::lock_guard lock(mutex_);
  last_seq_ = *last;
  const std::int64_t now = steadyMs();
  if (!changes.empty() || now - last_recheck_ms_ >= kRecheckMs) {
    last_recheck_ms_ = now;
    recheckLocked();
  }
  for (const auto& c : changes) {
    const std::string chunk = "id: " + std::to_string(c.seq) +
                              "\nevent: change\ndata: " + service::changeJson(c) + "\n\n";
    std::erase_if(subscribers_, [&](Subscriber& s) {
      if (c.seq <= s.after_seq) return false;
      s.after_seq = c.seq;
      if (!service::seesChange(s.caller, c)) return false;
      return !s.sink(chunk);
    });
  }
}

void EventHub::recheckLocked() {
  std::erase_if(subscribers_, [](Subscriber& s) {
    if (!s.recheck) return false;
    auto now = s.recheck();
    if (now.isOk()) {
      s.caller = std::move(now).value();
      return false;
    }
    // Dropping the last copy of the sink ends the stream.
    return now.status().code() == StatusCode::kUnauthenticated;
  });
}

Response eventStream(EventHub& hub, const service::Caller& caller, const Request& request,
                     EventHub::Recheck recheck) {
  std::optional<std::int64_t> after;
  if (auto id = request.headers.get("Last-Event-ID")) after = parseSeq(*id);
  if (auto q = request.queryParam("after")) {
    after = parseSeq(*q);
    if (!after) return badRequest(invalidField("after", "expected a sequence number"));
  }
  const std::int64_t start = after ? *after : hub.lastSeq();
  Response r;
  r.status = 200;
  r.content_type = "text/event-stream";
  r.headers.set("X-Accel-Buffering", "no");
  r.open_stream = [&hub, caller, start, recheck = std::move(recheck)](ChunkSink sink) {
    // The first bytes tell the client the stream is open and where it starts.
    if (!sink(": stream after " + std::to_string(start) + "\nretry: 2000\n\n")) return;
    hub.subscribe(caller, start, std::move(sink), recheck);
  };
  return r;
}

}  // namespace phaseout::server
