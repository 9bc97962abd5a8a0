#include "campaign/reconcile.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <tuple>
#include <unordered_map>

#include "core/strings.h"
#include "policy/evaluator.h"

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::Person;
using platform::DeviceState;

constexpr std::array<std::pair<FindingKind, std::string_view>, 4> kFindingKinds{{
    {FindingKind::kBannedPlatform, "banned-platform"},
    {FindingKind::kUnknownPhone, "unknown-phone"},
    {FindingKind::kDisposedSeenAgain, "disposed-seen-again"},
    {FindingKind::kUsageBan, "usage-ban"},
}};

const Date kEarliestDay = Date::fromCivil(1900, 1, 1);

bool disposed(DeviceState s) {
  return s == DeviceState::kReturned || s == DeviceState::kDestroyed ||
         s == DeviceState::kTransferred || s == DeviceState::kLost;
}

std::string_view stateVerb(DeviceState s) {
  switch (s) {
    case DeviceState::kReturned:
      return "handed in";
    case DeviceState::kDestroyed:
      return "destroyed";
    case DeviceState::kTransferred:
      return "transferred";
    case DeviceState::kLost:
      return "lost";
    default:
      return platform::name(s);
  }
}

// "ivan-iphone.local" -> "ivan-iphone".
std::string shortHostname(std::string_view name) {
  const std::string lower = toLower(trim(name));
  const std::size_t dot = lower.find('.');
  return dot == std::string::npos ? lower : lower.substr(0, dot);
}

// "PA\ivan.petrov" -> "ivan.petrov".
std::string_view withoutDomainPrefix(std::string_view user) {
  const std::size_t slash = user.rfind('\\');
  return slash == std::string_view::npos ? user : user.substr(slash + 1);
}

// Splits a protects entry or a service into (lower-case host without port, path).
std::pair<std::string, std::string> hostAndPath(std::string_view text) {
  text = trim(text);
  for (std::string_view scheme : {"https://", "http://"}) {
    if (istartsWith(text, scheme)) {
      text.remove_prefix(scheme.size());
      break;
    }
  }
  const std::size_t slash = text.find('/');
  std::string_view host = text.substr(0, slash);
  std::string path =
      slash == std::string_view::npos ? std::string() : std::string(text.substr(slash));
  // Strip a port, but not from a bracketed IPv6 literal's inside.
  const std::size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']') == std::string_view::npos &&
      host.find(':') == colon) {
    host = host.substr(0, colon);
  }
  return {toLower(host), path};
}

// A device built from what the network showed, so ban rules can be matched as for inventory.
Device asDevice(const Sighting& s) {
  Device d;
  d.device_id = s.key;
  d.platform = s.platform;
  d.kind = s.kind;
  d.vendor = toLower(s.vendor);
  d.model = s.model;
  return d;
}

bool sure(const Sighting& s) { return s.level != SightingLevel::kUnknown; }

std::string describeSighting(const Sighting& s) {
  std::string out;
  const std::string_view platform_name = policy::displayName(s.platform);
  if (!platform_name.empty()) {
    out += platform_name;
  } else {
    out += "unknown-platform";
  }
  if (s.kind != platform::Kind::kUnknown) {
    out += ' ';
    out += platform::name(s.kind);
  }
  out += " " + s.key + " (" + std::string(name(s.level));
  char buf[32];
  std::snprintf(buf, sizeof buf, " %.3f", s.confidence);
  out += buf;
  out += ')';
  return out;
}

// The first rule of `d` that matches `device`, 1-based; 0 when none.
int matchingRule(const policy::Directive& d, const Device& device) {
  for (std::size_t i = 0; i < d.ban.size(); ++i) {
    if (policy::matchRule(d.ban[i], device) == policy::RuleMatch::kYes) {
      return static_cast<int>(i + 1);
    }
  }
  return 0;
}

template <typename T>
void addUnique(std::unordered_map<std::string, std::vector<const T*>>& index, std::string key,
               const T* record) {
  if (key.empty()) return;
  auto& list = index[std::move(key)];
  if (std::find(list.begin(), list.end(), record) == list.end()) list.push_back(record);
}

template <typename T>
const T* unique(const std::unordered_map<std::string, std::vector<const T*>>& index,
                const std::string& key) {
  auto it = index.find(key);
  return it != index.end() && it->second.size() == 1 ? it->second.front() : nullptr;
}

struct VersionIdLess {
  bool operator()(const Versioned<Device>& v, const std::string& id) const {
    return v.record.device_id < id;
  }
  bool operator()(const std::string& id, const Versioned<Device>& v) const {
    return id < v.record.device_id;
  }
};

}  // namespace

std::string_view name(SightingLevel level) {
  switch (level) {
    case SightingLevel::kConfirmed:
      return "confirmed";
    case SightingLevel::kLikely:
      return "likely";
    case SightingLevel::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<SightingLevel> parseSightingLevel(std::string_view text) {
  for (auto level : {SightingLevel::kUnknown, SightingLevel::kLikely, SightingLevel::kConfirmed}) {
    if (iequals(name(level), text)) return level;
  }
  return std::nullopt;
}

std::string_view name(FindingKind kind) {
  for (const auto& [k, text] : kFindingKinds) {
    if (k == kind) return text;
  }
  return "banned-platform";
}

std::optional<FindingKind> parseFindingKind(std::string_view text) {
  for (const auto& [k, name_text] : kFindingKinds) {
    if (iequals(name_text, text)) return k;
  }
  return std::nullopt;
}

std::vector<std::string_view> findingKindNames() {
  std::vector<std::string_view> out;
  for (const auto& entry : kFindingKinds) out.push_back(entry.second);
  return out;
}

bool serviceProtected(std::string_view protect, std::string_view service) {
  const auto [p_host, p_path] = hostAndPath(protect);
  const auto [s_host, s_path] = hostAndPath(service);
  if (p_host.empty() || p_host != s_host) return false;
  if (p_path.empty() || p_path == "/") return true;
  return s_path.compare(0, p_path.size(), p_path) == 0;
}

// The inventory and the directives in force on one day, indexed for matching.
struct Reconciler::Day {
  Date date;
  std::vector<Person> people;
  std::vector<Device> devices;
  std::vector<const policy::Directive*> directives;  // one version per id, in force that day
  std::unordered_map<std::string, const Person*> person_by_id;
  std::unordered_map<std::string, std::vector<const Person*>> person_by_user;
  std::unordered_map<std::string, std::vector<const Device*>> device_by_mac;
  std::unordered_map<std::string, std::vector<const Device*>> device_by_serial;
  std::unordered_map<std::string, std::vector<const Device*>> device_by_host;
};

Reconciler::Reconciler(std::vector<Versioned<Person>> people,
                       std::vector<Versioned<Device>> devices,
                       std::vector<DirectiveVersion> directives)
    : directives_(std::move(directives)) {
  history_.people = std::move(people);
  history_.devices = std::move(devices);
  std::stable_sort(directives_.begin(), directives_.end(),
                   [](const DirectiveVersion& a, const DirectiveVersion& b) {
                     return std::tie(a.directive.id, a.valid_from, a.version) <
                            std::tie(b.directive.id, b.valid_from, b.version);
                   });
}

Reconciler::Day Reconciler::buildDay(Date day) const {
  Day d;
  d.date = day;
  d.people = history_.peopleOn(day);
  d.devices = history_.devicesOn(day);
  // The last version of each directive valid on the day (versions are sorted per id).
  for (std::size_t i = 0; i < directives_.size(); ++i) {
    const DirectiveVersion& v = directives_[i];
    if (v.valid_from > day.days()) continue;
    if (!d.directives.empty() && d.directives.back()->id == v.directive.id) {
      d.directives.back() = &v.directive;
    } else {
      d.directives.push_back(&v.directive);
    }
  }
  for (const Person& p : d.people) {
    d.person_by_id.emplace(toLower(p.person_id), &p);
    addUnique(d.person_by_user, toLower(p.person_id), &p);
    // A network user name is an e-mail address or a user principal name, or the part of one
    // before the @ (a Kerberos principal, DOMAIN\user).
    for (const std::string* address : {&p.email, &p.upn}) {
      const std::string key = toLower(trim(*address));
      addUnique(d.person_by_user, key, &p);
      const std::size_t at = key.find('@');
      if (at != std::string::npos && at > 0) addUnique(d.person_by_user, key.substr(0, at), &p);
    }
  }
  for (const Device& dev : d.devices) {
    for (const auto& mac : dev.macs) addUnique(d.device_by_mac, toLower(trim(mac)), &dev);
    addUnique(d.device_by_serial, toLower(trim(dev.serial)), &dev);
    if (!trim(dev.hostname).empty()) addUnique(d.device_by_host, shortHostname(dev.hostname), &dev);
  }
  return d;
}

namespace {

struct Match {
  const Device* device = nullptr;
  std::string device_via;
  std::vector<std::pair<const Person*, std::string>> people;  // person, "user X (email ...)"
};

}  // namespace

std::vector<Finding> Reconciler::findings(const std::vector<Sighting>& sightings,
                                          Date as_of) const {
  std::vector<const Sighting*> todo;
  for (const auto& s : sightings) {
    if (s.seen_on <= as_of) todo.push_back(&s);
  }
  std::stable_sort(todo.begin(), todo.end(),
                   [](const Sighting* a, const Sighting* b) { return a->seen_on < b->seen_on; });
  std::vector<Finding> out;
  std::size_t i = 0;
  while (i < todo.size()) {
    const Date day = todo[i]->seen_on;
    const Day snapshot = buildDay(day);
    for (; i < todo.size() && todo[i]->seen_on == day; ++i) reconcile(*todo[i], snapshot, out);
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.seen_on, a.sighting_id, a.sighting_key, a.kind, a.directive_id, a.person_id) <
           std::tie(b.seen_on, b.sighting_id, b.sighting_key, b.kind, b.directive_id, b.person_id);
  });
  return out;
}

std::string Reconciler::matchedDeviceId(const Sighting& sighting) const {
  const Day day = buildDay(sighting.seen_on);
  for (const auto& mac : sighting.macs) {
    if (const Device* d = unique(day.device_by_mac, toLower(trim(mac)))) return d->device_id;
  }
  if (!trim(sighting.serial).empty()) {
    if (const Device* d = unique(day.device_by_serial, toLower(trim(sighting.serial)))) {
      return d->device_id;
    }
  }
  for (const auto& host : sighting.hostnames) {
    if (const Device* d = unique(day.device_by_host, shortHostname(host))) return d->device_id;
  }
  return "";
}

void Reconciler::reconcile(const Sighting& s, const Day& day, std::vector<Finding>& out) const {
  // --- match to the inventory as it was that day ---
  Match m;
  for (const auto& mac : s.macs) {
    if (const Device* d = unique(day.device_by_mac, toLower(trim(mac)))) {
      m.device = d;
      m.device_via = "MAC " + toLower(trim(mac));
      break;
    }
  }
  if (!m.device && !trim(s.serial).empty()) {
    if (const Device* d = unique(day.device_by_serial, toLower(trim(s.serial)))) {
      m.device = d;
      m.device_via = "serial " + std::string(trim(s.serial));
    }
  }
  if (!m.device) {
    for (const auto& host : s.hostnames) {
      if (const Device* d = unique(day.device_by_host, shortHostname(host))) {
        m.device = d;
        m.device_via = "host name " + host;
        break;
      }
    }
  }
  auto personForUser = [&day](std::string_view user) -> std::pair<const Person*, std::string> {
    const std::string key = toLower(trim(withoutDomainPrefix(user)));
    if (key.empty()) return {nullptr, ""};
    if (auto it = day.person_by_id.find(key); it != day.person_by_id.end()) {
      return {it->second, "user " + std::string(user) + " is person " + it->second->person_id};
    }
    if (const Person* p = unique(day.person_by_user, key)) {
      const std::string& address = p->email.empty() ? p->upn : p->email;
      return {p, "user " + std::string(user) + " is " + p->person_id + " (" + address + ")"};
    }
    return {nullptr, ""};
  };
  for (const auto& user : s.users) {
    auto [person, via] = personForUser(user);
    if (!person) continue;
    const bool seen = std::any_of(m.people.begin(), m.people.end(),
                                  [&](const auto& e) { return e.first == person; });
    if (!seen) m.people.emplace_back(person, std::move(via));
  }
  auto holderOf = [&day](const Device& d) -> const Person* {
    auto it = day.person_by_id.find(toLower(d.holder));
    return d.holder.empty() || it == day.person_by_id.end() ? nullptr : it->second;
  };

  const Device seen_as = asDevice(s);
  const std::string described = describeSighting(s);
  auto base = [&](FindingKind kind, const std::string& directive_id) {
    Finding f;
    f.kind = kind;
    f.directive_id = directive_id;
    f.sighting_id = s.id;
    f.sighting_key = s.key;
    f.seen_on = s.seen_on;
    f.evidence.push_back("seen " + s.seen_on.toString() + ": " + described +
                         (s.sources.empty() ? "" : " in " + join(s.sources, ", ")));
    if (m.device) {
      f.evidence.push_back("matches inventory device " + m.device->device_id + " by " +
                           m.device_via);
    }
    return f;
  };
  auto appendSightingEvidence = [&s](Finding& f) {
    f.evidence.insert(f.evidence.end(), s.evidence.begin(), s.evidence.end());
  };

  // --- (a) banned platform, for someone in scope ---
  if (sure(s)) {
    for (const policy::Directive* d : day.directives) {
      if (d->type != policy::DirectiveType::kDeviceBan) continue;
      const int rule = matchingRule(*d, seen_as);
      if (rule == 0) continue;
      const Person* who = nullptr;
      std::string via;
      if (m.device && m.device->state == DeviceState::kActive) {
        const Person* holder = holderOf(*m.device);
        if (holder && policy::personInScope(*d, *holder)) {
          who = holder;
          via = "held by " + holder->person_id + " (" + holder->unit + ")";
        }
      }
      if (!who) {
        for (const auto& [person, user_via] : m.people) {
          if (policy::personInScope(*d, *person)) {
            who = person;
            via = user_via;
            break;
          }
        }
      }
      if (!who) continue;
      Finding f = base(FindingKind::kBannedPlatform, d->id);
      f.device_id =
          m.device && m.device->state == DeviceState::kActive && holderOf(*m.device) == who
              ? m.device->device_id
              : "";
      f.person_id = who->person_id;
      const std::string after = s.seen_on > d->finalDue() ? ", after the final due date "
                                                          : ", before the final due date ";
      f.reason = described + " seen on " + s.seen_on.toString() + " is banned by rule " +
                 std::to_string(rule) + " (" + policy::describeRule(d->ban[rule - 1]) + ") of " +
                 d->id + " and is attributed to " + who->person_id + ", who is in its scope" +
                 after + d->finalDue().toString() + ".";
      f.evidence.push_back("attributed: " + via);
      appendSightingEvidence(f);
      out.push_back(std::move(f));
    }
  }

  // --- (b) a phone no inventory knows ---
  if (sure(s) && s.kind == platform::Kind::kPhone && !m.device) {
    std::vector<std::pair<const policy::Directive*, int>> banned;
    for (const policy::Directive* d : day.directives) {
      if (d->type != policy::DirectiveType::kDeviceBan) continue;
      if (int rule = matchingRule(*d, seen_as)) banned.emplace_back(d, rule);
    }
    auto add = [&](const policy::Directive* d, int rule) {
      Finding f = base(FindingKind::kUnknownPhone, d ? d->id : "");
      if (!m.people.empty()) f.person_id = m.people.front().first->person_id;
      f.reason = described + " seen on " + s.seen_on.toString() +
                 " matches no device in the inventory (by MAC, serial or host name)";
      if (d) {
        f.reason += " and is banned by rule " + std::to_string(rule) + " of " + d->id;
      }
      f.reason += ".";
      for (const auto& [person, via] : m.people) f.evidence.push_back("used by: " + via);
      appendSightingEvidence(f);
      out.push_back(std::move(f));
    };
    if (banned.empty()) add(nullptr, 0);
    for (const auto& [d, rule] : banned) add(d, rule);
  }

  // --- (c) a disposed device seen again ---
  if (m.device && disposed(m.device->state)) {
    // The day it entered its present state: walk back over its versions (sorted by id).
    const auto [first, last] = std::equal_range(history_.devices.begin(), history_.devices.end(),
                                                m.device->device_id, VersionIdLess{});
    std::int32_t since = s.seen_on.days();
    bool found = false;
    for (auto it = std::make_reverse_iterator(last); it != std::make_reverse_iterator(first);
         ++it) {
      if (it->valid_from > s.seen_on.days()) continue;
      if (it->record.state != m.device->state) break;
      found = true;
      since = it->valid_from;
    }
    if (found && since < s.seen_on.days()) {
      std::vector<const policy::Directive*> matching;
      for (const policy::Directive* d : day.directives) {
        if (d->type == policy::DirectiveType::kDeviceBan && matchingRule(*d, *m.device) != 0) {
          matching.push_back(d);
        }
      }
      if (matching.empty()) matching.push_back(nullptr);
      // Records imported without an effective date are valid from a baseline before any date.
      const bool baseline = since < kEarliestDay.days();
      const std::string since_text = Date::fromDays(since).toString();
      for (const policy::Directive* d : matching) {
        Finding f = base(FindingKind::kDisposedSeenAgain, d ? d->id : "");
        f.device_id = m.device->device_id;
        f.person_id = m.device->holder;
        f.reason = "Device " + m.device->device_id + ", " + policy::describeDevice(*m.device) +
                   ", recorded " + std::string(stateVerb(m.device->state)) +
                   (baseline ? " in the inventory as imported" : " on " + since_text) +
                   ", was seen on the network again on " + s.seen_on.toString() + ".";
        f.evidence.push_back("inventory: " + m.device->device_id + " is " +
                             std::string(platform::name(m.device->state)) +
                             (baseline ? " as imported" : " since " + since_text));
        appendSightingEvidence(f);
        out.push_back(std::move(f));
      }
    }
  }

  // --- (d) a smartphone reaching a protected service ---
  for (const policy::Directive* d : day.directives) {
    if (d->type != policy::DirectiveType::kUsageBan) continue;
    // person -> (how attributed, uses)
    std::map<std::string, std::pair<std::string, std::vector<const ServiceUse*>>> by_person;
    std::map<std::string, const Person*> people;
    // A phone's use counts; a use of another known kind only when a ban rule of the directive
    // names that kind ("kind: tablet"): a tablet is not a phone unless tablets are banned.
    auto banned_kind = [&](platform::Kind k) {
      if (k == platform::Kind::kPhone) return true;
      if (k == platform::Kind::kUnknown) return false;
      return std::any_of(d->ban.begin(), d->ban.end(), [&](const policy::BanRule& rule) {
        return std::find(rule.kinds.begin(), rule.kinds.end(), k) != rule.kinds.end();
      });
    };
    for (const ServiceUse& use : s.services) {
      if (!banned_kind(use.ua_kind)) continue;
      const bool hit =
          std::any_of(d->protects.begin(), d->protects.end(),
                      [&](const std::string& p) { return serviceProtected(p, use.service); });
      if (!hit) continue;
      const Person* who = nullptr;
      std::string via;
      if (!trim(use.user).empty()) {
        std::tie(who, via) = personForUser(use.user);
      } else if (m.device) {
        who = holderOf(*m.device);
        if (who) {
          via = "device " + m.device->device_id + " (by " + m.device_via + ") is held by " +
                who->person_id;
        }
      }
      if (!who || !policy::personInScope(*d, *who)) continue;
      auto& entry = by_person[who->person_id];
      if (entry.first.empty()) entry.first = via;
      entry.second.push_back(&use);
      people[who->person_id] = who;
    }
    for (const auto& [person_id, entry] : by_person) {
      const auto& [via, uses] = entry;
      Finding f = base(FindingKind::kUsageBan, d->id);
      f.person_id = person_id;
      if (m.device && holderOf(*m.device) == people[person_id]) f.device_id = m.device->device_id;
      std::vector<std::string> services;
      for (const ServiceUse* u : uses) {
        if (std::find(services.begin(), services.end(), u->service) == services.end()) {
          services.push_back(u->service);
        }
      }
      const std::string_view ua_platform = policy::displayName(uses.front()->ua_platform);
      const platform::Kind kind = uses.front()->ua_kind;
      const std::string device = kind == platform::Kind::kPhone
                                     ? std::string("A smartphone")
                                     : "A " + std::string(platform::name(kind));
      f.reason = device +
                 (ua_platform.empty() ? std::string() : " (" + std::string(ua_platform) + ")") +
                 " reached " + join(services, ", ") + ", protected by " + d->id + ", on " +
                 s.seen_on.toString() + ", attributed to " + person_id + ", who is in its scope.";
      f.evidence.push_back("attributed: " + via);
      for (const ServiceUse* u : uses) {
        std::string line = "service " + u->service;
        if (!u->user.empty()) line += " by user " + u->user;
        line += " with User-Agent \"" + u->user_agent + "\" (" +
                std::string(platform::name(u->ua_platform)) + " " +
                std::string(platform::name(u->ua_kind)) + ")";
        if (!u->where.empty()) line += " at " + u->where;
        if (u->count > 1) line += " x" + std::to_string(u->count);
        f.evidence.push_back(std::move(line));
      }
      out.push_back(std::move(f));
    }
  }
}

}  // namespace phaseout::campaign
