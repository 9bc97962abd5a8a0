// Reconciliation: network sightings matched against the inventory and the directives.
//
// A Sighting is what the network showed about one device (from a capture, a sensor log or an
// access log), already judged by detect: platform, kind and level, with the evidence as
// one-line summaries. This component is pure: it never sees detect, SQL or the clock; the
// service converts detect's verdicts into Sightings (and classifies each User-Agent into
// ServiceUse::ua_kind, so nothing here needs the signature set).
//
// Matching, as of the sighting's day (the inventory as it was that day):
//   - device: by MAC (Device::macs), then serial (when the sighting carries one), then host
//     name (ASCII case-insensitive; "ivan-iphone.local" also matches "ivan-iphone"). A MAC,
//     serial or name that several inventory devices share matches none of them.
//   - users (authenticated user names from access logs) -> Person: by person_id, e-mail, or the
//     e-mail's local part ("ivan.petrov" -> ivan.petrov@pa.example), ASCII case-insensitive; a
//     "DOMAIN\user" prefix is ignored. A local part several people share matches none.
//
// Findings (each with a one-sentence reason and its evidence):
//   banned-platform      a device-ban directive in force on the sighting's day has a ban rule
//                        that matches the sighting's platform/vendor/kind/model
//                        (policy::matchRule == kYes), the sighting is confirmed or likely, and
//                        it is attributed to someone in the directive's scope that day: the
//                        matched device is active and held by a person in scope, or one of the
//                        sighting's users is a person in scope. Unknown-level sightings never
//                        give this finding (a false accusation costs more than a miss).
//   unknown-phone        a confirmed or likely phone (kind phone) no inventory device matches
//                        (in any state). One finding per device-ban directive in force whose
//                        rules match it, else one with no directive.
//   disposed-seen-again  the matched device was recorded returned, destroyed, transferred or
//                        lost on a day strictly before the sighting's day (the day of hand-in
//                        itself is ambiguous and gives nothing). One finding per device-ban
//                        directive in force whose rules match the recorded device, else one
//                        with no directive. Any level: the identifiers, not the platform, say
//                        which device came back.
//   usage-ban            a usage-ban directive in force: a service use whose User-Agent is a
//                        smartphone's (ua_kind phone; or a kind, such as tablet, that one of
//                        the directive's ban rules names) reached a service the directive protects,
//                        attributed to the authenticated user's person when the use carries a
//                        user, else to the matched device's holder; that person must be in
//                        scope. One finding per (directive, sighting, person), listing every
//                        such use as evidence.
// `protects` entries: "host" matches that host (any path); "https://host/path/" or
// "host/path/" matches that host with a path starting with "/path/". Hosts compare ASCII
// case-insensitively, ports are ignored. A service use seen without a path (TLS) matches only
// host-only entries.
//
// Thread safety: Reconciler is immutable after construction; findings() is const and reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/history.h"
#include "core/date.h"
#include "inventory/model.h"
#include "platform/platform.h"
#include "policy/directive.h"

namespace phaseout::campaign {

enum class SightingLevel { kUnknown, kLikely, kConfirmed };
std::string_view name(SightingLevel level);  // "unknown", "likely", "confirmed"
std::optional<SightingLevel> parseSightingLevel(std::string_view text);

// One kind of use of a service by the device, aggregated over its requests.
struct ServiceUse {
  std::string service;     // "host" or "host/path"
  std::string user;        // authenticated user name, "" when none
  std::string user_agent;  // "" when none
  // What the User-Agent says (classified by the caller): kPhone makes it a smartphone use.
  platform::Kind ua_kind = platform::Kind::kUnknown;
  platform::Platform ua_platform = platform::Platform::kUnknown;
  std::string where;  // "access.log:12" or "capture.pcap#40": the first request seen
  std::uint64_t count = 0;

  bool operator==(const ServiceUse&) const = default;
};

struct Sighting {
  std::string id;   // assigned by storage ("S17.3": batch event 17, item 3); "" before
  std::string key;  // detect's device key: "mac:c4:61:8b:35:82:a9" or "ip:192.0.2.7"
  std::vector<std::string> macs;  // lower-case "aa:bb:cc:dd:ee:ff"
  std::vector<std::string> ips;
  std::vector<std::string> hostnames;
  std::vector<std::string> users;  // authenticated user names
  std::string serial;              // "" unless the network showed one
  std::string vendor;              // canonical vendor id, "" when unknown
  platform::Platform platform = platform::Platform::kUnknown;
  platform::Kind kind = platform::Kind::kUnknown;
  std::string model;
  SightingLevel level = SightingLevel::kUnknown;
  double confidence = 0;
  std::int64_t first_seen_ms = 0;  // epoch ms; 0 when the evidence carries no time
  std::int64_t last_seen_ms = 0;
  Date seen_on;                      // the day the sighting is judged on
  std::vector<std::string> sources;  // file names the evidence came from
  std::vector<ServiceUse> services;
  std::vector<std::string> evidence;  // one line per piece of evidence, strongest first

  bool operator==(const Sighting&) const = default;
};

enum class FindingKind { kBannedPlatform, kUnknownPhone, kDisposedSeenAgain, kUsageBan };
std::string_view name(FindingKind kind);  // "banned-platform", "unknown-phone", ...
std::optional<FindingKind> parseFindingKind(std::string_view text);
std::vector<std::string_view> findingKindNames();

struct Finding {
  FindingKind kind = FindingKind::kBannedPlatform;
  std::string directive_id;  // "" when no directive applies (e.g. an unknown Android phone)
  std::string sighting_id;
  std::string sighting_key;
  Date seen_on;
  std::string device_id;  // matched inventory device, "" when none
  std::string person_id;  // the person it is attributed to, "" when none
  std::string reason;     // one sentence
  std::vector<std::string> evidence;

  bool operator==(const Finding&) const = default;
};

// True when a service ("host" or "host/path") is covered by a `protects` entry (see top).
bool serviceProtected(std::string_view protect, std::string_view service);

class Reconciler {
 public:
  // `people` and `devices`: every stored version, sorted by (id, valid_from, seq) as in
  // History. `directives`: every version of every directive (any order).
  Reconciler(std::vector<Versioned<inventory::Person>> people,
             std::vector<Versioned<inventory::Device>> devices,
             std::vector<DirectiveVersion> directives);

  // Findings of every sighting seen on or before `as_of`, ordered by (seen_on, sighting id,
  // kind, directive). Deterministic: the same inputs give the same findings.
  std::vector<Finding> findings(const std::vector<Sighting>& sightings, Date as_of) const;

  // The inventory device a sighting matches on its day, or "" (for listing by device).
  std::string matchedDeviceId(const Sighting& sighting) const;

 private:
  struct Day;
  Day buildDay(Date day) const;
  void reconcile(const Sighting& s, const Day& day, std::vector<Finding>& out) const;

  History history_;  // people and devices; directive_versions unused
  std::vector<DirectiveVersion> directives_;
};

}  // namespace phaseout::campaign
