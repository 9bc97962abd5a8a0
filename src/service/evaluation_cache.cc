#include "service/evaluation_cache.h"

#include <chrono>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "campaign/progress.h"
#include "campaign/waiver.h"
#include "policy/evaluator.h"
#include "service/directive.h"
#include "service/sightings.h"
#include "service/workspace_access.h"
#include "storage/repository.h"

namespace phaseout::service {

EvaluationCache::EvaluationCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void EvaluationCache::invalidate() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

EvaluationCache::Stats EvaluationCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Result<std::shared_ptr<const StatusResult>> EvaluationCache::full(Workspace& ws,
                                                                  const std::string& directive_id,
                                                                  Date as_of) {
  PH_ASSIGN_OR_RETURN(const std::int64_t seq,
                      storage::lastEventSeq(WorkspaceAccess::repository(ws).connection()));
  const Key key{directive_id, as_of.days(), seq};
  std::promise<Value> promise;
  std::shared_future<Value> future;
  bool evaluate_here = false;
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->key == key) {
        future = it->value;
        entries_.splice(entries_.begin(), entries_, it);
        ++stats_.hits;
        break;
      }
    }
    if (!future.valid()) {
      ++stats_.misses;
      evaluate_here = true;
      future = promise.get_future().share();
      // Entries of an older seq can never be asked for again.
      entries_.remove_if([&](const Entry& e) { return e.key.seq < seq; });
      entries_.push_front(Entry{key, future});
      while (entries_.size() > capacity_) entries_.pop_back();
    }
  }
  if (evaluate_here) {
    // Evaluated as someone who sees everything; the caller's narrowing comes after.
    auto result = ws.status(Caller::localOperator(""), directive_id, as_of);
    Value value = result.isOk() ? Value(std::shared_ptr<const StatusResult>(
                                      std::make_shared<StatusResult>(std::move(result).value())))
                                : Value(result.status());
    if (!value.isOk()) {
      // Errors are not kept: the next request tries again.
      std::lock_guard lock(mutex_);
      entries_.remove_if([&](const Entry& e) { return e.key == key; });
    }
    promise.set_value(std::move(value));
  }
  return future.get();
}

Result<StatusSummary> EvaluationCache::summary(const Caller& caller, Workspace& ws,
                                               const std::string& directive_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(const std::int64_t seq,
                      storage::lastEventSeq(WorkspaceAccess::repository(ws).connection()));
  const Key key{directive_id, as_of.days(), seq};
  std::shared_ptr<const StatusResult> everything;
  {
    std::lock_guard lock(mutex_);
    for (const Entry& e : entries_) {
      if (e.key != key) continue;
      // Only an evaluation already made; one still being made is not waited for.
      if (e.value.wait_for(std::chrono::seconds(0)) == std::future_status::ready &&
          e.value.get().isOk()) {
        everything = *e.value.get();
      }
      break;
    }
  }
  if (!everything) return statusSummary(caller, ws, directive_id, as_of);
  if (caller.scope.all_units) return summaryOf(*everything);
  return summaryOf(narrowStatus(caller, *everything));
}

Result<std::shared_ptr<const StatusResult>> EvaluationCache::status(const Caller& caller,
                                                                    Workspace& ws,
                                                                    const std::string& directive_id,
                                                                    Date as_of) {
  PH_ASSIGN_OR_RETURN(auto everything, full(ws, directive_id, as_of));
  if (caller.scope.all_units) return everything;
  return std::shared_ptr<const StatusResult>(
      std::make_shared<StatusResult>(narrowStatus(caller, *everything)));
}

StatusResult narrowStatus(const Caller& caller, const StatusResult& full) {
  StatusResult out;
  out.directive = full.directive;
  out.directive_version = full.directive_version;
  out.waivers = full.waivers;
  // restrictToScope's rule (service/scope.h), applied while copying so that nothing out of
  // view is copied: the people the caller sees, and the devices one of them holds.
  std::unordered_set<std::string_view> seen;
  for (const auto& p : full.people) {
    if (!caller.sees(p.unit, p.person_id)) continue;
    out.people.push_back(p);
    seen.insert(p.person_id);
  }
  for (const auto& d : full.devices) {
    if (seen.contains(d.holder)) out.devices.push_back(d);
  }
  out.evaluation = policy::evaluate(out.directive, out.people, out.devices, full.evaluation.as_of);
  campaign::applyWaivers(out.evaluation, out.waivers);
  out.milestones =
      campaign::milestoneChecks(out.directive, out.people, out.devices, out.evaluation);
  return out;
}

policy::Evaluation filterVerdicts(const policy::Evaluation& evaluation,
                                  std::optional<policy::VerdictStatus> status,
                                  std::string_view unit_glob) {
  policy::Evaluation out;
  out.directive_id = evaluation.directive_id;
  out.as_of = evaluation.as_of;
  out.people_in_scope = evaluation.people_in_scope;
  out.people_in_scope_by_unit = evaluation.people_in_scope_by_unit;
  out.devices_without_known_holder = evaluation.devices_without_known_holder;
  for (const auto& v : evaluation.verdicts) {
    if (status && v.status != *status) continue;
    if (!unit_glob.empty() && !policy::unitMatches(unit_glob, v.unit)) continue;
    out.verdicts.push_back(v);
  }
  return out;
}

Result<CachedStatusSummary> cachedStatusSummary(const Caller& caller, Workspace& ws,
                                                EvaluationCache& cache,
                                                const StatusRequest& request) {
  PH_RETURN_IF_ERROR(ws.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  const Date as_of = dayOrToday(request.at, request.now_ms);
  CachedStatusSummary out;
  PH_ASSIGN_OR_RETURN(out.summary, cache.summary(caller, ws, id, as_of));
  PH_ASSIGN_OR_RETURN(out.network, networkSummary(caller, ws, id, as_of));
  return out;
}

Result<CachedStatusReport> cachedStatusReport(const Caller& caller, Workspace& ws,
                                              EvaluationCache& cache,
                                              const StatusRequest& request) {
  PH_RETURN_IF_ERROR(ws.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  const Date as_of = dayOrToday(request.at, request.now_ms);
  CachedStatusReport out;
  PH_ASSIGN_OR_RETURN(out.status, cache.status(caller, ws, id, as_of));
  PH_ASSIGN_OR_RETURN(out.network, networkSummary(caller, ws, id, as_of));
  return out;
}

}  // namespace phaseout::service
