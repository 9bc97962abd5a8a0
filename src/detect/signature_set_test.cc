#include "detect/signature_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "detect/scoring.h"

namespace phaseout::detect {
namespace {

using platform::Kind;
using platform::Platform;

const SignatureSet& builtin() {
  static const auto set = [] {
    auto r = SignatureSet::loadBuiltin();
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return std::move(r).value();
  }();
  return *set;
}

constexpr const char* kModel = R"(schema: 1
version: "t1"
groups:
  - {id: g1, description: one}
  - {id: g2}
model:
  priors: {ios: 0.1, ipados: 0.1, macos: 0.1, watchos: 0.05, android: 0.1, harmonyos: 0.05,
           harmonyos-next: 0.05, aurora: 0.05, sailfish: 0.05, kaios: 0.05, windows: 0.1,
           linux: 0.1, other: 0.1}
  default_kinds: {ios: phone}
)";

Result<std::shared_ptr<const SignatureSet>> load(const std::string& signatures) {
  return SignatureSet::fromTexts({{"model.yaml", kModel}, {"s.yaml", signatures}});
}

std::string loadError(const std::string& signatures) {
  auto r = load(signatures);
  return r.isOk() ? std::string("loaded") : r.status().message();
}

TEST(SignatureSetTest, BuiltinLoadsAndIsVersioned) {
  const SignatureSet& set = builtin();
  EXPECT_GT(set.size(), 50u);
  EXPECT_NE(set.version().find("model.yaml@"), std::string::npos);
  EXPECT_NE(set.version().find("user_agent.yaml@"), std::string::npos);
  EXPECT_TRUE(set.findGroup("device_name").has_value());
  EXPECT_EQ(set.defaultKind(Platform::kIos), Kind::kPhone);
  EXPECT_EQ(set.defaultKind(Platform::kWindows), Kind::kUnknown);
}

TEST(SignatureSetTest, SourceDirectoryMatchesTheEmbeddedCopies) {
  auto dir = SignatureSet::loadDirectory(std::string(PH_SOURCE_DIR) + "/data/signatures");
  ASSERT_TRUE(dir.isOk()) << dir.status().toString();
  EXPECT_EQ((*dir)->size(), builtin().size());
  EXPECT_EQ((*dir)->version(), builtin().version());
}

TEST(SignatureSetTest, MatchesByPatternAndHonoursFallbacks) {
  const SignatureSet& set = builtin();
  std::vector<SignatureId> ids;
  set.match(SignalKind::kDhcpVendorClass, "android-dhcp-9", ids);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(set.signature(ids[0]).id, "dhcp.vc.android");
  ids.clear();
  set.match(SignalKind::kMacOui, "Apple, Inc.", ids);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(set.signature(ids[0]).id, "oui.apple");
  ids.clear();
  set.match(SignalKind::kMacOui, "Acme Widgets", ids);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(set.signature(ids[0]).id, "oui.other");
  EXPECT_LT(set.signature(ids[0]).weights[platformIndex(Platform::kIos)], 0);
  ids.clear();
  set.match(SignalKind::kHttpProbe, "captive.apple.com/", ids);
  EXPECT_TRUE(ids.empty()) << "Android's fallback probe asks for '/', not Apple's page";
}

struct UaCase {
  const char* ua;
  Platform platform;
  Kind kind;
  const char* version;
  const char* vendor;
};

TEST(SignatureSetTest, ClassifiesUserAgents) {
  const UaCase cases[] = {
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
       "Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
       Platform::kIos, Kind::kPhone, "16.5", "apple"},
      {"AppleCoreMedia/1.0.0.14C92 (iPhone; U; CPU OS 10_2 like Mac OS X; en_us)", Platform::kIos,
       Kind::kPhone, "10.2", "apple"},
      {"Argo/900 CFNetwork/808.2.16 Darwin/16.3.0", Platform::kIos, Kind::kUnknown, "10.3",
       "apple"},
      {"Safari/10600.3.18 CFNetwork/720.2.4 Darwin/14.1.0 (x86_64)", Platform::kMacos,
       Kind::kUnknown, "", ""},
      {"Wget/1.16.3 (darwin14.1.0)", Platform::kMacos, Kind::kUnknown, "", ""},
      {"Mozilla/5.0 (iPad; CPU OS 9_3_1 like Mac OS X) AppleWebKit/601.1.46", Platform::kIpados,
       Kind::kTablet, "9.3.1", "apple"},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "CriOS/102 Version/11.1.1 Safari/605.1.15",
       Platform::kIpados, Kind::kTablet, "", ""},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Version/17.1 Safari/605.1.15",
       Platform::kMacos, Kind::kUnknown, "10.15.7", ""},
      {"Mozilla/5.0 (Linux; Android 9; JKM-LX1 Build/HUAWEIJKM-LX1; wv) AppleWebKit/537.36 (KHTML, "
       "like Gecko) Version/4.0 Chrome/106.0.5249.118 Mobile Safari/537.36",
       Platform::kAndroid, Kind::kPhone, "9", "huawei"},
      {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/60.0.3112.32 Safari/537.36",
       Platform::kAndroid, Kind::kUnknown, "", ""},
      {"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", Platform::kLinux,
       Kind::kUnknown, "", ""},
      {"Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile",
       Platform::kHarmonyosNext, Kind::kPhone, "5.0", ""},
      {"Mozilla/5.0 (TAS-AL00 Build/HUAWEITAS-AL00; wv) AppleWebKit/537.36 Chrome/97 Mobile "
       "Safari/537.36 T7/13.76 BDOS/1.0 (HarmonyOS 3.0.0)",
       Platform::kHarmonyos, Kind::kPhone, "3.0.0", "huawei"},
      {"Mozilla/5.0 (Linux; HarmonyOS 5.0; ALN-AL10) Mobile", Platform::kHarmonyosNext,
       Kind::kPhone, "5.0", "huawei"},
      {"Mozilla/5.0 (Mobile; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5.1", Platform::kKaios,
       Kind::kPhone, "2.5.1", ""},
      {"Mozilla/5.0 (Linux; U; Sailfish 3.0; Mobile; rv:45.0) Gecko/45.0 Firefox/45.0 "
       "SailfishBrowser/1.0",
       Platform::kSailfish, Kind::kPhone, "3.0", ""},
      {"Mozilla/5.0 (compatible; AuroraBrowser/1.0)", Platform::kUnknown, Kind::kUnknown, "", ""},
      {"Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; rv:11.0; "
       "IEMobile/11.0; NOKIA; Lumia 635) like iPhone OS 7_0_3 Mac OS X AppleWebKit/537",
       Platform::kWindows, Kind::kPhone, "8.1", ""},
      {"CaptiveNetworkSupport-390.60.1 wispr", Platform::kIos, Kind::kUnknown, "", ""},
      {"Dalvik/2.1.0 (Linux; U; Android 10; Redmi Note 9 Pro MIUI/V12.0.3.0.QJZMIXM)",
       Platform::kAndroid, Kind::kPhone, "10", "xiaomi"},
      {"curl/8.0.1", Platform::kUnknown, Kind::kUnknown, "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ua);
    const auto m = builtin().classifyUserAgent(c.ua);
    EXPECT_EQ(m.platform, c.platform) << platform::name(m.platform);
    EXPECT_EQ(m.kind, c.kind);
    EXPECT_EQ(m.version, c.version);
    EXPECT_EQ(m.vendor, c.vendor);
  }
}

// Held-out cases (uap-core test_device.yaml): a device word inside another word is not that
// device, and the OS token of the system comment outranks a model imitating another maker.
TEST(SignatureSetTest, OsTokenOutranksImitatingModelAndWordsAreWords) {
  struct Case {
    const char* ua;
    Platform platform;
    Kind kind;
    const char* vendor;
  };
  const Case cases[] = {
      {"Mozilla/5.0 (Linux; U; Android 2.2; de-de; OliPad 100G Build/FRF91) AppleWebKit/533.1 "
       "(KHTML, like Gecko) Version/4.0 Mobile Safari/533.1",
       Platform::kAndroid, Kind::kPhone, ""},
      {"Mozilla/5.0 (Linux; Android 4.1.5; iPhone5 Build/IMM76D) AppleWebKit/537.36 (KHTML, like "
       "Gecko) Chrome/29.0.1547.72 Mobile Safari/537.36",
       Platform::kAndroid, Kind::kPhone, ""},
      {"Mozilla/5.0 (Linux; U; Android 2.2.1; Es-es; Bq Darwin Build/MASTER) AppleWebKit/533.1 "
       "(KHTML, Like Gecko) Version/4.0 Mobile Safari/533.1",
       Platform::kAndroid, Kind::kPhone, "bq"},
      {"Mozilla/5.0 (Android 4.0.3; U; CPU Android OS 3_0 like Mac OS X; de-de; HTC One X "
       "Build/IML74K) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30",
       Platform::kAndroid, Kind::kPhone, ""},
      // "Android" outside the system comment (an app token) does not outrank the iPhone.
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_4 like Mac OS X) AppleWebKit/601.1 (KHTML, like "
       "Gecko) Outlook-iOS-Android/1.0 Mobile/13G35 Safari/601.1.46",
       Platform::kIos, Kind::kPhone, "apple"},
      // Android kind: "Mobile" = phone; none = tablet; the device tables first.
      {"Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0 Safari/537.36",
       Platform::kAndroid, Kind::kTablet, "samsung"},
      {"Mozilla/5.0 (Linux; Android 11; Lenovo TB-X606F) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0 Safari/537.36",
       Platform::kAndroid, Kind::kTablet, "lenovo"},
      {"Mozilla/5.0 (Linux; U; Android 2.2; en-us; GT-P1000 Build/FROYO) AppleWebKit/533.1 "
       "(KHTML, like Gecko) Version/4.0 Mobile Safari/533.1",
       Platform::kAndroid, Kind::kTablet, "samsung"},
      {"Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile",
       Platform::kHarmonyosNext, Kind::kPhone, ""},
      {"Mozilla/5.0 (Tablet; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1",
       Platform::kHarmonyosNext, Kind::kTablet, ""},
      {"AppleCoreMedia/1.0.0.16R5303d (Apple Watch; U; CPU OS 5_0 like Mac OS X; en_au)",
       Platform::kWatchos, Kind::kWatch, ""},
      {"AppleCoreMedia/1.0.0.16A303 (HomePod; U; CPU OS 12_0 like Mac OS X; en_us)",
       Platform::kUnknown, Kind::kOther, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.ua);
    const auto m = builtin().classifyUserAgent(c.ua);
    EXPECT_EQ(m.platform, c.platform) << platform::name(m.platform);
    EXPECT_EQ(m.kind, c.kind) << platform::name(m.kind);
    EXPECT_EQ(m.vendor, c.vendor);
    EXPECT_FALSE(m.embedded_rule.has_value());
  }
}

// A UA that embeds another platform's UA is evidence of both: its own part classifies it, the
// embedded part's rule comes along.
TEST(SignatureSetTest, EmbeddedUaIsEvidenceOfBoth) {
  const auto m = builtin().classifyUserAgent(
      "Mozilla/5.0 (Symbian/3; U; E6-00; de-DE) AppleWebKit/534.3 (KHTML, like Gecko) "
      "Mozilla/5.0 (iPhone; U; CPU iPhone OS 7_1 like Mac OS X; en-us) AppleWebKit/528.18 "
      "(KHTML, like Gecko) Mobile/7A341 Safari/528.16");
  ASSERT_TRUE(m.rule.has_value());
  EXPECT_EQ(m.platform, Platform::kUnknown);  // "other": Symbian
  ASSERT_TRUE(m.embedded_rule.has_value());
  EXPECT_EQ(m.embedded_platform, Platform::kIos);
  // One UA naming two platforms is not enough for either.
  const std::vector<SignatureId> ids{*m.rule, *m.embedded_rule};
  const Verdict v = score(builtin(), ids);
  EXPECT_EQ(v.level, Level::kUnknown);
}

// Calibration (scoring.h): `confirmed` needs two groups specific to the platform (not shared
// with a platform outside its family) and, in the Apple mobile family, one that tells the
// sibling apart.
TEST(ScoringTest, ConfirmedNeedsTwoSpecificGroupsAndTheSiblingTold) {
  constexpr const char* kThreeGroups = R"(schema: 1
version: "t1"
groups:
  - {id: g3}
signatures:
  - {id: name, signal: hostname, match: "*-iphone", weights: {ios: 3.5}, group: g1, source: s}
  - {id: prl, signal: dhcp_param_list, match: "1,121", weights: {ios: 1.8, ipados: 1.8,
     watchos: 1.5, macos: -1.0}, group: g2, source: s}
  - {id: stack, signal: ja4, match: "apple", weights: {ios: 1.3, ipados: 1.3, macos: 1.3},
     group: g3, source: s}
)";
  auto r = load(kThreeGroups);
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  const SignatureSet& set = **r;
  const SignatureId name = *set.findSignature("name"), prl = *set.findSignature("prl"),
                    stack = *set.findSignature("stack");
  // Host name + iOS DHCP list: two specific groups (the list does not tell iPad from iPhone,
  // the name does).
  std::vector<SignatureId> ids{name, prl, stack};
  Verdict v = score(set, ids);
  EXPECT_EQ(v.best, Platform::kIos);
  EXPECT_EQ(v.discriminating_groups, 2u);
  EXPECT_EQ(v.sibling_groups, 1u);
  EXPECT_EQ(v.rival, Platform::kMacos);
  EXPECT_EQ(v.level, Level::kConfirmed);
  // Over the strongest platform outside the family: the unlisted ones, at 0.
  EXPECT_FLOAT_EQ(margin(set.signature(prl), Platform::kIos), 1.8f);
  EXPECT_FLOAT_EQ(margin(set.signature(stack), Platform::kIos), 0.0f);  // shared with macOS
  // Without the name nothing says iPhone rather than iPad: never confirmed.
  ids = {prl, stack};
  v = score(set, ids);
  EXPECT_NE(v.level, Level::kConfirmed);
  EXPECT_EQ(v.sibling_groups, 0u);
  // A name alone (with the shared stack) is one specific group.
  ids = {name, stack};
  EXPECT_NE(score(set, ids).level, Level::kConfirmed);
}

TEST(SignatureSetTest, HuaweiAndroidTenAndLaterMayBeHarmonyOs) {
  const auto m = builtin().classifyUserAgent(
      "Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv) AppleWebKit/537.36");
  ASSERT_TRUE(m.rule.has_value());
  const Signature& s = builtin().signature(*m.rule);
  EXPECT_EQ(s.id, "ua.android-huawei.browser");
  EXPECT_GT(s.weights[platformIndex(Platform::kHarmonyos)], 1.0f);
}

TEST(SignatureSetTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: bogus\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n    source: s\n"),
            "s.yaml:5: signature a: unknown signal 'bogus'");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {iso: 1}\n    group: g1\n    source: s\n"),
            "s.yaml:7: weights: unknown platform 'iso' (expected one of: ios, ipados, macos, "
            "watchos, android, harmonyos, harmonyos-next, aurora, sailfish, kaios, windows, "
            "linux, other)");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1}\n    group: nope\n    source: s\n"),
            "s.yaml:8: group: 'nope' is not declared in any groups: section");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n    source: s\n"
                      "    colour: red\n"),
            "s.yaml:10: signature: unknown key 'colour'");
  EXPECT_EQ(loadError("schema: 2\nversion: x\n"),
            "s.yaml:1: schema: this program reads schema 1, the file has 2");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n"),
            "s.yaml:4: signature a: source missing (cite a public source that documents the "
            "behaviour, or mark it observed_only: true with a weak weight)");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 9}\n    group: g1\n    source: s\n"),
            "s.yaml:7: signature a: weight beyond +-6");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: user_agent\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n    source: s\n"),
            "s.yaml:6: signature a: user_agent rules use all/any/none, not match");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures: [\n"),
            loadError("schema: 1\nversion: x\nsignatures: [\n"));  // deterministic
  EXPECT_NE(loadError("schema: 1\nversion: x\nsignatures: [\n").find("s.yaml:"), std::string::npos);
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n    source: s\n"
                      "  - id: a\n    signal: ja4\n    match: y\n    weights: {ios: 1}\n"
                      "    group: g1\n    source: s\n"),
            "s.yaml:10: id: 'a' defined twice");
}

TEST(SignatureSetTest, ObservedOnlySignaturesAreWeakAndMarked) {
  // Without a source, only observed_only may stand, and only as a weak signal.
  auto weak = load(
      "schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
      "    match: x\n    weights: {ios: 1.0, macos: -0.5}\n    group: g1\n"
      "    observed_only: true\n");
  ASSERT_TRUE(weak.isOk()) << weak.status().toString();
  EXPECT_TRUE((*weak)->signature(0).observed_only);
  auto sourced = load(
      "schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
      "    match: x\n    weights: {ios: 2}\n    group: g1\n    source: RFC\n");
  ASSERT_TRUE(sourced.isOk());
  EXPECT_FALSE((*sourced)->signature(0).observed_only);
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1.5}\n    group: g1\n"
                      "    source: one capture\n    observed_only: true\n"),
            "s.yaml:4: signature a: observed_only: every weight must be a weak signal (within "
            "+-1.0), as nothing public backs it");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n"
                      "    observed_only: false\n"),
            "s.yaml:4: signature a: source missing (cite a public source that documents the "
            "behaviour, or mark it observed_only: true with a weak weight)");
  EXPECT_EQ(loadError("schema: 1\nversion: x\nsignatures:\n  - id: a\n    signal: ja4\n"
                      "    match: x\n    weights: {ios: 1}\n    group: g1\n"
                      "    observed_only: maybe\n"),
            "s.yaml:9: signature a: observed_only: expected true or false");
}

TEST(SignatureSetTest, EveryBuiltinSignatureCitesASourceOrIsObservedOnly) {
  const SignatureSet& set = builtin();
  for (std::size_t i = 0; i < set.size(); ++i) {
    const Signature& s = set.signature(static_cast<SignatureId>(i));
    EXPECT_TRUE(!s.source.empty() || s.observed_only) << s.id;
    if (!s.observed_only) continue;
    for (float w : s.weights) EXPECT_LE(std::fabs(w), kWeakSignalWeight) << s.id;
  }
}

TEST(SignatureSetTest, LoadPicksBuiltinOrDirectory) {
  auto b = SignatureSet::load("");
  ASSERT_TRUE(b.isOk());
  EXPECT_EQ((*b)->version(), builtin().version());
  EXPECT_FALSE(SignatureSet::load("/nonexistent/signatures").isOk());
}

TEST(SignatureSetTest, PriorsMustCoverEveryHypothesis) {
  auto r = SignatureSet::fromTexts(
      {{"m.yaml", "schema: 1\nversion: v\nmodel:\n  priors: {ios: 0.5, android: 0.5}\n"}});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(), "m.yaml:4: model.priors: no prior for 'other'");
}

TEST(SignatureSetTest, LoadDirectoryRejectsMissingOrEmptyDirectories) {
  EXPECT_FALSE(SignatureSet::loadDirectory("/nonexistent/signatures").isOk());
  const auto dir = std::filesystem::temp_directory_path() / "phaseout_empty_signatures";
  std::filesystem::create_directories(dir);
  auto r = SignatureSet::loadDirectory(dir.string());
  ASSERT_FALSE(r.isOk());
  EXPECT_NE(r.status().message().find("no *.yaml"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(SignatureStoreTest, ReloadSwapsOnlyOnSuccess) {
  auto initial = SignatureSet::loadBuiltin();
  ASSERT_TRUE(initial.isOk());
  SignatureStore store(*initial);
  const auto before = store.snapshot();
  const auto dir = std::filesystem::temp_directory_path() / "phaseout_bad_signatures";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "model.yaml") << "schema: 1\nversion: v\nsignatures: 7\n";
  const Status bad = store.reload(dir.string());
  EXPECT_FALSE(bad.isOk());
  EXPECT_EQ(store.snapshot(), before) << "a failed reload keeps the current set";
  EXPECT_TRUE(store.reload("").isOk());
  EXPECT_NE(store.snapshot(), before) << "a good reload replaces it";
  EXPECT_EQ(before->size(), store.snapshot()->size());  // old snapshot still usable
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phaseout::detect
