#include "policy/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace phaseout::policy {
namespace {

using inventory::Device;
using inventory::EmploymentStatus;
using inventory::Person;
using platform::DeviceState;
using platform::Kind;
using platform::Platform;
using ::testing::HasSubstr;

Date day(const char* text) { return *Date::parse(text); }

Directive loadExample(const std::string& name) {
  auto r = loadDirectiveFile(std::string(PH_SOURCE_DIR) + "/examples/directives/" + name);
  EXPECT_TRUE(r.isOk()) << r.status().toString();
  return r.isOk() ? *r : Directive{};
}

Person person(std::string id, std::string unit, std::vector<std::string> roles = {"official"},
              EmploymentStatus status = EmploymentStatus::kActive) {
  Person p;
  p.person_id = std::move(id);
  p.unit = std::move(unit);
  p.roles = std::move(roles);
  p.status = status;
  return p;
}

Device device(std::string id, std::string holder, Platform platform, Kind kind, std::string vendor,
              std::string model, std::string os = "") {
  Device d;
  d.device_id = std::move(id);
  d.holder = std::move(holder);
  d.platform = platform;
  d.kind = kind;
  d.vendor = std::move(vendor);
  d.model = std::move(model);
  d.os_version = std::move(os);
  return d;
}

Device iphone(std::string id, std::string holder) {
  return device(std::move(id), std::move(holder), Platform::kIos, Kind::kPhone, "apple",
                "iPhone 13 Pro", "16.4");
}

const Verdict* verdictFor(const Evaluation& ev, std::string_view device_id) {
  for (const Verdict& v : ev.verdicts) {
    if (v.device->device_id == device_id) return &v;
  }
  return nullptr;
}

TEST(UnitMatches, GlobEdgeCases) {
  EXPECT_TRUE(unitMatches("pa/**", "pa"));
  EXPECT_TRUE(unitMatches("pa/**", "pa/press"));
  EXPECT_TRUE(unitMatches("pa/**", "pa/domestic-policy/press"));
  EXPECT_FALSE(unitMatches("pa/**", "pa-press"));
  EXPECT_FALSE(unitMatches("pa/**", "gov/pa"));
  EXPECT_FALSE(unitMatches("pa/**", "pax"));
  EXPECT_FALSE(unitMatches("pa/**", ""));

  EXPECT_FALSE(unitMatches("pa/*", "pa"));
  EXPECT_TRUE(unitMatches("pa/*", "pa/press"));
  EXPECT_FALSE(unitMatches("pa/*", "pa/press/desk"));
  EXPECT_FALSE(unitMatches("pa/*", "pa-press"));
  EXPECT_FALSE(unitMatches("pa/*", "pa/"));  // an empty segment is not a child

  EXPECT_TRUE(unitMatches("pa", "pa"));
  EXPECT_TRUE(unitMatches("pa", "PA"));  // ASCII case-insensitive
  EXPECT_FALSE(unitMatches("pa", "pa/press"));
  EXPECT_FALSE(unitMatches("pa", "pa-press"));
  EXPECT_FALSE(unitMatches("pa", "gov/pa"));
  EXPECT_FALSE(unitMatches("pa", "p"));

  EXPECT_TRUE(unitMatches("pa/press", "pa/press"));
  EXPECT_FALSE(unitMatches("pa/press", "pa/press-office"));
  EXPECT_TRUE(unitMatches("*/press", "gov/press"));
  EXPECT_FALSE(unitMatches("*/press", "press"));
  EXPECT_TRUE(unitMatches("pa/*/**", "pa/a"));
  EXPECT_TRUE(unitMatches("pa/*/**", "pa/a/b/c"));
  EXPECT_FALSE(unitMatches("pa/*/**", "pa"));
  EXPECT_TRUE(unitMatches("**", "anything/at/all"));
}

TEST(Scope, PeopleInAndOutOfScope) {
  Directive d;
  d.scope.units = {"pa/**"};
  d.scope.exclude_units = {"pa/press/*"};
  d.scope.roles = {"official"};
  EXPECT_TRUE(personInScope(d, person("P-1", "pa")));
  EXPECT_TRUE(personInScope(d, person("P-2", "pa/press")));
  EXPECT_FALSE(personInScope(d, person("P-3", "pa/press/desk")));  // excluded
  EXPECT_FALSE(personInScope(d, person("P-4", "pa-press")));
  EXPECT_FALSE(personInScope(d, person("P-5", "gov/pa")));
  EXPECT_FALSE(personInScope(d, person("P-6", "pa", {"driver"})));
  EXPECT_TRUE(personInScope(d, person("P-7", "pa", {"driver", "Official"})));  // case-insensitive
  EXPECT_FALSE(personInScope(d, person("P-8", "pa", {"official"}, EmploymentStatus::kLeft)));
  d.scope.roles.clear();
  EXPECT_TRUE(personInScope(d, person("P-9", "pa", {})));  // no roles in scope: any role
}

TEST(MatchRule, FieldsListsGlobsAndConjunction) {
  BanRule ios;
  ios.platforms = {Platform::kIos};
  const Device phone = iphone("D-1", "P-1");
  Device ipad = device("D-2", "P-1", Platform::kIpados, Kind::kTablet, "apple", "iPad Air");
  EXPECT_EQ(matchRule(ios, phone), RuleMatch::kYes);
  EXPECT_EQ(matchRule(ios, ipad), RuleMatch::kNo);  // platforms are exact: ios != ipados

  BanRule apple_phone;
  apple_phone.vendors = {"apple"};
  apple_phone.kinds = {Kind::kPhone};
  EXPECT_EQ(matchRule(apple_phone, phone), RuleMatch::kYes);
  EXPECT_EQ(matchRule(apple_phone, ipad), RuleMatch::kNo);  // vendor matches, kind does not
  Device pixel = device("D-3", "P-1", Platform::kAndroid, Kind::kPhone, "google", "Pixel 8");
  EXPECT_EQ(matchRule(apple_phone, pixel), RuleMatch::kNo);  // kind matches, vendor does not
  Device apple_upper = phone;
  apple_upper.vendor = "Apple";
  EXPECT_EQ(matchRule(apple_phone, apple_upper), RuleMatch::kYes);

  BanRule either;
  either.platforms = {Platform::kIos, Platform::kIpados};
  EXPECT_EQ(matchRule(either, ipad), RuleMatch::kYes);
  EXPECT_EQ(matchRule(either, pixel), RuleMatch::kNo);

  BanRule vendors;
  vendors.vendors = {"huawei", "zte"};
  EXPECT_EQ(matchRule(vendors, device("D-4", "P", Platform::kAndroid, Kind::kPhone, "zte", "Axon")),
            RuleMatch::kYes);

  BanRule models;
  models.model_patterns = {"iphone 1?*", "SM-S9*"};
  EXPECT_EQ(matchRule(models, phone), RuleMatch::kYes);  // case-insensitive glob
  EXPECT_EQ(matchRule(models,
                      device("D-5", "P", Platform::kAndroid, Kind::kPhone, "samsung", "SM-S911B")),
            RuleMatch::kYes);
  EXPECT_EQ(
      matchRule(models, device("D-6", "P", Platform::kIos, Kind::kPhone, "apple", "iPhone 8")),
      RuleMatch::kNo);
}

TEST(MatchRule, UnknownFieldsMakeAMaybe) {
  BanRule ios;
  ios.platforms = {Platform::kIos};
  Device unknown = device("D-9", "P-3", Platform::kUnknown, Kind::kUnknown, "", "");
  EXPECT_EQ(matchRule(ios, unknown), RuleMatch::kMaybe);

  BanRule apple_phone;
  apple_phone.vendors = {"apple"};
  apple_phone.kinds = {Kind::kPhone};
  Device no_vendor = device("D-10", "P", Platform::kIos, Kind::kPhone, "", "iPhone");
  EXPECT_EQ(matchRule(apple_phone, no_vendor), RuleMatch::kMaybe);
  // A known field that differs settles it, even when another is unknown.
  Device known_tablet = device("D-11", "P", Platform::kUnknown, Kind::kTablet, "", "");
  EXPECT_EQ(matchRule(apple_phone, known_tablet), RuleMatch::kNo);

  BanRule models;
  models.model_patterns = {"iPhone*"};
  EXPECT_EQ(matchRule(models, unknown), RuleMatch::kMaybe);

  BanRule app;
  app.apps = {"tiktok"};
  EXPECT_EQ(matchRule(app, unknown), RuleMatch::kNo);  // never unknown because of an app
  EXPECT_EQ(matchRule(app, iphone("D-1", "P")), RuleMatch::kNo);
}

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directive_ = loadExample("pa-iphone-2023.yaml");
    people_ = {
        person("P-0042", "pa/domestic-policy"),
        person("P-7", "pa/press"),
        person("P-3", "pa/x"),
        person("P-8", "pa-press"),  // not under pa
        person("P-9", "pa/left", {"official"}, EmploymentStatus::kLeft),
        person("P-10", "pa/garage", {"driver"}),  // role not in scope
    };
    devices_ = {
        iphone("D-1", "P-0042"),
        device("D-2", "P-7", Platform::kAndroid, Kind::kPhone, "samsung", "Galaxy S23", "13"),
        device("D-9", "P-3", Platform::kUnknown, Kind::kUnknown, "", ""),
        iphone("D-4", "P-8"),
        iphone("D-5", "P-9"),
        iphone("D-6", "P-10"),
        iphone("D-7", ""),       // unassigned
        iphone("D-8", "P-404"),  // holder not in people
    };
    Device returned = iphone("D-3", "P-0042");
    returned.state = DeviceState::kReturned;
    devices_.push_back(returned);
  }

  Directive directive_;
  std::vector<Person> people_;
  std::vector<Device> devices_;
};

TEST_F(ScenarioTest, ScopeAndOrder) {
  const Evaluation ev = evaluate(directive_, people_, devices_, day("2023-03-20"));
  EXPECT_EQ(ev.directive_id, "pa-iphone-2023");
  EXPECT_EQ(ev.as_of, day("2023-03-20"));
  EXPECT_EQ(ev.people_in_scope, 3u);
  ASSERT_EQ(ev.people_in_scope_by_unit.size(), 3u);
  EXPECT_EQ(ev.people_in_scope_by_unit[0], (UnitCount{"pa/domestic-policy", 1}));
  EXPECT_EQ(ev.people_in_scope_by_unit[1], (UnitCount{"pa/press", 1}));
  EXPECT_EQ(ev.people_in_scope_by_unit[2], (UnitCount{"pa/x", 1}));
  EXPECT_EQ(ev.devices_without_known_holder, 2u);
  std::vector<std::string> ids;
  for (const Verdict& v : ev.verdicts) ids.push_back(v.device->device_id);
  // Left employees, other units, other roles and returned devices are out of scope; the input
  // order (D-1, D-2, D-9) is not device_id order after D-3 is appended, so it is sorted.
  EXPECT_EQ(ids, (std::vector<std::string>{"D-1", "D-2", "D-9"}));
}

TEST_F(ScenarioTest, PendingReasonCountsDaysLeft) {
  const Evaluation ev = evaluate(directive_, people_, devices_, day("2023-03-20"));
  const Verdict* v = verdictFor(ev, "D-1");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->status, VerdictStatus::kPending);
  EXPECT_EQ(v->rule, 1);
  EXPECT_EQ(v->holder->person_id, "P-0042");
  EXPECT_EQ(v->reason,
            "iPhone 13 Pro (iOS 16.4) held by P-0042 in pa/domestic-policy is banned by rule 1 "
            "(platform ios); due 2023-04-01, 12 days left");
}

TEST_F(ScenarioTest, PendingOnTheDueDateOverdueTheDayAfter) {
  const Evaluation on_day = evaluate(directive_, people_, devices_, day("2023-04-01"));
  const Verdict* v = verdictFor(on_day, "D-1");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->status, VerdictStatus::kPending);
  EXPECT_THAT(v->reason, HasSubstr("; due 2023-04-01, today is the last day"));

  const Evaluation day_before = evaluate(directive_, people_, devices_, day("2023-03-31"));
  EXPECT_THAT(verdictFor(day_before, "D-1")->reason, HasSubstr("; due 2023-04-01, 1 day left"));

  const Evaluation after = evaluate(directive_, people_, devices_, day("2023-04-02"));
  v = verdictFor(after, "D-1");
  EXPECT_EQ(v->status, VerdictStatus::kOverdue);
  EXPECT_THAT(v->reason, HasSubstr("; overdue since 2023-04-02 (1 day)"));

  const Evaluation later = evaluate(directive_, people_, devices_, day("2023-04-04"));
  EXPECT_EQ(verdictFor(later, "D-1")->reason,
            "iPhone 13 Pro (iOS 16.4) held by P-0042 in pa/domestic-policy is banned by rule 1 "
            "(platform ios); overdue since 2023-04-02 (3 days)");
}

TEST_F(ScenarioTest, CompliantAndUnknown) {
  const Evaluation ev = evaluate(directive_, people_, devices_, day("2023-03-20"));
  const Verdict* galaxy = verdictFor(ev, "D-2");
  ASSERT_NE(galaxy, nullptr);
  EXPECT_EQ(galaxy->status, VerdictStatus::kCompliant);
  EXPECT_EQ(galaxy->rule, 0);
  EXPECT_EQ(galaxy->reason, "Galaxy S23 (Android 13) held by P-7 in pa/press matches no ban rule");

  const Verdict* unknown = verdictFor(ev, "D-9");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->status, VerdictStatus::kUnknown);
  EXPECT_EQ(unknown->rule, 1);
  EXPECT_EQ(unknown->reason,
            "Device D-9 held by P-3 in pa/x has unknown platform; rule 1 (platform ios) may "
            "apply: needs review");
}

TEST_F(ScenarioTest, SecondRuleDecidesWhenFirstIsOnlyPossible) {
  // Platform unknown (rule 1 possible) but a known Apple phone: rule 2 matches for certain.
  devices_ = {device("D-20", "P-7", Platform::kUnknown, Kind::kPhone, "apple", "iPhone14,2")};
  const Evaluation ev = evaluate(directive_, people_, devices_, day("2023-03-20"));
  ASSERT_EQ(ev.verdicts.size(), 1u);
  EXPECT_EQ(ev.verdicts[0].status, VerdictStatus::kPending);
  EXPECT_EQ(ev.verdicts[0].rule, 2);
  EXPECT_EQ(ev.verdicts[0].reason,
            "iPhone14,2 held by P-7 in pa/press is banned by rule 2 (vendor apple, kind phone); "
            "due 2023-04-01, 12 days left");
}

TEST_F(ScenarioTest, UnknownVersusCompliantByKnownFields) {
  devices_ = {
      // Known Android phone of unknown vendor: rule 1 says no, rule 2 needs the vendor.
      device("D-30", "P-7", Platform::kAndroid, Kind::kPhone, "", "X1"),
      // Known Android tablet, vendor unknown: no rule could match.
      device("D-31", "P-7", Platform::kAndroid, Kind::kTablet, "", "Tab"),
      // Known iPad: ios != ipados, and it is not a phone.
      device("D-32", "P-7", Platform::kIpados, Kind::kTablet, "apple", "iPad Air", "17.1"),
      // Unknown kind and vendor, unknown platform.
      device("D-33", "P-7", Platform::kUnknown, Kind::kUnknown, "", "Mystery"),
  };
  const Evaluation ev = evaluate(directive_, people_, devices_, day("2023-03-20"));
  ASSERT_EQ(ev.verdicts.size(), 4u);
  EXPECT_EQ(ev.verdicts[0].status, VerdictStatus::kUnknown);
  EXPECT_EQ(ev.verdicts[0].rule, 2);
  EXPECT_EQ(ev.verdicts[0].reason,
            "X1 (Android) held by P-7 in pa/press has unknown vendor; rule 2 (vendor apple, kind "
            "phone) may apply: needs review");
  EXPECT_EQ(ev.verdicts[1].status, VerdictStatus::kCompliant);
  EXPECT_EQ(ev.verdicts[2].status, VerdictStatus::kCompliant);
  EXPECT_EQ(ev.verdicts[2].reason,
            "iPad Air (iPadOS 17.1) held by P-7 in pa/press matches no ban rule");
  EXPECT_EQ(ev.verdicts[3].status, VerdictStatus::kUnknown);
  EXPECT_EQ(ev.verdicts[3].rule, 1);
  EXPECT_THAT(ev.verdicts[3].reason, HasSubstr("Mystery held by P-7 in pa/press has unknown "
                                               "platform; rule 1 (platform ios) may apply"));
}

TEST_F(ScenarioTest, Deterministic) {
  const Evaluation a = evaluate(directive_, people_, devices_, day("2023-04-03"));
  const Evaluation b = evaluate(directive_, people_, devices_, day("2023-04-03"));
  ASSERT_EQ(a.verdicts.size(), b.verdicts.size());
  for (std::size_t i = 0; i < a.verdicts.size(); ++i) {
    EXPECT_EQ(a.verdicts[i].device, b.verdicts[i].device);
    EXPECT_EQ(a.verdicts[i].status, b.verdicts[i].status);
    EXPECT_EQ(a.verdicts[i].rule, b.verdicts[i].rule);
    EXPECT_EQ(a.verdicts[i].reason, b.verdicts[i].reason);
  }
  // Input order does not change the output.
  std::vector<Device> reversed(devices_.rbegin(), devices_.rend());
  const Evaluation c = evaluate(directive_, people_, reversed, day("2023-04-03"));
  ASSERT_EQ(a.verdicts.size(), c.verdicts.size());
  for (std::size_t i = 0; i < a.verdicts.size(); ++i) {
    EXPECT_EQ(a.verdicts[i].device->device_id, c.verdicts[i].device->device_id);
    EXPECT_EQ(a.verdicts[i].reason, c.verdicts[i].reason);
  }
}

TEST_F(ScenarioTest, FirstRecordOfARepeatedPersonWins) {
  people_.push_back(person("P-7", "elsewhere"));
  const Evaluation ev = evaluate(directive_, people_, devices_, day("2023-03-20"));
  EXPECT_EQ(verdictFor(ev, "D-2")->holder->unit, "pa/press");
  EXPECT_EQ(ev.people_in_scope, 3u);
}

TEST(Evaluate, AppBanNeverDecidesFromInventory) {
  const Directive d = loadExample("us-tiktok-2022.yaml");
  const std::vector<Person> people = {person("P-1", "us-gov/omb", {})};
  const std::vector<Device> devices = {
      iphone("D-1", "P-1"),
      device("D-2", "P-1", Platform::kUnknown, Kind::kUnknown, "", ""),
  };
  const Evaluation ev = evaluate(d, people, devices, day("2023-04-01"));
  ASSERT_EQ(ev.verdicts.size(), 2u);
  EXPECT_EQ(ev.verdicts[0].status, VerdictStatus::kCompliant);
  EXPECT_EQ(ev.verdicts[1].status, VerdictStatus::kCompliant);
  EXPECT_EQ(ev.verdicts[1].reason, "Device D-2 held by P-1 in us-gov/omb matches no ban rule");
}

TEST(Evaluate, VendorBanAndModelFallback) {
  const Directive d = loadExample("ndaa-889-huawei-zte.yaml");
  const std::vector<Person> people = {person("P-1", "dod/cyber", {}),
                                      person("P-2", "contractors/exempt/acme", {})};
  const std::vector<Device> devices = {
      device("D-1", "P-1", Platform::kHarmonyos, Kind::kPhone, "huawei", "Mate 40 Pro", "4.0"),
      device("D-2", "P-1", Platform::kAndroid, Kind::kPhone, "", "HUAWEI NOH-AN00"),
      device("D-3", "P-1", Platform::kAndroid, Kind::kPhone, "samsung", "Galaxy S23"),
      device("D-4", "P-2", Platform::kAndroid, Kind::kPhone, "zte", "Axon 40"),
  };
  const Evaluation ev = evaluate(d, people, devices, day("2020-09-01"));
  ASSERT_EQ(ev.verdicts.size(), 3u);  // D-4's holder is excluded from scope
  EXPECT_EQ(ev.verdicts[0].status, VerdictStatus::kOverdue);
  EXPECT_EQ(ev.verdicts[0].reason,
            "Mate 40 Pro (HarmonyOS 4.0) held by P-1 in dod/cyber is banned by rule 1 (vendor "
            "huawei or zte); overdue since 2020-08-14 (19 days)");
  EXPECT_EQ(ev.verdicts[1].status, VerdictStatus::kOverdue);
  EXPECT_EQ(ev.verdicts[1].rule, 3);
  EXPECT_EQ(ev.verdicts[2].status, VerdictStatus::kCompliant);
}

TEST(Evaluate, UsageBanWording) {
  const Directive d = loadExample("kremlin-usage-ban-2023.yaml");
  const std::vector<Person> people = {person("P-1", "pa/policy", {"advisor"}),
                                      person("P-2", "pa/press/desk", {"official"})};
  const std::vector<Device> devices = {
      device("D-1", "P-1", Platform::kAndroid, Kind::kPhone, "samsung", "Galaxy S23", "13"),
      device("D-2", "P-1", Platform::kWindows, Kind::kLaptop, "lenovo", "ThinkPad X1", "11"),
      device("D-3", "P-2", Platform::kAndroid, Kind::kPhone, "samsung", "Galaxy S23", "13"),
  };
  const Evaluation ev = evaluate(d, people, devices, day("2023-03-30"));
  ASSERT_EQ(ev.verdicts.size(), 2u);
  EXPECT_EQ(ev.verdicts[0].reason,
            "Galaxy S23 (Android 13) held by P-1 in pa/policy is barred from official use by "
            "rule 1 (kind phone); due 2023-04-01, 2 days left");
  EXPECT_EQ(ev.verdicts[1].status, VerdictStatus::kCompliant);
}

// The evaluator's hash index, prefetching and unit cache against a direct reading of the
// semantics (personInScope + matchRule per device), over a generated inventory with repeated
// person ids, unknown holders, left employees, returned devices and unsorted input.
TEST(Evaluate, AgreesWithDirectReadingOfTheRules) {
  const Directive d = loadExample("pa-iphone-2023.yaml");
  const char* units[] = {"pa", "pa/press", "pa/x/y", "gov/pa", "pa-press", "PA/Upper"};
  std::vector<Person> people;
  people.reserve(3000);
  for (int i = 0; i < 3000; ++i) {
    people.push_back(person("P-" + std::to_string(i % 2900), units[i % 6],
                            {i % 7 == 0 ? "driver" : "official"},
                            i % 11 == 0 ? EmploymentStatus::kLeft : EmploymentStatus::kActive));
  }
  const Platform platforms[] = {Platform::kIos, Platform::kAndroid, Platform::kIpados,
                                Platform::kUnknown};
  const Kind kinds[] = {Kind::kPhone, Kind::kTablet, Kind::kUnknown};
  const char* vendors[] = {"apple", "samsung", ""};
  std::vector<Device> devices;
  devices.reserve(20000);
  for (int i = 0; i < 20000; ++i) {
    Device dev = device("D-" + std::to_string((i * 7919) % 20000), "P-" + std::to_string(i % 3100),
                        platforms[i % 4], kinds[i % 3], vendors[i % 3], i % 5 ? "Model" : "");
    if (i % 13 == 0) dev.state = DeviceState::kLost;
    if (i % 17 == 0) dev.holder.clear();
    devices.push_back(dev);
  }
  const Evaluation ev = evaluate(d, people, devices, day("2023-04-01"));

  // Direct reading: first record per id, then scope, then rules in order.
  std::vector<const Device*> expected_devices;
  std::size_t expected_people = 0;
  std::vector<std::string> seen;
  for (const Person& p : people) {
    if (std::find(seen.begin(), seen.end(), p.person_id) != seen.end()) continue;
    seen.push_back(p.person_id);
    if (personInScope(d, p)) ++expected_people;
  }
  EXPECT_EQ(ev.people_in_scope, expected_people);
  auto first_person = [&](const std::string& id) -> const Person* {
    for (const Person& p : people) {
      if (p.person_id == id) return &p;
    }
    return nullptr;
  };
  for (const Device& dev : devices) {
    if (dev.state != DeviceState::kActive) continue;
    const Person* holder = first_person(dev.holder);
    if (holder && personInScope(d, *holder)) expected_devices.push_back(&dev);
  }
  std::stable_sort(expected_devices.begin(), expected_devices.end(),
                   [](const Device* a, const Device* b) { return a->device_id < b->device_id; });
  ASSERT_EQ(ev.verdicts.size(), expected_devices.size());
  for (std::size_t i = 0; i < expected_devices.size(); ++i) {
    const Verdict& v = ev.verdicts[i];
    ASSERT_EQ(v.device, expected_devices[i]) << i;
    EXPECT_EQ(v.holder, first_person(v.device->holder));
    EXPECT_EQ(v.unit, v.holder->unit);
    int yes = 0;
    int maybe = 0;
    for (std::size_t r = 0; r < d.ban.size(); ++r) {
      const RuleMatch m = matchRule(d.ban[r], *v.device);
      if (m == RuleMatch::kYes && yes == 0) yes = static_cast<int>(r) + 1;
      if (m == RuleMatch::kMaybe && maybe == 0) maybe = static_cast<int>(r) + 1;
    }
    if (yes != 0) {
      EXPECT_EQ(v.status, VerdictStatus::kPending);
      EXPECT_EQ(v.rule, yes);
    } else if (maybe != 0) {
      EXPECT_EQ(v.status, VerdictStatus::kUnknown);
      EXPECT_EQ(v.rule, maybe);
    } else {
      EXPECT_EQ(v.status, VerdictStatus::kCompliant);
      EXPECT_EQ(v.rule, 0);
    }
  }
  EXPECT_GT(ev.devices_without_known_holder, 0u);
}

TEST(DescribeDevice, ModelPlatformAndVersionWhenKnown) {
  EXPECT_EQ(describeDevice(iphone("D-1", "P")), "iPhone 13 Pro (iOS 16.4)");
  EXPECT_EQ(describeDevice(
                device("D-2", "P", Platform::kHarmonyosNext, Kind::kPhone, "huawei", " Mate 60 ")),
            "Mate 60 (HarmonyOS NEXT)");
  EXPECT_EQ(describeDevice(device("D-3", "P", Platform::kUnknown, Kind::kPhone, "", "", "17")),
            "Device D-3");
}

TEST(VerdictStatusNames, RoundTrip) {
  for (VerdictStatus s :
       {VerdictStatus::kCompliant, VerdictStatus::kPending, VerdictStatus::kOverdue,
        VerdictStatus::kExempt, VerdictStatus::kUnknown}) {
    EXPECT_EQ(parseVerdictStatus(name(s)), s);
  }
  EXPECT_EQ(name(VerdictStatus::kOverdue), "overdue");
  EXPECT_FALSE(parseVerdictStatus("late").has_value());
}

}  // namespace
}  // namespace phaseout::policy
