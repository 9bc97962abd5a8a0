#include "policy/summary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phaseout::policy {
namespace {

using inventory::Device;
using inventory::Person;
using platform::Kind;
using platform::Platform;

Person person(std::string id, std::string unit) {
  Person p;
  p.person_id = std::move(id);
  p.unit = std::move(unit);
  return p;
}

Device device(std::string id, std::string holder, Platform platform) {
  Device d;
  d.device_id = std::move(id);
  d.holder = std::move(holder);
  d.platform = platform;
  d.kind = Kind::kPhone;
  d.vendor = platform == Platform::kIos ? "apple" : "samsung";
  d.model = "M";
  return d;
}

Directive directive() {
  Directive d;
  d.id = "t";
  d.scope.units = {"pa/**"};
  BanRule rule;
  rule.platforms = {Platform::kIos};
  d.ban = {rule};
  d.milestones = {{"handover", *Date::parse("2023-03-31"), "banned_devices_surrendered"},
                  {"replace", *Date::parse("2023-04-01"), "allowed_replacement_held"}};
  return d;
}

TEST(Summarize, CountsPerUnitAndTotal) {
  const Directive d = directive();
  const std::vector<Person> people = {person("P-1", "pa/b"), person("P-2", "pa/a"),
                                      person("P-3", "pa/a"), person("P-4", "pa/c")};
  const std::vector<Device> devices = {
      device("D-1", "P-1", Platform::kIos),     device("D-2", "P-2", Platform::kAndroid),
      device("D-3", "P-3", Platform::kIos),     device("D-4", "P-3", Platform::kUnknown),
      device("D-5", "P-2", Platform::kAndroid),
  };
  const Evaluation ev = evaluate(d, people, devices, *Date::parse("2023-03-31"));
  const EvaluationSummary s = summarize(d, ev);
  EXPECT_EQ(s.directive_id, "t");
  ASSERT_EQ(s.units.size(), 3u);
  EXPECT_EQ(s.units[0].unit, "pa/a");
  EXPECT_EQ(s.units[0].people_in_scope, 2u);
  EXPECT_EQ(s.units[0].devices.devices_in_scope, 4u);
  EXPECT_EQ(s.units[0].devices.compliant, 2u);
  EXPECT_EQ(s.units[0].devices.pending, 1u);
  EXPECT_EQ(s.units[0].devices.unknown, 1u);
  EXPECT_DOUBLE_EQ(s.units[0].devices.percentDone(), 50.0);
  EXPECT_EQ(s.units[1].unit, "pa/b");
  EXPECT_DOUBLE_EQ(s.units[1].devices.percentDone(), 0.0);
  EXPECT_EQ(s.units[2].unit, "pa/c");  // people but no device: nothing left to do
  EXPECT_EQ(s.units[2].people_in_scope, 1u);
  EXPECT_EQ(s.units[2].devices.devices_in_scope, 0u);
  EXPECT_DOUBLE_EQ(s.units[2].devices.percentDone(), 100.0);
  EXPECT_EQ(s.total.people_in_scope, 4u);
  EXPECT_EQ(s.total.devices.devices_in_scope, 5u);
  EXPECT_EQ(s.total.devices.pending, 2u);
  EXPECT_DOUBLE_EQ(s.total.devices.percentDone(), 40.0);
}

TEST(Summarize, MilestoneDaysLeft) {
  const Directive d = directive();
  const Evaluation ev = evaluate(d, {}, {}, *Date::parse("2023-03-31"));
  const EvaluationSummary s = summarize(d, ev);
  ASSERT_EQ(s.milestones.size(), 2u);
  EXPECT_EQ(s.milestones[0].name, "handover");
  EXPECT_EQ(s.milestones[0].days_left, 0);
  EXPECT_FALSE(s.milestones[0].passed());
  EXPECT_EQ(s.milestones[1].days_left, 1);
  EXPECT_EQ(s.milestones[1].requires_what, "allowed_replacement_held");
  const EvaluationSummary later = summarize(d, evaluate(d, {}, {}, *Date::parse("2023-04-05")));
  EXPECT_EQ(later.milestones[0].days_left, -5);
  EXPECT_TRUE(later.milestones[0].passed());
  EXPECT_EQ(later.total.devices.devices_in_scope, 0u);
  EXPECT_DOUBLE_EQ(later.total.devices.percentDone(), 100.0);
}

TEST(Summarize, MergesEqualUnitsFromDifferentBuffers) {
  // Verdicts adjusted or built outside evaluate() may carry their own copies of a unit.
  const Directive d = directive();
  const std::string unit_a = "pa/a";
  const std::string unit_a_copy = "pa/a";
  Evaluation ev;
  ev.people_in_scope = 2;
  ev.people_in_scope_by_unit = {UnitCount{"pa/a", 2}};
  Verdict v1;
  v1.status = VerdictStatus::kExempt;
  v1.unit = unit_a;
  Verdict v2;
  v2.status = VerdictStatus::kOverdue;
  v2.unit = unit_a_copy;
  ev.verdicts = {v1, v2};
  const EvaluationSummary s = summarize(d, ev);
  ASSERT_EQ(s.units.size(), 1u);
  EXPECT_EQ(s.units[0].unit, "pa/a");
  EXPECT_EQ(s.units[0].people_in_scope, 2u);
  EXPECT_EQ(s.units[0].devices.devices_in_scope, 2u);
  EXPECT_EQ(s.units[0].devices.exempt, 1u);
  EXPECT_EQ(s.units[0].devices.overdue, 1u);
}

TEST(Summarize, ExemptCountsAsDone) {
  StatusCounts c;
  c.add(VerdictStatus::kExempt);
  c.add(VerdictStatus::kOverdue);
  c.add(VerdictStatus::kCompliant);
  c.add(VerdictStatus::kUnknown);
  EXPECT_EQ(c.devices_in_scope, 4u);
  EXPECT_DOUBLE_EQ(c.percentDone(), 50.0);
}

}  // namespace
}  // namespace phaseout::policy
