#include "service/caller.h"

namespace phaseout::service {

Caller Caller::localOperator(std::string actor) {
  Caller c;
  c.actor = std::move(actor);
  c.scope.all_units = true;
  c.scope.may_act = true;
  c.scope.may_administer = true;
  c.scope.may_read_audit = true;
  return c;
}

bool Caller::seesUnit(std::string_view unit) const {
  if (scope.all_units) return true;
  for (const auto& root : scope.unit_subtrees) {
    if (unit == root) return true;
    if (unit.size() > root.size() && unit.substr(0, root.size()) == root &&
        unit[root.size()] == '/') {
      return true;
    }
  }
  return false;
}

bool Caller::sees(std::string_view unit, std::string_view holder) const {
  if (!scope.own_person.empty() && holder == scope.own_person) return true;
  return seesUnit(unit);
}

Status Caller::mayAct(std::string_view unit, std::string_view holder, std::string_view what) const {
  if (!sees(unit, holder)) return notFound(std::string(what) + " not found");
  if (scope.may_act && seesUnit(unit)) return Status::ok();
  return permissionDenied("not allowed to change " + std::string(what));
}

Status Caller::mayAdminister(std::string_view action) const {
  if (scope.may_administer) return Status::ok();
  return permissionDenied("not allowed to " + std::string(action));
}

Status Caller::mayRecordSightings() const {
  if (scope.may_administer || scope.may_record_sightings) return Status::ok();
  return permissionDenied("not allowed to record sightings");
}

Status Caller::mayReadAudit() const {
  if (scope.may_read_audit) return Status::ok();
  return permissionDenied("not allowed to read the audit trail");
}

}  // namespace phaseout::service
