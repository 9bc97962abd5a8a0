// GET /api/v1/events: server-sent events, one per recorded change the subscriber may see.
//
// One EventHub thread polls the audit trail's last sequence number (so changes recorded by
// another process, a CLI command on the same database, are seen too) and, when it moved,
// reads the new changes once (service/change_feed.h) and hands each subscriber the ones its
// Caller may see. No thread is held per stream: the transport owns the connection and gives a
// ChunkSink; a sink that returns false (the client left) is forgotten.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/api_support.h"
#include "server/http.h"
#include "service/caller.h"

namespace phaseout::server {

class EventHub {
 public:
  // Polls every `poll_ms`, and at once after poke(). A comment line is sent to every stream
  // every `heartbeat_ms` so that departed clients are noticed.
  EventHub(WorkspacePool& pool, std::int64_t poll_ms = 500, std::int64_t heartbeat_ms = 15000);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // The seq the stream of a new subscriber starts after (the last recorded change).
  std::int64_t lastSeq();
  // The subscriber's credentials checked again: its Caller now, Unauthenticated once its
  // session ended or expired, its token was revoked or its person was locked or left; another
  // error (the database busy) keeps the stream as it is until the next check.
  using Recheck = std::function<Result<service::Caller>()>;
  // Sends `sink` every change after `after_seq` that `caller` may see, as
  // "id: SEQ\nevent: change\ndata: {...}\n\n". Before changes are delivered, and at least
  // every `recheck_ms`, `recheck` (when set) is asked again: a stream whose credentials stopped
  // working ends, and a changed scope applies at once.
  void subscribe(service::Caller caller, std::int64_t after_seq, ChunkSink sink,
                 Recheck recheck = {});
  // A change was recorded through this server: poll now rather than at the next tick.
  void poke();
  // Ends every stream and stops polling (idempotent).
  void shutdown();

  std::size_t subscribers();

 private:
  struct Subscriber {
    service::Caller caller;
    std::int64_t after_seq = 0;
    ChunkSink sink;
    Recheck recheck;
  };
  // Drops the subscribers whose credentials stopped working; refreshes the others' Caller.
  void recheckLocked();
  void run();
  void pollOnce();

  WorkspacePool& pool_;
  const std::int64_t poll_ms_;
  const std::int64_t heartbeat_ms_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  bool stopping_ = false;
  std::int64_t last_seq_ = -1;  // -1: not read yet
  std::int64_t last_recheck_ms_ = 0;
  static constexpr std::int64_t kRecheckMs = 5000;
  std::vector<Subscriber> subscribers_;
  std::thread thread_;
};

// The route's handler: 200 text/event-stream kept open, starting after the Last-Event-ID
// header (or the query parameter `after`) when given, else after the last change.
Response eventStream(EventHub& hub, const service::Caller& caller, const Request& request,
                     EventHub::Recheck recheck = {});

}  // namespace phaseout::server
