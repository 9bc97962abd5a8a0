#include "service/workspace.h"

#include <fstream>
#include <iterator>
#include <unordered_set>

#include "inventory/import_parser.h"
#include "storage/campaign_store.h"
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

namespace {

Result<policy::Directive> parseStored(const storage::DirectiveRecord& record) {
  auto parsed = policy::parseDirective(
      record.source_text, record.directive_id + " v" + std::to_string(record.version));
  if (!parsed.isOk()) {
    return dataLoss("stored directive " + record.directive_id + " version " +
                    std::to_string(record.version) + " no longer parses: " +
                    parsed.status().message());
  }
  return parsed;
}

}  // namespace

Workspace::Workspace(std::unique_ptr<storage::Connection> connection)
    : connection_(std::move(connection)),
      repository_(std::make_unique<storage::Repository>(*connection_)) {}

Result<std::unique_ptr<Workspace>> Workspace::open(const std::string& db_path) {
  PH_ASSIGN_OR_RETURN(auto conn, storage::openSqlite(db_path));
  return std::unique_ptr<Workspace>(new Workspace(std::move(conn)));
}

Status Workspace::init() { return repository_->migrate(); }

storage::ChangeContext Workspace::changeContext(const Recording& recording,
                                                std::string_view source) const {
  storage::ChangeContext change;
  change.effective = recording.on.value_or(recording.today());
  change.effective_given = recording.on.has_value();
  change.recorded_ms = recording.now_ms;
  change.actor = recording.actor;
  change.source = std::string(source);
  return change;
}

Result<ImportSummary> Workspace::importPeople(const std::string& path,
                                              const Recording& recording,
                                              const ProgressFn& progress) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto format, inventory::formatForPath(path));
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  if (progress) progress("parse", 0, 0);
  PH_ASSIGN_OR_RETURN(auto people, inventory::parsePeople(text, path, format));
  ImportSummary summary;
  summary.file = path;
  summary.records = people.size();
  auto row_progress = [&](std::size_t done, std::size_t total) {
    if (progress) progress("store", done, total);
  };
  PH_ASSIGN_OR_RETURN(summary.counts, repository_->upsertPeople(
                                          people, changeContext(recording, path), row_progress));
  return summary;
}

Result<ImportSummary> Workspace::importDevices(const std::string& path,
                                               const Recording& recording,
                                               const ProgressFn& progress) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto format, inventory::formatForPath(path));
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  PH_ASSIGN_OR_RETURN(auto ids, repository_->loadPersonIds());
  std::unordered_set<std::string_view> known(ids.begin(), ids.end());
  if (progress) progress("parse", 0, 0);
  PH_ASSIGN_OR_RETURN(auto devices,
                      inventory::parseDevices(text, path, format, [&](std::string_view id) {
                        return known.count(id) > 0;
                      }));
  ImportSummary summary;
  summary.file = path;
  summary.records = devices.size();
  auto row_progress = [&](std::size_t done, std::size_t total) {
    if (progress) progress("store", done, total);
  };
  PH_ASSIGN_OR_RETURN(summary.counts, repository_->upsertDevices(
                                          devices, changeContext(recording, path), row_progress));
  return summary;
}

Result<DirectiveAdded> Workspace::addDirectiveFile(const std::string& path,
                                                   const Recording& recording) {
  PH_ASSIGN_OR_RETURN(std::string text, readFile(path));
  return addDirectiveText(text, path, recording);
}

Result<DirectiveAdded> Workspace::addDirectiveText(const std::string& text,
                                                   std::string_view source_name,
                                                   const Recording& recording) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  PH_ASSIGN_OR_RETURN(auto directive, policy::parseDirective(text, source_name));
  const Date valid_from = recording.on.value_or(directive.issued);
  PH_ASSIGN_OR_RETURN(auto outcome,
                      repository_->addDirective(directive.id, directive.title, text, valid_from,
                                                changeContext(recording, source_name)));
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
  PH_ASSIGN_OR_RETURN(auto parsed, parseStored(record));
  return std::make_pair(std::move(parsed), std::move(record));
}

Result<StatusResult> Workspace::status(const std::string& directive_id, Date as_of) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  StatusResult result;
  {
    // One read transaction so the directive, people and devices come from the same snapshot.
    PH_ASSIGN_OR_RETURN(auto tx,
                        storage::Transaction::begin(*connection_, storage::Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(auto record, repository_->directiveInForce(directive_id, as_of));
    PH_ASSIGN_OR_RETURN(result.directive, parseStored(record));
    result.directive_version = record.version;
    using Fields = storage::Repository::Fields;
    PH_ASSIGN_OR_RETURN(result.people, repository_->loadPeople(as_of, Fields::kEvaluation));
    PH_ASSIGN_OR_RETURN(result.devices, repository_->loadDevices(as_of, Fields::kEvaluation));
    PH_ASSIGN_OR_RETURN(result.waivers,
                        storage::CampaignStore(*repository_).loadWaivers(directive_id));
    PH_RETURN_IF_ERROR(tx->commit());
  }
  result.evaluation = policy::evaluate(result.directive, result.people, result.devices, as_of);
  campaign::applyWaivers(result.evaluation, result.waivers);
  result.milestones =
      campaign::milestoneChecks(result.directive, result.people, result.devices, result.evaluation);
  return result;
}

}  // namespace phaseout::service
