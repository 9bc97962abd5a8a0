#include "inventory/field_syntax.h"

#include <gtest/gtest.h>

namespace phaseout::inventory {
namespace {

TEST(FieldSyntaxTest, UnitPaths) {
  EXPECT_TRUE(isValidUnitPath("pa"));
  EXPECT_TRUE(isValidUnitPath("pa/domestic-policy"));
  EXPECT_TRUE(isValidUnitPath("pa/domestic-policy/press_2.0"));
  EXPECT_TRUE(isValidUnitPath("pa-press"));
  EXPECT_FALSE(isValidUnitPath(""));
  EXPECT_FALSE(isValidUnitPath("/pa"));
  EXPECT_FALSE(isValidUnitPath("pa/"));
  EXPECT_FALSE(isValidUnitPath("pa//press"));
  EXPECT_FALSE(isValidUnitPath("PA/press"));
  EXPECT_FALSE(isValidUnitPath("pa/domestic policy"));
  EXPECT_FALSE(isValidUnitPath("pa/../it"));
  EXPECT_FALSE(isValidUnitPath("./pa"));
  EXPECT_FALSE(isValidUnitPath("pa\\press"));
  EXPECT_FALSE(isValidUnitPath("pa/пресс"));
}

TEST(FieldSyntaxTest, MacAddressesNormaliseToLowerCaseColons) {
  EXPECT_EQ(normalizeMac("aa:bb:cc:dd:ee:ff"), "aa:bb:cc:dd:ee:ff");
  EXPECT_EQ(normalizeMac("AA-BB-CC-0D-EE-F1"), "aa:bb:cc:0d:ee:f1");
  EXPECT_EQ(normalizeMac("AaBb.cCdD.0123"), "aa:bb:cc:dd:01:23");
  EXPECT_EQ(normalizeMac("00:1A:2b:3C:4d:5E"), "00:1a:2b:3c:4d:5e");
}

TEST(FieldSyntaxTest, MalformedMacAddressesAreRejected) {
  EXPECT_FALSE(normalizeMac(""));
  EXPECT_FALSE(normalizeMac("aabbccddeeff"));
  EXPECT_FALSE(normalizeMac("aa:bb:cc:dd:ee"));
  EXPECT_FALSE(normalizeMac("aa:bb:cc:dd:ee:fg"));
  EXPECT_FALSE(normalizeMac("aa:bb-cc:dd:ee:ff"));  // mixed separators
  EXPECT_FALSE(normalizeMac("aa.bb.cc.dd.ee.ff"));
  EXPECT_FALSE(normalizeMac("aabb:ccdd:eeff"));
  EXPECT_FALSE(normalizeMac("aabb.ccdd-eeff"));
  EXPECT_FALSE(normalizeMac("aa:bb:cc:dd:ee:ff:"));
}

TEST(FieldSyntaxTest, Emails) {
  EXPECT_TRUE(isPlausibleEmail("i.ivanov@pa.example"));
  EXPECT_TRUE(isPlausibleEmail("root@localhost"));
  EXPECT_FALSE(isPlausibleEmail("ivanov"));
  EXPECT_FALSE(isPlausibleEmail("@pa.example"));
  EXPECT_FALSE(isPlausibleEmail("ivanov@"));
  EXPECT_FALSE(isPlausibleEmail("a@b@c"));
  EXPECT_FALSE(isPlausibleEmail("i ivanov@pa.example"));
  EXPECT_FALSE(isPlausibleEmail("ivanov@.example"));
  EXPECT_FALSE(isPlausibleEmail("ivanov@example."));
}

}  // namespace
}  // namespace phaseout::inventory
