#include "campaign/burndown.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <unordered_map>

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::Person;
using policy::VerdictStatus;

constexpr std::size_t kStatusCount = 5;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// A run of versions of one id: [begin, end) in its sorted vector; end == 0 means none.
struct Run {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  [[nodiscard]] bool found() const { return end != 0; }
};

// What the sweep needs of the people, in compact arrays: for every device version it looks up
// the holder's run of versions, the version in force on a day and whether that version is in
// scope. Reading these from the Person records (hundreds of bytes apart) made cache misses
// most of the sweep's time; the arrays are a few bytes per version. Built in one pass.
class PeopleIndex {
 public:
  PeopleIndex(const std::vector<Versioned<Person>>& people,
              const std::vector<DirectiveVersion>& directive_versions)
      : dv_count_(directive_versions.size()) {
    valid_from_.reserve(people.size());
    in_scope_.reserve(people.size() * dv_count_);
    for (const auto& v : people) {
      valid_from_.push_back(v.valid_from);
      for (const auto& dv : directive_versions) {
        in_scope_.push_back(policy::personInScope(dv.directive, v.record) ? 1 : 0);
      }
    }
    std::vector<Slot> entries;
    for (std::size_t i = 0; i < people.size();) {
      const std::string& id = people[i].record.person_id;
      std::size_t j = i + 1;
      while (j < people.size() && people[j].record.person_id == id) ++j;
      entries.push_back(Slot{0, static_cast<std::uint32_t>(ids_.size()),
                             static_cast<std::uint32_t>(id.size()),
                             Run{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)}});
      ids_ += id;
      i = j;
    }
    std::size_t capacity = 16;
    while (capacity < entries.size() * 2) capacity <<= 1;
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{});
    for (Slot& e : entries) {
      const std::uint64_t h = hash(idOf(e));
      e.tag = tagOf(h);
      std::size_t at = h & mask_;
      while (slots_[at].run.found()) at = (at + 1) & mask_;
      slots_[at] = e;
    }
  }

  static std::uint64_t hash(std::string_view s) {
    // FNV-1a: ids are short, so a byte loop costs less than the cache miss that follows.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h ^ (h >> 29);
  }

  // The lookup of an id is three dependent memory reads (slot, id bytes, the person's arrays);
  // the sweep issues these prefetches ahead of the lookup so that the misses overlap.
  void prefetchSlot(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  void prefetchRun(std::uint64_t h) const {
    const Slot& slot = slots_[h & mask_];
    if (!slot.run.found()) return;
    __builtin_prefetch(ids_.data() + slot.id_offset);
    __builtin_prefetch(&valid_from_[slot.run.begin]);
    __builtin_prefetch(&in_scope_[slot.run.begin * dv_count_]);
  }

  // The run of the versions of the person with this id (whose hash is h); not found() when no
  // version of that person exists.
  [[nodiscard]] Run find(std::string_view id, std::uint64_t h) const {
    const std::uint32_t tag = tagOf(h);
    for (std::size_t at = h & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (!slot.run.found()) return Run{};
      if (slot.tag == tag && idOf(slot) == id) return slot.run;
    }
  }

  [[nodiscard]] std::int32_t validFrom(std::size_t version) const { return valid_from_[version]; }

  // The version of the run in force on `day` (the last with valid_from <= day: versions are
  // sorted by valid_from, then seq, and the latest recorded wins), or kNone.
  [[nodiscard]] std::size_t versionOn(Run run, std::int32_t day) const {
    auto first = valid_from_.begin() + run.begin;
    auto last = valid_from_.begin() + run.end;
    auto it = std::upper_bound(first, last, day);
    if (it == first) return kNone;
    return static_cast<std::size_t>(it - valid_from_.begin()) - 1;
  }

  [[nodiscard]] bool inScope(std::size_t version, std::size_t directive_version) const {
    return in_scope_[version * dv_count_ + directive_version] != 0;
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t id_offset = 0;
    std::uint32_t id_size = 0;
    Run run;
  };
  static std::uint32_t tagOf(std::uint64_t h) { return static_cast<std::uint32_t>(h >> 32); }
  [[nodiscard]] std::string_view idOf(const Slot& s) const {
    return std::string_view(ids_).substr(s.id_offset, s.id_size);
  }

  std::size_t dv_count_;
  std::string ids_;  // every person id, back to back
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::vector<std::int32_t> valid_from_;  // per version
  std::vector<std::uint8_t> in_scope_;    // per (version, directive version)
};

// Mirrors applyWaivers(): who a waiver covers, given the device and its holder on the day.
bool covers(const Waiver& w, const Device& device, const Person& holder) {
  return (!w.device_id.empty() && w.device_id == device.device_id) ||
         (!w.person_id.empty() && w.person_id == holder.person_id) ||
         (!w.unit.empty() && policy::unitMatches(w.unit, holder.unit));
}

void addWaiverDays(const Waiver& w, std::vector<std::int32_t>& days) {
  days.push_back(w.from.days());
  days.push_back(w.until.days() + 1);
  if (w.revoked_from) days.push_back(w.revoked_from->days());
}

// 0: no rule applies (compliant); 1: some rule matches (banned); 2: a rule may apply (unknown).
std::int8_t ruleOutcome(const policy::Directive& d, const Device& device) {
  bool maybe = false;
  for (const auto& rule : d.ban) {
    const policy::RuleMatch m = policy::matchRule(rule, device);
    if (m == policy::RuleMatch::kYes) return 1;
    if (m == policy::RuleMatch::kMaybe) maybe = true;
  }
  return maybe ? 2 : 0;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string daysText(int n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

}  // namespace

std::optional<Date> firstInForceDay(const History& history) {
  if (history.directive_versions.empty()) return std::nullopt;
  std::int32_t first = history.directive_versions.front().valid_from;
  for (const auto& v : history.directive_versions) first = std::min(first, v.valid_from);
  return Date::fromDays(first);
}

Result<Burndown> computeBurndown(const History& history, Date from, Date to) {
  const std::optional<Date> first_day = firstInForceDay(history);
  if (!first_day) return failedPrecondition("the directive has no stored version");
  const std::string& directive_id = history.directive_versions.front().directive.id;
  if (to < *first_day) {
    return failedPrecondition("directive " + directive_id + " is first in force on " +
                              first_day->toString() + ", after the last day asked (" +
                              to.toString() + ")");
  }
  if (to < from) {
    return invalidArgument("the range ends (" + to.toString() + ") before it starts (" +
                           from.toString() + ")");
  }
  from = std::max(from, *first_day);
  const std::int32_t day_count = from.daysUntil(to) + 1;
  if (day_count > kMaxBurndownDays) {
    return invalidArgument("the range " + from.toString() + ".." + to.toString() + " spans " +
                           std::to_string(day_count) + " days; at most " +
                           std::to_string(kMaxBurndownDays) + " are allowed");
  }
  if (history.people.size() >= 0xFFFFFFFFu) return invalidArgument("too many person versions");
  const std::int32_t first = from.days();
  const std::int32_t end = to.days() + 1;  // exclusive

  const auto& dvs = history.directive_versions;
  const std::size_t dv_count = dvs.size();
  auto directive_index_on = [&](std::int32_t day) -> std::size_t {
    // As directiveOn(): the last version in vector order with valid_from <= day.
    std::size_t found = kNone;
    for (std::size_t i = 0; i < dv_count; ++i) {
      if (dvs[i].valid_from <= day) found = i;
    }
    return found;
  };

  // Days on which every device may change: directive versions start, versions' deadlines pass
  // (pending turns overdue the day after the final due date), unit-wide waivers start or end.
  std::vector<std::int32_t> global_days;
  for (const auto& v : dvs) {
    global_days.push_back(v.valid_from);
    if (!v.directive.milestones.empty()) global_days.push_back(v.directive.finalDue().days() + 1);
  }
  std::vector<const Waiver*> unit_waivers;
  std::vector<const Waiver*> device_waivers;  // sorted by device id, walked with the devices
  std::unordered_map<std::string_view, std::vector<const Waiver*>> person_waivers;
  for (const Waiver& w : history.waivers) {
    if (!w.device_id.empty()) {
      device_waivers.push_back(&w);
    } else if (!w.person_id.empty()) {
      person_waivers[w.person_id].push_back(&w);
    } else if (!w.unit.empty()) {
      unit_waivers.push_back(&w);
      addWaiverDays(w, global_days);
    }
  }
  std::stable_sort(device_waivers.begin(), device_waivers.end(),
                   [](const Waiver* a, const Waiver* b) { return a->device_id < b->device_id; });
  std::size_t next_device_waiver = 0;

  const PeopleIndex people(history.people, dvs);
  const auto& devices = history.devices;

  // Holder lookups run ahead of their use: the hash and slot prefetch `slot_ahead` versions
  // ahead, the prefetch of the person's arrays `run_ahead` ahead (see PeopleIndex).
  constexpr std::size_t slot_ahead = 64;
  constexpr std::size_t run_ahead = 32;
  std::vector<std::uint64_t> holder_hash(devices.size());
  std::size_t hashed = 0;
  std::size_t staged = 0;
  auto prepare_up_to = [&](std::size_t limit) {
    const std::size_t hash_to = std::min(devices.size(), limit + slot_ahead);
    for (; hashed < hash_to; ++hashed) {
      const std::string& holder = devices[hashed].record.holder;
      if (holder.empty()) continue;
      holder_hash[hashed] = PeopleIndex::hash(holder);
      people.prefetchSlot(holder_hash[hashed]);
    }
    const std::size_t stage_to = std::min(devices.size(), limit + run_ahead);
    for (; staged < stage_to; ++staged) {
      if (!devices[staged].record.holder.empty()) people.prefetchRun(holder_hash[staged]);
    }
  };

  // diff[s][k]: change of the status-s count on day first + k; summed afterwards.
  std::array<std::vector<std::int64_t>, kStatusCount> diff;
  for (auto& d : diff) d.assign(static_cast<std::size_t>(day_count) + 1, 0);

  std::vector<std::int32_t> days;
  std::vector<Run> holder_runs;     // the distinct holders of this device
  std::vector<Run> version_holder;  // per version of this device: its holder's versions
  std::vector<std::array<std::int8_t, 2>> outcome;  // per (version, directive version) memo
  std::vector<const Waiver*> candidates;
  for (std::size_t i = 0; i < devices.size();) {
    const std::string& device_id = devices[i].record.device_id;
    std::size_t j = i + 1;
    while (j < devices.size() && devices[j].record.device_id == device_id) ++j;
    const std::size_t run_begin = i;
    const std::size_t run_end = j;
    i = j;
    prepare_up_to(run_end);

    // This device's change days and the waivers that may ever cover it.
    days.assign(global_days.begin(), global_days.end());
    candidates.assign(unit_waivers.begin(), unit_waivers.end());
    while (next_device_waiver < device_waivers.size() &&
           device_waivers[next_device_waiver]->device_id < device_id) {
      ++next_device_waiver;
    }
    for (std::size_t w = next_device_waiver;
         w < device_waivers.size() && device_waivers[w]->device_id == device_id; ++w) {
      candidates.push_back(device_waivers[w]);
      addWaiverDays(*device_waivers[w], days);
    }
    holder_runs.clear();
    version_holder.assign(run_end - run_begin, Run{});
    const std::string* last_holder = nullptr;
    Run last_run;
    for (std::size_t k = run_begin; k < run_end; ++k) {
      days.push_back(devices[k].valid_from);
      const std::string& holder = devices[k].record.holder;
      if (holder.empty()) continue;
      if (!last_holder || *last_holder != holder) {
        last_holder = &holder;
        last_run = people.find(holder, holder_hash[k]);
        const bool seen = std::any_of(holder_runs.begin(), holder_runs.end(),
                                      [&](Run r) { return r.begin == last_run.begin; });
        if (last_run.found() && !seen) {
          holder_runs.push_back(last_run);
          for (std::size_t p = last_run.begin; p < last_run.end; ++p) {
            days.push_back(people.validFrom(p));
          }
          if (!person_waivers.empty()) {
            if (auto it = person_waivers.find(holder); it != person_waivers.end()) {
              for (const Waiver* w : it->second) {
                candidates.push_back(w);
                addWaiverDays(*w, days);
              }
            }
          }
        }
      }
      version_holder[k - run_begin] = last_run;
    }
    // Clip to the range: a change before it takes effect on its first day.
    for (std::int32_t& d : days) d = std::max(d, first);
    days.push_back(first);
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    while (!days.empty() && days.back() >= end) days.pop_back();

    // The rule outcome of a (version, directive version) is computed once per device.
    outcome.assign((run_end - run_begin) * dv_count, std::array<std::int8_t, 2>{0, 0});
    // Days ascend, so the device's version in force only moves forward.
    std::size_t next_version = run_begin;
    std::size_t version = kNone;
    for (std::size_t d = 0; d < days.size(); ++d) {
      const std::int32_t day = days[d];
      const std::int32_t next = d + 1 < days.size() ? days[d + 1] : end;
      while (next_version < run_end && devices[next_version].valid_from <= day) {
        version = next_version++;
      }
      if (version == kNone) continue;
      const Device& device = devices[version].record;
      const Run holder_run = version_holder[version - run_begin];
      if (device.state != platform::DeviceState::kActive || !holder_run.found()) continue;
      const std::size_t pv = people.versionOn(holder_run, day);
      if (pv == kNone) continue;
      const std::size_t dv = directive_index_on(day);
      if (dv == kNone || !people.inScope(pv, dv)) continue;
      const policy::Directive& directive = dvs[dv].directive;
      auto& memo = outcome[(version - run_begin) * dv_count + dv];
      if (memo[0] == 0) memo = {1, ruleOutcome(directive, device)};
      VerdictStatus status = VerdictStatus::kCompliant;
      if (memo[1] == 1) {
        status = !directive.milestones.empty() && day > directive.finalDue().days()
                     ? VerdictStatus::kOverdue
                     : VerdictStatus::kPending;
      } else if (memo[1] == 2) {
        status = VerdictStatus::kUnknown;
      }
      if (status != VerdictStatus::kCompliant) {
        const Date on = Date::fromDays(day);
        for (const Waiver* w : candidates) {
          if (w->directive_id == directive.id && w->activeOn(on) &&
              covers(*w, device, history.people[pv].record)) {
            status = VerdictStatus::kExempt;
            break;
          }
        }
      }
      auto& counts = diff[static_cast<std::size_t>(status)];
      counts[static_cast<std::size_t>(day - first)] += 1;
      counts[static_cast<std::size_t>(next - first)] -= 1;
    }
  }

  Burndown out;
  out.directive_id = directive_id;
  out.from = from;
  out.to = to;
  out.days.resize(static_cast<std::size_t>(day_count));
  std::array<std::int64_t, kStatusCount> running{};
  auto count = [&](VerdictStatus s) {
    return static_cast<std::size_t>(running[static_cast<std::size_t>(s)]);
  };
  for (std::size_t k = 0; k < out.days.size(); ++k) {
    for (std::size_t s = 0; s < kStatusCount; ++s) running[s] += diff[s][k];
    DayCounts& c = out.days[k];
    c.day = from.addDays(static_cast<std::int32_t>(k));
    c.compliant = count(VerdictStatus::kCompliant);
    c.pending = count(VerdictStatus::kPending);
    c.overdue = count(VerdictStatus::kOverdue);
    c.exempt = count(VerdictStatus::kExempt);
    c.unknown = count(VerdictStatus::kUnknown);
  }
  return out;
}

// --- forecast ----------------------------------------------------------------------------

std::string_view name(ForecastKind k) {
  switch (k) {
    case ForecastKind::kTrend:
      return "trend";
    case ForecastKind::kObserved:
      return "observed";
    case ForecastKind::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

double LinearTrend::predictionHalfWidth(double x, double t) const {
  if (n <= 2 || sxx <= 0) return 0;
  const double dx = x - x_mean;
  return t * residual_se * std::sqrt(1.0 + 1.0 / n + dx * dx / sxx);
}

LinearTrend fitLinearTrend(std::span<const double> y) {
  LinearTrend fit;
  fit.n = static_cast<int>(y.size());
  if (y.empty()) return fit;
  double y_mean = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    fit.x_mean += static_cast<double>(i);
    y_mean += y[i];
  }
  fit.x_mean /= static_cast<double>(y.size());
  y_mean /= static_cast<double>(y.size());
  double sxy = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double dx = static_cast<double>(i) - fit.x_mean;
    fit.sxx += dx * dx;
    sxy += dx * (y[i] - y_mean);
  }
  fit.slope = fit.sxx > 0 ? sxy / fit.sxx : 0;
  fit.intercept = y_mean - fit.slope * fit.x_mean;
  if (fit.n > 2) {
    double sse = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double r = y[i] - fit.at(static_cast<double>(i));
      sse += r * r;
    }
    fit.residual_se = std::sqrt(sse / (fit.n - 2));
  }
  return fit;
}

double studentT90(int df) {
  // t_{0.90}(df), df = 1..30, to four decimals.
  static constexpr std::array<double, 30> table = {
      3.0777, 1.8856, 1.6377, 1.5332, 1.4759, 1.4398, 1.4149, 1.3968, 1.3830, 1.3722,
      1.3634, 1.3562, 1.3502, 1.3450, 1.3406, 1.3368, 1.3334, 1.3304, 1.3277, 1.3253,
      1.3232, 1.3212, 1.3195, 1.3178, 1.3163, 1.3150, 1.3137, 1.3125, 1.3114, 1.3104};
  if (df < 1) df = 1;
  if (df <= 30) return table[static_cast<std::size_t>(df - 1)];
  // Cornish-Fisher expansion of t in powers of 1/df around the normal quantile z_{0.90}.
  const double z = 1.2815515655446004;
  const double z3 = z * z * z;
  const double z5 = z3 * z * z;
  const double z7 = z5 * z * z;
  const double v = df;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

double Forecast::expectedOn(Date day) const {
  return std::max(0.0, trend.at(static_cast<double>(basis_from.daysUntil(day))));
}

double Forecast::lowOn(Date day) const {
  const auto x = static_cast<double>(basis_from.daysUntil(day));
  return std::max(0.0, trend.at(x) - trend.predictionHalfWidth(x, t));
}

double Forecast::highOn(Date day) const {
  const auto x = static_cast<double>(basis_from.daysUntil(day));
  return std::max(0.0, trend.at(x) + trend.predictionHalfWidth(x, t));
}

Forecast forecastMilestones(const Burndown& burndown,
                            const std::vector<policy::Milestone>& milestones, Date as_of,
                            const ForecastOptions& options) {
  Forecast out;
  out.as_of = as_of;
  // Observed: the computed days up to as_of.
  std::size_t observed = 0;
  while (observed < burndown.days.size() && burndown.days[observed].day <= as_of) ++observed;
  const std::size_t window =
      std::min<std::size_t>(observed, static_cast<std::size_t>(std::max(options.window_days, 2)));
  const std::size_t basis_begin = observed - window;
  const int min_days = std::max(options.min_days, 3);
  if (static_cast<int>(window) >= min_days) {
    std::vector<double> y;
    for (std::size_t k = basis_begin; k < observed; ++k) {
      y.push_back(static_cast<double>(burndown.days[k].violating()));
    }
    out.fitted = true;
    out.trend = fitLinearTrend(y);
    out.basis_from = burndown.days[basis_begin].day;
    out.basis_to = burndown.days[observed - 1].day;
    out.t = studentT90(out.trend.n - 2);
  }

  for (const policy::Milestone& m : milestones) {
    MilestoneForecast f;
    f.milestone = m.name;
    f.due = m.due;
    if (observed > 0 && m.due <= burndown.days[observed - 1].day) {
      if (m.due < burndown.from) {
        f.kind = ForecastKind::kUnavailable;
        f.method = "no count: the due date " + m.due.toString() +
                   " lies before the first day of the burn-down (" + burndown.from.toString() +
                   ").";
      } else {
        const DayCounts& c =
            burndown.days[static_cast<std::size_t>(burndown.from.daysUntil(m.due))];
        f.kind = ForecastKind::kObserved;
        f.expected = f.low = f.high = static_cast<double>(c.violating());
        f.on_track = c.violating() == 0;
        f.basis_days = 1;
        f.basis_from = f.basis_to = m.due;
        f.method =
            "observed: the due date has passed; the count of violating devices "
            "(pending + overdue) on " +
            m.due.toString() + ".";
      }
    } else if (!out.fitted) {
      f.kind = ForecastKind::kUnavailable;
      f.basis_days = static_cast<int>(window);
      if (window > 0) {
        f.basis_from = burndown.days[basis_begin].day;
        f.basis_to = burndown.days[observed - 1].day;
      }
      f.method = "no forecast: " + daysText(static_cast<int>(window)) + " observed up to " +
                 as_of.toString() + "; a trend needs at least " + daysText(min_days) + ".";
    } else {
      f.kind = ForecastKind::kTrend;
      f.expected = out.expectedOn(m.due);
      f.low = out.lowOn(m.due);
      f.high = out.highOn(m.due);
      f.on_track = f.expected < 0.5;
      f.basis_days = out.trend.n;
      f.basis_from = out.basis_from;
      f.basis_to = out.basis_to;
      f.method = "least-squares linear trend of violating devices (pending + overdue) over the " +
                 daysText(out.trend.n) + " " + out.basis_from.toString() + ".." +
                 out.basis_to.toString() + " (slope " + fixed1(out.trend.slope) +
                 " per day), extrapolated " + daysText(out.basis_to.daysUntil(m.due)) +
                 " to the due date and clamped at 0; " + std::to_string(kForecastIntervalPercent) +
                 "% prediction interval from the residual standard error (" +
                 fixed1(out.trend.residual_se) + ") with Student's t (" +
                 std::to_string(out.trend.n - 2) + " degrees of freedom).";
    }
    out.milestones.push_back(std::move(f));
  }
  return out;
}

}  // namespace phaseout::campaign
