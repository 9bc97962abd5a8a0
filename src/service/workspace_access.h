// Service-internal: how the use cases of this folder reach a Workspace's storage. Front doors
// (cli, server) never include this header; they go through the use cases, which filter every
// read by the Caller and check every write against it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

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
  // The change a recording describes: effective on recording.on (given) or today (not given).
  static storage::ChangeContext changeContext(const Workspace& ws, const Recording& recording,
                                              std::string_view source) {
    return ws.changeContext(recording, source);
  }
};

// Parses a stored directive version; DataLoss when the stored text no longer parses.
Result<policy::Directive> parseStoredDirective(const storage::DirectiveRecord& record);

}  // namespace phaseout::service
