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
#include "inventory/merge.h"
#include "service/caller.h"
#include "service/workspace.h"
#include "storage/repository.h"

namespace phaseout::service {

enum class ImportKind { kPeople, kDevices };

std::string_view name(ImportKind kind);  // "people", "devices"

struct ImportRequest {
  ImportKind kind = ImportKind::kPeople;
  std::string path;    // the file to import
  std::string source;  // a registered source ("csv", "intune"); empty: recognised from the
                       // file's shape, else chosen by its extension
  Recording recording;
};

// What an import may do beyond reading a file into the store.
struct ImportOptions {
  bool full = false;     // the file is its (external) source's whole inventory: records of the
                         // source it lacks are marked missing-from-source (never deleted)
  bool dry_run = false;  // check and count everything, store nothing
  // When the file was exported (epoch ms); 0: its modification time. A record without its own
  // last-synchronised time counts as synchronised then.
  std::int64_t exported_ms = 0;
  std::string map_path;  // people sources: the mapping file (inventory/sources/people_map.h)
};

struct ImportSummary {
  std::string file;         // the path imported
  std::string source;       // the source that read it
  bool recognised = false;  // the source was recognised from the file's shape
  bool external = false;    // an external source: matched and merged (merge below)
  bool dry_run = false;     // nothing was stored
  std::size_t records = 0;
  storage::UpsertCounts counts;      // direct sources (csv, json)
  inventory::MergeCounts merge;      // external sources: per-record outcomes and review counts
  std::vector<std::string> missing;  // with full: the devices their source no longer lists
};

// Imports as `request` says. The caller must be allowed to administer ("import people",
// "import devices"), else PermissionDenied. Errors: InvalidArgument with field "from" for a
// source that is not registered or does not read this kind of record; InvalidArgument naming
// the path when it cannot be read or neither its shape nor its extension chooses a source;
// InvalidArgument with field "full" for `full` with a direct source, field "map" for a mapping
// file with a source other than ldif or scim; InvalidArgument listing
// every problem of the file ("file:line: column: expected ..." or "file:/value/3: ..."), in
// which case nothing was stored; FailedPrecondition when the database is not initialised.
// Direct sources (csv, json) upsert by id, and device holders must be people already stored.
// External sources (intune, jamf, google, fleet, snipeit) are matched and merged
// (inventory/merge.h): holders are matched to people by e-mail or user principal name
// (case-insensitive), else by person id; a holder who matches nobody is recorded as unmatched
// (the device is imported without holder, to be reviewed). One event records the import.
// `progress` is called with stage "import" and the records stored so far.
Result<ImportSummary> importInventory(const Caller& caller, Workspace& workspace,
                                      const ImportRequest& request, const ImportOptions& options,
                                      const ProgressFn& progress = {});
// The same with the default options.
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
