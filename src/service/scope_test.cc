#include "service/scope.h"

#include <gtest/gtest.h>

namespace phaseout::service {
namespace {

inventory::Person person(const char* id, const char* unit) {
  inventory::Person p;
  p.person_id = id;
  p.unit = unit;
  return p;
}

inventory::Device device(const char* id, const char* holder) {
  inventory::Device d;
  d.device_id = id;
  d.holder = holder;
  return d;
}

Caller pressDesk(const char* own_person = "") {
  Caller c;
  c.scope.unit_subtrees = {"pa/press"};
  c.scope.own_person = own_person;
  return c;
}

TEST(ScopeTest, KeepsThePeopleSeenAndTheDevicesTheyHold) {
  std::vector<inventory::Person> people = {person("P-1", "pa/press"), person("P-2", "pa/it"),
                                           person("P-3", "pa/press/desk")};
  std::vector<inventory::Device> devices = {device("D-1", "P-1"), device("D-2", "P-2"),
                                            device("D-3", "P-3"), device("D-4", "")};
  restrictToScope(pressDesk(), people, devices);
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[1].person_id, "P-3");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].device_id, "D-1");
  EXPECT_EQ(devices[1].device_id, "D-3");
}

TEST(ScopeTest, AHolderSeesTheirOwnRecordsAnywhere) {
  Caller holder;
  holder.scope.own_person = "P-2";
  std::vector<inventory::Person> people = {person("P-1", "pa/press"), person("P-2", "pa/it")};
  std::vector<inventory::Device> devices = {device("D-1", "P-1"), device("D-2", "P-2")};
  restrictToScope(holder, people, devices);
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].device_id, "D-2");
}

TEST(ScopeTest, EveryUnitLeavesEverything) {
  std::vector<inventory::Person> people = {person("P-1", "pa/press")};
  std::vector<inventory::Device> devices = {device("D-1", "P-1"), device("D-9", "")};
  restrictToScope(Caller::localOperator("op"), people, devices);
  EXPECT_EQ(devices.size(), 2u);
}

TEST(ScopeTest, HistoryVersionsAndStepsFollowThePeople) {
  campaign::History h;
  h.people.push_back({0, 1, person("P-1", "pa/press")});
  h.people.push_back({10, 2, person("P-1", "pa/it")});  // moved away later
  h.people.push_back({0, 1, person("P-2", "pa/it")});
  h.devices.push_back({0, 1, device("D-1", "P-1")});
  h.devices.push_back({0, 1, device("D-2", "P-2")});
  h.steps.push_back({"d", "D-2", campaign::CaseStage::kNotified, Date::fromDays(5), 3, "x", ""});
  restrictToScope(pressDesk(), h);
  ASSERT_EQ(h.people.size(), 2u);
  EXPECT_EQ(h.people[0].record.unit, "pa/press");
  // After the move: a gap, out of every scope, so the press version does not run on.
  EXPECT_EQ(h.people[1].valid_from, 10);
  EXPECT_EQ(h.people[1].record.unit, "");
  EXPECT_EQ(h.people[1].record.status, inventory::EmploymentStatus::kLeft);
  ASSERT_EQ(h.peopleOn(Date::fromDays(20)).size(), 1u);
  EXPECT_EQ(h.peopleOn(Date::fromDays(20))[0].status, inventory::EmploymentStatus::kLeft);
  ASSERT_EQ(h.devices.size(), 1u);
  EXPECT_EQ(h.devices[0].record.device_id, "D-1");
  EXPECT_TRUE(h.steps.empty());
}

TEST(ScopeTest, WaiversBySeenTargets) {
  const std::vector<inventory::Person> people = {person("P-1", "pa/press"), person("P-2", "pa/it")};
  const std::vector<inventory::Device> devices = {device("D-1", "P-1"), device("D-2", "P-2")};
  campaign::Waiver w;
  w.device_id = "D-1";
  EXPECT_TRUE(seesWaiver(pressDesk(), w, people, devices));
  w.device_id = "D-2";
  EXPECT_FALSE(seesWaiver(pressDesk(), w, people, devices));
  w.device_id = "D-404";
  EXPECT_FALSE(seesWaiver(pressDesk(), w, people, devices));
  w.device_id.clear();
  w.person_id = "P-2";
  EXPECT_FALSE(seesWaiver(pressDesk(), w, people, devices));
  EXPECT_TRUE(seesWaiver(pressDesk("P-2"), w, people, devices));
  w.person_id.clear();
  w.unit = "pa/press/**";
  EXPECT_TRUE(seesWaiver(pressDesk(), w, people, devices));
  w.unit = "pa/**";
  EXPECT_FALSE(seesWaiver(pressDesk(), w, people, devices));
  EXPECT_TRUE(seesWaiver(Caller::localOperator("op"), w, people, devices));
}

}  // namespace
}  // namespace phaseout::service
