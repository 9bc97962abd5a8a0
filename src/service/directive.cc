#include "service/directive.h"

#include "service/workspace_access.h"

namespace phaseout::service {
namespace {

DirectiveInfo infoOf(const storage::DirectiveRecord& r) {
  return DirectiveInfo{r.directive_id, r.version, r.title, r.valid_from, r.recorded_ms, r.actor};
}

}  // namespace

Result<policy::Directive> checkDirectiveFile(const Caller& /*caller*/, const std::string& path) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return policy::parseDirective(text, path);
}

Result<DirectiveAdded> addDirectiveFile(const Caller& caller, Workspace& ws,
                                        const std::string& path, const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("add directives"));
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return addDirectiveText(caller, ws, text, path, recording);
}

Result<DirectiveAdded> addDirectiveText(const Caller& caller, Workspace& ws,
                                        const std::string& text, std::string_view source_name,
                                        const Recording& recording) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("add directives"));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto directive, policy::parseDirective(text, source_name));
  const Date valid_from = recording.on.value_or(directive.issued);
  PH_ASSIGN_OR_RETURN(
      auto outcome, repo.addDirective(directive.id, directive.title, text, valid_from,
                                      changeContext(caller, recording, std::string(source_name))));
  DirectiveAdded added;
  added.directive = std::move(directive);
  added.version = outcome.version;
  added.created = outcome.created;
  return added;
}

Result<std::vector<DirectiveInfo>> listDirectives(const Caller& /*caller*/, Workspace& ws) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto records, repo.listDirectives());
  std::vector<DirectiveInfo> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back(infoOf(r));
  return out;
}

Result<DirectiveShown> showDirective(const Caller& /*caller*/, Workspace& ws,
                                     const std::string& directive_id, std::int64_t version) {
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto record, repo.getDirective(directive_id, version));
  PH_ASSIGN_OR_RETURN(auto parsed, parseStoredDirective(record));
  DirectiveShown shown;
  shown.directive = std::move(parsed);
  shown.info = infoOf(record);
  shown.source_text = std::move(record.source_text);
  return shown;
}

Result<std::string> resolveDirective(const Caller& caller, Workspace& ws,
                                     const std::string& given) {
  if (!given.empty()) return given;
  PH_ASSIGN_OR_RETURN(auto list, listDirectives(caller, ws));
  if (list.size() == 1) return list.front().directive_id;
  if (list.empty()) {
    return failedPrecondition(
        "no directives stored; add one with 'phaseout directive add FILE.yaml'");
  }
  return invalidField("directive",
                      "several directives are stored; name one (see 'phaseout directive list')");
}

}  // namespace phaseout::service
