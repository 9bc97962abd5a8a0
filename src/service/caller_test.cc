#include "service/caller.h"

#include <gtest/gtest.h>

namespace phaseout::service {
namespace {

Caller unitOfficer() {
  Caller c;
  c.actor = "p-100";
  c.person_id = "p-100";
  c.scope.unit_subtrees = {"pa/press"};
  c.scope.own_person = "p-100";
  c.scope.may_act = true;
  return c;
}

TEST(CallerTest, LocalOperatorSeesAndDoesEverything) {
  const Caller op = Caller::localOperator("alice");
  EXPECT_EQ(op.actor, "alice");
  EXPECT_TRUE(op.seesUnit("any/unit"));
  EXPECT_TRUE(op.mayAct("any/unit", "p-1", "device D1").isOk());
  EXPECT_TRUE(op.mayAdminister("import people").isOk());
  EXPECT_TRUE(op.mayReadAudit().isOk());
}

TEST(CallerTest, SubtreeCoversDescendantsNotSiblingsWithACommonPrefix) {
  const Caller c = unitOfficer();
  EXPECT_TRUE(c.seesUnit("pa/press"));
  EXPECT_TRUE(c.seesUnit("pa/press/desk"));
  EXPECT_FALSE(c.seesUnit("pa/pressroom"));
  EXPECT_FALSE(c.seesUnit("pa"));
  EXPECT_FALSE(c.seesUnit(""));
}

TEST(CallerTest, OutOfViewIsNotFoundInViewReadOnlyIsPermissionDenied) {
  const Caller officer = unitOfficer();
  EXPECT_EQ(officer.mayAct("pa/finance", "p-2", "device D9").code(), StatusCode::kNotFound);
  EXPECT_EQ(officer.mayAct("pa/finance", "p-2", "device D9").message(), "device D9 not found");
  EXPECT_TRUE(officer.mayAct("pa/press/desk", "p-2", "device D3").isOk());

  Caller auditor;
  auditor.scope.all_units = true;
  auditor.scope.may_read_audit = true;
  EXPECT_EQ(auditor.mayAct("pa/press", "p-2", "device D3").code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(auditor.mayReadAudit().isOk());
  EXPECT_EQ(auditor.mayAdminister("add a directive").code(), StatusCode::kPermissionDenied);
}

TEST(CallerTest, HolderSeesOwnRecordsOutsideTheirUnitButCannotActOnThem) {
  Caller holder;
  holder.person_id = "p-7";
  holder.scope.own_person = "p-7";
  EXPECT_TRUE(holder.sees("pa/finance", "p-7"));
  EXPECT_FALSE(holder.sees("pa/finance", "p-8"));
  EXPECT_EQ(holder.mayAct("pa/finance", "p-7", "device D1").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(holder.mayReadAudit().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace phaseout::service
