#include "campaign/reconcile.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/strings.h"

namespace phaseout::campaign {
namespace {

using inventory::Device;
using inventory::Person;
using platform::DeviceState;
using platform::Kind;
using platform::Platform;

constexpr std::int32_t kBaseline = -1'000'000;

Date day(const char* text) { return *Date::parse(text); }

constexpr const char* kDeviceBan = R"(id: pa-iphone-2023
title: Officials give up iPhones
issued: 2023-03-06
scope:
  units: ["pa/**"]
  roles: [official]
ban:
  - platform: ios
  - {vendor: apple, kind: phone}
milestones:
  - {name: handover, due: 2023-03-31, requires: banned_devices_surrendered}
  - {name: replace, due: 2023-04-01, requires: allowed_replacement_held}
)";

constexpr const char* kUsageBan = R"(id: pa-no-smartphones
title: No official business on smartphones
issued: 2023-03-20
type: usage-ban
protects: ["mail.pa.example", "https://portal.pa.example/docs/"]
scope:
  units: ["pa/**"]
ban:
  - kind: phone
milestones:
  - {name: stop, due: 2023-04-01}
)";

policy::Directive parse(const char* text) {
  auto d = policy::parseDirective(text, "test.yaml");
  EXPECT_TRUE(d.isOk()) << d.status().message();
  return *d;
}

Person person(std::string id, std::string email, std::string unit, std::string role) {
  Person p;
  p.person_id = std::move(id);
  p.name = p.person_id;
  p.email = std::move(email);
  p.unit = std::move(unit);
  p.roles = {std::move(role)};
  return p;
}

Device device(std::string id, std::string holder, Platform platform, Kind kind,
              std::string mac = "", std::string hostname = "", std::string serial = "") {
  Device d;
  d.device_id = std::move(id);
  d.holder = std::move(holder);
  d.platform = platform;
  d.kind = kind;
  d.vendor = platform == Platform::kIos ? "apple" : "";
  d.model = platform == Platform::kIos ? "iPhone14,2" : "";
  if (!mac.empty()) d.macs = {std::move(mac)};
  d.hostname = std::move(hostname);
  d.serial = std::move(serial);
  return d;
}

template <typename T>
Versioned<T> at(std::int32_t valid_from, T record, std::int64_t seq = 1) {
  return Versioned<T>{valid_from, seq, std::move(record)};
}

Sighting iphone(std::string key, const char* seen_on) {
  Sighting s;
  s.id = "S1." + key;
  s.key = std::move(key);
  s.platform = Platform::kIos;
  s.kind = Kind::kPhone;
  s.vendor = "apple";
  s.level = SightingLevel::kConfirmed;
  s.confidence = 0.998;
  s.seen_on = day(seen_on);
  s.sources = {"office.pcap"};
  s.evidence = {"+2.10 user_agent \"Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X)\""};
  return s;
}

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    people_ = {
        at(kBaseline, person("P-1", "ivan.petrov@pa.example", "pa", "official")),
        at(kBaseline, person("P-2", "olga@pa.example", "pa-press", "official")),  // out of scope
        at(kBaseline, person("P-3", "sergei@pa.example", "pa/legal", "staff")),   // wrong role
        at(kBaseline, person("P-4", "anna@pa.example", "pa/press", "official")),
    };
    devices_ = {
        at(kBaseline, device("D-01", "P-1", Platform::kIos, Kind::kPhone, "aa:bb:cc:00:00:01",
                             "iPhone-Ivan", "F2LXK001")),
        at(kBaseline, device("D-02", "P-2", Platform::kIos, Kind::kPhone, "aa:bb:cc:00:00:02")),
        at(kBaseline, device("D-03", "P-4", Platform::kAndroid, Kind::kPhone, "aa:bb:cc:00:00:03",
                             "anna-phone")),
        at(kBaseline, device("D-04", "P-4", Platform::kIos, Kind::kPhone, "aa:bb:cc:00:00:04")),
    };
    directives_ = {DirectiveVersion{day("2023-03-06").days(), 1, parse(kDeviceBan)},
                   DirectiveVersion{day("2023-03-20").days(), 1, parse(kUsageBan)}};
  }

  std::vector<Finding> run(const std::vector<Sighting>& sightings, const char* as_of) {
    Reconciler r(people_, devices_, directives_);
    return r.findings(sightings, day(as_of));
  }

  static std::vector<Finding> ofKind(const std::vector<Finding>& all, FindingKind kind) {
    std::vector<Finding> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [kind](const Finding& f) { return f.kind == kind; });
    return out;
  }

  // Records `device_id` as `state` from `from` (a new version, as a disposition does).
  void dispose(const std::string& device_id, DeviceState state, const char* from) {
    auto it = std::find_if(devices_.begin(), devices_.end(),
                           [&](const auto& v) { return v.record.device_id == device_id; });
    ASSERT_NE(it, devices_.end());
    Device d = it->record;
    d.state = state;
    devices_.insert(it + 1, at(day(from).days(), d, 2));
  }

  std::vector<Versioned<Person>> people_;
  std::vector<Versioned<Device>> devices_;
  std::vector<DirectiveVersion> directives_;
};

// --- names and helpers ---------------------------------------------------------------------

TEST(ReconcileNames, FindingKindsRoundTrip) {
  for (auto n : findingKindNames()) {
    auto k = parseFindingKind(n);
    ASSERT_TRUE(k) << n;
    EXPECT_EQ(name(*k), n);
  }
  EXPECT_FALSE(parseFindingKind("banned"));
  EXPECT_EQ(parseSightingLevel("Likely"), SightingLevel::kLikely);
  EXPECT_FALSE(parseSightingLevel("sure"));
}

TEST(ServiceProtected, HostAndPathPrefixes) {
  EXPECT_TRUE(serviceProtected("mail.pa.example", "mail.pa.example"));
  EXPECT_TRUE(serviceProtected("mail.pa.example", "MAIL.pa.example/owa/inbox"));
  EXPECT_TRUE(serviceProtected("mail.pa.example", "mail.pa.example:443"));
  EXPECT_FALSE(serviceProtected("mail.pa.example", "webmail.pa.example"));
  EXPECT_FALSE(serviceProtected("mail.pa.example", "mail.pa.example.evil.example"));
  EXPECT_TRUE(serviceProtected("https://portal.pa.example/docs/", "portal.pa.example/docs/a.pdf"));
  EXPECT_TRUE(serviceProtected("portal.pa.example/docs/", "portal.pa.example/docs/"));
  EXPECT_FALSE(serviceProtected("https://portal.pa.example/docs/", "portal.pa.example/news/"));
  // Seen without a path (TLS SNI): only a host-only entry can match.
  EXPECT_FALSE(serviceProtected("https://portal.pa.example/docs/", "portal.pa.example"));
  EXPECT_TRUE(serviceProtected("https://mail.pa.example/", "mail.pa.example"));
  EXPECT_FALSE(serviceProtected("", "mail.pa.example"));
}

// --- (a) banned-platform -------------------------------------------------------------------

TEST_F(ReconcileTest, IphoneOfOfficialMatchedByMacIsBanned) {
  Sighting s = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  s.macs = {"AA:BB:CC:00:00:01"};
  auto f = ofKind(run({s}, "2023-04-30"), FindingKind::kBannedPlatform);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].directive_id, "pa-iphone-2023");
  EXPECT_EQ(f[0].device_id, "D-01");
  EXPECT_EQ(f[0].person_id, "P-1");
  EXPECT_EQ(f[0].sighting_id, s.id);
  EXPECT_NE(f[0].reason.find("rule 1 (platform ios)"), std::string::npos) << f[0].reason;
  EXPECT_NE(f[0].reason.find("after the final due date 2023-04-01"), std::string::npos);
  const std::string evidence = join(f[0].evidence, "\n");
  EXPECT_NE(evidence.find("by MAC aa:bb:cc:00:00:01"), std::string::npos) << evidence;
  EXPECT_NE(evidence.find("user_agent"), std::string::npos);
  EXPECT_NE(evidence.find("office.pcap"), std::string::npos);
}

TEST_F(ReconcileTest, MatchedByHostNameWithDomainOrBySerial) {
  Sighting by_name = iphone("ip:10.0.0.9", "2023-03-25");
  by_name.hostnames = {"iphone-ivan.local"};
  Sighting by_serial = iphone("ip:10.0.0.10", "2023-03-26");
  by_serial.serial = "f2lxk001";
  auto f = ofKind(run({by_name, by_serial}, "2023-04-30"), FindingKind::kBannedPlatform);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].device_id, "D-01");
  EXPECT_NE(join(f[0].evidence, "\n").find("host name iphone-ivan.local"), std::string::npos);
  EXPECT_NE(f[0].reason.find("before the final due date"), std::string::npos);
  EXPECT_EQ(f[1].device_id, "D-01");
  EXPECT_NE(join(f[1].evidence, "\n").find("serial f2lxk001"), std::string::npos);
}

TEST_F(ReconcileTest, LikelyIsEnoughUnknownLevelNeverAccuses) {
  Sighting likely = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  likely.macs = {"aa:bb:cc:00:00:01"};
  likely.level = SightingLevel::kLikely;
  EXPECT_EQ(ofKind(run({likely}, "2023-04-30"), FindingKind::kBannedPlatform).size(), 1u);
  Sighting unknown = likely;
  unknown.level = SightingLevel::kUnknown;
  EXPECT_TRUE(run({unknown}, "2023-04-30").empty());
}

TEST_F(ReconcileTest, MacAndIpadAreNotIphones) {
  Sighting mac = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  mac.macs = {"aa:bb:cc:00:00:01"};
  mac.platform = Platform::kMacos;
  mac.kind = Kind::kLaptop;
  Sighting ipad = mac;
  ipad.platform = Platform::kIpados;
  ipad.kind = Kind::kTablet;
  Sighting apple_unknown_kind = mac;  // vendor apple, platform macOS, kind not known
  apple_unknown_kind.kind = Kind::kUnknown;
  EXPECT_TRUE(
      ofKind(run({mac, ipad, apple_unknown_kind}, "2023-04-30"), FindingKind::kBannedPlatform)
          .empty());
}

TEST_F(ReconcileTest, AndroidOfOfficialIsNotBanned) {
  Sighting s = iphone("mac:aa:bb:cc:00:00:03", "2023-04-05");
  s.macs = {"aa:bb:cc:00:00:03"};
  s.platform = Platform::kAndroid;
  s.vendor = "samsung";
  EXPECT_TRUE(run({s}, "2023-04-30").empty());
}

TEST_F(ReconcileTest, OutOfScopePersonGivesNoBannedPlatform) {
  Sighting s = iphone("mac:aa:bb:cc:00:00:02", "2023-04-05");
  s.macs = {"aa:bb:cc:00:00:02"};  // D-02, held by P-2 in pa-press
  EXPECT_TRUE(ofKind(run({s}, "2023-04-30"), FindingKind::kBannedPlatform).empty());
  // A staff member (role not covered) logging in from an unknown iPhone: not in scope either.
  Sighting staff = iphone("mac:02:00:00:00:00:09", "2023-04-05");
  staff.users = {"sergei"};
  EXPECT_TRUE(ofKind(run({staff}, "2023-04-30"), FindingKind::kBannedPlatform).empty());
}

TEST_F(ReconcileTest, ScopeIsJudgedOnTheSightingDay) {
  // P-2 moves into pa on 2023-04-03: seen before, out of scope; seen after, in scope.
  Person moved = people_[1].record;
  moved.unit = "pa/press";
  people_.insert(people_.begin() + 2, at(day("2023-04-03").days(), moved, 2));
  Sighting before = iphone("mac:aa:bb:cc:00:00:02", "2023-04-02");
  before.macs = {"aa:bb:cc:00:00:02"};
  Sighting after = before;
  after.seen_on = day("2023-04-04");
  auto f = ofKind(run({before, after}, "2023-04-30"), FindingKind::kBannedPlatform);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].seen_on, day("2023-04-04"));
  EXPECT_EQ(f[0].person_id, "P-2");
}

TEST_F(ReconcileTest, DirectiveNotYetIssuedGivesNothing) {
  Sighting s = iphone("mac:aa:bb:cc:00:00:01", "2023-03-01");
  s.macs = {"aa:bb:cc:00:00:01"};
  EXPECT_TRUE(run({s}, "2023-04-30").empty());
}

TEST_F(ReconcileTest, AsOfLeavesOutLaterSightings) {
  Sighting s = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  s.macs = {"aa:bb:cc:00:00:01"};
  EXPECT_TRUE(run({s}, "2023-04-04").empty());
  EXPECT_EQ(run({s}, "2023-04-05").size(), 1u);
}

TEST_F(ReconcileTest, UnmatchedIphoneAttributedToAuthenticatedUser) {
  Sighting s = iphone("mac:02:11:22:33:44:55", "2023-04-05");  // random MAC, not in inventory
  s.users = {"PA\\Ivan.Petrov"};
  auto all = run({s}, "2023-04-30");
  auto banned = ofKind(all, FindingKind::kBannedPlatform);
  ASSERT_EQ(banned.size(), 1u);
  EXPECT_EQ(banned[0].person_id, "P-1");
  EXPECT_EQ(banned[0].device_id, "");
  EXPECT_NE(join(banned[0].evidence, "\n").find("ivan.petrov@pa.example"), std::string::npos);
  // ... and it is also a phone the inventory does not know.
  auto unknown = ofKind(all, FindingKind::kUnknownPhone);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].directive_id, "pa-iphone-2023");
  EXPECT_EQ(unknown[0].person_id, "P-1");
}

TEST_F(ReconcileTest, UserMatchesByPersonIdAndEmailButNotAmbiguousLocalPart) {
  people_.push_back(at(kBaseline, person("P-5", "anna@gov.example", "pa/x", "official")));
  Sighting by_id = iphone("mac:02:00:00:00:00:01", "2023-04-05");
  by_id.users = {"p-4"};
  Sighting by_email = iphone("mac:02:00:00:00:00:02", "2023-04-05");
  by_email.users = {"Anna@PA.example"};
  Sighting ambiguous = iphone("mac:02:00:00:00:00:03", "2023-04-05");
  ambiguous.users = {"anna"};  // anna@pa.example and anna@gov.example
  auto f = ofKind(run({by_id, by_email, ambiguous}, "2023-04-30"), FindingKind::kBannedPlatform);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].person_id, "P-4");
  EXPECT_EQ(f[1].person_id, "P-4");
}

TEST_F(ReconcileTest, UserMatchesByUserPrincipalNameAndItsAccountPart) {
  people_[3].record.upn = "a.ivanova@corp.pa.example";  // P-4, whose address is anna@pa.example
  Sighting kerberos = iphone("mac:02:00:00:00:00:04", "2023-04-05");
  kerberos.users = {"A.Ivanova@CORP.PA.EXAMPLE"};
  Sighting ntlm = iphone("mac:02:00:00:00:00:05", "2023-04-05");
  ntlm.users = {"CORP\\a.ivanova"};
  auto f = ofKind(run({kerberos, ntlm}, "2023-04-30"), FindingKind::kBannedPlatform);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].person_id, "P-4");
  EXPECT_EQ(f[1].person_id, "P-4");
  EXPECT_NE(join(f[0].evidence, "\n").find("is P-4 (anna@pa.example)"), std::string::npos);
}

TEST_F(ReconcileTest, SharedMacOrHostNameMatchesNoDevice) {
  devices_.push_back(at(kBaseline, device("D-05", "P-1", Platform::kAndroid, Kind::kPhone,
                                          "aa:bb:cc:00:00:01", "iphone-ivan")));
  std::sort(devices_.begin(), devices_.end(),
            [](const auto& a, const auto& b) { return a.record.device_id < b.record.device_id; });
  Reconciler r(people_, devices_, directives_);
  Sighting s = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  s.macs = {"aa:bb:cc:00:00:01"};
  s.hostnames = {"iPhone-Ivan"};
  EXPECT_EQ(r.matchedDeviceId(s), "");
  // An unmatched iPhone of nobody known: only unknown-phone.
  auto all = r.findings({s}, day("2023-04-30"));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, FindingKind::kUnknownPhone);
}

// --- (b) unknown-phone ---------------------------------------------------------------------

TEST_F(ReconcileTest, UnknownAndroidPhoneHasNoDirective) {
  Sighting s = iphone("mac:3c:28:6d:00:00:01", "2023-04-05");
  s.macs = {"3c:28:6d:00:00:01"};
  s.platform = Platform::kAndroid;
  s.vendor = "google";
  auto f = run({s}, "2023-04-30");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, FindingKind::kUnknownPhone);
  EXPECT_EQ(f[0].directive_id, "");
  EXPECT_NE(f[0].reason.find("matches no device in the inventory"), std::string::npos);
}

TEST_F(ReconcileTest, KnownPhoneTabletAndUnsurePhoneAreNotUnknownPhones) {
  Sighting known = iphone("mac:aa:bb:cc:00:00:03", "2023-04-05");
  known.macs = {"aa:bb:cc:00:00:03"};
  known.platform = Platform::kAndroid;
  Sighting tablet = iphone("mac:02:00:00:00:00:07", "2023-04-05");
  tablet.platform = Platform::kIpados;
  tablet.kind = Kind::kTablet;
  Sighting unsure = iphone("mac:02:00:00:00:00:08", "2023-04-05");
  unsure.level = SightingLevel::kUnknown;
  EXPECT_TRUE(
      ofKind(run({known, tablet, unsure}, "2023-04-30"), FindingKind::kUnknownPhone).empty());
}

// --- (c) disposed-seen-again ---------------------------------------------------------------

TEST_F(ReconcileTest, DestroyedDeviceSeenAfterwards) {
  dispose("D-01", DeviceState::kDestroyed, "2023-03-15");
  Sighting s = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  s.macs = {"aa:bb:cc:00:00:01"};
  auto all = run({s}, "2023-04-30");
  auto f = ofKind(all, FindingKind::kDisposedSeenAgain);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].device_id, "D-01");
  EXPECT_EQ(f[0].directive_id, "pa-iphone-2023");
  EXPECT_NE(f[0].reason.find("recorded destroyed on 2023-03-15"), std::string::npos) << f[0].reason;
  // A destroyed device is no longer in scope: it is not also a banned-platform finding through
  // the device (no user was seen).
  EXPECT_TRUE(ofKind(all, FindingKind::kBannedPlatform).empty());
}

TEST_F(ReconcileTest, DisposedAfterTheSightingOrOnTheSameDayGivesNothing) {
  dispose("D-01", DeviceState::kReturned, "2023-03-30");
  Sighting before = iphone("mac:aa:bb:cc:00:00:01", "2023-03-29");
  before.macs = {"aa:bb:cc:00:00:01"};
  Sighting same_day = before;
  same_day.seen_on = day("2023-03-30");
  auto all = run({before, same_day}, "2023-04-30");
  EXPECT_TRUE(ofKind(all, FindingKind::kDisposedSeenAgain).empty());
  // Before the hand-in it was still the official's active iPhone.
  auto banned = ofKind(all, FindingKind::kBannedPlatform);
  ASSERT_EQ(banned.size(), 1u);
  EXPECT_EQ(banned[0].seen_on, day("2023-03-29"));
}

TEST_F(ReconcileTest, TransferredDeviceSeenAgainAtAnyLevelButRetiredIsNot) {
  dispose("D-03", DeviceState::kTransferred, "2023-03-10");
  dispose("D-04", DeviceState::kRetired, "2023-03-10");
  Sighting transferred;
  transferred.id = "S2.1";
  transferred.key = "mac:aa:bb:cc:00:00:03";
  transferred.macs = {"aa:bb:cc:00:00:03"};
  transferred.seen_on = day("2023-04-01");
  Sighting retired = transferred;
  retired.id = "S2.2";
  retired.macs = {"aa:bb:cc:00:00:04"};
  auto f = ofKind(run({transferred, retired}, "2023-04-30"), FindingKind::kDisposedSeenAgain);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].device_id, "D-03");
  EXPECT_EQ(f[0].directive_id, "");  // an Android phone: no ban matches it
  EXPECT_NE(f[0].reason.find("transferred on 2023-03-10"), std::string::npos);
}

TEST_F(ReconcileTest, ImportedAsReturnedSaysSo) {
  devices_[0].record.state = DeviceState::kReturned;
  Sighting s = iphone("mac:aa:bb:cc:00:00:01", "2023-04-05");
  s.macs = {"aa:bb:cc:00:00:01"};
  auto f = ofKind(run({s}, "2023-04-30"), FindingKind::kDisposedSeenAgain);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].reason.find("handed in in the inventory as imported"), std::string::npos)
      << f[0].reason;
}

// --- (d) usage-ban -------------------------------------------------------------------------

ServiceUse use(std::string service, std::string user, Kind kind, Platform p) {
  ServiceUse u;
  u.service = std::move(service);
  u.user = std::move(user);
  u.user_agent = kind == Kind::kPhone ? "Mozilla/5.0 (Linux; Android 13; SM-S918B)"
                                      : "Mozilla/5.0 (Windows NT 10.0; Win64; x64)";
  u.ua_kind = kind;
  u.ua_platform = p;
  u.where = "access.log:12";
  u.count = 3;
  return u;
}

Sighting proxySighting(std::vector<ServiceUse> uses) {
  Sighting s;
  s.id = "S3.1";
  s.key = "ip:10.1.2.3";
  s.ips = {"10.1.2.3"};
  s.seen_on = day("2023-04-05");
  s.sources = {"access.log"};
  s.services = std::move(uses);
  for (const auto& u : s.services) {
    if (!u.user.empty()) s.users.push_back(u.user);
  }
  return s;
}

TEST_F(ReconcileTest, SmartphoneReachingProtectedServiceIsAttributedToUser) {
  Sighting s = proxySighting(
      {use("mail.pa.example/owa/", "ivan.petrov", Kind::kPhone, Platform::kAndroid),
       use("portal.pa.example/docs/x.pdf", "ivan.petrov", Kind::kPhone, Platform::kAndroid)});
  auto f = ofKind(run({s}, "2023-04-30"), FindingKind::kUsageBan);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].directive_id, "pa-no-smartphones");
  EXPECT_EQ(f[0].person_id, "P-1");
  EXPECT_NE(f[0].reason.find("(Android)"), std::string::npos) << f[0].reason;
  EXPECT_NE(f[0].reason.find("mail.pa.example/owa/, portal.pa.example/docs/x.pdf"),
            std::string::npos);
  const std::string evidence = join(f[0].evidence, "\n");
  EXPECT_NE(evidence.find("access.log:12 x3"), std::string::npos) << evidence;
  EXPECT_NE(evidence.find("SM-S918B"), std::string::npos);
}

TEST_F(ReconcileTest, UsageBanNegatives) {
  // A desktop browser, an unprotected service, a path outside the protected prefix, an
  // out-of-scope user, an unknown user, and a use before the directive was issued.
  Sighting s = proxySighting({
      use("mail.pa.example", "ivan.petrov", Kind::kDesktop, Platform::kWindows),
      use("news.example", "ivan.petrov", Kind::kPhone, Platform::kAndroid),
      use("portal.pa.example/news/", "ivan.petrov", Kind::kPhone, Platform::kAndroid),
      use("mail.pa.example", "olga", Kind::kPhone, Platform::kIos),
      use("mail.pa.example", "nobody", Kind::kPhone, Platform::kIos),
      use("portal.pa.example/docs/", "ivan.petrov", Kind::kTablet, Platform::kIpados),
  });
  EXPECT_TRUE(ofKind(run({s}, "2023-04-30"), FindingKind::kUsageBan).empty());
  Sighting early =
      proxySighting({use("mail.pa.example", "ivan.petrov", Kind::kPhone, Platform::kIos)});
  early.seen_on = day("2023-03-19");
  EXPECT_TRUE(ofKind(run({early}, "2023-04-30"), FindingKind::kUsageBan).empty());
}

TEST_F(ReconcileTest, TabletCountsOnlyWhenTheDirectiveBansTablets) {
  const Sighting s =
      proxySighting({use("mail.pa.example", "ivan.petrov", Kind::kTablet, Platform::kAndroid)});
  EXPECT_TRUE(ofKind(run({s}, "2023-04-30"), FindingKind::kUsageBan).empty());
  std::string text = kUsageBan;
  text.replace(text.find("  - kind: phone\n"), 16, "  - kind: phone\n  - kind: tablet\n");
  directives_ = {DirectiveVersion{day("2023-03-20").days(), 1, parse(text.c_str())}};
  auto f = ofKind(run({s}, "2023-04-30"), FindingKind::kUsageBan);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].reason.rfind("A tablet (Android) reached mail.pa.example", 0), 0u) << f[0].reason;
}

TEST_F(ReconcileTest, UsageWithoutUserIsAttributedThroughTheDevice) {
  // An Android phone of P-4 (D-03) reaching mail by its lease: MAC known, no user.
  Sighting s = proxySighting({use("mail.pa.example", "", Kind::kPhone, Platform::kAndroid)});
  s.key = "mac:aa:bb:cc:00:00:03";
  s.macs = {"aa:bb:cc:00:00:03"};
  auto f = ofKind(run({s}, "2023-04-30"), FindingKind::kUsageBan);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].person_id, "P-4");
  EXPECT_EQ(f[0].device_id, "D-03");
  EXPECT_NE(join(f[0].evidence, "\n").find("device D-03 (by MAC aa:bb:cc:00:00:03)"),
            std::string::npos);
  // The same use from an address no inventory device has: nobody to attribute it to.
  Sighting anonymous =
      proxySighting({use("mail.pa.example", "", Kind::kPhone, Platform::kAndroid)});
  EXPECT_TRUE(run({anonymous}, "2023-04-30").empty());
}

TEST_F(ReconcileTest, FindingsAreDeterministicAndOrdered) {
  Sighting a = iphone("mac:aa:bb:cc:00:00:01", "2023-04-06");
  a.macs = {"aa:bb:cc:00:00:01"};
  Sighting b = iphone("mac:02:00:00:00:00:01", "2023-04-05");
  b.platform = Platform::kAndroid;
  auto first = run({a, b}, "2023-04-30");
  auto second = run({b, a}, "2023-04-30");
  EXPECT_EQ(first, second);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].seen_on, day("2023-04-05"));
}

}  // namespace
}  // namespace phaseout::campaign
