#include "policy/directive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace phaseout::policy {
namespace {

using platform::Channel;
using platform::Kind;
using platform::Platform;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string examplePath(const std::string& name) {
  return std::string(PH_SOURCE_DIR) + "/examples/directives/" + name;
}

// A valid directive to which tests append or substitute single lines.
constexpr const char* kMinimal =
    "id: t-1\n"                                // 1
    "title: Test\n"                            // 2
    "issued: 2023-03-06\n"                     // 3
    "scope:\n"                                 // 4
    "  units: [\"pa/**\"]\n"                   // 5
    "ban:\n"                                   // 6
    "  - platform: ios\n"                      // 7
    "milestones:\n"                            // 8
    "  - {name: replace, due: 2023-04-01}\n";  // 9

// The error message of parsing `yaml` as "t.yaml" (fails the test when it parses).
std::string errorOf(const std::string& yaml) {
  auto r = parseDirective(yaml, "t.yaml");
  EXPECT_FALSE(r.isOk()) << "parsed unexpectedly:\n" << yaml;
  if (r.isOk()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(DirectiveParse, MinimalDirective) {
  auto r = parseDirective(kMinimal, "t.yaml");
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  EXPECT_EQ(r->id, "t-1");
  EXPECT_EQ(r->type, DirectiveType::kDeviceBan);
  EXPECT_THAT(r->scope.units, ElementsAre("pa/**"));
  ASSERT_EQ(r->ban.size(), 1u);
  EXPECT_THAT(r->ban[0].platforms, ElementsAre(Platform::kIos));
  EXPECT_EQ(r->ban[0].line, 7);
  EXPECT_EQ(r->finalDue(), *Date::parse("2023-04-01"));
  EXPECT_EQ(r->source_text, kMinimal);
  EXPECT_EQ(r->source_name, "t.yaml");
  EXPECT_FALSE(r->waivers.has_value());
  EXPECT_FALSE(r->reminders.has_value());
  EXPECT_FALSE(r->replacement.has_value());
}

TEST(DirectiveParse, ScenarioExample) {
  auto r = loadDirectiveFile(examplePath("pa-iphone-2023.yaml"));
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  const Directive& d = *r;
  EXPECT_EQ(d.id, "pa-iphone-2023");
  EXPECT_EQ(d.title, "Officials of the Presidential Administration give up iPhones");
  EXPECT_EQ(d.issued, *Date::parse("2023-03-06"));
  EXPECT_EQ(d.issuer, "First Deputy Head of the Presidential Administration");
  EXPECT_THAT(d.text, HasSubstr("hands the iPhone in by 31 March 2023"));
  EXPECT_THAT(d.scope.units, ElementsAre("pa/**"));
  EXPECT_TRUE(d.scope.exclude_units.empty());
  EXPECT_THAT(d.scope.roles, ElementsAre("official"));
  ASSERT_EQ(d.ban.size(), 2u);
  EXPECT_THAT(d.ban[0].platforms, ElementsAre(Platform::kIos));
  EXPECT_THAT(d.ban[1].vendors, ElementsAre("apple"));
  EXPECT_THAT(d.ban[1].kinds, ElementsAre(Kind::kPhone));
  EXPECT_THAT(d.allowed_platforms, ElementsAre(Platform::kAndroid, Platform::kHarmonyos,
                                               Platform::kHarmonyosNext, Platform::kAurora));
  ASSERT_TRUE(d.replacement.has_value());
  EXPECT_THAT(d.replacement->channels, ElementsAre(Channel::kOfficial));
  ASSERT_TRUE(d.waivers.has_value());
  EXPECT_EQ(d.waivers->approver_role, "security-officer");
  EXPECT_EQ(d.waivers->max_days, 30);
  EXPECT_FALSE(d.waivers->unit_wide);
  ASSERT_TRUE(d.reminders.has_value());
  EXPECT_THAT(d.reminders->days_before, ElementsAre(14, 7, 3, 1));
  EXPECT_EQ(d.reminders->escalate_to_role, "unit-officer");
  ASSERT_EQ(d.milestones.size(), 2u);
  EXPECT_EQ(d.milestones[0].name, "handover");
  EXPECT_EQ(d.milestones[0].due, *Date::parse("2023-03-31"));
  EXPECT_EQ(d.milestones[0].requires_what, kRequiresBannedDevicesSurrendered);
  EXPECT_EQ(d.milestones[1].requires_what, kRequiresAllowedReplacementHeld);
  EXPECT_EQ(d.finalDue(), *Date::parse("2023-04-01"));
  EXPECT_THAT(d.source_text, HasSubstr("id: pa-iphone-2023"));
}

TEST(DirectiveParse, OtherExamples) {
  auto tiktok = loadDirectiveFile(examplePath("us-tiktok-2022.yaml"));
  ASSERT_TRUE(tiktok.isOk()) << tiktok.status().toString();
  ASSERT_EQ(tiktok->ban.size(), 1u);
  EXPECT_THAT(tiktok->ban[0].apps, ElementsAre("tiktok"));
  EXPECT_THAT(tiktok->ban[0].kinds,
              ElementsAre(Kind::kPhone, Kind::kTablet, Kind::kLaptop, Kind::kDesktop));
  EXPECT_TRUE(tiktok->waivers->unit_wide);

  auto ndaa = loadDirectiveFile(examplePath("ndaa-889-huawei-zte.yaml"));
  ASSERT_TRUE(ndaa.isOk()) << ndaa.status().toString();
  EXPECT_THAT(ndaa->ban[0].vendors, ElementsAre("huawei", "zte"));
  EXPECT_THAT(ndaa->ban[2].model_patterns, ElementsAre("HUAWEI *", "ZTE *"));
  EXPECT_THAT(ndaa->scope.units, ElementsAre("**"));

  auto usage = loadDirectiveFile(examplePath("kremlin-usage-ban-2023.yaml"));
  ASSERT_TRUE(usage.isOk()) << usage.status().toString();
  EXPECT_EQ(usage->type, DirectiveType::kUsageBan);
  EXPECT_THAT(usage->protects, ElementsAre("mail.pa.example", "https://docs.pa.example/official/"));
  EXPECT_THAT(usage->ban[0].kinds, ElementsAre(Kind::kPhone));
  EXPECT_EQ(usage->waivers->max_days, 14);
  EXPECT_FALSE(usage->waivers->unit_wide);
  EXPECT_EQ(usage->reminders->escalate_to_role, "unit-officer");
  EXPECT_EQ(tiktok->reminders->escalate_to_role, "");
  EXPECT_THAT(tiktok->reminders->days_before, ElementsAre(7, 1));
}

TEST(DirectiveParse, RuleFieldsTakeOneValueOrAList) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("  - platform: ios\n"), 18,
               "  - {platform: [ios, ipados], vendor: Apple, kind: [phone, tablet],"
               " model: \"iPhone*\"}\n");
  auto r = parseDirective(yaml, "t.yaml");
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  EXPECT_THAT(r->ban[0].platforms, ElementsAre(Platform::kIos, Platform::kIpados));
  EXPECT_THAT(r->ban[0].vendors, ElementsAre("apple"));  // lower-cased
  EXPECT_THAT(r->ban[0].kinds, ElementsAre(Kind::kPhone, Kind::kTablet));
  EXPECT_THAT(r->ban[0].model_patterns, ElementsAre("iPhone*"));
  EXPECT_EQ(describeRule(r->ban[0]),
            "platform ios or ipados, vendor apple, kind phone or tablet, model \"iPhone*\"");
}

TEST(DirectiveParse, UnknownKeysAtEveryLevel) {
  std::string top = std::string(kMinimal) + "deadline: 2023-04-01\n";
  EXPECT_THAT(errorOf(top), HasSubstr("t.yaml:10: deadline: unknown key in directive; expected "
                                      "one of: id, title, issued"));

  std::string rule = kMinimal;
  rule.replace(rule.find("platform: ios"), 13, "platfrom: ios");
  EXPECT_THAT(errorOf(rule),
              HasSubstr("t.yaml:7: ban[1].platfrom: unknown key in a ban rule; expected one of: "
                        "platform, vendor, kind, model, app"));

  std::string scope = kMinimal;
  scope.replace(scope.find("  units:"), 8, "  unit:");
  const std::string msg = errorOf(scope);
  EXPECT_THAT(msg, HasSubstr("t.yaml:5: scope.unit: unknown key in scope; expected one of: units, "
                             "exclude_units, roles"));
  // ...and the scope is then empty, which is reported too.
  EXPECT_THAT(msg, HasSubstr("t.yaml:5: scope.units: missing"));

  std::string milestone = kMinimal;
  milestone.replace(milestone.find("due:"), 4, "date:");
  const std::string mmsg = errorOf(milestone);
  EXPECT_THAT(mmsg, HasSubstr("t.yaml:9: milestones[1].date: unknown key in a milestone"));
  EXPECT_THAT(mmsg, HasSubstr("t.yaml:9: milestones[1].due: missing; expected the due date"));

  EXPECT_THAT(errorOf(std::string(kMinimal) + "waivers: {approver_role: so, max_days: 3, "
                                              "wide: true}\n"),
              HasSubstr("t.yaml:10: waivers.wide: unknown key in waivers"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "allow: {platforms: [android], vendors: [x]}\n"),
              HasSubstr("t.yaml:10: allow.vendors: unknown key in allow"));
}

TEST(DirectiveParse, EchoedInputStaysOnOneLine) {
  const std::string msg = errorOf(std::string(kMinimal) + "\"bad\\nkey\": 1\ntype: \"a\\nb\"\n");
  EXPECT_THAT(msg, HasSubstr("t.yaml:10: bad?key: unknown key"));
  EXPECT_THAT(msg,
              HasSubstr("t.yaml:11: type: expected one of: device-ban, usage-ban; got \"a?b\""));
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 1);
}

TEST(DirectiveParse, MisspeltPlatformKindAndChannelListValidNames) {
  std::string p = kMinimal;
  p.replace(p.find("platform: ios"), 13, "platform: iso");
  EXPECT_THAT(errorOf(p), HasSubstr("t.yaml:7: ban[1].platform: expected one of: ios, ipados, "
                                    "macos, watchos, android, harmonyos, harmonyos-next, aurora, "
                                    "sailfish, kaios, windows, linux; got \"iso\""));

  std::string list = kMinimal;
  list.replace(list.find("  - platform: ios\n"), 18, "  - platform:\n      - ios\n      - ipad\n");
  EXPECT_THAT(errorOf(list), HasSubstr("t.yaml:9: ban[1].platform[2]: expected one of: ios"));

  std::string k = kMinimal;
  k.replace(k.find("platform: ios"), 13, "kind: smartphone");
  EXPECT_THAT(errorOf(k), HasSubstr("t.yaml:7: ban[1].kind: expected one of: phone, tablet, "
                                    "laptop, desktop, watch, other; got \"smartphone\""));

  std::string unknown = kMinimal;
  unknown.replace(unknown.find("platform: ios"), 13, "platform: unknown");
  EXPECT_THAT(errorOf(unknown), HasSubstr("ban[1].platform: expected one of: ios"));

  EXPECT_THAT(errorOf(std::string(kMinimal) + "replacement: {channels: [offical]}\n"),
              HasSubstr("t.yaml:10: replacement.channels[1]: expected one of: official, "
                        "parallel-import, personal; got \"offical\""));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "allow:\n  platforms: [andriod]\n"),
              HasSubstr("t.yaml:11: allow.platforms[1]: expected one of: ios"));
}

TEST(DirectiveParse, DatesMustBeRealDates) {
  std::string bad_due = kMinimal;
  bad_due.replace(bad_due.find("2023-04-01"), 10, "2023-02-30");
  EXPECT_THAT(errorOf(bad_due), HasSubstr("t.yaml:9: milestones[1].due: expected a real date as "
                                          "YYYY-MM-DD; got \"2023-02-30\""));

  std::string words = kMinimal;
  words.replace(words.find("2023-04-01"), 10, "1 April 2023");
  EXPECT_THAT(errorOf(words), HasSubstr("t.yaml:9: milestones[1].due: expected a real date"));

  std::string issued = kMinimal;
  issued.replace(issued.find("2023-03-06"), 10, "2023-3-6");
  EXPECT_THAT(errorOf(issued),
              HasSubstr("t.yaml:3: issued: expected a real date as YYYY-MM-DD; got \"2023-3-6\""));

  std::string leap = kMinimal;
  leap.replace(leap.find("2023-04-01"), 10, "2024-02-29");  // a real leap day is fine
  EXPECT_TRUE(parseDirective(leap, "t.yaml").isOk());
}

TEST(DirectiveParse, MilestonesInOrderDistinctAndNotBeforeIssue) {
  std::string order = std::string(kMinimal) + "  - {name: handover, due: 2023-03-31}\n";
  EXPECT_THAT(errorOf(order), HasSubstr("t.yaml:10: milestones[2].due: expected milestones in "
                                        "date order: a date on or after 2023-04-01"));
  std::string twice = std::string(kMinimal) + "  - {name: replace, due: 2023-05-01}\n";
  EXPECT_THAT(errorOf(twice), HasSubstr("t.yaml:10: milestones[2].name: expected distinct "
                                        "milestone names"));
  std::string early = kMinimal;
  early.replace(early.find("2023-04-01"), 10, "2023-01-01");
  EXPECT_THAT(errorOf(early), HasSubstr("t.yaml:9: milestones[1].due: expected a date on or after "
                                        "the issue date 2023-03-06"));
  std::string req = kMinimal;
  req.replace(req.find("due: 2023-04-01}"), 16, "due: 2023-04-01, requires: surrender}");
  EXPECT_THAT(errorOf(req), HasSubstr("t.yaml:9: milestones[1].requires: expected one of: "
                                      "banned_devices_surrendered, allowed_replacement_held"));
}

TEST(DirectiveParse, EmptyScopeIsAnError) {
  std::string empty = kMinimal;
  empty.replace(empty.find("[\"pa/**\"]"), 9, "[]");
  EXPECT_THAT(errorOf(empty), HasSubstr("t.yaml:5: scope.units: expected at least one unit glob"));

  std::string null_units = kMinimal;
  null_units.replace(null_units.find("[\"pa/**\"]"), 9, "");
  EXPECT_THAT(errorOf(null_units), HasSubstr("t.yaml:5: scope.units: expected a list of unit "
                                             "globs (e.g. \"pa/**\"); got nothing"));

  std::string bad_glob = kMinimal;
  bad_glob.replace(bad_glob.find("pa/**"), 5, "pa/**/x");
  EXPECT_THAT(errorOf(bad_glob),
              HasSubstr("t.yaml:5: scope.units[1]: expected '**' only as the last segment"));
  std::string partial = kMinimal;
  partial.replace(partial.find("pa/**"), 5, "pa-*");
  EXPECT_THAT(errorOf(partial), HasSubstr("scope.units[1]: expected each segment to be a name"));
  std::string slash = kMinimal;
  slash.replace(slash.find("pa/**"), 5, "pa//x");
  EXPECT_THAT(errorOf(slash), HasSubstr("scope.units[1]: expected a unit path without empty"));
}

TEST(DirectiveParse, MissingRequiredKeysAreAllListed) {
  const std::string msg = errorOf("reason: nothing else\n");
  EXPECT_THAT(msg, HasSubstr("t.yaml:1: id: missing"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:1: title: missing"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:1: issued: missing"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:1: scope: missing"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:1: ban: missing"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:1: milestones: missing"));

  std::string no_title = kMinimal;
  no_title.replace(no_title.find("title: Test"), 11, "title:");
  EXPECT_THAT(errorOf(no_title), HasSubstr("t.yaml:2: title: expected text; got nothing"));

  std::string bad_id = kMinimal;
  bad_id.replace(bad_id.find("t-1"), 3, "t 1/x");
  EXPECT_THAT(errorOf(bad_id), HasSubstr("t.yaml:1: id: expected letters, digits"));
}

TEST(DirectiveParse, BanRulesNeedFields) {
  std::string empty_rule = std::string(kMinimal) + "";
  empty_rule.replace(empty_rule.find("  - platform: ios\n"), 18, "  - platform: ios\n  - {}\n");
  EXPECT_THAT(errorOf(empty_rule),
              HasSubstr("t.yaml:8: ban[2]: expected at least one of: platform, vendor, kind, "
                        "model, app"));

  std::string empty_list = kMinimal;
  empty_list.replace(empty_list.find("  - platform: ios\n"), 18, "  - {vendor: []}\n");
  EXPECT_THAT(errorOf(empty_list),
              HasSubstr("t.yaml:7: ban[1].vendor: expected at least one of vendor ids"));

  std::string no_rules = kMinimal;
  no_rules.replace(no_rules.find("ban:\n  - platform: ios\n"), 23, "ban: []\n");
  EXPECT_THAT(errorOf(no_rules), HasSubstr("t.yaml:6: ban: expected at least one ban rule"));

  std::string scalar_rule = kMinimal;
  scalar_rule.replace(scalar_rule.find("  - platform: ios\n"), 18, "  - ios\n");
  EXPECT_THAT(errorOf(scalar_rule),
              HasSubstr("t.yaml:7: ban[1]: expected a ban rule (a mapping of platform, vendor, "
                        "kind, model, app); got \"ios\""));

  std::string vendor = kMinimal;
  vendor.replace(vendor.find("platform: ios"), 13, "vendor: Apple Inc.");
  EXPECT_THAT(errorOf(vendor),
              HasSubstr("t.yaml:7: ban[1].vendor: expected a canonical vendor id"));
}

TEST(DirectiveParse, WrongTypes) {
  std::string scope_scalar = kMinimal;
  scope_scalar.replace(scope_scalar.find("scope:\n  units: [\"pa/**\"]\n"), 26, "scope: pa/**\n");
  EXPECT_THAT(errorOf(scope_scalar),
              HasSubstr("t.yaml:4: scope: expected a mapping with units (and optionally "
                        "exclude_units, roles); got \"pa/**\""));

  // A scalar where a list is expected is only accepted for rule fields.
  std::string units_scalar = kMinimal;
  units_scalar.replace(units_scalar.find("[\"pa/**\"]"), 9, "pa/**");
  EXPECT_THAT(errorOf(units_scalar),
              HasSubstr("t.yaml:5: scope.units: expected a list of unit globs"));

  std::string title_list = kMinimal;
  title_list.replace(title_list.find("title: Test"), 11, "title: [a, b]");
  EXPECT_THAT(errorOf(title_list), HasSubstr("t.yaml:2: title: expected text; got a list"));

  std::string rule_map = kMinimal;
  rule_map.replace(rule_map.find("platform: ios"), 13, "platform: {name: ios}");
  EXPECT_THAT(errorOf(rule_map),
              HasSubstr("t.yaml:7: ban[1].platform: expected one value or a list of the "
                        "platforms; got a mapping"));

  EXPECT_THAT(errorOf(std::string(kMinimal) + "waivers: {approver_role: so, max_days: thirty}\n"),
              HasSubstr("t.yaml:10: waivers.max_days: expected a whole number of days from 1 to "
                        "3650; got \"thirty\""));
  EXPECT_THAT(errorOf(std::string(kMinimal) +
                      "waivers: {approver_role: so, max_days: 3, unit_wide: yes}\n"),
              HasSubstr("t.yaml:10: waivers.unit_wide: expected true or false; got \"yes\""));
  EXPECT_THAT(
      errorOf(std::string(kMinimal) + "waivers: {approver_role: so, max_days: 16666666666}\n"),
      HasSubstr("t.yaml:10: waivers.max_days: expected a whole number of days from 1 to "
                "3650; got \"16666666666\""));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "waivers: {approver_role: so, max_days: 3651}\n"),
              HasSubstr("waivers.max_days: expected a whole number of days from 1 to 3650"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "reminders: {days_before: 7}\n"),
              HasSubstr("t.yaml:10: reminders.days_before: expected a non-empty list"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "reminders: {days_before: [7, 0, 7]}\n"),
              HasSubstr("t.yaml:10: reminders.days_before[2]: expected a whole number"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "reminders: {days_before: [7, 3, 7]}\n"),
              HasSubstr("t.yaml:10: reminders.days_before[3]: expected distinct numbers of days"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "waivers: {max_days: 3}\n"),
              HasSubstr("t.yaml:10: waivers.approver_role: missing"));
  EXPECT_THAT(errorOf("- just\n- a list\n"),
              HasSubstr("t.yaml:1: expected a directive (a YAML mapping"));
}

TEST(DirectiveParse, TypeAndProtects) {
  std::string usage = std::string(kMinimal) + "type: usage-ban\n";
  EXPECT_THAT(errorOf(usage), HasSubstr("t.yaml:1: protects: missing"));
  usage += "protects: [Mail.PA.example, \"https://Docs.pa.example:8443/Official/\"]\n";
  auto r = parseDirective(usage, "t.yaml");
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  EXPECT_EQ(r->type, DirectiveType::kUsageBan);
  EXPECT_THAT(r->protects,
              ElementsAre("mail.pa.example", "https://docs.pa.example:8443/Official/"));

  EXPECT_THAT(errorOf(std::string(kMinimal) + "protects: [mail.pa.example]\n"),
              HasSubstr("t.yaml:10: protects: expected only with type: usage-ban"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "type: usage-ban\nprotects: [\"ftp://x\", "
                                              "\"a b\"]\n"),
              HasSubstr("t.yaml:11: protects[1]: expected a host name"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "type: device_ban\n"),
              HasSubstr("t.yaml:10: type: expected one of: device-ban, usage-ban; got "
                        "\"device_ban\""));
}

TEST(DirectiveParse, AllowedPlatformMayNotBeBanned) {
  EXPECT_THAT(errorOf(std::string(kMinimal) + "allow: {platforms: [android, ios]}\n"),
              HasSubstr("t.yaml:10: allow.platforms: expected platforms the ban does not cover; "
                        "ios is banned by rule 1"));
}

TEST(DirectiveParse, DuplicateKeysAndDocuments) {
  EXPECT_THAT(errorOf(std::string(kMinimal) + "title: Again\n"),
              HasSubstr("t.yaml:10: title: duplicate key (first given on line 2)"));
  EXPECT_THAT(errorOf(std::string(kMinimal) + "---\nid: second\n"),
              HasSubstr("t.yaml:10: expected one YAML document; a second one starts here"));
  EXPECT_THAT(errorOf(","), HasSubstr("t.yaml:1: YAML syntax: a stray token"));
  EXPECT_THAT(errorOf(""), HasSubstr("t.yaml:1: expected a directive (a YAML mapping); the text "
                                     "is empty"));
}

TEST(DirectiveParse, SyntaxErrorsAndEncoding) {
  std::string broken = kMinimal;
  broken.replace(broken.find("[\"pa/**\"]"), 9, "[\"pa/**\"");
  const std::string msg = errorOf(broken);
  EXPECT_THAT(msg, HasSubstr("t.yaml:"));
  EXPECT_THAT(msg, HasSubstr("YAML syntax:"));

  std::string latin1 = kMinimal;
  latin1.replace(latin1.find("Test"), 4, "T\xe9st");
  EXPECT_THAT(errorOf(latin1), HasSubstr("t.yaml:2: expected UTF-8 text"));
}

TEST(DirectiveParse, ListsEveryProblemUpToFifty) {
  std::string yaml = kMinimal;
  for (int i = 0; i < 60; ++i) yaml += "extra" + std::to_string(i) + ": 1\n";
  const std::string msg = errorOf(yaml);
  std::size_t lines = 1;
  for (char c : msg) lines += c == '\n';
  EXPECT_EQ(lines, kMaxReportedProblems + 1);
  EXPECT_THAT(msg, HasSubstr("t.yaml:10: extra0: unknown key"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:59: extra49: unknown key"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("extra50:")));
  EXPECT_THAT(msg, HasSubstr("t.yaml: ... and 10 more problems"));
}

TEST(DirectiveParse, SeveralProblemsAtOnce) {
  const std::string msg = errorOf(
      "id: x\n"
      "title: X\n"
      "issued: 2023-13-01\n"
      "scope: {units: []}\n"
      "ban:\n"
      "  - {platform: iphone}\n"
      "milestones: []\n");
  EXPECT_THAT(msg, HasSubstr("t.yaml:3: issued: expected a real date"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:4: scope.units: expected at least one unit glob"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:6: ban[1].platform: expected one of"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:7: milestones: expected at least one milestone"));
}

TEST(DirectiveLoad, MissingAndOversizedFiles) {
  auto missing = loadDirectiveFile("/nonexistent/directive.yaml");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/directive.yaml"));
}

}  // namespace
}  // namespace phaseout::policy
