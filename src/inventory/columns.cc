#include "inventory/columns.h"

#include "core/strings.h"

namespace phaseout::inventory {

std::optional<std::size_t> findColumn(Columns columns, std::string_view name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (iequals(columns[i].name, name)) return i;
  }
  return std::nullopt;
}

std::string columnList(Columns columns) {
  std::string out;
  for (const ColumnSpec& spec : columns) {
    if (!out.empty()) out += ", ";
    out += spec.name;
  }
  return out;
}

std::string maskNames(Columns columns, ColumnMask mask) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if ((mask & (ColumnMask{1} << i)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += columns[i].name;
  }
  return out;
}

}  // namespace phaseout::inventory
