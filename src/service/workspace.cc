#include "service/workspace.h"

#include <fstream>
#include <future>
#include <iterator>

#include "service/scope.h"
#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/open.h"

namespace phaseout::service {

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalidArgument(path + ": cannot open file");
  // One read of the whole file when its size is known (a regular file); else chunk by chunk.
  std::string text;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    text.resize(static_cast<std::size_t>(size));
    in.read(text.data(), size);
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  in.clear();
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return invalidArgument(path + ": read error");
  return text;
}

Result<policy::Directive> parseStoredDirective(const storage::DirectiveRecord& record) {
  auto parsed = policy::parseDirective(record.source_text,
                                       record.directive_id + " v" + std::to_string(record.version));
  if (!parsed.isOk()) {
    return dataLoss("stored directive " + record.directive_id + " version " +
                    std::to_string(record.version) +
                    " no longer parses: " + parsed.status().message());
  }
  return parsed;
}

Workspace::Workspace(std::unique_ptr<storage::Connection> connection, std::string db_path)
    : db_path_(std::move(db_path)),
      connection_(std::move(connection)),
      repository_(std::make_unique<storage::Repository>(*connection_)) {}

Result<std::unique_ptr<Workspace>> Workspace::open(const std::string& db_path) {
  auto conn = storage::open(db_path);
  if (!conn.isOk()) {
    Status s = conn.status();
    // A malformed URL or an engine this phaseout lacks is about the value given for "db".
    if (s.code() == StatusCode::kInvalidArgument) return std::move(s).withField("db");
    return s;
  }
  return std::unique_ptr<Workspace>(new Workspace(std::move(conn).value(), db_path));
}

Status Workspace::init() { return repository_->migrate(); }

storage::ChangeContext changeContext(const Caller& caller, const Recording& recording,
                                     std::string source, std::optional<Date> effective) {
  storage::ChangeContext change;
  if (!effective) effective = recording.on;
  change.effective = effective.value_or(recording.today());
  change.effective_given = effective.has_value();
  change.recorded_ms = recording.now_ms;
  change.actor = caller.actor;
  change.source = std::move(source);
  return change;
}

Status Workspace::checkReady() { return repository_->checkReady(); }

namespace {

// What the second reader of status reads: the people, and the devices from a split id on.
struct SecondRead {
  Status status;
  std::int64_t seq = -1;  // the snapshot it read (the last event)
  std::vector<inventory::Person> people;
  std::vector<inventory::Device> devices;
};

// The people, then (once the first thread has chosen it) the devices from the split on.
Status readSecondPart(storage::Connection& conn, Date as_of,
                      std::shared_future<storage::Repository::DeviceSplit> split, SecondRead& out) {
  PH_ASSIGN_OR_RETURN(auto tx,
                      storage::Transaction::begin(conn, storage::Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(out.seq, storage::lastEventSeq(conn));
  storage::Repository repository(conn);
  using Fields = storage::Repository::Fields;
  PH_ASSIGN_OR_RETURN(out.people, repository.loadPeople(as_of, Fields::kEvaluation));
  const storage::Repository::DeviceSplit& at = split.get();
  if (!at.device_id.empty()) {
    PH_ASSIGN_OR_RETURN(out.devices, repository.loadDevices(as_of, Fields::kEvaluation,
                                                            {at.device_id, ""}, at.versions));
  }
  return tx->commit();
}

}  // namespace

std::unique_ptr<storage::Connection> Workspace::openReader() {
  auto url = storage::parseDatabaseUrl(db_path_);
  if (!url.isOk() || !url->shareable()) return nullptr;
  storage::OpenOptions options;
  options.create = false;
  auto second = storage::open(*url, options);
  if (!second.isOk()) return nullptr;
  return std::move(second).value();
}

Result<StatusResult> Workspace::status(const Caller& caller, const std::string& directive_id,
                                       Date as_of) {
  PH_RETURN_IF_ERROR(repository_->checkReady());
  StatusResult result;
  using Fields = storage::Repository::Fields;
  // Reading people and devices is most of the command: with a second connection (a database
  // file), a second thread reads the people and the last third of the devices meanwhile. Both
  // read transactions must see the same snapshot (the same last event); if a writer committed
  // in between, that part is read again here.
  std::unique_ptr<storage::Connection> second = openReader();
  if (second) second->hintSinglePass();
  {
    // One read transaction so the directive, people and devices come from the same snapshot.
    PH_ASSIGN_OR_RETURN(
        auto tx, storage::Transaction::begin(*connection_, storage::Transaction::Mode::kRead));
    PH_ASSIGN_OR_RETURN(const std::int64_t seq, storage::lastEventSeq(*connection_));
    // The second thread starts on the people while this one chooses where to split the
    // devices: the second thread also reads the last third of them, so both take about as long.
    constexpr double kFirstThreadShare = 0.65;
    std::promise<storage::Repository::DeviceSplit> split_promise;
    SecondRead other;
    std::future<Status> other_done;
    if (second) {
      other_done = std::async(std::launch::async, readSecondPart, std::ref(*second), as_of,
                              split_promise.get_future().share(), std::ref(other));
    }
    storage::Repository::DeviceSplit at;
    if (second) {
      auto chosen = repository_->deviceIdAt(kFirstThreadShare);
      if (chosen.isOk()) at = *chosen;  // else no split: this thread reads every device
      split_promise.set_value(at);
    }
    const std::string& split = at.device_id;
    PH_ASSIGN_OR_RETURN(auto record, repository_->directiveInForce(directive_id, as_of));
    PH_ASSIGN_OR_RETURN(result.directive, parseStoredDirective(record));
    result.directive_version = record.version;
    // Room for the other part too, so appending it moves each device once.
    PH_ASSIGN_OR_RETURN(result.devices, repository_->loadDevices(as_of, Fields::kEvaluation,
                                                                 {"", split}, at.versions));
    PH_ASSIGN_OR_RETURN(result.waivers,
                        storage::CampaignStore(*repository_).loadWaivers(directive_id));
    const bool other_ok = other_done.valid() && other_done.get().isOk() && other.seq == seq;
    if (other_ok) {
      result.people = std::move(other.people);
      result.devices.insert(result.devices.end(), std::make_move_iterator(other.devices.begin()),
                            std::make_move_iterator(other.devices.end()));
    } else {
      PH_ASSIGN_OR_RETURN(result.people, repository_->loadPeople(as_of, Fields::kEvaluation));
      if (!split.empty()) {
        PH_ASSIGN_OR_RETURN(auto rest,
                            repository_->loadDevices(as_of, Fields::kEvaluation, {split, ""}));
        result.devices.insert(result.devices.end(), std::make_move_iterator(rest.begin()),
                              std::make_move_iterator(rest.end()));
      }
    }
    PH_RETURN_IF_ERROR(tx->commit());
  }
  restrictToScope(caller, result.people, result.devices);
  result.evaluation = policy::evaluate(result.directive, result.people, result.devices, as_of);
  campaign::applyWaivers(result.evaluation, result.waivers);
  result.milestones =
      campaign::milestoneChecks(result.directive, result.people, result.devices, result.evaluation);
  return result;
}

}  // namespace phaseout::service
