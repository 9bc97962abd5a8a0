// Caller: who is asking a use case, and the Scope of what they may see and do.
//
// Every service call takes a Caller. Service filters every read by its scope and checks every
// write against it, so the CLI, the HTTP API and the pages cannot disagree about who may do
// what. The CLI passes Caller::localOperator (the person at the terminal owns the database
// file, so they see and do everything); the server derives a Caller from a session or token.
//
// Refusals never leak existence: a thing outside the caller's view is NotFound, exactly as if
// it did not exist; a thing in view that the caller may not change is PermissionDenied.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace phaseout::service {

struct Scope {
  // Units whose subtree the caller sees ("pa/press" covers "pa/press" and "pa/press/desk").
  // Ignored when all_units is set.
  std::vector<std::string> unit_subtrees;
  bool all_units = false;
  // The caller's own person id: a holder sees their own devices and cases wherever their unit
  // is. Empty for callers who are not people of the directory (the local operator).
  std::string own_person;
  bool may_act = false;               // dispositions, replacements, case steps in the units seen
  bool may_administer = false;        // imports, directives, waivers, reminders (every unit)
  bool may_read_audit = false;        // the audit trail and its verification
  bool may_record_sightings = false;  // what a network sensor saw (a sensor token has only this)
};

struct Caller {
  std::string actor;      // the name kept in the audit trail for what this caller records
  std::string person_id;  // the directory person, or empty (local operator, service account)
  Scope scope;

  // The operator at the terminal: full scope, recorded under `actor`.
  static Caller localOperator(std::string actor);

  // True when `unit` is inside one of the scope's subtrees (or the scope has every unit).
  bool seesUnit(std::string_view unit) const;
  // True when a record of `unit` held by `holder` is visible to this caller.
  bool sees(std::string_view unit, std::string_view holder) const;
  // Ok when the caller may act on a record of `unit` held by `holder`; NotFound (naming
  // `what`, as if absent) when it is out of view; PermissionDenied when in view but read-only.
  Status mayAct(std::string_view unit, std::string_view holder, std::string_view what) const;
  // Ok, or PermissionDenied naming the action, for organisation-wide changes.
  Status mayAdminister(std::string_view action) const;
  Status mayReadAudit() const;
  // Ok for an administrator or a sensor; PermissionDenied otherwise.
  Status mayRecordSightings() const;
};

}  // namespace phaseout::service
