#include "detect/ledger.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "detect/packet_evidence.h"

namespace phaseout::detect {
namespace {

using platform::Platform;

std::shared_ptr<const SignatureSet> builtin() {
  static const auto set = [] {
    auto r = SignatureSet::loadBuiltin();
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return std::move(r).value();
  }();
  return set;
}

decode::MacAddress mac(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                       std::uint8_t e, std::uint8_t f) {
  decode::MacAddress m;
  m.bytes = {a, b, c, d, e, f};
  return m;
}

decode::IpAddress ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  decode::IpAddress ip;
  ip.family = 4;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

const OuiRegistry& oui() {
  static const OuiRegistry r = [] {
    auto loaded = OuiRegistry::fromText(
        "C4-61-8B   (hex)\t\tApple, Inc.\n"
        "F0-18-98   (hex)\t\tApple, Inc.\n"
        "3C-A9-F4   (hex)\t\tIntel Corporate\n"
        "4C-6A-F6   (hex)\t\tHMD Global Oy\n",
        "test-oui");
    EXPECT_TRUE(loaded.isOk());
    return std::move(loaded).value();
  }();
  return r;
}

const DeviceVerdict* find(const std::vector<DeviceVerdict>& devices, const std::string& key) {
  for (const auto& d : devices) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

const decode::MacAddress kIphone = mac(0xc4, 0x61, 0x8b, 0x35, 0x82, 0xa9);
const decode::MacAddress kMac = mac(0xf0, 0x18, 0x98, 0x15, 0x65, 0x7c);
const decode::MacAddress kIntel = mac(0x3c, 0xa9, 0xf4, 0xa8, 0x1f, 0xec);

TEST(LedgerTest, IphoneWithNameAndFingerprintIsIos) {
  Ledger ledger(builtin(), &oui());
  const auto src = ledger.addSource("a.pcap");
  DeviceKey key{kIphone, {}};
  ledger.noteHostname(key, "Lucas-iPhone", {src, 29, 0});
  ledger.observe(key, SignalKind::kDhcpParamList, "1,121,3,6,15,119,252", {src, 29, 0});
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  const DeviceVerdict& d = devices[0];
  EXPECT_EQ(d.key, "mac:c4:61:8b:35:82:a9");
  EXPECT_EQ(d.verdict.platform(), Platform::kIos);
  EXPECT_EQ(d.kind, platform::Kind::kPhone);
  EXPECT_EQ(d.vendor, "apple");
  EXPECT_EQ(d.hostnames, std::vector<std::string>{"Lucas-iPhone"});
  bool saw_oui = false;
  for (const auto& e : d.evidence) saw_oui = saw_oui || e.signal == SignalKind::kMacOui;
  EXPECT_TRUE(saw_oui) << "the registry's word on the MAC is evidence too";
}

TEST(LedgerTest, EvidenceOfOneGroupIsNotSummed) {
  Ledger ledger(builtin(), &oui());
  DeviceKey key{kIntel, ipv4(10, 0, 0, 5)};
  for (const char* name : {"a.apple.com", "b.apple.com", "c.icloud.com", "d.apple.com",
                           "e.apple.com", "f.apple.com", "gateway.icloud.com"}) {
    ledger.observe(key, SignalKind::kDnsName, name, {0, 1, 0});
  }
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_NE(devices[0].verdict.best, Platform::kIos)
      << "seven Apple names weigh what one does, and the Intel NIC says 'not Apple'";
  std::size_t counted_destinations = 0;
  for (const auto& e : devices[0].evidence) {
    if (e.signal == SignalKind::kDnsName && e.counted) ++counted_destinations;
  }
  EXPECT_EQ(counted_destinations, 1u);
}

TEST(LedgerTest, MacSpoofingAnIphoneUserAgentIsNotConfirmedIos) {
  // Apple OUI, Apple TLS and TCP stacks, and an iPhone browser UA: every signal but the UA is
  // shared by Macs, so at most one group prefers iOS on its own.
  Ledger ledger(builtin(), &oui());
  DeviceKey key{kMac, ipv4(192, 168, 1, 121)};
  ledger.observe(key, SignalKind::kUserAgent,
                 "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
                 {0, 10, 0});
  ledger.observe(key, SignalKind::kJa4, "t13d2613h2_2802a3db6c62_845d286b0d67", {0, 11, 0});
  ledger.observe(key, SignalKind::kTcpSyn,
                 "ttl64:mss,nop,ws,nop,nop,ts,sack,eol:ws6:win65535:ecn1:df1", {0, 12, 0});
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_NE(devices[0].verdict.level, Level::kConfirmed);
  EXPECT_LE(devices[0].verdict.discriminating_groups, 1u);
}

TEST(LedgerTest, LinuxDesktopSpoofingAnIphoneIsLinux) {
  Ledger ledger(builtin(), &oui());
  DeviceKey dhcp{kIntel, {}};
  ledger.observe(dhcp, SignalKind::kDhcpParamList, "1,28,2,3,15,6,119,12,44,47,26,121,42",
                 {0, 1, 0});
  DeviceKey key{kIntel, ipv4(192, 168, 1, 128)};
  ledger.observe(key, SignalKind::kUserAgent,
                 "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                 {0, 9, 0});
  ledger.observe(key, SignalKind::kTcpSyn, "ttl64:mss,sack,ts,nop,ws:ws7:win64240:ecn0:df1",
                 {0, 8, 0});
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].verdict.platform(), Platform::kLinux);
}

TEST(LedgerTest, RandomMacsLinkedByStableNameOnly) {
  Ledger ledger(builtin(), &oui());
  const auto a = mac(0xea, 0xa9, 0xde, 0x85, 0x23, 0xce);  // locally administered
  const auto b = mac(0x9a, 0xdf, 0x58, 0xfa, 0xeb, 0xdc);  // locally administered
  const auto c = mac(0x02, 0x81, 0x1f, 0x1c, 0x13, 0xe5);  // locally administered
  const auto d = mac(0x06, 0x81, 0x1f, 0x1c, 0x13, 0xe5);  // locally administered
  ledger.noteHostname({a, {}}, "Gabrieles-iPad", {0, 1, 0});
  ledger.noteHostname({b, {}}, "Gabrieles-iPad", {0, 2, 0});
  ledger.noteHostname({c, {}}, "iPhone", {0, 3, 0});  // generic: links nothing
  ledger.noteHostname({d, {}}, "iPhone", {0, 4, 0});
  LedgerStats stats;
  const auto devices = ledger.finish(&stats);
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(stats.linked, 1u);
  const DeviceVerdict* ipad = nullptr;
  for (const auto& dv : devices) {
    if (dv.macs.size() == 2) ipad = &dv;
  }
  ASSERT_NE(ipad, nullptr);
  EXPECT_EQ(ipad->verdict.best, Platform::kIpados);
}

TEST(LedgerTest, UniversalMacsWithTheSameNameStayApart) {
  Ledger ledger(builtin(), &oui());
  ledger.noteHostname({kIphone, {}}, "office-pc", {0, 1, 0});
  ledger.noteHostname({kIntel, {}}, "office-pc", {0, 2, 0});
  ledger.observe({kIntel, {}}, SignalKind::kDhcpVendorClass, "MSFT 5.0", {0, 2, 0});
  ledger.observe({kIphone, {}}, SignalKind::kDhcpVendorClass, "android-dhcp-9", {0, 1, 0});
  EXPECT_EQ(ledger.finish().size(), 2u);
}

TEST(LedgerTest, ManyAddressesBehindOneMacAreSplitByAddress) {
  Ledger ledger(builtin(), &oui());
  const auto router = mac(0x00, 0x01, 0x00, 0x00, 0x00, 0x02);
  for (std::uint8_t i = 1; i <= 10; ++i) {
    ledger.observe({router, ipv4(10, 0, 0, i)}, SignalKind::kUserAgent,
                   i % 2 ? "Mozilla/5.0 (Linux; Android 9; JKM-LX1 Build/HUAWEIJKM-LX1; wv)"
                         : "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
                   {0, i, 0});
  }
  LedgerStats stats;
  const auto devices = ledger.finish(&stats);
  EXPECT_EQ(stats.routers, 1u);
  ASSERT_EQ(devices.size(), 10u);
  const DeviceVerdict* one = find(devices, "ip:10.0.0.1");
  ASSERT_NE(one, nullptr);
  EXPECT_TRUE(one->macs.empty()) << "the router's MAC is not the device's";
  EXPECT_EQ(one->verdict.best, Platform::kAndroid);
  EXPECT_EQ(find(devices, "ip:10.0.0.2")->verdict.best, Platform::kWindows);
}

TEST(LedgerTest, AddressOnlyEvidenceJoinsTheLeaseHolder) {
  Ledger ledger(builtin(), &oui());
  const auto phone = mac(0x4c, 0x6a, 0xf6, 0x9f, 0xf6, 0x27);
  ledger.observe({phone, {}}, SignalKind::kDhcpVendorClass, "android-dhcp-9", {0, 1, 0});
  ledger.bindAddress(phone, ipv4(192, 168, 2, 16));
  // An access-log line: no MAC, only the address.
  const auto log = ledger.addSource("access.log");
  ledger.observe(
      {std::nullopt, ipv4(192, 168, 2, 16)}, SignalKind::kUserAgent,
      "Mozilla/5.0 (Linux; Android 9; Nokia 2.2) AppleWebKit/537.36 Mobile Safari/537.36",
      {log, 0, 17});
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].key, "mac:4c:6a:f6:9f:f6:27");
  EXPECT_EQ(devices[0].verdict.level, Level::kConfirmed);
  bool line_seen = false;
  for (const auto& e : devices[0].evidence) {
    if (e.signal == SignalKind::kUserAgent) line_seen = e.where.source == log && e.where.line == 17;
  }
  EXPECT_TRUE(line_seen);
}

TEST(LedgerTest, DuplicatesAreCountedOnceWithTheirFirstSighting) {
  Ledger ledger(builtin(), &oui());
  DeviceKey key{kIphone, ipv4(192, 168, 2, 17)};
  for (std::uint64_t frame = 5; frame < 105; ++frame) {
    ledger.observe(key, SignalKind::kDnsName, "mesu.apple.com", {0, frame, 0});
  }
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  std::size_t mesu = 0;
  for (const auto& e : devices[0].evidence) {
    if (e.value != "mesu.apple.com") continue;
    ++mesu;
    EXPECT_EQ(e.where.frame, 5u);
    EXPECT_EQ(e.count, 100u);
  }
  EXPECT_EQ(mesu, 2u) << "two signatures match it (dest.apple, dest.apple-ios-update)";
  EXPECT_EQ(ledger.stats().observations, 100u);
}

TEST(LedgerTest, AddTakesPrematchedEvidence) {
  Ledger ledger(builtin(), nullptr);
  const auto id = builtin()->findSignature("dhcp.vc.windows");
  ASSERT_TRUE(id.has_value());
  ledger.add({kIntel, {}}, *id, "MSFT 5.0", {0, 0, 3});
  ledger.add({kIntel, {}}, 999999, "ignored", {0, 0, 4});  // unknown id: ignored
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  ASSERT_EQ(devices[0].evidence.size(), 1u) << "no registry given: no mac_oui evidence";
  EXPECT_EQ(devices[0].verdict.best, Platform::kWindows);
}

TEST(LedgerTest, ReplacingSignaturesRematchesCollectedEvidence) {
  Ledger ledger(builtin(), &oui());
  DeviceKey key{kIntel, ipv4(10, 0, 0, 9)};
  for (std::uint64_t frame = 1; frame <= 3; ++frame) {
    ledger.observe(key, SignalKind::kDnsName, "mesu.apple.com", {0, frame, 0});
  }
  ledger.observe(key, SignalKind::kDhcpVendorClass, "MSFT 5.0", {0, 4, 0});
  const auto before = ledger.finish();
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].verdict.best, Platform::kWindows);
  // A new set in which the Windows vendor class means nothing and a new name does.
  std::string model = R"(schema: 1
version: "r2"
groups: [{id: g}]
model:
  priors: {ios: 0.1, ipados: 0.1, macos: 0.1, watchos: 0.05, android: 0.1, harmonyos: 0.05,
           harmonyos-next: 0.05, aurora: 0.05, sailfish: 0.05, kaios: 0.05, windows: 0.1,
           linux: 0.1, other: 0.1}
signatures:
  - {id: apple-names, signal: dns_name, match: "*.apple.com", weights: {macos: 2}, group: g, source: t}
  - {id: apple-update, signal: dns_name, match: "mesu.*", weights: {macos: 2}, group: g, source: t}
)";
  auto replacement = SignatureSet::fromTexts({{"r.yaml", model}});
  ASSERT_TRUE(replacement.isOk()) << replacement.status().toString();
  ledger.replaceSignatures(*replacement);
  const auto after = ledger.finish();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].verdict.best, Platform::kMacos);
  std::size_t records = 0;
  for (const auto& e : after[0].evidence) {
    if (e.signal != SignalKind::kDnsName) continue;
    ++records;
    EXPECT_EQ(e.count, 3u) << "sightings are not double-counted across signatures";
    EXPECT_EQ(e.where.frame, 1u);
  }
  EXPECT_EQ(records, 2u);
  // New evidence after the swap uses the new set.
  ledger.observe(key, SignalKind::kDnsName, "swscan.apple.com", {0, 9, 0});
  EXPECT_EQ(ledger.finish()[0].evidence.size(), 3u) << "two for mesu, one for swscan";
}

TEST(ScoringTest, LevelsFollowPosteriorAndIndependentGroups) {
  const SignatureSet& set = *builtin();
  auto id = [&](const char* name) { return *set.findSignature(name); };
  // Hardware model and device name, two independent groups preferring iOS on their own.
  const std::vector<SignatureId> confirmed = {id("model.iphone"), id("name.iphone")};
  const Verdict v = score(set, confirmed);
  EXPECT_EQ(v.level, Level::kConfirmed);
  EXPECT_EQ(v.platform(), Platform::kIos);
  EXPECT_EQ(v.discriminating_groups, 2u);
  // One group only: never confirmed, however strong.
  const Verdict one = score(set, std::vector<SignatureId>{id("model.iphone")});
  EXPECT_NE(one.level, Level::kConfirmed);
  // Nothing: the prior alone, unknown.
  const Verdict none = score(set, std::vector<SignatureId>{});
  EXPECT_EQ(none.level, Level::kUnknown);
  EXPECT_EQ(none.platform(), Platform::kUnknown);
  double sum = 0;
  for (double p : none.posterior) sum += p;
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

constexpr const char* kIphoneSafari =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1";

TEST(LedgerTest, TimesUsersAndServiceUsesFoldIntoTheDevice) {
  Ledger ledger(builtin(), &oui());
  const auto log = ledger.addSource("intranet.log");
  const auto ip = ipv4(192, 168, 2, 17);
  ledger.bindAddress(kIphone, ip);  // a lease: the IP-only lines are the iPhone's
  const DeviceKey by_ip{std::nullopt, ip};
  ledger.observe(by_ip, SignalKind::kUserAgent, kIphoneSafari, {log, 0, 3, 3'000});
  ledger.noteUser(by_ip, "jdoe", {log, 0, 3, 3'000});
  ledger.noteUser(by_ip, "-", {log, 0, 4, 9'000});  // no user: ignored, time not taken
  ledger.noteUser(by_ip, "", {log, 0, 4, 9'000});
  ledger.noteUser({kIphone, {}}, "adams", {log, 0, 5, 0});  // no time: first/last unchanged
  ledger.noteUser(by_ip, "jdoe", {log, 0, 6, 2'000});
  ledger.noteServiceUse(by_ip, "Mail.Example.org:443/owa/?x=1", "jdoe", kIphoneSafari,
                        {log, 0, 6, 2'000});
  ledger.noteServiceUse(by_ip, "mail.example.org/owa/#top", "jdoe", kIphoneSafari,
                        {log, 0, 2, 5'000});
  ledger.noteServiceUse(by_ip, "mail.example.org/", "-", "", {log, 0, 7, 4'000});
  ledger.noteServiceUse(by_ip, "", "jdoe", "", {log, 0, 8, 4'000});  // no service: ignored
  ledger.noteHostname({kIphone, {}}, "Lucas-iPhone", {log, 0, 1, 1'500});
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  const DeviceVerdict& d = devices[0];
  EXPECT_EQ(d.key, "mac:c4:61:8b:35:82:a9");
  EXPECT_EQ(d.verdict.best, Platform::kIos);
  EXPECT_EQ(d.users, (std::vector<std::string>{"adams", "jdoe"}));
  EXPECT_EQ(d.first_seen_ns, 1'500);
  EXPECT_EQ(d.last_seen_ns, 5'000);
  ASSERT_EQ(d.services.size(), 2u);
  EXPECT_EQ(d.services[0].service, "mail.example.org");
  EXPECT_EQ(d.services[0].user, "");
  EXPECT_EQ(d.services[0].user_agent, "");
  EXPECT_EQ(d.services[0].count, 1u);
  EXPECT_EQ(d.services[1].service, "mail.example.org/owa/");
  EXPECT_EQ(d.services[1].user, "jdoe");
  EXPECT_EQ(d.services[1].user_agent, kIphoneSafari);
  EXPECT_EQ(d.services[1].count, 2u);
  EXPECT_EQ(d.services[1].where.line, 6u) << "where it was first fed, as for evidence";
  EXPECT_EQ(d.services[1].where.time_ns, 2'000);
  for (const auto& e : d.evidence) {
    if (e.signal == SignalKind::kUserAgent) {
      EXPECT_EQ(e.where.time_ns, 3'000);
    }
  }
  const LedgerStats stats = ledger.stats();
  EXPECT_EQ(stats.service_uses, 2u);
  EXPECT_EQ(stats.services_dropped, 0u);
}

TEST(LedgerTest, ALeaseNamesTheMacOfADeviceKnownByItsIp) {
  Ledger ledger(builtin(), &oui());
  const auto ip = ipv4(192, 168, 2, 17);
  ledger.bindAddress(kIphone, ip);  // e.g. a dhcp.log line; the MAC shows nothing else
  ledger.observe({std::nullopt, ip}, SignalKind::kUserAgent, kIphoneSafari, {0, 0, 1, 0});
  ledger.observe({std::nullopt, ipv4(192, 168, 2, 18)}, SignalKind::kUserAgent, kIphoneSafari,
                 {0, 0, 2, 0});
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 2u);
  const DeviceVerdict* leased = find(devices, "mac:c4:61:8b:35:82:a9");
  ASSERT_NE(leased, nullptr);
  EXPECT_EQ(leased->macs, std::vector<std::string>{"c4:61:8b:35:82:a9"});
  EXPECT_EQ(leased->ips, std::vector<std::string>{"192.168.2.17"});
  bool saw_oui = false;
  for (const auto& e : leased->evidence) saw_oui = saw_oui || e.signal == SignalKind::kMacOui;
  EXPECT_TRUE(saw_oui) << "the registry's word on the leased MAC counts";
  EXPECT_NE(find(devices, "ip:192.168.2.18"), nullptr);
}

TEST(LedgerTest, UsersAndServicesAloneMakeNoDevice) {
  Ledger ledger(builtin(), nullptr);
  const DeviceKey key{std::nullopt, ipv4(10, 1, 1, 1)};
  ledger.noteUser(key, "jdoe", {0, 0, 1, 0});
  ledger.noteServiceUse(key, "intranet/login", "jdoe", "curl/8.0", {0, 0, 1, 0});
  EXPECT_TRUE(ledger.finish().empty());
  EXPECT_EQ(ledger.stats().service_uses, 1u);

  // Not even with a MAC the registry knows: a TLS hello to an unremarkable host says nothing
  // of the device, so it is not listed (nor counted as one of a router's addresses).
  Ledger with_oui(builtin(), &oui());
  with_oui.noteServiceUse({kIphone, ipv4(10, 1, 1, 1)}, "example.org", "", "", {0, 1, 0, 0});
  EXPECT_TRUE(with_oui.finish().empty());
  with_oui.noteHostname({kIphone, {}}, "Lucas-iPhone", {0, 2, 0, 0});
  const auto devices = with_oui.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].services.size(), 1u) << "once the MAC has evidence, its uses join it";
  EXPECT_TRUE(devices[0].ips.empty()) << "addresses are listed from evidence only";
}

TEST(LedgerTest, ServiceUsesAreCappedPerEndpointAndTheRestCounted) {
  Ledger ledger(builtin(), nullptr);
  const DeviceKey key{kIntel, ipv4(10, 1, 1, 2)};
  ledger.observe(key, SignalKind::kDhcpVendorClass, "MSFT 5.0", {0, 0, 1, 0});
  const std::size_t cap = Ledger::kMaxServiceUsesPerEndpoint;
  for (std::size_t i = 0; i < cap + 10; ++i) {
    ledger.noteServiceUse(key, "intranet/doc/" + std::to_string(i), "", "", {0, 0, i + 1, 0});
  }
  // Known uses still count past the cap; new ones are dropped.
  ledger.noteServiceUse(key, "intranet/doc/0", "", "", {0, 0, 99999, 0});
  ledger.noteServiceUse(key, "intranet/doc/" + std::to_string(cap + 5), "", "", {0, 0, 1, 0});
  // Another endpoint has its own budget.
  ledger.noteServiceUse({kIntel, ipv4(10, 1, 1, 3)}, "intranet/doc/" + std::to_string(cap + 5), "",
                        "", {0, 0, 1, 0});
  const LedgerStats stats = ledger.stats();
  EXPECT_EQ(stats.service_uses, cap + 1);
  EXPECT_EQ(stats.services_dropped, 11u);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  ASSERT_EQ(devices[0].services.size(), cap + 1);
  for (const auto& use : devices[0].services) {
    if (use.service == "intranet/doc/0") {
      EXPECT_EQ(use.count, 2u);
    }
  }
}

TEST(LedgerTest, UsersAreCappedPerEndpoint) {
  Ledger ledger(builtin(), nullptr);
  const DeviceKey key{kIntel, {}};
  ledger.observe(key, SignalKind::kDhcpVendorClass, "MSFT 5.0", {0, 0, 1, 0});
  for (std::size_t i = 0; i < Ledger::kMaxUsersPerEndpoint + 3; ++i) {
    ledger.noteUser(key, "user" + std::to_string(i), {0, 0, 1, 0});
  }
  EXPECT_EQ(ledger.stats().users_dropped, 3u);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].users.size(), Ledger::kMaxUsersPerEndpoint);
  EXPECT_TRUE(std::is_sorted(devices[0].users.begin(), devices[0].users.end()));
}

// PacketEvidence: observations as the dissectors make them.
dissect::Observation observation(dissect::ObservationType type, const decode::MacAddress& src,
                                 const decode::IpAddress& ip, std::uint64_t frame) {
  dissect::Observation o;
  o.type = type;
  o.frame = frame;
  o.has_mac = true;
  o.src_mac = src;
  o.dst_mac = mac(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  o.src_ip = ip;
  return o;
}

TEST(PacketEvidenceTest, DhcpAttributesToChaddrAndBindsLeases) {
  Ledger ledger(builtin(), &oui());
  PacketEvidence evidence(ledger);
  evidence.setSource(ledger.addSource("capwap.pcap"));
  const auto ap = mac(0xb8, 0x38, 0x61, 0xf3, 0x05, 0xac);
  const auto ipad = mac(0x1c, 0xab, 0xa7, 0xf2, 0x13, 0x9d);
  auto discover = observation(dissect::ObservationType::kDhcp, ap, ipv4(0, 0, 0, 0), 280);
  discover.dhcp.msg_type = 1;
  discover.dhcp.client_mac = ipad;
  discover.dhcp.hostname = "kawai-iPad3";
  discover.dhcp.param_list = {1, 3, 6, 15, 119, 252};
  evidence.onObservation(discover);
  auto ack = observation(dissect::ObservationType::kDhcp, ap, ipv4(10, 0, 0, 1), 281);
  ack.dhcp.msg_type = 5;
  ack.dhcp.client_mac = ipad;
  ack.dhcp.your_ip = ipv4(10, 0, 0, 50);
  evidence.onObservation(ack);
  auto http = observation(dissect::ObservationType::kHttp, ipad, ipv4(10, 0, 0, 50), 300);
  http.has_mac = false;
  http.http.host = "captive.apple.com";
  http.http.path = "/hotspot-detect.html?x=1";
  http.http.user_agent = "CaptiveNetworkSupport-355.200.27 wispr";
  evidence.onObservation(http);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].key, "mac:1c:ab:a7:f2:13:9d");
  EXPECT_EQ(devices[0].verdict.best, Platform::kIpados);
  bool probe = false;
  for (const auto& e : devices[0].evidence) {
    if (e.signal == SignalKind::kHttpProbe) {
      probe = true;
      EXPECT_EQ(e.value, "captive.apple.com/hotspot-detect.html");
      EXPECT_EQ(e.where.frame, 300u);
    }
  }
  EXPECT_TRUE(probe);
}

TEST(PacketEvidenceTest, HttpAndTlsAreServiceUsesWithTheirTime) {
  Ledger ledger(builtin(), &oui());
  PacketEvidence evidence(ledger);
  evidence.setSource(ledger.addSource("office.pcap"));
  const auto ip = ipv4(192, 168, 2, 17);
  auto http = observation(dissect::ObservationType::kHttp, kIphone, ip, 40);
  http.ts_ns = 1'679'000'000'000'000'000;
  http.http.host = "Intranet.Example.org:8080";
  http.http.path = "/login?next=/";
  http.http.user_agent = kIphoneSafari;
  evidence.onObservation(http);
  auto proxied = observation(dissect::ObservationType::kHttp, kIphone, ip, 41);
  proxied.ts_ns = 1'679'000'001'000'000'000;
  proxied.http.host = "intranet.example.org";
  proxied.http.path = "http://intranet.example.org/login";
  proxied.http.user_agent = kIphoneSafari;
  evidence.onObservation(proxied);
  auto tls = observation(dissect::ObservationType::kTls, kIphone, ip, 42);
  tls.ts_ns = 1'679'000'002'000'000'000;
  tls.tls.sni = "mail.example.org";
  evidence.onObservation(tls);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  const DeviceVerdict& d = devices[0];
  EXPECT_EQ(d.first_seen_ns, 1'679'000'000'000'000'000);
  EXPECT_EQ(d.last_seen_ns, 1'679'000'002'000'000'000)
      << "the TLS hello matched no signature but its service use is a sighting too";
  ASSERT_EQ(d.services.size(), 2u);
  EXPECT_EQ(d.services[0].service, "intranet.example.org/login");
  EXPECT_EQ(d.services[0].user_agent, kIphoneSafari);
  EXPECT_EQ(d.services[0].count, 2u);
  EXPECT_EQ(d.services[0].where.frame, 40u);
  EXPECT_EQ(d.services[1].service, "mail.example.org");
  EXPECT_EQ(d.services[1].user_agent, "");
  EXPECT_EQ(d.services[1].where.time_ns, 1'679'000'002'000'000'000);
  for (const auto& e : d.evidence) {
    if (e.signal == SignalKind::kUserAgent) {
      EXPECT_EQ(e.where.frame, 40u);
      EXPECT_EQ(e.where.time_ns, 1'679'000'000'000'000'000);
    }
  }
}

TEST(PacketEvidenceTest, MdnsSelfDescriptionAndQueries) {
  Ledger ledger(builtin(), &oui());
  PacketEvidence evidence(ledger);
  auto response = observation(dissect::ObservationType::kMdns, kMac, ipv4(192, 168, 1, 121), 9);
  response.dns.response = true;
  response.dns.answers.push_back(
      {"_device-info._tcp.local", 12, "MBPro._device-info._tcp.local", {}});
  response.dns.answers.push_back(
      {"MBPro._device-info._tcp.local", 16, "", {"model=MacBookPro14,1", "osxvers=20"}});
  response.dns.answers.push_back({"MBPro.local", 1, "192.168.1.121", {}});
  evidence.onObservation(response);
  auto query = observation(dissect::ObservationType::kMdns, kMac, ipv4(192, 168, 1, 121), 10);
  query.dns.queries = {"_companion-link._tcp.local", "x._sub._apple-mobdev2._tcp.local",
                       "host.local"};
  evidence.onObservation(query);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].verdict.platform(), Platform::kMacos);
  EXPECT_EQ(devices[0].kind, platform::Kind::kLaptop);
  EXPECT_EQ(devices[0].hostnames, std::vector<std::string>{"MBPro"});
  std::vector<std::string> values;
  for (const auto& e : devices[0].evidence) {
    if (e.signal == SignalKind::kMdnsService) values.push_back(e.value);
  }
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values,
            (std::vector<std::string>{"announce:_device-info._tcp", "query:_apple-mobdev2._tcp",
                                      "query:_companion-link._tcp"}));
}

TEST(PacketEvidenceTest, TcpSynShape) {
  Ledger ledger(builtin(), &oui());
  PacketEvidence evidence(ledger);
  auto syn = observation(dissect::ObservationType::kTcpSyn, kIphone, ipv4(192, 168, 2, 17), 58);
  syn.tcp_syn.window = 65535;
  syn.tcp_syn.wscale = 7;
  syn.tcp_syn.options = "mss,nop,ws,nop,nop,ts,sack,eol";
  syn.tcp_syn.ttl = 63;  // one hop away: initial 64
  syn.tcp_syn.df = true;
  syn.tcp_syn.ecn = true;
  evidence.onObservation(syn);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  bool found = false;
  for (const auto& e : devices[0].evidence) {
    if (e.signal != SignalKind::kTcpSyn) continue;
    found = true;
    EXPECT_EQ(e.value, "ttl64:mss,nop,ws,nop,nop,ts,sack,eol:ws7:win65535:ecn1:df1");
    EXPECT_EQ(builtin()->signature(e.signature).id, "syn.apple-ecn");
  }
  EXPECT_TRUE(found);
}

TEST(OuiRegistryTest, ReadsIeeeDataAndWiresharkFormats) {
  auto ieee = OuiRegistry::fromText(
      "OUI/MA-L\n\nC4-61-8B   (hex)\t\tApple, Inc.\n"
      "C4618B     (base 16)\t\tApple, Inc.\n",
      "oui.txt");
  ASSERT_TRUE(ieee.isOk());
  EXPECT_EQ(ieee->organization(kIphone), "Apple, Inc.");
  EXPECT_EQ(ieee->organization(kIntel), "");
  auto manuf = OuiRegistry::fromText(
      "# comment\n00:1B:C5\tIEEE\tIEEE Registration Authority\n"
      "00:1B:C5:00:10:00/36\tOpenRBco\tOpenRB.com, Direct SIA\n"
      "3C:A9:F4\tIntel\tIntel Corporate\n",
      "manuf");
  ASSERT_TRUE(manuf.isOk());
  EXPECT_EQ(manuf->organization(kIntel), "Intel Corporate");
  EXPECT_EQ(manuf->organization(mac(0x00, 0x1b, 0xc5, 0x00, 0x10, 0x42)), "OpenRB.com, Direct SIA");
  EXPECT_EQ(manuf->organization(mac(0x00, 0x1b, 0xc5, 0x00, 0x20, 0x42)),
            "IEEE Registration Authority");
  // Random and multicast addresses belong to nobody.
  EXPECT_EQ(manuf->organization(mac(0x3e, 0xa9, 0xf4, 0, 0, 1)), "");
  EXPECT_FALSE(OuiRegistry::fromText("nothing here\n", "empty").isOk());
  EXPECT_FALSE(OuiRegistry::load("/nonexistent/oui.txt").isOk());
}

}  // namespace
}  // namespace phaseout::detect
