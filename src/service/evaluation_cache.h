// EvaluationCache: the evaluation of a directive as of a day, kept between requests.
//
// A server is asked the same question many times (every dashboard load asks for today's
// status); reading a million devices for each answer is the cost this cache removes. An entry
// is keyed by (directive, day, last event seq): every write appends an event, so any write
// makes every older entry unreachable (and invalidate() drops them at once). The cached value
// is the evaluation over everything (a caller who sees every unit shares it as is); a caller
// with a narrower scope gets that evaluation narrowed to what it sees (service/scope.h), which
// equals what Workspace::status computes for it directly.
//
// Thread-safe: one cache is shared by the server's threads, each with its own Workspace. When
// several threads miss the same key at once, one evaluates and the others wait for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/status.h"
#include "policy/evaluator.h"
#include "report/status_report.h"
#include "service/caller.h"
#include "service/status.h"
#include "service/workspace.h"

namespace phaseout::service {

class EvaluationCache {
 public:
  // Keeps at most `capacity` evaluations (least recently used go first).
  explicit EvaluationCache(std::size_t capacity = 4);

  // The evaluation of `directive_id` (resolved by the default-directive rule) as of `as_of`,
  // as the caller sees it. Errors as Workspace::status.
  Result<std::shared_ptr<const StatusResult>> status(const Caller& caller, Workspace& ws,
                                                     const std::string& directive_id, Date as_of);
  // The counts of that status (service/status.h StatusSummary): from the cached evaluation
  // when there is one for the current seq, else streamed from storage (statusSummary; not
  // kept here: it holds no devices, and the server keeps the rendered answer).
  Result<StatusSummary> summary(const Caller& caller, Workspace& ws,
                                const std::string& directive_id, Date as_of);
  // Drops every entry (a write happened).
  void invalidate();

  struct Stats {
    std::size_t hits = 0;
    std::size_t misses = 0;
  };
  Stats stats() const;

 private:
  struct Key {
    std::string directive_id;
    std::int32_t day = 0;
    std::int64_t seq = 0;
    bool operator==(const Key&) const = default;
  };
  using Value = Result<std::shared_ptr<const StatusResult>>;
  struct Entry {
    Key key;
    std::shared_future<Value> value;
  };

  Result<std::shared_ptr<const StatusResult>> full(Workspace& ws, const std::string& directive_id,
                                                   Date as_of);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  Stats stats_;
};

// The narrowing Workspace::status applies, over an evaluation of everything: the people the
// caller sees and their devices, evaluated, waivers applied, milestones measured.
StatusResult narrowStatus(const Caller& caller, const StatusResult& full);

// The verdicts with `status` (every status when nullopt) of a unit matching `unit_glob`
// (policy::unitMatches; "" = every unit), in their order; the rest of the evaluation as is.
// The verdicts keep pointing into the records `evaluation` points into.
policy::Evaluation filterVerdicts(const policy::Evaluation& evaluation,
                                  std::optional<policy::VerdictStatus> status,
                                  std::string_view unit_glob);

// statusReport (service/status.h) through the cache: the evaluation shared, the network
// findings counted for the caller. No burn-down.
struct CachedStatusReport {
  std::shared_ptr<const StatusResult> status;
  std::optional<report::NetworkSummary> network;
};
// The same with the counts only (EvaluationCache::summary): /api/v1/status.
struct CachedStatusSummary {
  StatusSummary summary;
  std::optional<report::NetworkSummary> network;
};
Result<CachedStatusSummary> cachedStatusSummary(const Caller& caller, Workspace& ws,
                                                EvaluationCache& cache,
                                                const StatusRequest& request);
Result<CachedStatusReport> cachedStatusReport(const Caller& caller, Workspace& ws,
                                              EvaluationCache& cache, const StatusRequest& request);

}  // namespace phaseout::service
