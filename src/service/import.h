// The import use case: people or devices from one file, read by a registered import source
// (inventory/sources/registry.h), checked once by the import path (inventory/importer.h) and
// upserted by id in one write transaction. All or nothing: a refused import stores nothing.
//
// Speed: the file is parsed on a second thread while this one stores, batch by batch, so a
// million devices import in about the time the parse alone takes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"
#include "storage/repository.h"

namespace phaseout::service {

enum class ImportKind { kPeople, kDevices };

std::string_view name(ImportKind kind);  // "people", "devices"

struct ImportRequest {
  ImportKind kind = ImportKind::kPeople;
  std::string path;    // the file to import
  std::string source;  // a registered source ("csv", "json"); empty: by the file's extension
  Recording recording;
};

struct ImportSummary {
  std::string file;    // the path imported
  std::string source;  // the source that read it
  std::size_t records = 0;
  storage::UpsertCounts counts;
};

// Imports as `request` says. The caller must be allowed to administer ("import people",
// "import devices"), else PermissionDenied. Errors: InvalidArgument with field "from" for a
// source that is not registered; InvalidArgument naming the path when it cannot be read or its
// extension chooses no source; InvalidArgument listing every problem of the file
// ("file:line: column: expected ..."), in which case nothing was stored; FailedPrecondition
// when the database is not initialised. Device holders must be people already stored.
// `progress` is called with stage "import" and the records stored so far.
Result<ImportSummary> importInventory(const Caller& caller, Workspace& workspace,
                                      const ImportRequest& request,
                                      const ProgressFn& progress = {});

// The import sources a request may name, in registration order, for help texts and forms.
struct ImportSourceInfo {
  std::string name;                     // "csv"
  std::string description;              // one line
  std::vector<std::string> extensions;  // ".csv": chosen by default for such files
};
std::vector<ImportSourceInfo> importSources();

}  // namespace phaseout::service
