// Service-internal: how the use cases of this folder reach a Workspace's storage. Front doors
// (cli, server) never include this header; they go through the use cases, which filter every
// read by the Caller and check every write against it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "service/caller.h"
#include "service/workspace.h"
#include "storage/connection.h"
#include "storage/repository.h"

namespace phaseout::service {

class WorkspaceAccess {
 public:
  static storage::Repository& repository(Workspace& ws) { return *ws.repository_; }
  // The path or URL the workspace was opened with.
  static const std::string& dbPath(const Workspace& ws) { return ws.db_path_; }
  // A second connection for a helper thread, or nullptr (see Workspace::openReader).
  static std::unique_ptr<storage::Connection> openReader(Workspace& ws) { return ws.openReader(); }
};

// The one description of a change a use case records: by the caller (the audit trail's actor
// is always who asked, never a separate field), at recording.now_ms, from `source`, effective on
// `effective` when the use case fixes the day, else on recording.on, else today. Only an import
// given no day leaves the day open (records new to the store then form the baseline).
storage::ChangeContext changeContext(const Caller& caller, const Recording& recording,
                                     std::string source, std::optional<Date> effective = {});

// Parses a stored directive version; DataLoss when the stored text no longer parses.
Result<policy::Directive> parseStoredDirective(const storage::DirectiveRecord& record);

}  // namespace phaseout::service
