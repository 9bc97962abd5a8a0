#include "service/status.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "campaign/progress.h"
#include "campaign/waiver.h"
#include "core/memory.h"
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

// The people in scope on the day as the caller sees them, by id, with each one's number and
// unit. One device is one lookup, so the table is laid out for the cache: an open-addressed
// array of 32-byte slots holding the id itself (up to 23 bytes; a longer one is kept in a side
// buffer), the person's number and unit, so a lookup touches one cache line, not three.
class InScopePeople {
 public:
  void add(std::string_view id, std::uint32_t unit) {
    ids_.append(id);
    ends_.push_back(ids_.size());
    units_.push_back(unit);
  }
  // How many people were added.
  std::uint32_t size() const { return size_; }
  // Builds the table once every person is added.
  void index() {
    size_ = static_cast<std::uint32_t>(units_.size());
    // About 70% full: short probes, a table a third larger than the people it holds.
    slots_ = units_.size() + units_.size() / 2 + 16;
    // Huge pages where the system gives them: one TLB entry covers 65,536 slots, so a lookup
    // is one cache miss rather than a page walk and a miss (advised before the pages are
    // touched, which is when they are chosen).
    table_.reserve(slots_);
    adviseHugePages(table_.data(), slots_ * sizeof(Slot));
    table_.assign(slots_, Slot{});
    std::string long_ids;
    for (std::uint32_t i = 0; i < units_.size(); ++i) {
      const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
      const std::string_view id = std::string_view(ids_).substr(begin, ends_[i] - begin);
      std::size_t at = slotOf(id);
      while (table_[at].person != kEmpty) at = at + 1 == slots_ ? 0 : at + 1;
      Slot& slot = table_[at];
      slot.person = i;
      slot.unit = units_[i];
      slot.size = static_cast<std::uint8_t>(std::min<std::size_t>(id.size(), 255));
      if (id.size() <= kInline) {
        std::memcpy(slot.key, id.data(), id.size());
      } else {
        const std::uint64_t offset = long_ids.size();
        std::memcpy(slot.key, &offset, sizeof offset);
        const std::uint32_t size = static_cast<std::uint32_t>(id.size());
        std::memcpy(slot.key + sizeof offset, &size, sizeof size);
        long_ids.append(id);
      }
    }
    ids_ = std::move(long_ids);
    ids_.shrink_to_fit();
    ends_ = {};
    units_ = {};
  }
  struct Found {
    std::uint32_t person = kEmpty;  // the person's number (0..size), or kEmpty
    std::uint32_t unit = 0;
  };
  // The slot where the search for `id` starts, asked of the memory system ahead of findAt().
  std::size_t prefetch(std::string_view id) const {
    const std::size_t at = slotOf(id);
    __builtin_prefetch(&table_[at]);
    return at;
  }
  Found findAt(std::size_t at, std::string_view wanted) const {
    while (table_[at].person != kEmpty) {
      const Slot& slot = table_[at];
      if (matches(slot, wanted)) return {slot.person, slot.unit};
      at = at + 1 == slots_ ? 0 : at + 1;
    }
    return {};
  }

  static constexpr std::uint32_t kEmpty = UINT32_MAX;

 private:
  static constexpr std::size_t kInline = 23;
  struct alignas(32) Slot {
    std::uint32_t person = kEmpty;
    std::uint32_t unit = 0;
    std::uint8_t size = 0;   // 255: 255 bytes or more (the exact size is with the offset)
    char key[kInline] = {};  // the id, or (longer than kInline) its offset and size in ids_
  };
  static_assert(sizeof(Slot) == 32);

  std::size_t slotOf(std::string_view id) const {
    // The hash scaled to [0, slots): the high half of a 64x64-bit product.
    const std::uint64_t h = std::hash<std::string_view>()(id);
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::size_t>((static_cast<Wide>(h) * slots_) >> 64);
  }
  bool matches(const Slot& slot, std::string_view wanted) const {
    if (wanted.size() <= kInline) {
      return slot.size == wanted.size() && std::memcmp(slot.key, wanted.data(), wanted.size()) == 0;
    }
    if (slot.size <= kInline) return false;
    std::uint64_t offset = 0;
    std::uint32_t size = 0;
    std::memcpy(&offset, slot.key, sizeof offset);
    std::memcpy(&size, slot.key + sizeof offset, sizeof size);
    return std::string_view(ids_).substr(offset, size) == wanted;
  }

  std::string ids_;                   // while adding: every id; once indexed: the long ones
  std::vector<std::uint64_t> ends_;   // while adding: where each id ends in ids_
  std::vector<std::uint32_t> units_;  // while adding: each one's unit
  std::vector<Slot> table_;
  std::size_t slots_ = 0;
  std::uint32_t size_ = 0;
};

// Everyone in scope as one list numbered in id order, held as the one or two parts that were
// read apart (the second from the id `from` on), each indexed by the thread that read it. The
// part of an id is found by comparing it with `from`: ids compare by bytes in the store (TEXT
// columns are COLLATE "C" on PostgreSQL, as SQLite compares), as the reads were split.
class PeopleInScope {
 public:
  // Adds the next part: its people, their units renumbered by `units`, its first id `from`.
  void addPart(const InScopePeople& people, std::vector<std::uint32_t> units, std::string from) {
    parts_.push_back(Part{&people, std::move(units), std::move(from), size_});
    size_ += people.size();
  }
  struct Probe {
    std::uint32_t part = 0;
    std::size_t slot = 0;
  };
  // Where the search for `id` starts, fetched into the cache ahead of findAt().
  Probe prefetch(std::string_view id) const {
    const std::uint32_t part = parts_.size() > 1 && id >= parts_[1].from ? 1 : 0;
    return {part, parts_[part].people->prefetch(id)};
  }
  // The person `id` (numbered in the whole list) and its unit, or kEmpty.
  InScopePeople::Found findAt(Probe probe, std::string_view id) const {
    const Part& part = parts_[probe.part];
    InScopePeople::Found found = part.people->findAt(probe.slot, id);
    if (found.person != InScopePeople::kEmpty) {
      found.person += part.first;
      found.unit = part.units[found.unit];
    }
    return found;
  }

 private:
  struct Part {
    const InScopePeople* people;
    std::vector<std::uint32_t> units;  // the part's unit numbers -> the summary's
    std::string from;
    std::uint32_t first;  // the number of the part's first person in the whole list
  };
  std::vector<Part> parts_;
  std::uint32_t size_ = 0;
};

}  // namespace

namespace {

// What one part of the devices adds up to: verdicts per unit number, and milestone progress.
struct DeviceFold {
  DeviceFold(const policy::Directive& directive, const policy::DeviceJudge& judge, Date as_of,
             std::size_t units)
      : counts(units), milestones(directive, as_of), classes(directive, judge) {}
  std::vector<policy::StatusCounts> counts;
  campaign::MilestoneTally milestones;
  campaign::DeviceClassifier classes;  // the rules' answers, per device shape
};

// What every part reads the devices against (read-only while the parts run).
struct DeviceRules {
  const PeopleInScope& people;
  const std::vector<std::string>& unit_names;
  const std::vector<const campaign::Waiver*>& active_waivers;
};

// Folds one device whose holder was looked up.
void foldDevice(const DeviceRules& rules, DeviceFold& fold, const InScopePeople::Found& found,
                const campaign::DeviceClass& c, bool active, std::string_view device_id,
                const std::string& holder) {
  if (found.person == InScopePeople::kEmpty) return;
  if (!active) {
    fold.milestones.addInactive(found.person, c);
    return;
  }
  policy::VerdictStatus status = c.decision.status;
  if (status != policy::VerdictStatus::kCompliant && !rules.active_waivers.empty() &&
      campaign::coveringWaiver(rules.active_waivers, device_id, &holder,
                               &rules.unit_names[found.unit]) != nullptr) {
    status = policy::VerdictStatus::kExempt;
  }
  fold.counts[found.unit].add(status);
  fold.milestones.addVerdict(found.person, status, c);
}

// Streams the devices of `ids` as of the day and folds each one whose holder is in scope.
// Each holder's slot is fetched into the cache while the next row is read: a device is folded
// one row late, so its lookup no longer waits on memory.
Status foldDevices(storage::Repository& repo, Date as_of, const storage::Repository::IdRange& ids,
                   const DeviceRules& rules, DeviceFold& fold) {
  using Fields = storage::Repository::Fields;
  struct Held {
    bool present = false;
    std::string device_id, holder;
    const campaign::DeviceClass* c = nullptr;
    bool active = false;
    PeopleInScope::Probe probe;
  } held;
  const auto foldHeld = [&] {
    if (!held.present) return;
    foldDevice(rules, fold, rules.people.findAt(held.probe, held.holder), *held.c, held.active,
               held.device_id, held.holder);
    held.present = false;
  };
  PH_RETURN_IF_ERROR(repo.forEachDevice(
      as_of, Fields::kCounting,
      [&](const inventory::Device& d) {
        if (d.holder.empty()) return Status::ok();
        const PeopleInScope::Probe probe = rules.people.prefetch(d.holder);
        const campaign::DeviceClass& c = fold.classes.classify(d);
        foldHeld();
        held.present = true;
        held.device_id = d.device_id;
        held.holder = d.holder;
        held.c = &c;
        held.active = d.state == platform::DeviceState::kActive;
        held.probe = probe;
        return Status::ok();
      },
      ids));
  foldHeld();
  return Status::ok();
}

// The people in scope of one range of ids, as one reader gathers and indexes them, with units
// numbered in the order this range met them, and each unit's people.
struct PeoplePart {
  InScopePeople people;
  std::vector<std::string> units;
  std::unordered_map<std::string, std::uint32_t> unit_numbers;
  std::vector<std::size_t> counts;
};

// Workspace::status keeps the people the caller sees (restrictToScope), and the evaluation
// counts those in the directive's scope; only they and their devices count here (devices of
// anyone else are neither judged nor milestone work). The part is indexed once read, by the
// thread that read it.
Status gatherPeople(storage::Repository& repo, Date as_of, const Caller& caller,
                    const policy::Directive& directive, const storage::Repository::IdRange& ids,
                    PeoplePart& part) {
  PH_RETURN_IF_ERROR(repo.forEachPerson(
      as_of, storage::Repository::Fields::kEvaluation,
      [&](const inventory::Person& p) {
        if (!caller.sees(p.unit, p.person_id) || !policy::personInScope(directive, p)) {
          return Status::ok();
        }
        const auto [at, added] =
            part.unit_numbers.try_emplace(p.unit, static_cast<std::uint32_t>(part.units.size()));
        if (added) {
          part.units.push_back(p.unit);
          part.counts.push_back(0);
        }
        ++part.counts[at->second];
        part.people.add(p.person_id, at->second);
        return Status::ok();
      },
      ids));
  part.people.index();
  return Status::ok();
}

// The second reader, on a second connection and thread, in a read transaction that must see
// the snapshot of last event `seq` (else `stale`, and the first reader reads its share): the
// people from `people_from` on, then, once the first reader has indexed everyone, the devices
// from `devices_from` on.
struct SecondReader {
  storage::Connection& conn;
  std::int64_t seq;
  Date as_of;
  const Caller& caller;
  const policy::Directive& directive;
  const policy::DeviceJudge& judge;
  std::string people_from, devices_from;

  std::promise<Status> people_done;              // Ok, or why not (stale: FailedPrecondition)
  std::promise<const DeviceRules*> rules_ready;  // the first reader's rules, or null: stop
  PeoplePart people;
  std::unique_ptr<DeviceFold> fold;
};

Status readSecondPart(SecondReader& r) {
  auto tx = storage::Transaction::begin(r.conn, storage::Transaction::Mode::kRead);
  if (!tx.isOk()) {
    r.people_done.set_value(tx.status());
    return tx.status();
  }
  auto seen = storage::lastEventSeq(r.conn);
  Status gathered = !seen.isOk()     ? seen.status()
                    : *seen != r.seq ? failedPrecondition("a write came between the snapshots")
                                     : Status::ok();
  storage::Repository repo(r.conn);
  if (gathered.isOk()) {
    gathered = gatherPeople(repo, r.as_of, r.caller, r.directive, {r.people_from, ""}, r.people);
  }
  r.people_done.set_value(gathered);
  if (!gathered.isOk()) return gathered;
  const DeviceRules* rules = r.rules_ready.get_future().get();
  if (rules == nullptr) return Status::ok();
  r.fold = std::make_unique<DeviceFold>(r.directive, r.judge, r.as_of, rules->unit_names.size());
  PH_RETURN_IF_ERROR(foldDevices(repo, r.as_of, {r.devices_from, ""}, *rules, *r.fold));
  return (*tx)->commit();
}

}  // namespace

Result<StatusSummary> statusSummary(const Caller& caller, Workspace& ws,
                                    const std::string& directive_id, Date as_of) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  using Records = storage::Repository::Records;
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
  const policy::DeviceJudge judge(directive, as_of);

  // With a second connection (a database file, a server), a second thread reads the second
  // half of the people, then of the devices, while this one reads the first halves.
  std::unique_ptr<storage::Connection> other = WorkspaceAccess::openReader(ws);
  std::string people_split, devices_split;
  if (other) {
    PH_ASSIGN_OR_RETURN(people_split, repo.splitPoint(Records::kPeople, 0.5));
    PH_ASSIGN_OR_RETURN(devices_split, repo.splitPoint(Records::kDevices, 0.5));
    if (people_split.empty() || devices_split.empty()) other.reset();
  }
  std::unique_ptr<SecondReader> second;
  std::future<Status> second_done;
  // Whatever happens below, the second thread is told to stop before it is waited for.
  struct Release {
    SecondReader* reader = nullptr;
    bool sent = false;
    void send(const DeviceRules* rules) {
      if (reader != nullptr && !sent) reader->rules_ready.set_value(rules);
      sent = true;
    }
    ~Release() { send(nullptr); }
  } release;
  if (other) {
    other->hintSinglePass();
    second.reset(new SecondReader{
        *other, seq, as_of, caller, directive, judge, people_split, devices_split, {}, {}, {}, {}});
    release.reader = second.get();
    second_done = std::async(std::launch::async, readSecondPart, std::ref(*second));
  }
  std::future<Status> people_done =
      second ? second->people_done.get_future() : std::future<Status>();

  PeoplePart first_people;
  PH_RETURN_IF_ERROR(
      gatherPeople(repo, as_of, caller, directive, {"", second ? people_split : ""}, first_people));
  bool second_stale = false;
  PeoplePart rest_people;
  if (second) {
    const Status gathered = people_done.get();
    if (!gathered.isOk()) {
      // A write committed before the second transaction began (or it failed): this reader
      // reads the second half too, people and devices.
      second_stale = true;
      release.send(nullptr);
      PH_RETURN_IF_ERROR(
          gatherPeople(repo, as_of, caller, directive, {people_split, ""}, rest_people));
    }
  }
  // Every person in scope, numbered in id order, and each unit numbered as a single reader
  // would meet them.
  policy::SummaryBuilder summary(directive, as_of);
  PeopleInScope people;
  std::vector<std::string> unit_names;  // by summary unit number
  std::vector<PeoplePart*> parts = {&first_people};
  if (second) parts.push_back(second_stale ? &rest_people : &second->people);
  for (PeoplePart* part : parts) {
    std::vector<std::uint32_t> to_summary(part->units.size());
    for (std::size_t u = 0; u < part->units.size(); ++u) {
      const std::size_t unit = summary.unitIndex(part->units[u]);
      if (unit == unit_names.size()) unit_names.push_back(part->units[u]);
      for (std::size_t i = 0; i < part->counts[u]; ++i) summary.addPersonInScope(unit);
      to_summary[u] = static_cast<std::uint32_t>(unit);
    }
    people.addPart(part->people, std::move(to_summary), part == &first_people ? "" : people_split);
  }
  const auto active = campaign::activeWaivers(waivers, directive.id, as_of);
  const DeviceRules rules{people, unit_names, active};
  DeviceFold first(directive, judge, as_of, unit_names.size());
  const bool split = second && !second_stale;
  if (split) release.send(&rules);
  const Status first_status =
      foldDevices(repo, as_of, {"", split ? devices_split : ""}, rules, first);
  if (split) {
    Status part = second_done.get();
    PH_RETURN_IF_ERROR(first_status);
    DeviceFold again(directive, judge, as_of, unit_names.size());
    const DeviceFold* rest = second->fold.get();
    if (!part.isOk() || rest == nullptr) {
      // The second transaction failed on the way: read its half here.
      PH_RETURN_IF_ERROR(foldDevices(repo, as_of, {devices_split, ""}, rules, again));
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
