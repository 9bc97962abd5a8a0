#include "campaign/history.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "campaign/progress.h"
#include "core/strings.h"

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::Person;

constexpr std::array<std::pair<CaseStage, std::string_view>, 8> kStages{{
    {CaseStage::kOpen, "open"},
    {CaseStage::kNotified, "notified"},
    {CaseStage::kAcknowledged, "acknowledged"},
    {CaseStage::kReplacementIssued, "replacement-issued"},
    {CaseStage::kSurrendered, "surrendered"},
    {CaseStage::kVerified, "verified"},
    {CaseStage::kClosed, "closed"},
    {CaseStage::kWaived, "waived"},
}};

// The version of each id in force on `day` (versions sorted by id, valid_from, seq).
template <typename T, typename IdOf>
std::vector<T> asOf(const std::vector<Versioned<T>>& versions, Date day, IdOf id_of) {
  std::vector<T> out;
  const T* last = nullptr;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const auto& v = versions[i];
    const bool next_is_same =
        i + 1 < versions.size() && id_of(versions[i + 1].record) == id_of(v.record);
    if (v.valid_from <= day.days()) last = &v.record;
    if (!next_is_same) {
      if (last) out.push_back(*last);
      last = nullptr;
    }
  }
  return out;
}

// Index of each id's run of versions in a sorted version vector.
template <typename T, typename IdOf>
std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>> runs(
    const std::vector<Versioned<T>>& versions, IdOf id_of) {
  std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>> out;
  std::size_t i = 0;
  while (i < versions.size()) {
    std::size_t j = i + 1;
    while (j < versions.size() && id_of(versions[j].record) == id_of(versions[i].record)) ++j;
    out.emplace(id_of(versions[i].record), std::make_pair(i, j));
    i = j;
  }
  return out;
}

template <typename T>
const T* versionOn(const std::vector<Versioned<T>>& versions, std::pair<std::size_t, std::size_t> run,
                   std::int32_t day) {
  const T* found = nullptr;
  for (std::size_t k = run.first; k < run.second; ++k) {
    if (versions[k].valid_from <= day) found = &versions[k].record;
  }
  return found;
}

const std::string& personId(const Person& p) { return p.person_id; }
const std::string& deviceId(const Device& d) { return d.device_id; }

bool violates(const policy::Directive& d, const Person* holder, const Device& device) {
  if (!holder || device.state != platform::DeviceState::kActive) return false;
  if (!policy::personInScope(d, *holder)) return false;
  for (const auto& rule : d.ban) {
    if (policy::matchRule(rule, device) == policy::RuleMatch::kYes) return true;
  }
  return false;
}

}  // namespace

std::string_view name(CaseStage s) {
  for (const auto& [stage, text] : kStages) {
    if (stage == s) return text;
  }
  return "open";
}

std::optional<CaseStage> parseCaseStage(std::string_view text) {
  for (const auto& [stage, name_text] : kStages) {
    if (iequals(name_text, text)) return stage;
  }
  return std::nullopt;
}

const DirectiveVersion* History::directiveOn(Date day) const {
  const DirectiveVersion* found = nullptr;
  for (const auto& v : directive_versions) {
    if (v.valid_from <= day.days()) found = &v;
  }
  return found;
}

std::vector<Person> History::peopleOn(Date day) const { return asOf(people, day, personId); }
std::vector<Device> History::devicesOn(Date day) const { return asOf(devices, day, deviceId); }

std::unique_ptr<Snapshot> snapshotOn(const History& history, Date day) {
  const DirectiveVersion* d = history.directiveOn(day);
  if (!d) return nullptr;
  auto snap = std::make_unique<Snapshot>();
  snap->directive = d;
  snap->people = history.peopleOn(day);
  snap->devices = history.devicesOn(day);
  snap->evaluation = policy::evaluate(d->directive, snap->people, snap->devices, day);
  applyWaivers(snap->evaluation, history.waivers);
  return snap;
}

std::vector<CaseView> casesOn(const History& history, Date day) {
  std::vector<CaseView> out;
  auto snapshot = snapshotOn(history, day);
  if (!snapshot) return out;
  const std::string& directive_id = snapshot->directive->directive.id;
  const auto person_runs = runs(history.people, personId);
  const auto device_runs = runs(history.devices, deviceId);

  std::vector<std::int32_t> directive_days;
  for (const auto& v : history.directive_versions) {
    if (v.valid_from <= day.days()) directive_days.push_back(v.valid_from);
  }
  const std::int32_t first_in_force = directive_days.front();

  std::unordered_map<std::string_view, const policy::Verdict*> verdict_of;
  for (const auto& v : snapshot->evaluation.verdicts) verdict_of.emplace(v.device->device_id, &v);
  // Active devices per holder on the day, for "replacement held".
  std::unordered_map<std::string_view, std::vector<const Device*>> held;
  for (const auto& d : snapshot->devices) {
    if (!d.holder.empty() && d.state == platform::DeviceState::kActive) {
      held[d.holder].push_back(&d);
    }
  }
  const policy::Directive& current = snapshot->directive->directive;

  // Devices in id order: device_runs is unordered, so walk the sorted vector.
  std::size_t i = 0;
  std::vector<std::int32_t> change_days;
  while (i < history.devices.size()) {
    const std::string& device_id = history.devices[i].record.device_id;
    const auto run = device_runs.at(device_id);
    i = run.second;
    // The days on which this device's violation could begin: its own versions, its holders'
    // versions and the directive's versions (never before the directive is in force).
    change_days.assign(directive_days.begin(), directive_days.end());
    for (std::size_t k = run.first; k < run.second; ++k) {
      const auto& v = history.devices[k];
      if (v.valid_from > day.days()) continue;
      change_days.push_back(std::max(v.valid_from, first_in_force));
      auto pr = person_runs.find(v.record.holder);
      if (pr == person_runs.end()) continue;
      for (std::size_t p = pr->second.first; p < pr->second.second; ++p) {
        const auto pv = history.people[p].valid_from;
        if (pv <= day.days()) change_days.push_back(std::max(pv, first_in_force));
      }
    }
    std::sort(change_days.begin(), change_days.end());
    change_days.erase(std::unique(change_days.begin(), change_days.end()), change_days.end());

    std::optional<std::int32_t> first_failing;
    const Person* failing_holder = nullptr;
    const Device* failing_device = nullptr;
    for (std::int32_t c : change_days) {
      const Device* dev = versionOn(history.devices, run, c);
      if (!dev) continue;
      const DirectiveVersion* dv = history.directiveOn(Date::fromDays(c));
      auto pr = person_runs.find(dev->holder);
      const Person* holder =
          pr == person_runs.end() ? nullptr : versionOn(history.people, pr->second, c);
      if (dv && violates(dv->directive, holder, *dev)) {
        first_failing = c;
        failing_holder = holder;
        failing_device = dev;
        break;
      }
    }
    if (!first_failing) continue;

    CaseView cv;
    cv.directive_id = directive_id;
    cv.device_id = device_id;
    cv.case_id = directive_id + "/" + device_id;
    cv.person_id = failing_holder->person_id;
    cv.unit = failing_holder->unit;
    cv.model = failing_device->model;
    cv.first_failing_at = Date::fromDays(*first_failing);

    const Device* now = versionOn(history.devices, run, day.days());
    cv.surrendered = now && now->state != platform::DeviceState::kActive;
    auto h = held.find(cv.person_id);
    if (h != held.end()) {
      cv.replacement_held = std::any_of(h->second.begin(), h->second.end(), [&](const Device* d) {
        return d->device_id != device_id && isAllowedReplacement(current, *d);
      });
    }
    auto vit = verdict_of.find(device_id);
    if (vit != verdict_of.end()) {
      cv.verdict = vit->second->status;
      cv.reason = vit->second->reason;
    } else {
      cv.verdict = policy::VerdictStatus::kCompliant;
      cv.reason = now ? policy::describeDevice(*now) + " is no longer in scope (state " +
                            std::string(platform::name(now->state)) + ")"
                      : "device " + device_id + " is no longer in scope";
    }

    // Stage: the furthest of the recorded steps and what the facts show on the day.
    cv.stage = CaseStage::kOpen;
    cv.stage_since = cv.first_failing_at;
    auto advance = [&](CaseStage s, Date since) {
      if (static_cast<int>(s) > static_cast<int>(cv.stage) || s == CaseStage::kWaived) {
        cv.stage = s;
        cv.stage_since = since;
      }
    };
    for (const auto& step : history.steps) {
      if (step.on > day) break;
      if (step.device_id != device_id || step.directive_id != directive_id) continue;
      cv.steps.push_back(step);
      if (step.stage != CaseStage::kWaived) advance(step.stage, step.on);
    }
    if (cv.replacement_held && cv.stage < CaseStage::kReplacementIssued) {
      advance(CaseStage::kReplacementIssued, day);
    }
    if (cv.surrendered && cv.stage < CaseStage::kSurrendered) {
      Date since = day;
      for (std::size_t k = run.first; k < run.second; ++k) {
        const auto& v = history.devices[k];
        if (v.valid_from <= day.days() && v.record.state != platform::DeviceState::kActive) {
          since = Date::fromDays(v.valid_from);
          break;
        }
      }
      advance(CaseStage::kSurrendered, since);
    }
    if (cv.verdict == policy::VerdictStatus::kExempt) advance(CaseStage::kWaived, day);
    out.push_back(std::move(cv));
  }
  return out;
}

}  // namespace phaseout::campaign
