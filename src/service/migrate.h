// Moving a phaseout database to another engine: `phaseout migrate --from sqlite:///a.db
// --to postgresql://...` copies every table, the audit chain included, into a new, empty
// database, so that `audit verify` passes on the copy as on the original. The copy is recorded
// on the target as one more audit entry ("database.copy", by the caller).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct MigrateRequest {
  std::string from;  // a database URL or path (storage::open)
  std::string to;
};

struct MigratedTable {
  std::string table;
  std::int64_t rows = 0;
};

struct MigrateResult {
  std::vector<MigratedTable> tables;
  std::int64_t rows = 0;
  std::int64_t events = 0;  // audit entries copied
};

// Needs Caller::mayAdminister. Errors: InvalidArgument with field "from"/"to" for a malformed
// URL, or when both name the same database; FailedPrecondition when the source's schema is not
// current or the target holds rows already; the engines' errors (Unavailable, ...). No row is
// written to the target unless the whole copy succeeds (its schema is created first, in a
// transaction of its own). Messages never repeat the URLs.
Result<MigrateResult> migrateDatabase(const Caller& caller, const MigrateRequest& request,
                                      const Recording& recording);

// "copied N rows (E audit entries) in T tables" and one line per table; JSON
// {"rows", "events", "tables": {"name": rows, ...}} and a newline.
std::string migrateResultText(const MigrateResult& result);
std::string migrateResultJson(const MigrateResult& result);

}  // namespace phaseout::service
