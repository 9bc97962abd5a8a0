// Ledger: the evidence seen for every device, from any source, and the verdicts drawn from it.
//
// Every source (captures through PacketEvidence, and sensor logs or access logs through their
// own readers) feeds the same calls, so the same value yields the same evidence whatever
// carried it:
//
//   std::uint32_t src = ledger.addSource("dhcp.log");           // where, for the verdict
//   DeviceKey key{mac, ip};                                     // either may be absent
//   ledger.observe(key, SignalKind::kDhcpVendorClass, "android-dhcp-13", {src, 0, line});
//   ledger.observe(key, SignalKind::kUserAgent, ua, {src, 0, line});   // classified by rules
//   ledger.noteHostname(key, "Lucas-iPhone", {src, 0, line});   // evidence + identity
//   ledger.noteIdentifier(key, IdentifierKind::kDhcpClientId, "ff00...");
//   ledger.bindAddress(mac, ip);                                // a DHCP lease: ip is mac's
//   ledger.add(key, signature_id, value, where);                // evidence already matched
//   ledger.noteUser(key, "jdoe", where);                        // an authenticated user
//   ledger.noteServiceUse(key, "mail.example.org/owa", "jdoe", ua, where);  // what it reached
//
// observe() matches the value against the signature set (memoised per value: the same UA or
// SNI seen a million times is matched once) and records each matching signature once per
// device and value, keeping where it was first seen and how often.
//
// Devices: evidence is kept per (MAC, IP) endpoint and folded into devices by finish():
//   - all endpoints of one MAC are one device, unless the MAC shows many IPv4 sources
//     (router_min_addresses: a router or a NAT in front of the capture), whose endpoints are
//     then devices of their own, keyed by IP;
//   - evidence without a MAC joins the device its IP is bound to (DHCP lease, or the same IP
//     seen with a MAC); otherwise it is a device keyed by IP;
//   - a device with a locally administered (random) MAC is linked to other devices that share
//     a stable identifier: DHCP client id, DHCPv6 DUID, host name or mDNS instance name
//     (names many devices share, such as "iPhone", never link);
//   - each MAC adds its registry evidence (mac_oui) or, when random, mac_random.
//
// Memory: proportional to distinct endpoints and distinct (signature, value) pairs, not to
// the number of observations. Not thread-safe: one ledger per reading thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decode/packet.h"
#include "detect/oui_registry.h"
#include "detect/scoring.h"
#include "detect/signature_set.h"

namespace phaseout::detect {

struct DeviceKey {
  std::optional<decode::MacAddress> mac;  // the device's own link address, when known
  decode::IpAddress ip;                   // family 0 when unknown
};

// Where a piece of evidence was seen: a source (file) and a frame (captures) or line (logs),
// and when (ns since the Unix epoch, UTC; 0 when the source gives no time).
struct Where {
  std::uint32_t source = 0;
  std::uint64_t frame = 0;
  std::uint64_t line = 0;
  std::int64_t time_ns = 0;
};

enum class IdentifierKind : std::uint8_t { kDhcpClientId, kDuid, kHostname, kMdnsInstance };

// One piece of evidence of a device verdict.
struct EvidenceItem {
  SignatureId signature = 0;
  SignalKind signal = SignalKind::kUserAgent;
  std::string value;
  Where where;              // first sighting
  std::uint64_t count = 0;  // sightings
  float weight = 0;         // log10 LR for the verdict's platform (its best candidate)
  float margin = 0;         // weight minus its largest weight for a platform outside the
                            // verdict's family (scoring.h): > 0 prefers the verdict
  bool counted = false;     // the strongest of its group for that platform
};

// One distinct (service, user, User-Agent) a device reached: an HTTP request (service
// "<host><path>"), a TLS connection (service "<host>", no User-Agent), or a line of an access
// log (service "<log's service><path>"). Host lower-case, port, query string and fragment
// dropped; a bare "/" path is the host alone.
struct ServiceUse {
  std::string service;
  std::string user;        // authenticated user, "" when none
  std::string user_agent;  // "" when none
  Where where;             // first sighting
  std::uint64_t count = 0;
};

struct DeviceVerdict {
  std::string key;  // "mac:c4:61:8b:35:82:a9" or "ip:192.0.2.7"
  std::vector<std::string> macs;
  std::vector<std::string> ips;
  std::vector<std::string> hostnames;
  Verdict verdict;
  platform::Kind kind = platform::Kind::kUnknown;
  std::string vendor;  // "apple", "huawei", ... when evidence names one
  std::string model;   // marketing name or hardware identifier, when evidence names one
  std::vector<EvidenceItem> evidence;  // strongest first (for the verdict's platform)
  // Earliest and latest known time of anything recorded for the device (evidence, host names,
  // users, service uses); 0 when no source gave a time.
  std::int64_t first_seen_ns = 0, last_seen_ns = 0;
  std::vector<std::string> users;    // authenticated user names, sorted, distinct
  std::vector<ServiceUse> services;  // sorted by (service, user, user_agent)
};

struct LedgerStats {
  std::uint64_t observations = 0;  // observe()/add() calls
  std::uint64_t evidence = 0;      // distinct (endpoint, signature, value) records
  std::uint64_t endpoints = 0;
  std::uint64_t routers = 0;           // MACs split by IP (see above)
  std::uint64_t linked = 0;            // random-MAC devices merged into others
  std::uint64_t service_uses = 0;      // distinct (endpoint, service, user, user_agent)
  std::uint64_t services_dropped = 0;  // sightings of service uses past the per-endpoint cap
  std::uint64_t users_dropped = 0;     // sightings of users past the per-endpoint cap
};

class Ledger {
 public:
  // `oui` may be null (no registry: no mac_oui evidence). Both must outlive the ledger.
  Ledger(std::shared_ptr<const SignatureSet> signatures, const OuiRegistry* oui);

  // Swaps in a new signature set (the live sensor's reload): evidence already collected is
  // matched again against it, so verdicts reflect the new signatures; pre-matched evidence
  // (add()) keeps its signature when the new set has one of the same id, else it is dropped.
  void replaceSignatures(std::shared_ptr<const SignatureSet> signatures);

  std::uint32_t addSource(std::string name);
  const std::vector<std::string>& sources() const { return sources_; }
  const SignatureSet& signatures() const { return *signatures_; }

  void observe(const DeviceKey& key, SignalKind signal, std::string_view value, const Where& where);
  void add(const DeviceKey& key, SignatureId signature, std::string_view value, const Where& where);
  // A host name the device calls itself: hostname evidence, shown in the verdict, and (unless
  // generic) an identifier that links random MACs.
  void noteHostname(const DeviceKey& key, std::string_view name, const Where& where);
  void noteIdentifier(const DeviceKey& key, IdentifierKind kind, std::string_view value);
  void bindAddress(const decode::MacAddress& mac, const decode::IpAddress& ip);
  // An authenticated user name seen for the device (proxy or web server login). Listed in the
  // verdict; not evidence of a platform and never used to link devices (people share
  // machines, and NAT shares addresses). Empty and "-" are ignored.
  void noteUser(const DeviceKey& key, std::string_view user, const Where& where);
  // The device reached `service` ("host" or "host/path"; normalised as ServiceUse says) as
  // `user` with `user_agent` (either may be empty). Kept once per distinct triple with its
  // first sighting and a count; at most kMaxServiceUsesPerEndpoint distinct triples per
  // endpoint, later new ones are counted in LedgerStats::services_dropped. Not evidence.
  void noteServiceUse(const DeviceKey& key, std::string_view service, std::string_view user,
                      std::string_view user_agent, const Where& where);
  static constexpr std::size_t kMaxServiceUsesPerEndpoint = 4096;
  static constexpr std::size_t kMaxUsersPerEndpoint = 256;

  // Folds endpoints into devices and scores them. Devices with no evidence are left out
  // (users and service uses alone do not make a device).
  // Sorted by key. May be called more than once (the ledger is not changed). When `stats` is
  // given, its routers and linked counts are filled in.
  std::vector<DeviceVerdict> finish(LedgerStats* stats = nullptr) const;
  LedgerStats stats() const;

 private:
  struct EndpointKey {
    std::array<std::uint8_t, 6> mac{};
    bool has_mac = false;
    std::uint8_t family = 0;
    std::array<std::uint8_t, 16> ip{};
    bool operator==(const EndpointKey&) const = default;
  };
  struct EndpointKeyHash {
    std::size_t operator()(const EndpointKey& k) const;
  };
  struct Record {
    SignatureId signature;
    std::uint32_t value;  // index into values_
    Where where;
    std::uint64_t count;
  };
  struct Use {
    std::uint32_t service, user, user_agent;  // indexes into values_ (user_agent also of "")
    Where where;
    std::uint64_t count;
  };
  struct Endpoint {
    EndpointKey key;
    std::vector<Record> records;
    std::vector<std::uint32_t> hostnames;  // indexes into values_
    std::vector<std::uint32_t> users;      // indexes into values_
    std::vector<Use> uses;
    std::int64_t first_ns = 0, last_ns = 0;
    // Fed evidence, a host name or an identifier (not only users and service uses): only
    // such endpoints make a device, lend their MAC to IP-only evidence or list their IPs.
    bool substantive = false;
  };
  struct MemoEntry {
    std::uint32_t value;
    std::vector<SignatureId> signatures;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringMap = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;
  using MemoMap = std::unordered_map<std::string, MemoEntry, StringHash, std::equal_to<>>;
  // A 64-bit key -> 32-bit value map in one flat array (open addressing, linear probing):
  // one cache line per lookup where std::unordered_map chases a node per lookup.
  class FlatIndex {
   public:
    const std::uint32_t* find(std::uint64_t key) const;
    void emplace(std::uint64_t key, std::uint32_t value);  // keeps the first value of a key
    void clear() { slots_.clear(), size_ = 0; }

   private:
    struct Slot {
      std::uint64_t key;
      std::uint32_t value;
      bool used;
    };
    std::vector<Slot> slots_;
    std::size_t size_ = 0;
  };

  std::uint32_t endpointFor(const DeviceKey& key, bool substantive = true);
  std::uint32_t intern(std::string_view value);
  void touch(std::uint32_t endpoint, const Where& where);
  void record(std::uint32_t endpoint, SignatureId signature, std::uint32_t value,
              const Where& where);
  const MemoEntry& memo(SignalKind signal, std::string_view value);

  std::shared_ptr<const SignatureSet> signatures_;
  const OuiRegistry* oui_;
  std::vector<std::string> sources_;
  std::vector<Endpoint> endpoints_;
  FlatIndex endpoint_index_;  // EndpointKeyHash of the key -> index in endpoints_
  EndpointKey last_key_;
  std::uint32_t last_endpoint_ = ~std::uint32_t{0};  // none yet
  std::vector<std::string> values_;
  StringMap value_index_;
  std::array<MemoMap, kSignalKindCount> memo_;
  // (endpoint << 32 | signature) and value -> index in the endpoint's records.
  FlatIndex record_index_;
  // MAC (48 bits) -> distinct IPv4 sources (capped at router_min_addresses).
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> mac_ipv4_;
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> mac_ipv6_prefixes_;
  // IP (family + bytes) -> MAC bound by a lease.
  std::unordered_map<std::string, std::uint64_t> bound_;
  struct Identifier {
    IdentifierKind kind;
    std::uint32_t value;
    std::uint32_t endpoint;
  };
  std::vector<Identifier> identifiers_;
  std::unordered_set<std::uint64_t> identifier_seen_;
  // hash of (endpoint, service, user, user_agent) -> index in the endpoint's uses.
  FlatIndex use_index_;
  std::string service_buffer_;
  std::uint64_t observations_ = 0;
  std::uint64_t services_dropped_ = 0;
  std::uint64_t users_dropped_ = 0;
};

// "c4:61:8b:35:82:a9" as a 48-bit number and back.
std::uint64_t macToU64(const decode::MacAddress& mac);
decode::MacAddress macFromU64(std::uint64_t v);

}  // namespace phaseout::detect
