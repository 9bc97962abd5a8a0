#include "inventory/sources/people_map.h"

#include <yaml-cpp/yaml.h>

#include <exception>

#include "core/strings.h"

namespace phaseout::inventory {
namespace {

Status problem(std::string_view file, const YAML::Node& node, std::string_view what) {
  return invalidArgument(std::string(file) + ":" + std::to_string(node.Mark().line + 1) + ": " +
                         std::string(what));
}

std::vector<std::string> stringList(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) out.push_back(item.as<std::string>());
  }
  return out;
}

// The name of a group: "Approvers" for "cn=Approvers,ou=Groups,...", else the text itself.
std::string_view groupName(std::string_view group) {
  const std::size_t eq = group.find('=');
  if (eq == std::string_view::npos) return group;
  const std::size_t comma = group.find(',', eq);
  return trim(group.substr(eq + 1, comma == std::string_view::npos ? comma : comma - eq - 1));
}

}  // namespace

Result<PeopleMapping> parsePeopleMapping(std::string_view yaml, std::string_view file) {
  PeopleMapping mapping;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) return mapping;
    if (!root.IsMap()) return problem(file, root, "expected a mapping of settings");
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.as<std::string>();
      const YAML::Node value = it->second;
      if (key == "person_id" || key == "unit" || key == "unit_prefix" || key == "status" ||
          key == "manager_role") {
        if (!value.IsScalar()) return problem(file, value, key + ": expected a single value");
        const std::string text = value.as<std::string>();
        if (key == "person_id") mapping.person_id = text;
        if (key == "unit") mapping.unit = text;
        if (key == "unit_prefix") mapping.unit_prefix = text;
        if (key == "status") mapping.status = text;
        if (key == "manager_role") mapping.manager_role = toLower(text);
      } else if (key == "left_values") {
        mapping.left_values = stringList(value);
      } else if (key == "roles") {
        if (!value.IsMap()) return problem(file, value, "roles: expected role: [groups]");
        for (auto role = value.begin(); role != value.end(); ++role) {
          mapping.roles.emplace_back(toLower(role->first.as<std::string>()),
                                     stringList(role->second));
        }
      } else {
        return problem(file, it->first,
                       "unknown setting \"" + key +
                           "\"; expected person_id, unit, unit_prefix, status, left_values, "
                           "roles or manager_role");
      }
    }
  } catch (const YAML::Exception& e) {
    return invalidArgument(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ": " +
                           e.msg);
  } catch (const std::exception& e) {
    return invalidArgument(std::string(file) + ": " + e.what());
  }
  return mapping;
}

std::string unitSegment(std::string_view text) {
  std::string out;
  for (char c : trim(text)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '\t') c = '-';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
      if (c == '-' && !out.empty() && out.back() == '-') continue;
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  if (out == "." || out == "..") out.clear();
  return out;
}

std::vector<std::string> rolesOf(const PeopleMapping& mapping,
                                 const std::vector<std::string>& groups) {
  std::vector<std::string> out;
  for (const auto& [role, role_groups] : mapping.roles) {
    bool has = false;
    for (const std::string& group : groups) {
      for (const std::string& wanted : role_groups) {
        if (iequals(trim(group), trim(wanted)) || iequals(groupName(group), trim(wanted))) {
          has = true;
        }
      }
    }
    if (has) out.push_back(role);
  }
  return out;
}

}  // namespace phaseout::inventory
