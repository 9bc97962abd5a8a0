// The "scim" source: people from a SCIM 2.0 ListResponse of Users (RFC 7644 §3.4.2; the User
// and Enterprise User schemas of RFC 7643 §4), as an identity provider returns them:
// {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": [User...]}
// (pages saved one after the other, or one User, are read too). Defaults, each changeable by
// the mapping (people_map.h):
//   person_id  userName
//   name       displayName, else name.formatted
//   email      the primary emails[].value, else the first
//   upn        userName when it has the form name@domain (as identity providers that provision
//              from Active Directory or Entra ID send the user principal name)
//   unit       the enterprise extension's department
//   status     active: false -> left
//   role       groups[].display (or .value) as the mapping's roles say; people named as some
//              User's enterprise manager get the mapping's manager_role ("manager")
// Records are located by JSON pointer ("/Resources/3").
#include <array>
#include <deque>
#include <exception>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "inventory/columns.h"
#include "inventory/field_syntax.h"
#include "inventory/problems.h"
#include "inventory/sources/people_map.h"
#include "inventory/sources/source.h"

namespace phaseout::inventory {
namespace {

constexpr std::string_view kName = "scim";
constexpr std::array<std::string_view, 0> kExtensions{};
constexpr std::string_view kEnterprise =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

std::string text(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return "";
  const auto it = object.find(std::string(key));
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return "";
}

// A "/"-separated path of keys (the mapping's unit/status/person_id may name one, e.g.
// "urn:...:enterprise:2.0:User/division" or "title").
std::string at(const nlohmann::json& user, std::string_view path) {
  const nlohmann::json* node = &user;
  // The enterprise URN holds ':' and '.', never '/': split on the last '/'.
  const std::size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) {
    const auto it = node->find(std::string(path.substr(0, slash)));
    if (it == node->end()) return "";
    return text(*it, path.substr(slash + 1));
  }
  return text(*node, path);
}

void readScim(const SourceInput& input, RecordSink& sink) {
  const PeopleMapping defaults;
  const PeopleMapping& mapping = input.people_map ? *input.people_map : defaults;
  std::string_view body = input.text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t offset = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, body.size());
    sink.problem(1 + static_cast<std::size_t>(
                         std::count(body.begin(), body.begin() + static_cast<long>(offset), '\n')),
                 "", "expected valid JSON; " + printableText(e.what()));
    return;
  } catch (const std::exception& e) {
    sink.problem(1, "", "expected valid JSON; " + printableText(e.what()));
    return;
  }
  std::vector<std::pair<std::string, const nlohmann::json*>> users;
  if (doc.is_object() && doc.contains("Resources")) {
    const nlohmann::json& resources = doc["Resources"];
    if (!resources.is_array()) {
      sink.problemAt("/Resources", "", "expected an array of Users");
      return;
    }
    for (std::size_t i = 0; i < resources.size(); ++i) {
      users.emplace_back("/Resources/" + std::to_string(i), &resources[i]);
    }
  } else if (doc.is_object() && doc.contains("userName")) {
    users.emplace_back("", &doc);
  } else {
    sink.problem(1, "", "expected a SCIM ListResponse ({\"Resources\": [...]}) or a User");
    return;
  }
  // People named as someone's manager (by SCIM id).
  std::set<std::string> managers;
  for (const auto& [pointer, user] : users) {
    if (!user->is_object()) continue;
    const auto ext = user->find(std::string(kEnterprise));
    if (ext != user->end() && ext->is_object()) {
      const auto manager = ext->find("manager");
      if (manager != ext->end()) {
        const std::string id =
            manager->is_string() ? manager->get<std::string>() : text(*manager, "value");
        if (!id.empty()) managers.insert(id);
      }
    }
  }

  RawRecord record;
  record.provenance.file = input.file;
  record.provenance.source = kName;
  record.fields.resize(input.columns.size());
  std::deque<std::string> scratch;
  for (const auto& [pointer, user] : users) {
    if (!user->is_object()) {
      sink.problemAt(pointer, "", "expected a User object");
      continue;
    }
    scratch.clear();
    record.clearFields();
    const auto put = [&](std::size_t column, std::string value) {
      record.fields[column].present = true;
      record.fields[column].text = scratch.emplace_back(std::move(value));
    };
    put(kPersonId,
        mapping.person_id.empty() ? text(*user, "userName") : at(*user, mapping.person_id));
    std::string name = text(*user, "displayName");
    if (name.empty() && user->contains("name")) name = text((*user)["name"], "formatted");
    put(kPersonName, name);
    std::string email;
    if (const auto emails = user->find("emails"); emails != user->end() && emails->is_array()) {
      for (const nlohmann::json& e : *emails) {
        if (email.empty() || (e.is_object() && e.value("primary", false))) email = text(e, "value");
      }
    }
    put(kEmail, email);
    if (const std::string user_name = text(*user, "userName"); isPlausibleEmail(user_name)) {
      put(kUpn, user_name);
    }
    std::string unit;
    if (!mapping.unit.empty()) {
      unit = unitSegment(at(*user, mapping.unit));
    } else if (const auto ext = user->find(std::string(kEnterprise)); ext != user->end()) {
      unit = unitSegment(text(*ext, "department"));
    }
    if (!mapping.unit_prefix.empty() && !unit.empty()) unit = mapping.unit_prefix + "/" + unit;
    put(kUnit, unit);
    std::string status = "active";
    if (!mapping.status.empty()) {
      const std::string value = at(*user, mapping.status);
      for (const std::string& left : mapping.left_values) {
        if (iequals(trim(value), left)) status = "left";
      }
    } else if (const auto active = user->find("active");
               active != user->end() && active->is_boolean() && !active->get<bool>()) {
      status = "left";
    }
    put(kStatus, status);
    std::vector<std::string> groups;
    if (const auto g = user->find("groups"); g != user->end() && g->is_array()) {
      for (const nlohmann::json& group : *g) {
        const std::string display = text(group, "display");
        groups.push_back(display.empty() ? text(group, "value") : display);
      }
    }
    std::vector<std::string> roles = rolesOf(mapping, groups);
    if (!mapping.manager_role.empty() && managers.count(text(*user, "id")) != 0) {
      roles.push_back(mapping.manager_role);
    }
    if (!roles.empty()) {
      RawField& field = record.fields[kRole];
      field.present = true;
      field.is_array = true;
      for (const std::string& role : roles) field.items.push_back(scratch.emplace_back(role));
    }
    record.provenance.line = 0;
    record.provenance.pointer = pointer;
    if (!sink.record(record)) return;
  }
}

bool recogniseScim(std::string_view head, SourceSchema schema) {
  if (schema == SourceSchema::kDevices) return false;
  return head.find("urn:ietf:params:scim:") != std::string_view::npos;
}

}  // namespace

const Source& scimSource() {
  static const Source source{kName,
                             "SCIM 2.0 ListResponse of Users: unit from the enterprise "
                             "department, status from active (--map changes either)",
                             kExtensions,
                             &readScim,
                             SourceKind::kDirect,
                             SourceSchema::kPeople,
                             &recogniseScim,
                             "https://www.rfc-editor.org/rfc/rfc7643#section-4"};
  return source;
}

}  // namespace phaseout::inventory
