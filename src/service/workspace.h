// Workspace: the use cases of the directive core over one database — init, directive versions,
// status as of a date (imports: service/import.h). The CLI and (later) the HTTP server are thin
// peers over it.
//
// Every mutating use case is one transaction: a failed import or a refused directive changes
// nothing. A Workspace is not thread-safe; open one per thread or process.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/progress.h"
#include "campaign/waiver.h"
#include "core/date.h"
#include "core/status.h"
#include "inventory/model.h"
#include "policy/directive.h"
#include "policy/evaluator.h"
#include "storage/connection.h"
#include "storage/repository.h"

namespace phaseout::service {

// Called during long work: stage ("parse", "store"), units done, total (0 when unknown).
using ProgressFn = std::function<void(std::string_view stage, std::size_t done, std::size_t total)>;

// Who records a change and when it takes effect. `on` empty means today (the day of now_ms,
// UTC) for changes; records new to the store then form the baseline, valid before any date.
struct Recording {
  std::optional<Date> on;
  std::string actor = "unknown";
  std::int64_t now_ms = 0;

  Date today() const { return Date::fromEpochMs(now_ms); }
};

struct DirectiveAdded {
  policy::Directive directive;
  std::int64_t version = 0;
  bool created = false;  // false when identical to the latest stored version
};

// The world as evaluated: owns the records the verdicts point into. Move-only.
struct StatusResult {
  policy::Directive directive;
  std::int64_t directive_version = 0;
  std::vector<inventory::Person> people;
  std::vector<inventory::Device> devices;  // every state, as of the day
  std::vector<campaign::Waiver> waivers;   // the directive's waivers (applied to the verdicts)
  policy::Evaluation evaluation;
  std::vector<campaign::MilestoneCheck> milestones;

  StatusResult() = default;
  StatusResult(StatusResult&&) = default;
  StatusResult& operator=(StatusResult&&) = default;
  StatusResult(const StatusResult&) = delete;
  StatusResult& operator=(const StatusResult&) = delete;
};

// Reads and validates a directive file without touching any database.
Result<policy::Directive> checkDirectiveFile(const std::string& path);

class Workspace {
 public:
  // Opens (creating when missing) the SQLite database at `db_path`. Does not migrate.
  static Result<std::unique_ptr<Workspace>> open(const std::string& db_path);

  // Creates or upgrades the schema; safe to run again.
  Status init();

  // A directive version takes effect on recording.on, or else on the directive's issue date.
  Result<DirectiveAdded> addDirectiveFile(const std::string& path, const Recording& recording);
  Result<DirectiveAdded> addDirectiveText(const std::string& text, std::string_view source_name,
                                          const Recording& recording);
  Result<std::vector<storage::DirectiveRecord>> listDirectives();
  // version 0: the latest.
  Result<std::pair<policy::Directive, storage::DirectiveRecord>> directive(
      const std::string& directive_id, std::int64_t version = 0);

  // Evaluates the directive version in force on `as_of` over the people and devices as they
  // were on that day, applies the waivers active that day, and measures each milestone.
  Result<StatusResult> status(const std::string& directive_id, Date as_of);

  // Walks the audit trail (storage::Repository::verifyAudit), digesting the stored rows on a
  // second connection and thread when the database is a file.
  Result<storage::AuditVerification> verifyAudit();

  storage::Repository& repository() { return *repository_; }
  // A second connection to the same database, for a use case's helper thread; nullptr when
  // there is none to have (an in-memory database) or it cannot be opened (the caller then
  // does the work on one connection).
  std::unique_ptr<storage::Connection> openReader();
  // The change a use case records: by recording.actor at recording.now_ms, effective on
  // recording.on (or today), from `source` (the input named in the audit trail).
  storage::ChangeContext changeContext(const Recording& recording, std::string_view source) const;

 private:
  Workspace(std::unique_ptr<storage::Connection> connection, std::string db_path);

  std::string db_path_;  // for status's second reader; ":memory:" has none
  std::unique_ptr<storage::Connection> connection_;
  std::unique_ptr<storage::Repository> repository_;
};

// Reads a whole file; InvalidArgument naming the path when it cannot be read.
Result<std::string> readFile(const std::string& path);

}  // namespace phaseout::service
