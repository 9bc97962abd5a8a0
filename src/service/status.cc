#include "service/status.h"

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string_view>
#include <vector>

#include "campaign/progress.h"
#include "campaign/waiver.h"
#include "policy/evaluator.h"
#include "service/directive.h"
#include "service/sightings.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/repository.h"

namespace phaseout::service {

Result<std::optional<BurndownOutcome>> burndownUpTo(const Caller& caller, Workspace& ws,
                                                    const std::string& directive_id, Date as_of) {
  BurndownRequest request;
  request.directive_id = directive_id;
  request.to = as_of;
  request.now_ms = as_of.epochMs();  // the report's day is its today
  auto outcome = burndown(caller, ws, request);
  if (outcome.isOk()) return std::optional<BurndownOutcome>(std::move(outcome).value());
  const StatusCode code = outcome.status().code();
  // A refused range: nothing to draw yet. The report renders without its chart.
  if (code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition) {
    return std::optional<BurndownOutcome>();
  }
  return outcome.status();
}

Result<report::NetworkSummary> networkSummary(const Caller& caller, Workspace& ws,
                                              const std::string& directive_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(const auto counts, networkFindingCounts(caller, ws, directive_id, as_of));
  report::NetworkSummary network;
  network.sightings = counts.sightings;
  network.banned_platform = counts.banned_platform;
  network.unknown_phone = counts.unknown_phone;
  network.disposed_seen_again = counts.disposed_seen_again;
  network.usage_ban = counts.usage_ban;
  return network;
}

namespace {

// The people in scope on the day as the caller sees them, by id: their ids in one buffer and an
// open-addressed table of positions (a few bytes per person beside the id), and each one's unit.
class InScopePeople {
 public:
  void add(std::string_view id, std::uint32_t unit) {
    offsets_.push_back(ids_.size());
    ids_.append(id);
    units_.push_back(unit);
  }
  // Builds the table once every person is added.
  void index() {
    offsets_.push_back(ids_.size());
    std::size_t slots = 16;
    while (slots < units_.size() * 2) slots *= 2;
    mask_ = slots - 1;
    table_.assign(slots, kEmpty);
    for (std::uint32_t i = 0; i < units_.size(); ++i) {
      std::size_t at = std::hash<std::string_view>()(id(i)) & mask_;
      while (table_[at] != kEmpty) at = (at + 1) & mask_;
      table_[at] = i;
    }
  }
  // The person's number (0..size), or kEmpty.
  std::uint32_t find(std::string_view wanted) const {
    std::size_t at = std::hash<std::string_view>()(wanted) & mask_;
    while (table_[at] != kEmpty) {
      if (id(table_[at]) == wanted) return table_[at];
      at = (at + 1) & mask_;
    }
    return kEmpty;
  }
  std::uint32_t unitOf(std::uint32_t person) const { return units_[person]; }

  static constexpr std::uint32_t kEmpty = UINT32_MAX;

 private:
  std::string_view id(std::uint32_t i) const {
    return std::string_view(ids_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  std::string ids_;
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint32_t> units_;
  std::vector<std::uint32_t> table_;
  std::size_t mask_ = 0;
};

}  // namespace

namespace {

// What one part of the devices adds up to: verdicts per unit number, and milestone progress.
struct DeviceFold {
  DeviceFold(const policy::Directive& directive, Date as_of, std::size_t units)
      : counts(units), milestones(directive, as_of) {}
  std::vector<policy::StatusCounts> counts;
  campaign::MilestoneTally milestones;
};

// What every part reads the devices against (read-only while the parts run).
struct DeviceRules {
  const InScopePeople& people;
  const std::vector<std::string>& unit_names;
  const policy::DeviceJudge& judge;
  const std::vector<const campaign::Waiver*>& active_waivers;
};

// Streams the devices of `ids` as of the day and folds each one whose holder is in scope.
Status foldDevices(storage::Repository& repo, Date as_of, const storage::Repository::IdRange& ids,
                   const DeviceRules& rules, DeviceFold& fold) {
  using Fields = storage::Repository::Fields;
  return repo.forEachDevice(
      as_of, Fields::kEvaluation,
      [&](const inventory::Device& d) {
        if (d.holder.empty()) return Status::ok();
        const std::uint32_t holder = rules.people.find(d.holder);
        if (holder == InScopePeople::kEmpty) return Status::ok();
        if (d.state != platform::DeviceState::kActive) {
          fold.milestones.addInactive(holder, d);
          return Status::ok();
        }
        const std::uint32_t unit = rules.people.unitOf(holder);
        policy::VerdictStatus status = rules.judge.decide(d).status;
        if (status != policy::VerdictStatus::kCompliant && !rules.active_waivers.empty() &&
            campaign::coveringWaiver(rules.active_waivers, d.device_id, &d.holder,
                                     &rules.unit_names[unit]) != nullptr) {
          status = policy::VerdictStatus::kExempt;
        }
        fold.counts[unit].add(status);
        fold.milestones.addVerdict(holder, status, d);
        return Status::ok();
      },
      ids);
}

// The second part of the devices, on a second connection: [from, end), in a read transaction
// that must see the snapshot of last event `seq` (else `stale` and nothing is counted).
struct SecondPart {
  Status status;
  bool stale = false;
};
SecondPart foldSecondPart(storage::Connection& conn, std::int64_t seq, Date as_of,
                          const std::string& from, const DeviceRules& rules, DeviceFold& fold) {
  SecondPart out;
  auto tx = storage::Transaction::begin(conn, storage::Transaction::Mode::kRead);
  if (!tx.isOk()) return {tx.status(), false};
  auto seen = storage::lastEventSeq(conn);
  if (!seen.isOk()) return {seen.status(), false};
  if (*seen != seq) return {Status::ok(), true};
  storage::Repository repo(conn);
  out.status = foldDevices(repo, as_of, {from, ""}, rules, fold);
  if (out.status.isOk()) out.status = (*tx)->commit();
  return out;
}

}  // namespace

Result<StatusSummary> statusSummary(const Caller& caller, Workspace& ws,
                                    const std::string& directive_id, Date as_of) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  using Fields = storage::Repository::Fields;
  StatusSummary out;
  // One read transaction: the directive, waivers, people and devices of one snapshot.
  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(const std::int64_t seq, storage::lastEventSeq(repo.connection()));
  PH_ASSIGN_OR_RETURN(auto record, repo.directiveInForce(directive_id, as_of));
  PH_ASSIGN_OR_RETURN(out.directive, parseStoredDirective(record));
  out.directive_version = record.version;
  PH_ASSIGN_OR_RETURN(const auto waivers, storage::CampaignStore(repo).loadWaivers(directive_id));
  const policy::Directive& directive = out.directive;
  policy::SummaryBuilder summary(directive, as_of);
  // The people first: Workspace::status keeps those the caller sees (restrictToScope), and
  // the evaluation counts those in the directive's scope; only they and their devices count
  // here (devices of anyone else are neither judged nor milestone work).
  InScopePeople people;
  std::vector<std::string> unit_names;  // by summary unit number
  PH_RETURN_IF_ERROR(
      repo.forEachPerson(as_of, Fields::kEvaluation, [&](const inventory::Person& p) {
        if (!caller.sees(p.unit, p.person_id) || !policy::personInScope(directive, p)) {
          return Status::ok();
        }
        const std::size_t unit = summary.unitIndex(p.unit);
        if (unit == unit_names.size()) unit_names.push_back(p.unit);
        summary.addPersonInScope(unit);
        people.add(p.person_id, static_cast<std::uint32_t>(unit));
        return Status::ok();
      }));
  people.index();
  const policy::DeviceJudge judge(directive, as_of);
  const auto active = campaign::activeWaivers(waivers, directive.id, as_of);
  const DeviceRules rules{people, unit_names, judge, active};
  // The devices are most of the work: with a second connection (a database file, a server),
  // a second thread streams the second half of them meanwhile, into counts of its own.
  DeviceFold first(directive, as_of, unit_names.size());
  DeviceFold second(directive, as_of, unit_names.size());
  std::string split;
  std::unique_ptr<storage::Connection> other = WorkspaceAccess::openReader(ws);
  if (other) {
    auto at = repo.deviceIdAt(0.5);
    if (at.isOk()) split = at->device_id;
  }
  std::future<SecondPart> second_done;
  if (!split.empty()) {
    other->hintSinglePass();
    second_done = std::async(std::launch::async, foldSecondPart, std::ref(*other), seq, as_of,
                             split, std::cref(rules), std::ref(second));
  }
  const Status first_status = foldDevices(repo, as_of, {"", split}, rules, first);
  if (second_done.valid()) {
    const SecondPart part = second_done.get();
    PH_RETURN_IF_ERROR(first_status);
    DeviceFold again(directive, as_of, unit_names.size());
    const DeviceFold* rest = &second;
    if (!part.status.isOk() || part.stale) {
      // A write committed before the second transaction began: read that half here.
      PH_RETURN_IF_ERROR(foldDevices(repo, as_of, {split, ""}, rules, again));
      rest = &again;
    }
    first.milestones.merge(rest->milestones);
    for (std::size_t u = 0; u < unit_names.size(); ++u) summary.addCounts(u, rest->counts[u]);
  }
  PH_RETURN_IF_ERROR(first_status);
  PH_RETURN_IF_ERROR(tx->commit());
  for (std::size_t u = 0; u < unit_names.size(); ++u) summary.addCounts(u, first.counts[u]);
  out.summary = summary.finish();
  out.milestones = first.milestones.checks();
  return out;
}

StatusSummary summaryOf(const StatusResult& result) {
  StatusSummary out;
  out.directive = result.directive;
  out.directive_version = result.directive_version;
  out.summary = policy::summarize(result.directive, result.evaluation);
  out.milestones = result.milestones;
  return out;
}

Result<StatusReport> statusReport(const Caller& caller, Workspace& ws,
                                  const StatusRequest& request) {
  PH_RETURN_IF_ERROR(ws.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  const Date as_of = dayOrToday(request.at, request.now_ms);
  StatusReport out;
  if (request.summary_only) {
    PH_ASSIGN_OR_RETURN(out.summary, statusSummary(caller, ws, id, as_of));
  } else {
    PH_ASSIGN_OR_RETURN(out.status, ws.status(caller, id, as_of));
  }
  // Network findings beside the inventory's verdicts (stored sightings), narrowed to what the
  // caller sees.
  PH_ASSIGN_OR_RETURN(out.network, networkSummary(caller, ws, id, as_of));
  PH_ASSIGN_OR_RETURN(out.review, inventoryReview(caller, ws));
  if (request.with_burndown) {
    PH_ASSIGN_OR_RETURN(out.burndown, burndownUpTo(caller, ws, id, as_of));
  }
  return out;
}

}  // namespace phaseout::service
