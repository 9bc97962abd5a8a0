// Renders the directive use cases' results for the CLI.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "service/directive.h"

namespace phaseout::service {
namespace {

using nlohmann::ordered_json;

std::string milestonesText(const policy::Directive& d) {
  std::string out;
  for (const auto& m : d.milestones) {
    if (!out.empty()) out += ", ";
    out += m.name + " by " + m.due.toString();
  }
  return out;
}

}  // namespace

std::string directiveCheckText(const std::string& path, const policy::Directive& d) {
  return path + ": valid directive " + d.id + " (" + std::to_string(d.ban.size()) + " ban rules; " +
         milestonesText(d) + ")\n";
}

std::string directiveCheckJson(const std::string& path, const policy::Directive& d) {
  return ordered_json{{"file", path}, {"valid", true}, {"id", d.id}}.dump() + "\n";
}

std::string directiveAddedText(const DirectiveAdded& added) {
  const std::string version = std::to_string(added.version);
  if (added.created) {
    return "added directive " + added.directive.id + " version " + version + ": " +
           added.directive.title + "\n";
  }
  return "directive " + added.directive.id + " unchanged (version " + version + ")\n";
}

std::string directiveAddedJson(const DirectiveAdded& added) {
  return ordered_json{
             {"id", added.directive.id}, {"version", added.version}, {"created", added.created}}
             .dump() +
         "\n";
}

std::string directiveListText(const std::vector<DirectiveInfo>& list) {
  if (list.empty()) return "no directives; add one with 'phaseout directive add FILE.yaml'\n";
  std::string out;
  char line[1024];
  std::snprintf(line, sizeof line, "%-28s %7s  %s\n", "ID", "VERSION", "TITLE");
  out += line;
  for (const auto& r : list) {
    // The title may be long: the fixed columns are formatted, the title appended whole.
    std::snprintf(line, sizeof line, "%-28s %7lld  ", r.directive_id.c_str(),
                  static_cast<long long>(r.version));
    out += line;
    out += r.title + "\n";
  }
  return out;
}

std::string directiveListJson(const std::vector<DirectiveInfo>& list) {
  auto arr = ordered_json::array();
  for (const auto& r : list) {
    arr.push_back({{"id", r.directive_id},
                   {"version", r.version},
                   {"title", r.title},
                   {"in_force_from", r.valid_from.toString()},
                   {"added_at", formatUtcTimestamp(r.recorded_ms)},
                   {"added_by", r.actor}});
  }
  return arr.dump() + "\n";
}

std::string directiveShownText(const DirectiveShown& shown) {
  const policy::Directive& d = shown.directive;
  const DirectiveInfo& info = shown.info;
  std::string out = "# " + d.id + " version " + std::to_string(info.version) + ", in force from " +
                    info.valid_from.toString() + ", added " + formatUtcTimestamp(info.recorded_ms) +
                    " by " + info.actor + "\n# issued " + d.issued.toString() + " by " + d.issuer +
                    "; milestones: " + milestonesText(d) + "\n" + shown.source_text;
  if (!shown.source_text.empty() && shown.source_text.back() != '\n') out += "\n";
  return out;
}

std::string directiveShownJson(const DirectiveShown& shown) {
  const policy::Directive& d = shown.directive;
  const DirectiveInfo& info = shown.info;
  return ordered_json{{"id", d.id},
                      {"version", info.version},
                      {"title", d.title},
                      {"issued", d.issued.toString()},
                      {"issuer", d.issuer},
                      {"in_force_from", info.valid_from.toString()},
                      {"added_at", formatUtcTimestamp(info.recorded_ms)},
                      {"added_by", info.actor},
                      {"source", shown.source_text}}
             .dump() +
         "\n";
}

}  // namespace phaseout::service
