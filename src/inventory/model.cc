#include "inventory/model.h"

namespace phaseout::inventory {

std::string_view name(EmploymentStatus s) { return s == EmploymentStatus::kLeft ? "left" : "active"; }

}  // namespace phaseout::inventory
