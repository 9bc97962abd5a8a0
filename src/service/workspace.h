// Workspace: the use cases of the directive core over one database — init, import, directive
// versions, status as of a date. The CLI and (later) the HTTP server are thin peers over it.
//
// Every mutating use case is one transaction: a failed import or a refused directive changes
// nothing. A Workspace is not thread-safe; open one per thread or process.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

struct ImportSummary {
  std::string file;
  std::size_t records = 0;
  storage::UpsertCounts counts;
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
  std::vector<inventory::Device> devices;
  policy::Evaluation evaluation;

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

  Result<ImportSummary> importPeople(const std::string& path, const ProgressFn& progress = {});
  Result<ImportSummary> importDevices(const std::string& path, const ProgressFn& progress = {});
  Result<ImportSummary> importPeopleText(std::string_view text, std::string_view source_name);
  Result<ImportSummary> importDevicesText(std::string_view text, std::string_view source_name);

  Result<DirectiveAdded> addDirectiveFile(const std::string& path, std::int64_t now_ms);
  Result<DirectiveAdded> addDirectiveText(const std::string& text, std::string_view source_name,
                                          std::int64_t now_ms);
  Result<std::vector<storage::DirectiveRecord>> listDirectives();
  // version 0: the latest.
  Result<std::pair<policy::Directive, storage::DirectiveRecord>> directive(
      const std::string& directive_id, std::int64_t version = 0);

  // Evaluates the stored directive over the stored inventory as of `as_of`.
  Result<StatusResult> status(const std::string& directive_id, Date as_of);

  storage::Repository& repository() { return *repository_; }

 private:
  explicit Workspace(std::unique_ptr<storage::Connection> connection);
  // `source` names the input in messages and decides the format by its extension.
  Result<ImportSummary> importPeopleImpl(std::string_view text, std::string_view source,
                                         const ProgressFn& progress);
  Result<ImportSummary> importDevicesImpl(std::string_view text, std::string_view source,
                                          const ProgressFn& progress);

  std::unique_ptr<storage::Connection> connection_;
  std::unique_ptr<storage::Repository> repository_;
};

// Reads a whole file; InvalidArgument naming the path when it cannot be read.
Result<std::string> readFile(const std::string& path);

}  // namespace phaseout::service
