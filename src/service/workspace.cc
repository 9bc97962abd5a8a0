#include "service/workspace.h"

#include <fstream>
#include <iterator>
#include <unordered_set>

#include "inventory/import_parser.h"
#include "storage/sqlite_connection.h"

namespace phaseout::service {

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalidArgument(path + ": cannot open file");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return invalidArgument(path + ": read error");
  return text;
}

Result<policy::Directive> checkDirectiveFile(const std::string& path) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return policy::parseDirective(text, path);
}

Workspace::Workspace(std::unique_ptr<storage::Connection> connection)
    : connection_(std::move(connection)),
      repository_(std::make_unique<storage::Repository>(*connection_)) {}

Result<std::unique_ptr<Workspace>> Workspace::open(const std::string& db_path) {
  PH_ASSIGN_OR_RETURN(auto conn, storage::openSqlite(db_path));
  return std::unique_ptr<Workspace>(new Workspace(std::move(conn)));
}

Status Workspace::init() { return repository_->migrate(); }

Result<ImportSummary> Workspace::importPeople(const std::string& path,
                                              const ProgressFn& progress) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return importPeopleImpl(text, path, progress);
}

Result<ImportSummary> Workspace::importDevices(const std::string& path,
                                               const ProgressFn& progress) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return importDevicesImpl(text, path, progress);
}

Result<ImportSummary> Workspace::importPeopleText(std::string_view text,
                                                  std::string_view source_name) {
  return importPeopleImpl(text, source_name, {});
}

Result<ImportSummary> Workspace::importDevicesText(std::string_view text,
                                                   std::string_view source_name) {
  return importDevicesImpl(text, source_name, {});
}

Result<ImportSummary> Workspace::importPeopleImpl(std::string_view text, std::string_view source,
                                                  const ProgressFn& progress) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto format, inventory::formatForPath(source));
  if (progress) progress("parse", 0, 0);
  PH_ASSIGN_OR_RETURN(auto people, inventory::parsePeople(text, source, format));
  ImportSummary summary;
  summary.file = std::string(source);
  summary.records = people.size();
  auto row_progress = [&](std::size_t done, std::size_t total) {
    if (progress) progress("store", done, total);
  };
  PH_ASSIGN_OR_RETURN(summary.counts, repository_->upsertPeople(people, row_progress));
  return summary;
}

Result<ImportSummary> Workspace::importDevicesImpl(std::string_view text, std::string_view source,
                                                   const ProgressFn& progress) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto format, inventory::formatForPath(source));
  PH_ASSIGN_OR_RETURN(auto ids, repository_->loadPersonIds());
  std::unordered_set<std::string_view> known(ids.begin(), ids.end());
  if (progress) progress("parse", 0, 0);
  PH_ASSIGN_OR_RETURN(auto devices,
                      inventory::parseDevices(text, source, format,
                                              [&](std::string_view id) {
                                                return known.count(id) > 0;
                                              }));
  ImportSummary summary;
  summary.file = std::string(source);
  summary.records = devices.size();
  auto row_progress = [&](std::size_t done, std::size_t total) {
    if (progress) progress("store", done, total);
  };
  PH_ASSIGN_OR_RETURN(summary.counts, repository_->upsertDevices(devices, row_progress));
  return summary;
}

Result<DirectiveAdded> Workspace::addDirectiveFile(const std::string& path, std::int64_t now_ms) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return addDirectiveText(text, path, now_ms);
}

Result<DirectiveAdded> Workspace::addDirectiveText(const std::string& text,
                                                   std::string_view source_name,
                                                   std::int64_t now_ms) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto directive, policy::parseDirective(text, source_name));
  PH_ASSIGN_OR_RETURN(auto outcome,
                      repository_->addDirective(directive.id, directive.title, text, now_ms));
  DirectiveAdded added;
  added.directive = std::move(directive);
  added.version = outcome.version;
  added.created = outcome.created;
  return added;
}

Result<std::vector<storage::DirectiveRecord>> Workspace::listDirectives() {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  return repository_->listDirectives();
}

Result<std::pair<policy::Directive, storage::DirectiveRecord>> Workspace::directive(
    const std::string& directive_id, std::int64_t version) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto record, repository_->getDirective(directive_id, version));
  auto parsed = policy::parseDirective(record.source_text,
                                       directive_id + " v" + std::to_string(record.version));
  if (!parsed.isOk()) {
    return dataLoss("stored directive " + directive_id + " no longer parses: " +
                    parsed.status().message());
  }
  return std::make_pair(std::move(parsed).value(), std::move(record));
}

Result<StatusResult> Workspace::status(const std::string& directive_id, Date as_of) {
  PH_ASSIGN_OR_RETURN(auto found, directive(directive_id));
  StatusResult result;
  result.directive = std::move(found.first);
  result.directive_version = found.second.version;
  {
    // One read transaction so people and devices come from the same snapshot.
    PH_ASSIGN_OR_RETURN(auto tx,
                        storage::Transaction::begin(*connection_, storage::Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(result.people, repository_->loadPeople());
    PH_ASSIGN_OR_RETURN(result.devices, repository_->loadDevices());
    PH_RETURN_IF_ERROR(tx->commit());
  }
  result.evaluation = policy::evaluate(result.directive, result.people, result.devices, as_of);
  return result;
}

}  // namespace phaseout::service
