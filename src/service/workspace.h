// Workspace: one open database and the use cases of the directive core over it — init, status
// as of a date (imports: service/import.h; directives: service/directive.h). The CLI and (later)
// the HTTP server are thin peers over it; they never reach its storage (only service code does,
// through service/workspace_access.h).
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
#include "service/caller.h"
#include "storage/connection.h"
#include "storage/repository.h"

namespace phaseout::service {

// Called during long work: stage ("parse", "store"), units done, total (0 when unknown).
using ProgressFn = std::function<void(std::string_view stage, std::size_t done, std::size_t total)>;

// When a change is recorded and when it takes effect (who records it is the Caller). `on` empty
// means today (the day of now_ms, UTC) for changes; records new to the store then form the
// baseline, valid before any date.
struct Recording {
  std::optional<Date> on;
  std::int64_t now_ms = 0;

  Date today() const { return Date::fromEpochMs(now_ms); }
  // The day the change takes effect: `on`, else today.
  Date day() const { return on.value_or(today()); }
};

// What "today" is, once: a read as of `at`, or else the UTC day of `now_ms` (the front door
// reads the clock and passes it down; nothing below it does).
inline Date dayOrToday(const std::optional<Date>& at, std::int64_t now_ms) {
  return at.value_or(Date::fromEpochMs(now_ms));
}

// The world as evaluated, as the caller sees it: owns the records the verdicts point into.
// Move-only.
struct StatusResult {
  policy::Directive directive;
  std::int64_t directive_version = 0;
  std::vector<inventory::Person> people;   // those the caller sees
  std::vector<inventory::Device> devices;  // every state, as of the day; held by those people
  std::vector<campaign::Waiver> waivers;   // the directive's waivers (applied to the verdicts)
  policy::Evaluation evaluation;
  std::vector<campaign::MilestoneCheck> milestones;

  StatusResult() = default;
  StatusResult(StatusResult&&) = default;
  StatusResult& operator=(StatusResult&&) = default;
  StatusResult(const StatusResult&) = delete;
  StatusResult& operator=(const StatusResult&) = delete;
};

class Workspace {
 public:
  // Opens the database `db_path` names: a path or URL for storage::open (storage/open.h), e.g.
  // "phaseout.db" or "sqlite:///var/lib/phaseout.db"; an SQLite file is created when missing.
  // Does not migrate. InvalidArgument with field "db" for a malformed URL, an unknown scheme or
  // an engine not built in (PostgreSQL); Unavailable / DataLoss when the database cannot be
  // opened or is not one.
  static Result<std::unique_ptr<Workspace>> open(const std::string& db_path);

  // Creates or upgrades the schema; safe to run again.
  Status init();

  // Ok once the schema is current; FailedPrecondition naming `phaseout init` otherwise.
  Status checkReady();

  // Evaluates the directive version in force on `as_of` over the people and devices as they
  // were on that day, applies the waivers active that day, and measures each milestone. A
  // caller with a narrower scope gets the evaluation of what it sees: the people of its units
  // (and itself) and the devices they hold.
  Result<StatusResult> status(const Caller& caller, const std::string& directive_id, Date as_of);

 private:
  // Storage stays behind the use cases: only service code reaches it (service/workspace_access.h).
  friend class WorkspaceAccess;

  // A second connection to the same database, for a use case's helper thread; nullptr when
  // there is none to have (an in-memory database) or it cannot be opened (the caller then
  // does the work on one connection).
  std::unique_ptr<storage::Connection> openReader();

  Workspace(std::unique_ptr<storage::Connection> connection, std::string db_path);

  std::string db_path_;  // the path or URL, for status's second reader; ":memory:" has none
  std::unique_ptr<storage::Connection> connection_;
  std::unique_ptr<storage::Repository> repository_;
};

// Reads a whole file; InvalidArgument naming the path when it cannot be read.
Result<std::string> readFile(const std::string& path);

}  // namespace phaseout::service
