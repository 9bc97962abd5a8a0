// Directive use cases: validate a file, add a version, list and show the stored ones, and the
// default-directive rule every campaign use case shares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "policy/directive.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct DirectiveAdded {
  policy::Directive directive;
  std::int64_t version = 0;
  bool created = false;  // false when identical to the latest stored version
};

// One stored directive version, as listed.
struct DirectiveInfo {
  std::string directive_id;
  std::int64_t version = 0;
  std::string title;
  Date valid_from;  // in force from
  std::int64_t recorded_ms = 0;
  std::string actor;  // who added it
};

struct DirectiveShown {
  policy::Directive directive;
  DirectiveInfo info;
  std::string source_text;  // the YAML as added
};

// Reads and validates a directive file; reads no stored data, so any caller may.
Result<policy::Directive> checkDirectiveFile(const Caller& caller, const std::string& path);

// A directive version takes effect on recording.on, or else on the directive's issue date.
// PermissionDenied unless the caller may administer.
Result<DirectiveAdded> addDirectiveFile(const Caller& caller, Workspace& ws,
                                        const std::string& path, const Recording& recording);
Result<DirectiveAdded> addDirectiveText(const Caller& caller, Workspace& ws,
                                        const std::string& text, std::string_view source_name,
                                        const Recording& recording);
// The latest version of each directive. Directives are the organisation's rules: every
// caller may read them.
Result<std::vector<DirectiveInfo>> listDirectives(const Caller& caller, Workspace& ws);
// version 0: the latest. NotFound for an unknown directive or version.
Result<DirectiveShown> showDirective(const Caller& caller, Workspace& ws,
                                     const std::string& directive_id, std::int64_t version = 0);

// The default-directive rule: the directive named, or the only one stored. Errors concern the
// directive: FailedPrecondition when none is stored; InvalidArgument on the field "directive"
// when several are and none is named.
Result<std::string> resolveDirective(const Caller& caller, Workspace& ws, const std::string& given);

// How the CLI prints these results (text lines, or one JSON value and a newline).
std::string directiveCheckText(const std::string& path, const policy::Directive& directive);
std::string directiveCheckJson(const std::string& path, const policy::Directive& directive);
std::string directiveAddedText(const DirectiveAdded& added);
std::string directiveAddedJson(const DirectiveAdded& added);
std::string directiveListText(const std::vector<DirectiveInfo>& list);
std::string directiveListJson(const std::vector<DirectiveInfo>& list);
std::string directiveShownText(const DirectiveShown& shown);
std::string directiveShownJson(const DirectiveShown& shown);

}  // namespace phaseout::service
