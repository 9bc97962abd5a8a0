// The directory sources (ldif, scim) and the people mapping, fed exports written here from the
// shapes RFC 2849 and RFC 7643/7644 define.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "inventory/importer.h"
#include "inventory/sources/people_map.h"
#include "inventory/sources/registry.h"

namespace phaseout::inventory {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kLdif = R"(version: 1

# the press office
dn: ou=press,ou=pa,dc=example,dc=org
objectClass: organizationalUnit
ou: press

dn: uid=anna,ou=press,ou=pa,dc=example,dc=org
objectClass: inetOrgPerson
uid: anna
cn: Anna A
mail: Anna@Example.org
userPrincipalName: anna.a@corp.example.org
memberOf: cn=Approvers,ou=Groups,dc=example,dc=org
userAccountControl: 512

dn: uid=boris,ou=Domestic Policy,ou=pa,dc=example,dc=org
uid: boris
userPrincipalName: Boris.B@corp.example.org
displayName:: Qm9yaXMgQg==
userAccountControl: 514
department: Field
 work
)";

TEST(LdifSourceTest, ReadsPeopleWithUnitFromTheDnAndStatusFromTheAccountFlags) {
  PeopleMapping mapping;
  mapping.roles.push_back({"approver", {"Approvers"}});
  auto people = parsePeople(kLdif, "dir.ldif", *findSource("ldif"), &mapping);
  ASSERT_TRUE(people.isOk()) << people.status().message();
  ASSERT_EQ(people->size(), 2u);
  EXPECT_EQ((*people)[0].person_id, "anna");
  EXPECT_EQ((*people)[0].unit, "pa/press");
  EXPECT_EQ((*people)[0].email, "Anna@Example.org");
  EXPECT_EQ((*people)[0].upn, "anna.a@corp.example.org");
  EXPECT_THAT((*people)[0].roles, ElementsAre("approver"));
  EXPECT_EQ((*people)[0].status, EmploymentStatus::kActive);
  EXPECT_EQ((*people)[1].name, "Boris B");
  EXPECT_EQ((*people)[1].email, "");  // a user principal name is not taken for a mailbox
  EXPECT_EQ((*people)[1].upn, "Boris.B@corp.example.org");
  EXPECT_EQ((*people)[1].unit, "pa/domestic-policy");
  EXPECT_EQ((*people)[1].status, EmploymentStatus::kLeft);

  mapping.unit = "department";
  mapping.unit_prefix = "pa";
  people = parsePeople(kLdif, "dir.ldif", *findSource("ldif"), &mapping);
  ASSERT_FALSE(people.isOk());  // anna has no department: her unit is missing
  EXPECT_THAT(people.status().message(), HasSubstr("dir.ldif:8: unit: expected a value"));
}

TEST(ScimSourceTest, ReadsAListResponseWithTheEnterpriseExtension) {
  constexpr std::string_view kScim = R"({
 "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
 "totalResults": 2, "itemsPerPage": 2, "startIndex": 1,
 "Resources": [
  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "bjensen",
   "name": {"formatted": "Barbara Jensen"}, "active": true,
   "emails": [{"value": "b@example.org", "type": "home"},
              {"value": "bjensen@example.org", "type": "work", "primary": true}],
   "groups": [{"value": "g1", "display": "Phaseout Leads"}],
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
     {"department": "Tour Operations", "manager": {"value": "u2", "displayName": "John"}}},
  {"id": "u2", "userName": "J.Smith@corp.example.org", "displayName": "John Smith", "active": false,
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations"}}
 ]})";
  PeopleMapping mapping;
  mapping.roles.push_back({"campaign-lead", {"phaseout leads"}});
  auto people = parsePeople(kScim, "users.json", *findSource("scim"), &mapping);
  ASSERT_TRUE(people.isOk()) << people.status().message();
  ASSERT_EQ(people->size(), 2u);
  EXPECT_EQ((*people)[0].person_id, "bjensen");
  EXPECT_EQ((*people)[0].email, "bjensen@example.org");
  EXPECT_EQ((*people)[0].upn, "");  // "bjensen" is no user principal name
  EXPECT_EQ((*people)[1].person_id, "J.Smith@corp.example.org");
  EXPECT_EQ((*people)[1].upn, "J.Smith@corp.example.org");
  EXPECT_EQ((*people)[0].unit, "tour-operations");
  EXPECT_THAT((*people)[0].roles, ElementsAre("campaign-lead"));
  EXPECT_THAT((*people)[1].roles, ElementsAre("manager"));
  EXPECT_EQ((*people)[1].status, EmploymentStatus::kLeft);
  EXPECT_EQ(recogniseSource(kScim, SourceSchema::kPeople)->name, "scim");
  EXPECT_EQ(recogniseSource(kLdif, SourceSchema::kPeople)->name, "ldif");
  EXPECT_EQ(recogniseSource(kLdif, SourceSchema::kDevices), nullptr);
}

TEST(PeopleMappingTest, ParsesTheDocumentedSettingsAndRefusesOthers) {
  auto mapping = parsePeopleMapping(
      "unit: department\nunit_prefix: pa\nroles:\n  approver: [Approvers]\n  lead: Leads\n",
      "map.yaml");
  ASSERT_TRUE(mapping.isOk()) << mapping.status().message();
  EXPECT_EQ(mapping->unit, "department");
  ASSERT_EQ(mapping->roles.size(), 2u);
  EXPECT_THAT(mapping->roles[1].second, ElementsAre("Leads"));
  auto bad = parsePeopleMapping("unit: x\nteam: y\n", "map.yaml");
  ASSERT_FALSE(bad.isOk());
  EXPECT_THAT(bad.status().message(), HasSubstr("map.yaml:2: unknown setting \"team\""));
  EXPECT_EQ(unitSegment(" Press  Office! "), "press-office");
}

}  // namespace
}  // namespace phaseout::inventory
