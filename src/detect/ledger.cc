#include "detect/ledger.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "platform/normalizer.h"

namespace phaseout::detect {
namespace {

// Memoised values per signal before the memo is flushed: bounds memory on hostile input
// (every DNS name distinct) while real traffic repeats its values and stays cached.
constexpr std::size_t kMemoMaxEntries = 1 << 17;
// Values are kept (and printed) up to this length.
constexpr std::size_t kMaxValueBytes = 512;
// Addresses listed per device; the rest are counted by the IP sources of router detection.
constexpr std::size_t kMaxListedIps = 16;
constexpr std::size_t kMaxHostnames = 16;
constexpr std::string_view kRandomMacValue = "locally-administered";
// Evidence names the device's kind or vendor only when it supports the verdict this much:
// a weak hint (a destination, a shared stack) says nothing about who made the device.
constexpr float kMinWeightForAttributes = 1.0f;

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

bool isUnicastIpv4(const decode::IpAddress& ip) {
  if (ip.family != 4) return false;
  const auto& b = ip.bytes;
  if (b[0] == 0 || b[0] == 127 || b[0] >= 224) return false;  // this-network, loopback, class D/E
  if (b[0] == 169 && b[1] == 254) return false;               // link-local
  return true;
}

bool isGlobalIpv6(const decode::IpAddress& ip) {
  if (ip.family != 6) return false;
  const auto& b = ip.bytes;
  if (b[0] == 0xff) return false;                           // multicast
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // link-local
  bool zero = true;
  for (int i = 0; i < 15; ++i) zero = zero && b[static_cast<std::size_t>(i)] == 0;
  return !zero;  // not :: or ::1
}

std::string ipKey(const decode::IpAddress& ip) {
  std::string k(17, '\0');
  k[0] = static_cast<char>(ip.family);
  std::copy(ip.bytes.begin(), ip.bytes.end(), k.begin() + 1);
  return k;
}

// Names that identify one device across MAC changes: lower-case letters and digits only, so
// the DHCP name "Lucas-iMac" and the mDNS instance "Luca’s iMac" meet ("lucasimac").
std::string identityForm(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c + 32);
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out += c;
  }
  return out;
}

struct UnionFind {
  std::vector<std::uint32_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  std::uint32_t find(std::uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  bool unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (b < a) std::swap(a, b);
    parent[b] = a;
    return true;
  }
};

bool earlier(const Where& a, const Where& b) {
  return std::tie(a.source, a.frame, a.line) < std::tie(b.source, b.frame, b.line);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// "Mail.Example.org:443/owa/?x=1" -> "mail.example.org/owa/"; "host/" -> "host". The port
// goes (the same service on another port is the same service to a directive), so do the
// query string and fragment (they name a request, not a service).
void normaliseService(std::string_view service, std::string& out) {
  out.clear();
  const std::size_t end_host = service.find_first_of("/?#");
  std::string_view host = service.substr(0, end_host);
  std::string_view path =
      end_host == std::string_view::npos ? std::string_view() : service.substr(end_host);
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else {
    const std::size_t colon = host.find(':');
    if (colon != std::string_view::npos && colon == host.rfind(':')) host = host.substr(0, colon);
  }
  const std::size_t cut = path.find_first_of("?#");
  if (cut != std::string_view::npos) path = path.substr(0, cut);
  if (path == "/") path = {};
  for (char c : host) out += lower(c);
  if (out.empty()) return;
  out.append(path);
}

}  // namespace

std::uint64_t macToU64(const decode::MacAddress& mac) {
  std::uint64_t v = 0;
  for (auto b : mac.bytes) v = v << 8 | b;
  return v;
}

decode::MacAddress macFromU64(std::uint64_t v) {
  decode::MacAddress mac;
  for (int i = 5; i >= 0; --i) {
    mac.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
  return mac;
}

const std::uint32_t* Ledger::FlatIndex::find(std::uint64_t key) const {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(mix(key)) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.used) return nullptr;
    if (slot.key == key) return &slot.value;
  }
}

void Ledger::FlatIndex::emplace(std::uint64_t key, std::uint32_t value) {
  // Grown at half full, so probes stay short and an empty slot always ends a search.
  if (2 * (size_ + 1) > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, 0, false});
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.used) emplace(slot.key, slot.value);
    }
  }
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(mix(key)) & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.used && slot.key == key) return;
    if (!slot.used) {
      slot = Slot{key, value, true};
      ++size_;
      return;
    }
  }
}

std::size_t Ledger::EndpointKeyHash::operator()(const EndpointKey& k) const {
  std::uint64_t a = 0, b = 0, c = 0;
  for (auto x : k.mac) a = a << 8 | x;
  for (std::size_t i = 0; i < 8; ++i) b = b << 8 | k.ip[i];
  for (std::size_t i = 8; i < 16; ++i) c = c << 8 | k.ip[i];
  return static_cast<std::size_t>(mix(a ^ (static_cast<std::uint64_t>(k.has_mac) << 56) ^
                                      (static_cast<std::uint64_t>(k.family) << 48)) ^
                                  mix(b + 0x9e3779b97f4a7c15ULL) ^ mix(c + 0x632be59bd9b4e019ULL));
}

Ledger::Ledger(std::shared_ptr<const SignatureSet> signatures, const OuiRegistry* oui)
    : signatures_(std::move(signatures)), oui_(oui) {}

void Ledger::replaceSignatures(std::shared_ptr<const SignatureSet> signatures) {
  const std::shared_ptr<const SignatureSet> old = std::move(signatures_);
  signatures_ = std::move(signatures);
  for (auto& memo : memo_) memo.clear();
  record_index_.clear();
  std::vector<SignatureId> ids;
  for (std::uint32_t e = 0; e < endpoints_.size(); ++e) {
    std::vector<Record> previous = std::move(endpoints_[e].records);
    endpoints_[e].records.clear();
    std::vector<std::pair<SignalKind, std::uint32_t>> done;
    for (const Record& r : previous) {
      const Signature& was = old->signature(r.signature);
      const std::string& value = values_[r.value];
      ids.clear();
      if (was.signal == SignalKind::kUserAgent) {
        const auto m = signatures_->classifyUserAgent(value);
        if (m.rule) ids.push_back(*m.rule);
        if (m.embedded_rule) ids.push_back(*m.embedded_rule);
      } else {
        signatures_->match(was.signal, value, ids);
      }
      if (ids.empty()) {
        // Pre-matched evidence that no pattern explains: keep it under its id if it exists.
        if (auto same = signatures_->findSignature(was.id)) ids.push_back(*same);
      } else {
        // A value that matched several old signatures was seen as often under each: match it
        // once, or its sightings would count twice.
        const auto key = std::make_pair(was.signal, r.value);
        if (std::find(done.begin(), done.end(), key) != done.end()) continue;
        done.push_back(key);
      }
      for (SignatureId id : ids) {
        record(e, id, r.value, r.where);
        for (Record& nr : endpoints_[e].records) {
          if (nr.signature != id || nr.value != r.value) continue;
          nr.count += r.count - 1;
          if (std::tie(r.where.source, r.where.frame, r.where.line) <
              std::tie(nr.where.source, nr.where.frame, nr.where.line)) {
            nr.where = r.where;
          }
        }
      }
    }
  }
}

std::uint32_t Ledger::addSource(std::string name) {
  sources_.push_back(std::move(name));
  return static_cast<std::uint32_t>(sources_.size() - 1);
}

void Ledger::touch(std::uint32_t endpoint, const Where& where) {
  if (where.time_ns == 0) return;
  Endpoint& ep = endpoints_[endpoint];
  if (ep.first_ns == 0 || where.time_ns < ep.first_ns) ep.first_ns = where.time_ns;
  if (ep.last_ns == 0 || where.time_ns > ep.last_ns) ep.last_ns = where.time_ns;
}

std::uint32_t Ledger::intern(std::string_view value) {
  if (value.size() > kMaxValueBytes) value = value.substr(0, kMaxValueBytes);
  auto it = value_index_.find(value);
  if (it != value_index_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(values_.size());
  values_.emplace_back(value);
  value_index_.emplace(std::string(value), id);
  return id;
}

std::uint32_t Ledger::endpointFor(const DeviceKey& key, bool substantive) {
  EndpointKey k;
  if (key.mac && !isMulticast(*key.mac)) {
    k.mac = key.mac->bytes;
    k.has_mac = true;
  }
  k.family = key.ip.family;
  if (k.family != 0) k.ip = key.ip.bytes;
  std::uint32_t id = 0;
  if (last_endpoint_ < endpoints_.size() && k == last_key_) {
    id = last_endpoint_;  // the calls for one packet or log line name the same endpoint
  } else {
    const std::uint64_t hash = EndpointKeyHash{}(k);
    const std::uint32_t* found = endpoint_index_.find(hash);
    if (found != nullptr && endpoints_[*found].key == k) {
      id = *found;
    } else {
      id = static_cast<std::uint32_t>(endpoints_.size());
      if (found != nullptr) {
        // Two keys with one 64-bit hash: the index keeps the first, the other is searched.
        for (std::uint32_t e = 0; e < endpoints_.size(); ++e) {
          if (endpoints_[e].key == k) id = e;
        }
      }
      if (id == endpoints_.size()) {
        endpoints_.push_back(Endpoint{k, {}, {}, {}, {}, 0, 0, false});
        endpoint_index_.emplace(hash, id);
      }
    }
  }
  last_key_ = k;
  last_endpoint_ = id;
  // Only endpoints with evidence count as the addresses of a MAC (router detection): a
  // service use alone (every TLS hello) must not turn a device into a router.
  if (!substantive || endpoints_[id].substantive) return id;
  endpoints_[id].substantive = true;
  if (k.has_mac) {
    const std::uint64_t mac = macToU64(*key.mac);
    const std::size_t cap = signatures_->linking().router_min_addresses;
    if (isUnicastIpv4(key.ip)) {
      auto& list = mac_ipv4_[mac];
      std::uint32_t v4 = 0;
      for (int i = 0; i < 4; ++i) v4 = v4 << 8 | key.ip.bytes[static_cast<std::size_t>(i)];
      if (list.size() < cap && std::find(list.begin(), list.end(), v4) == list.end()) {
        list.push_back(v4);
      }
    } else if (isGlobalIpv6(key.ip)) {
      auto& list = mac_ipv6_prefixes_[mac];
      std::uint64_t prefix = 0;
      for (int i = 0; i < 8; ++i) prefix = prefix << 8 | key.ip.bytes[static_cast<std::size_t>(i)];
      if (list.size() < cap && std::find(list.begin(), list.end(), prefix) == list.end()) {
        list.push_back(prefix);
      }
    }
  }
  return id;
}

const Ledger::MemoEntry& Ledger::memo(SignalKind signal, std::string_view value) {
  MemoMap& map = memo_[static_cast<std::size_t>(signal)];
  auto it = map.find(value);
  if (it != map.end()) return it->second;
  if (map.size() >= kMemoMaxEntries) map.clear();
  MemoEntry entry{0, {}};
  if (signal == SignalKind::kUserAgent) {
    const auto m = signatures_->classifyUserAgent(value);
    if (m.rule) entry.signatures.push_back(*m.rule);
    if (m.embedded_rule) entry.signatures.push_back(*m.embedded_rule);
  } else {
    signatures_->match(signal, value, entry.signatures);
  }
  if (!entry.signatures.empty()) entry.value = intern(value);
  return map.emplace(std::string(value), std::move(entry)).first->second;
}

void Ledger::record(std::uint32_t endpoint, SignatureId signature, std::uint32_t value,
                    const Where& where) {
  const std::uint64_t key =
      mix(static_cast<std::uint64_t>(endpoint) << 32 | signature) ^ mix(value + 0x51ed27ULL);
  // Collisions of the 64-bit key are resolved by checking the record itself.
  const std::uint32_t* found = record_index_.find(key);
  Endpoint& ep = endpoints_[endpoint];
  if (found != nullptr) {
    if (*found < ep.records.size()) {
      Record& r = ep.records[*found];
      if (r.signature == signature && r.value == value) {
        ++r.count;
        return;
      }
    }
    for (Record& other : ep.records) {
      if (other.signature == signature && other.value == value) {
        ++other.count;
        return;
      }
    }
  }
  ep.records.push_back(Record{signature, value, where, 1});
  record_index_.emplace(key, static_cast<std::uint32_t>(ep.records.size() - 1));
}

void Ledger::observe(const DeviceKey& key, SignalKind signal, std::string_view value,
                     const Where& where) {
  ++observations_;
  if (value.empty()) return;
  const MemoEntry& entry = memo(signal, value);
  if (entry.signatures.empty()) return;
  const std::uint32_t endpoint = endpointFor(key);
  touch(endpoint, where);
  for (SignatureId s : entry.signatures) record(endpoint, s, entry.value, where);
}

void Ledger::add(const DeviceKey& key, SignatureId signature, std::string_view value,
                 const Where& where) {
  ++observations_;
  if (signature >= signatures_->size()) return;
  const std::uint32_t endpoint = endpointFor(key);
  touch(endpoint, where);
  record(endpoint, signature, intern(value), where);
}

void Ledger::noteHostname(const DeviceKey& key, std::string_view name, const Where& where) {
  while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.remove_suffix(1);
  if (name.size() > 6 && name.substr(name.size() - 6) == ".local") name.remove_suffix(6);
  if (name.empty()) return;
  observe(key, SignalKind::kHostname, name, where);
  const std::uint32_t endpoint = endpointFor(key);
  touch(endpoint, where);
  const std::uint32_t value = intern(name);
  auto& names = endpoints_[endpoint].hostnames;
  if (names.size() < kMaxHostnames && std::find(names.begin(), names.end(), value) == names.end()) {
    names.push_back(value);
  }
  noteIdentifier(key, IdentifierKind::kHostname, name);
}

void Ledger::noteIdentifier(const DeviceKey& key, IdentifierKind kind, std::string_view value) {
  if (value.empty()) return;
  std::string form;
  if (kind == IdentifierKind::kHostname || kind == IdentifierKind::kMdnsInstance) {
    if (signatures_->isGenericHostname(value)) return;
    form = identityForm(value);
    if (form.size() < signatures_->linking().min_name_length) return;
    kind = IdentifierKind::kHostname;  // DHCP names and mDNS instance names meet
  } else {
    form = std::string(value);
  }
  const std::uint32_t endpoint = endpointFor(key);
  const std::uint32_t id = intern(form);
  const std::uint64_t seen =
      mix(static_cast<std::uint64_t>(endpoint) << 34 | static_cast<std::uint64_t>(kind) << 32 | id);
  if (!identifier_seen_.insert(seen).second) return;
  identifiers_.push_back(Identifier{kind, id, endpoint});
}

void Ledger::bindAddress(const decode::MacAddress& mac, const decode::IpAddress& ip) {
  if (ip.family == 0 || isMulticast(mac)) return;
  bound_[ipKey(ip)] = macToU64(mac);
}

void Ledger::noteUser(const DeviceKey& key, std::string_view user, const Where& where) {
  if (user.empty() || user == "-") return;
  const std::uint32_t endpoint = endpointFor(key, false);
  touch(endpoint, where);
  if (user.size() > kMaxValueBytes) user = user.substr(0, kMaxValueBytes);
  // Compared as text: an endpoint has few users, and the user of every log line is one of
  // them, so this avoids a hash lookup per line.
  auto& users = endpoints_[endpoint].users;
  for (std::uint32_t u : users) {
    if (values_[u] == user) return;
  }
  if (users.size() >= kMaxUsersPerEndpoint) {
    ++users_dropped_;
    return;
  }
  users.push_back(intern(user));
}

void Ledger::noteServiceUse(const DeviceKey& key, std::string_view service, std::string_view user,
                            std::string_view user_agent, const Where& where) {
  normaliseService(service, service_buffer_);
  if (service_buffer_.empty()) return;
  if (user == "-") user = {};
  const std::uint32_t endpoint = endpointFor(key, false);
  touch(endpoint, where);
  // One hash over the three strings finds a known use without looking each string up (a
  // busy access log calls this once per line); strings are interned only for a use that is
  // kept, so the cap bounds what a log of endless distinct paths leaves behind.
  auto clip = [](std::string_view v) {
    return v.size() > kMaxValueBytes ? v.substr(0, kMaxValueBytes) : v;
  };
  const std::string_view sv = clip(service_buffer_), uv = clip(user), av = clip(user_agent);
  const std::hash<std::string_view> hash;
  const std::uint64_t index_key = mix(static_cast<std::uint64_t>(endpoint) + 0x5e7f1ce5ULL) ^
                                  hash(sv) ^ mix(hash(uv) + 1) ^ mix(mix(hash(av)) + 2);
  Endpoint& ep = endpoints_[endpoint];
  auto same = [&](const Use& use) {
    return values_[use.service] == sv && values_[use.user] == uv && values_[use.user_agent] == av;
  };
  if (const std::uint32_t* found = use_index_.find(index_key)) {
    if (*found < ep.uses.size() && same(ep.uses[*found])) {
      ++ep.uses[*found].count;
      return;
    }
    // A collision of the 64-bit key: find the use itself.
    for (Use& other : ep.uses) {
      if (same(other)) {
        ++other.count;
        return;
      }
    }
  }
  if (ep.uses.size() >= kMaxServiceUsesPerEndpoint) {
    ++services_dropped_;
    return;
  }
  const std::uint32_t si = intern(sv), ui = intern(uv), ai = intern(av);
  ep.uses.push_back(Use{si, ui, ai, where, 1});
  use_index_.emplace(index_key, static_cast<std::uint32_t>(ep.uses.size() - 1));
}

LedgerStats Ledger::stats() const {
  LedgerStats s;
  s.observations = observations_;
  s.endpoints = endpoints_.size();
  for (const auto& ep : endpoints_) {
    s.evidence += ep.records.size();
    s.service_uses += ep.uses.size();
  }
  s.services_dropped = services_dropped_;
  s.users_dropped = users_dropped_;
  return s;
}

std::vector<DeviceVerdict> Ledger::finish(LedgerStats* stats) const {
  const SignatureSet& set = *signatures_;
  const std::size_t router_min = set.linking().router_min_addresses;
  auto isRouter = [&](std::uint64_t mac) {
    auto v4 = mac_ipv4_.find(mac);
    if (v4 != mac_ipv4_.end() && v4->second.size() >= router_min) return true;
    auto v6 = mac_ipv6_prefixes_.find(mac);
    return v6 != mac_ipv6_prefixes_.end() && v6->second.size() >= router_min;
  };

  const std::size_t n = endpoints_.size();
  UnionFind uf(n);
  std::vector<bool> own_mac(n, false);  // the endpoint's MAC is the device's own
  std::unordered_map<std::uint64_t, std::uint32_t> mac_anchor;
  std::unordered_map<std::string, std::uint32_t> ip_anchor;         // IP-keyed endpoints
  std::unordered_map<std::string, std::uint32_t> ip_of_mac_device;  // IPs seen with own MACs
  std::uint64_t routers = 0;
  std::unordered_map<std::uint64_t, bool> router_cache;
  for (std::uint32_t i = 0; i < n; ++i) {
    const EndpointKey& k = endpoints_[i].key;
    if (k.has_mac) {
      decode::MacAddress mac;
      mac.bytes = k.mac;
      const std::uint64_t m = macToU64(mac);
      auto rc = router_cache.find(m);
      if (rc == router_cache.end()) {
        rc = router_cache.emplace(m, isRouter(m)).first;
        if (rc->second) ++routers;
      }
      if (!rc->second) {
        own_mac[i] = true;
        auto [it, inserted] = mac_anchor.emplace(m, i);
        if (!inserted) uf.unite(it->second, i);
        if (k.family != 0 && endpoints_[i].substantive) {
          decode::IpAddress ip;
          ip.family = k.family;
          ip.bytes = k.ip;
          ip_of_mac_device.emplace(ipKey(ip), i);
        }
        continue;
      }
    }
    if (k.family != 0) {
      decode::IpAddress ip;
      ip.family = k.family;
      ip.bytes = k.ip;
      auto [it, inserted] = ip_anchor.emplace(ipKey(ip), i);
      if (!inserted) uf.unite(it->second, i);
    }
  }
  // IP-keyed evidence joins the device the IP belongs to (lease, or seen with its MAC).
  for (const auto& [ip, anchor] : ip_anchor) {
    auto bound = bound_.find(ip);
    if (bound != bound_.end()) {
      auto m = mac_anchor.find(bound->second);
      if (m != mac_anchor.end()) {
        uf.unite(m->second, anchor);
        continue;
      }
    }
    auto seen = ip_of_mac_device.find(ip);
    if (seen != ip_of_mac_device.end()) uf.unite(seen->second, anchor);
  }
  // Random MACs linked by stable identifiers.
  std::uint64_t linked = 0;
  {
    std::map<std::pair<IdentifierKind, std::uint32_t>, std::vector<std::uint32_t>> by_value;
    for (const Identifier& id : identifiers_) by_value[{id.kind, id.value}].push_back(id.endpoint);
    for (auto& [value, eps] : by_value) {
      std::optional<std::uint32_t> random_anchor, fixed_anchor;
      for (std::uint32_t e : eps) {
        const EndpointKey& k = endpoints_[e].key;
        if (!k.has_mac || !own_mac[e]) continue;
        decode::MacAddress mac;
        mac.bytes = k.mac;
        if (isLocallyAdministered(mac)) {
          if (random_anchor) {
            if (uf.unite(*random_anchor, e)) ++linked;
          } else {
            random_anchor = e;
          }
        } else if (!fixed_anchor) {
          fixed_anchor = e;
        }
      }
      if (random_anchor && fixed_anchor && uf.unite(*random_anchor, *fixed_anchor)) ++linked;
    }
  }

  // Gather endpoints per device.
  std::map<std::uint32_t, std::vector<std::uint32_t>> devices;
  for (std::uint32_t i = 0; i < n; ++i) devices[uf.find(i)].push_back(i);

  std::vector<DeviceVerdict> out;
  for (const auto& [root, eps] : devices) {
    struct Merged {
      Where where;
      std::uint64_t count;
    };
    std::map<std::pair<SignatureId, std::uint32_t>, Merged> merged;
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>, Merged> uses;
    std::vector<std::uint32_t> users;
    std::vector<std::pair<SignatureId, std::string>> extra;  // registry evidence
    DeviceVerdict d;
    std::vector<std::uint64_t> macs;
    std::vector<std::string> ip_keys;
    std::size_t best_records = 0;
    std::uint32_t key_endpoint = eps.front();
    for (std::uint32_t e : eps) {
      if (endpoints_[e].substantive) {
        key_endpoint = e;
        break;
      }
    }
    for (std::uint32_t e : eps) {
      const Endpoint& ep = endpoints_[e];
      for (const Record& r : ep.records) {
        auto [it, inserted] =
            merged.emplace(std::make_pair(r.signature, r.value), Merged{r.where, r.count});
        if (!inserted) {
          if (earlier(r.where, it->second.where)) it->second.where = r.where;
          it->second.count += r.count;
        }
      }
      for (const Use& u : ep.uses) {
        auto [it, inserted] = uses.emplace(std::make_tuple(u.service, u.user, u.user_agent),
                                           Merged{u.where, u.count});
        if (!inserted) {
          if (earlier(u.where, it->second.where)) it->second.where = u.where;
          it->second.count += u.count;
        }
      }
      users.insert(users.end(), ep.users.begin(), ep.users.end());
      if (ep.first_ns != 0 && (d.first_seen_ns == 0 || ep.first_ns < d.first_seen_ns)) {
        d.first_seen_ns = ep.first_ns;
      }
      if (ep.last_ns > d.last_seen_ns) d.last_seen_ns = ep.last_ns;
      for (std::uint32_t h : ep.hostnames) {
        if (d.hostnames.size() < kMaxHostnames &&
            std::find(d.hostnames.begin(), d.hostnames.end(), values_[h]) == d.hostnames.end()) {
          d.hostnames.push_back(values_[h]);
        }
      }
      if (!ep.substantive) continue;  // users and service uses only: taken above
      if (ep.key.has_mac && own_mac[e]) {
        decode::MacAddress mac;
        mac.bytes = ep.key.mac;
        const std::uint64_t m = macToU64(mac);
        if (std::find(macs.begin(), macs.end(), m) == macs.end()) macs.push_back(m);
      }
      if (ep.key.family != 0) {
        decode::IpAddress ip;
        ip.family = ep.key.family;
        ip.bytes = ep.key.ip;
        const std::string text = ip.toString();
        if (ip_keys.size() < kMaxListedIps &&
            std::find(ip_keys.begin(), ip_keys.end(), text) == ip_keys.end()) {
          ip_keys.push_back(text);
        }
      }
      if (ep.records.size() > best_records) {
        best_records = ep.records.size();
        key_endpoint = e;
      }
    }
    // A device known only by its IP whose IP a lease binds to a MAC that showed no evidence
    // of its own (Zeek's dhcp.log or conn.log beside an access log): the lease names it.
    if (macs.empty()) {
      for (std::uint32_t e : eps) {
        const EndpointKey& k = endpoints_[e].key;
        if (!endpoints_[e].substantive || k.family == 0) continue;
        decode::IpAddress ip;
        ip.family = k.family;
        ip.bytes = k.ip;
        auto bound = bound_.find(ipKey(ip));
        if (bound == bound_.end()) continue;
        macs.push_back(bound->second);
        break;
      }
    }
    // What the registry says of each MAC the device owns.
    std::vector<SignatureId> ids;
    for (std::uint64_t m : macs) {
      const decode::MacAddress mac = macFromU64(m);
      ids.clear();
      std::string value;
      if (isLocallyAdministered(mac)) {
        value = std::string(kRandomMacValue);
        set.match(SignalKind::kMacRandom, value, ids);
      } else if (oui_ != nullptr) {
        value = std::string(oui_->organization(mac));
        if (!value.empty()) set.match(SignalKind::kMacOui, value, ids);
      }
      for (SignatureId s : ids) extra.emplace_back(s, value);
    }
    if (merged.empty() && extra.empty()) continue;

    std::vector<SignatureId> sigs;
    for (const auto& [k, m] : merged) {
      EvidenceItem item;
      item.signature = k.first;
      item.signal = set.signature(k.first).signal;
      item.value = values_[k.second];
      item.where = m.where;
      item.count = m.count;
      d.evidence.push_back(std::move(item));
      sigs.push_back(k.first);
    }
    for (auto& [s, value] : extra) {
      if (std::find(sigs.begin(), sigs.end(), s) != sigs.end()) continue;
      EvidenceItem item;
      item.signature = s;
      item.signal = set.signature(s).signal;
      item.value = value;
      item.count = 1;
      d.evidence.push_back(std::move(item));
      sigs.push_back(s);
    }
    d.verdict = score(set, sigs);
    const platform::Platform best = d.verdict.best;
    const std::size_t bi = platformIndex(best);
    for (std::size_t i = 0; i < d.evidence.size(); ++i) {
      d.evidence[i].weight = set.signature(sigs[i]).weights[bi];
      d.evidence[i].margin = margin(set.signature(sigs[i]), best);
      d.evidence[i].counted = counted(set, sigs, i, best);
    }
    // Kind, vendor and model from the evidence that supports the verdict.
    float kind_weight = 0, vendor_weight = 0, model_weight = -1;
    for (const EvidenceItem& item : d.evidence) {
      const Signature& s = set.signature(item.signature);
      if (item.weight <= 0) continue;
      platform::Kind kind = s.kind;
      std::string vendor = s.vendor;
      std::string model;
      if (s.signal == SignalKind::kUserAgent) {
        // The UA's own reading (its kind by the ecosystem's conventions, its model); a UA
        // embedded in another lends its platform's weight, not its attributes.
        const auto ua = set.classifyUserAgent(item.value);
        if (ua.rule != item.signature) continue;
        kind = ua.kind;
        if (vendor.empty()) vendor = ua.vendor;
        model = ua.model;
      } else if (s.signal == SignalKind::kHardwareModel) {
        model = item.value;
      }
      if (kind != platform::Kind::kUnknown && item.weight >= kMinWeightForAttributes &&
          item.weight > kind_weight) {
        kind_weight = item.weight;
        d.kind = kind;
      }
      if (!vendor.empty() && item.weight >= kMinWeightForAttributes &&
          item.weight > vendor_weight) {
        vendor_weight = item.weight;
        d.vendor = vendor;
      }
      if (!model.empty() && item.weight > model_weight) {
        platform::RawDeviceFields raw;
        raw.model = model;
        const auto norm = platform::Normalizer::builtin().normalize(raw);
        d.model = norm.model_name.empty() ? model : norm.model_name;
        model_weight = item.weight;
        if (d.vendor.empty() && !norm.vendor.empty()) d.vendor = norm.vendor;
      }
    }
    if (d.verdict.level == Level::kUnknown) {
      d.kind = platform::Kind::kUnknown;
    } else if (d.kind == platform::Kind::kUnknown) {
      d.kind = set.defaultKind(best);
    }
    std::stable_sort(d.evidence.begin(), d.evidence.end(),
                     [](const EvidenceItem& a, const EvidenceItem& b) {
                       if (a.weight != b.weight) return a.weight > b.weight;
                       return a.signal < b.signal;
                     });
    for (std::uint32_t u : users) d.users.push_back(values_[u]);
    std::sort(d.users.begin(), d.users.end());
    d.users.erase(std::unique(d.users.begin(), d.users.end()), d.users.end());
    for (const auto& [k, m] : uses) {
      ServiceUse use;
      use.service = values_[std::get<0>(k)];
      use.user = values_[std::get<1>(k)];
      use.user_agent = values_[std::get<2>(k)];
      use.where = m.where;
      use.count = m.count;
      d.services.push_back(std::move(use));
    }
    std::sort(d.services.begin(), d.services.end(), [](const ServiceUse& a, const ServiceUse& b) {
      return std::tie(a.service, a.user, a.user_agent) < std::tie(b.service, b.user, b.user_agent);
    });
    std::sort(macs.begin(), macs.end());
    for (std::uint64_t m : macs) d.macs.push_back(macFromU64(m).toString());
    d.ips = std::move(ip_keys);
    const EndpointKey& kk = endpoints_[key_endpoint].key;
    if (kk.has_mac && own_mac[key_endpoint]) {
      decode::MacAddress mac;
      mac.bytes = kk.mac;
      d.key = "mac:" + mac.toString();
    } else if (!d.macs.empty()) {
      d.key = "mac:" + d.macs.front();
    } else if (kk.family != 0) {
      decode::IpAddress ip;
      ip.family = kk.family;
      ip.bytes = kk.ip;
      d.key = "ip:" + ip.toString();
    } else {
      d.key = "endpoint:" + std::to_string(root);
    }
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(),
            [](const DeviceVerdict& a, const DeviceVerdict& b) { return a.key < b.key; });
  if (stats != nullptr) {
    stats->routers = routers;
    stats->linked = linked;
  }
  return out;
}

}  // namespace phaseout::detect
