// The mapping of a directory's people to phaseout's (`import people --map FILE.yaml`): which
// attribute or group gives the unit, the status and each role. Everything is optional; the
// defaults are the directory's usual places (docs/importers.md):
//
//   person_id: uid            # ldif: uid, else sAMAccountName; scim: userName
//   unit: department          # ldif: the DN's ou path; scim: the enterprise department
//   unit_prefix: pa           # prepended to every unit ("pa/press")
//   status: employeeStatus    # ldif: userAccountControl (ACCOUNTDISABLE = left); scim: active
//   left_values: [terminated, inactive]   # values of `status` that mean left
//   roles:                    # a role per group: a group's DN or its name (CN / SCIM display)
//     approver: [cn=Approvers,ou=Groups,dc=example,dc=org]
//     campaign-lead: [Phaseout Leads]
//   manager_role: manager     # scim: the role of people named as someone's manager ("" = none)
//
// Units are made paths the import accepts: lower-cased, spaces to '-', other characters outside
// [a-z0-9._-] dropped.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace phaseout::inventory {

struct PeopleMapping {
  std::string person_id;  // "" = the source's default
  std::string unit;       // "" = the source's default
  std::string unit_prefix;
  std::string status;  // "" = the source's default
  std::vector<std::string> left_values{"left", "inactive", "disabled", "terminated", "false"};
  std::vector<std::pair<std::string, std::vector<std::string>>> roles;  // role -> groups
  std::string manager_role = "manager";
};

// Parses a mapping file; InvalidArgument "file:line: what" for anything it does not know.
Result<PeopleMapping> parsePeopleMapping(std::string_view yaml, std::string_view file);

// "Press Office" -> "press-office"; "" when nothing is left.
std::string unitSegment(std::string_view text);
// The roles `groups` give under `mapping` (a group matches by its DN or its name,
// case-insensitively; a DN's name is its first RDN's value).
std::vector<std::string> rolesOf(const PeopleMapping& mapping,
                                 const std::vector<std::string>& groups);

}  // namespace phaseout::inventory
