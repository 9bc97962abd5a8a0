#include "service/import.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <unordered_map>

#include "core/bounded_queue.h"
#include "core/string_set.h"
#include "core/strings.h"
#include "inventory/importer.h"
#include "inventory/sources/people_map.h"
#include "inventory/sources/registry.h"
#include "inventory/sources/vendor_export.h"
#include "service/workspace_access.h"
#include "storage/source_store.h"

namespace phaseout::service {
namespace {

// "intune, jamf, ...": the external sources, for messages.
std::string externalSourceNames() {
  std::vector<std::string> names;
  for (const inventory::Source* source : inventory::allSources()) {
    if (source->kind == inventory::SourceKind::kExternal) names.emplace_back(source->name);
  }
  return join(names, ", ");
}

// Parses on a second thread while this one stores: `stream(sink)` is a streaming parse
// (inventory::streamPeople / streamDevices) that hands batches to `sink`; each batch is copied
// into a buffer (recycled, so its strings' storage is reused) and queued to `store`. Returns
// the store's error if storing failed (the parse is stopped), else the parse's own status.
template <typename Record, typename Stream>
Status parseWhileStoring(Stream stream, const storage::Repository::BatchSink<Record>& store) {
  constexpr std::size_t kQueuedBatches = 4;
  BoundedQueue<std::vector<Record>> full(kQueuedBatches);
  BoundedQueue<std::vector<Record>> spent(kQueuedBatches + 2);
  auto parse = std::async(std::launch::async, [&] {
    const Status parsed = stream([&](std::span<const Record> batch) -> Status {
      std::vector<Record> buffer;
      if (auto reused = spent.tryPop()) buffer = std::move(*reused);
      buffer.assign(batch.begin(), batch.end());
      if (!full.push(std::move(buffer))) return internalError("import stopped");
      return Status::ok();
    });
    full.close();
    return parsed;
  });
  Status stored = Status::ok();
  while (auto batch = full.pop()) {
    stored = store(std::span<const Record>(*batch));
    if (!stored.isOk()) {
      full.cancel();
      break;
    }
    spent.tryPush(std::move(*batch));
  }
  const Status parsed = parse.get();
  return stored.isOk() ? parsed : stored;
}

inventory::SourceSchema schemaOf(ImportKind kind) {
  return kind == ImportKind::kPeople ? inventory::SourceSchema::kPeople
                                     : inventory::SourceSchema::kDevices;
}

bool reads(const inventory::Source& source, ImportKind kind) {
  return source.schema == inventory::SourceSchema::kBoth || source.schema == schemaOf(kind);
}

// The source the request names, else the one that recognises the file's shape, else the one
// its file name's extension chooses.
Result<const inventory::Source*> chooseSource(const ImportRequest& request, std::string_view text,
                                              bool& recognised) {
  recognised = false;
  if (request.source.empty()) {
    if (const inventory::Source* source =
            inventory::recogniseSource(text, schemaOf(request.kind))) {
      recognised = true;
      return source;
    }
    return inventory::sourceForPath(request.path);
  }
  const inventory::Source* source = inventory::findSource(request.source);
  if (source == nullptr) {
    return invalidField("from", "unknown source \"" + request.source + "\"; expected one of " +
                                    inventory::sourceNames());
  }
  if (!reads(*source, request.kind)) {
    return invalidField("from", "source \"" + request.source + "\" does not read " +
                                    std::string(name(request.kind)));
  }
  return source;
}

std::int64_t modificationMs(const std::string& path) {
  std::error_code error;
  const auto written = std::filesystem::last_write_time(path, error);
  if (error) return 0;
  const auto system = std::chrono::file_clock::to_sys(written);
  return std::chrono::duration_cast<std::chrono::milliseconds>(system.time_since_epoch()).count();
}

// A file read in pieces of 1 MiB (inventory::InputChunks), so that a large export is never held
// whole.
class FileChunks final : public inventory::InputChunks {
 public:
  explicit FileChunks(const std::string& path) : path_(path), buffer_(kPieceBytes) {
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) error_ = path + ": cannot open file: " + std::strerror(errno);
  }
  ~FileChunks() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  FileChunks(const FileChunks&) = delete;
  FileChunks& operator=(const FileChunks&) = delete;

  bool next(std::string_view& piece) override {
    if (file_ == nullptr) return false;
    const std::size_t got = std::fread(buffer_.data(), 1, buffer_.size(), file_);
    if (got == 0 && std::ferror(file_) != 0) {
      error_ = path_ + ": read error: " + std::strerror(errno);
      return false;
    }
    piece = std::string_view(buffer_.data(), got);
    return true;
  }
  bool rewind() override {
    if (file_ == nullptr) return false;
    std::rewind(file_);
    return true;
  }
  [[nodiscard]] std::string error() const override { return error_; }

 private:
  static constexpr std::size_t kPieceBytes = 1 << 20;
  std::string path_;
  std::vector<char> buffer_;
  std::FILE* file_ = nullptr;
  std::string error_;
};

// The first `bytes` of the file at `path`.
Result<std::string> readHead(const std::string& path, std::size_t bytes) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return readFile(path);  // its error, worded like every other read
  std::string head(bytes, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file));
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return readFile(path);
  return head;
}

// Matches a source's holder to a person: by e-mail address, then by user principal name (both
// case-insensitively), else by person id (exactly, then case-insensitively).
class HolderIndex {
 public:
  explicit HolderIndex(const std::vector<inventory::Person>& people) {
    for (const inventory::Person& p : people) {
      if (!p.email.empty()) by_email_.emplace(toLower(p.email), p.person_id);
      if (!p.upn.empty()) by_upn_.emplace(toLower(p.upn), p.person_id);
      ids_.emplace(p.person_id, p.person_id);
      by_lower_id_.emplace(toLower(p.person_id), p.person_id);
    }
  }
  inventory::HolderResolution resolve(std::string_view ref) const {
    const std::string lower = toLower(trim(ref));
    if (auto it = by_email_.find(lower); it != by_email_.end()) {
      return {it->second, inventory::HolderMatch::kEmail};
    }
    if (auto it = by_upn_.find(lower); it != by_upn_.end()) {
      return {it->second, inventory::HolderMatch::kUpn};
    }
    if (auto it = ids_.find(std::string(trim(ref))); it != ids_.end()) {
      return {it->second, inventory::HolderMatch::kPersonId};
    }
    if (auto it = by_lower_id_.find(lower); it != by_lower_id_.end()) {
      return {it->second, inventory::HolderMatch::kPersonId};
    }
    return {"", inventory::HolderMatch::kUnmatched};
  }

 private:
  std::unordered_map<std::string, std::string> by_email_, by_upn_, ids_, by_lower_id_;
};

// An external source's devices: parsed, matched, merged, stored with their provenance as one
// event (or, for a dry run, only counted).
Result<ImportSummary> importExternal(const Caller& caller, Workspace& workspace,
                                     const ImportRequest& request, const ImportOptions& options,
                                     const inventory::Source& source, const std::string& head,
                                     ImportSummary summary) {
  storage::Repository& repository = WorkspaceAccess::repository(workspace);
  std::vector<inventory::SourcedDevice> incoming;
  if (source.reads_chunks && inventory::looksLikeJson(head)) {
    // Read piece by piece: memory follows the records kept, not the file's size.
    FileChunks chunks(request.path);
    PH_ASSIGN_OR_RETURN(incoming,
                        inventory::parseSourcedDevices(head, request.path, source, &chunks));
  } else {
    PH_ASSIGN_OR_RETURN(const std::string text, readFile(request.path));
    PH_ASSIGN_OR_RETURN(incoming, inventory::parseSourcedDevices(text, request.path, source));
  }
  PH_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(repository.connection(),
                                                           storage::Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(const auto people, repository.loadPeople());
  const HolderIndex holders(people);
  PH_ASSIGN_OR_RETURN(const auto stored, repository.loadDevices());
  storage::SourceStore store(repository);
  PH_ASSIGN_OR_RETURN(const auto current, store.loadCurrent());
  inventory::MergeRequest merge;
  merge.source = std::string(source.name);
  merge.file = request.path;
  merge.exported_ms = options.exported_ms != 0 ? options.exported_ms : modificationMs(request.path);
  merge.full = options.full;
  const inventory::MergePlan plan = inventory::planMerge(
      merge, incoming, stored, current, [&](std::string_view ref) { return holders.resolve(ref); });
  summary.merge = plan.counts;
  summary.missing = plan.missing;
  summary.records = incoming.size();
  summary.counts.added = plan.counts.added;
  summary.counts.updated = plan.counts.updated;
  summary.counts.unchanged = plan.counts.unchanged;
  if (options.dry_run) return summary;  // the transaction rolls back

  nlohmann::ordered_json detail;
  detail["source"] = request.path;
  detail["from"] = source.name;
  detail["records"] = incoming.size();
  detail["added"] = plan.counts.added;
  detail["updated"] = plan.counts.updated;
  detail["unchanged"] = plan.counts.unchanged;
  detail["merged"] = plan.counts.merged;
  detail["missing"] = plan.counts.missing;
  detail["unmatched_holders"] = plan.counts.unmatched_holders;
  detail["full"] = options.full;
  const storage::ChangeContext change = changeContext(caller, request.recording, request.path);
  PH_ASSIGN_OR_RETURN(const std::int64_t seq,
                      store.recordMerge(plan, change, "import.devices", detail));
  (void)seq;
  PH_RETURN_IF_ERROR(tx->commit());
  return summary;
}

// A direct source's dry run: the same parse and the same counts as the upsert, nothing stored.
template <typename Record, typename IdOf>
storage::UpsertCounts countUpserts(const std::vector<Record>& parsed,
                                   const std::vector<Record>& latest, IdOf id_of) {
  std::unordered_map<std::string_view, const Record*> by_id;
  for (const Record& r : latest) by_id.emplace(id_of(r), &r);
  storage::UpsertCounts counts;
  for (const Record& r : parsed) {
    const auto it = by_id.find(id_of(r));
    if (it == by_id.end()) {
      ++counts.added;
    } else if (*it->second == r) {
      ++counts.unchanged;
    } else {
      ++counts.updated;
    }
  }
  return counts;
}

}  // namespace

std::string_view name(ImportKind kind) {
  return kind == ImportKind::kPeople ? "people" : "devices";
}

Result<ImportSummary> importInventory(const Caller& caller, Workspace& workspace,
                                      const ImportRequest& request, const ProgressFn& progress) {
  return importInventory(caller, workspace, request, ImportOptions{}, progress);
}

Result<ImportSummary> importInventory(const Caller& caller, Workspace& workspace,
                                      const ImportRequest& request, const ImportOptions& options,
                                      const ProgressFn& progress) {
  const bool people = request.kind == ImportKind::kPeople;
  PH_RETURN_IF_ERROR(caller.mayAdminister(people ? "import people" : "import devices"));
  storage::Repository& repository = WorkspaceAccess::repository(workspace);
  PH_RETURN_IF_ERROR(repository.checkReady());
  // The file's start chooses the source; an external source's JSON export is then read piece by
  // piece, anything else whole.
  constexpr std::size_t kHeadBytes = 64 * 1024;
  PH_ASSIGN_OR_RETURN(const std::string head, readHead(request.path, kHeadBytes));
  bool recognised = false;
  PH_ASSIGN_OR_RETURN(const inventory::Source* source, chooseSource(request, head, recognised));
  const std::string& path = request.path;
  const bool external = source->kind == inventory::SourceKind::kExternal;
  if (options.full && !external) {
    return invalidField("full", "only an external source's export (" + externalSourceNames() +
                                    ") can be a whole inventory; " + std::string(source->name) +
                                    " files are upserted by id");
  }
  const storage::ChangeContext change = changeContext(caller, request.recording, path);
  auto row_progress = [&](std::size_t done, std::size_t total) {
    if (progress) progress("import", done, total);
  };

  ImportSummary summary;
  summary.file = path;
  summary.source = std::string(source->name);
  summary.recognised = recognised;
  summary.external = external;
  summary.dry_run = options.dry_run;
  if (external && !people) {
    return importExternal(caller, workspace, request, options, *source, head, std::move(summary));
  }
  PH_ASSIGN_OR_RETURN(const std::string text, readFile(request.path));
  std::optional<inventory::PeopleMapping> mapping;
  if (!options.map_path.empty()) {
    if (!people || source->recognise == nullptr ||
        source->schema != inventory::SourceSchema::kPeople) {
      return invalidField("map", "a mapping file applies to directory sources (ldif, scim), not " +
                                     std::string(source->name));
    }
    PH_ASSIGN_OR_RETURN(const std::string map_text, readFile(options.map_path));
    PH_ASSIGN_OR_RETURN(mapping, inventory::parsePeopleMapping(map_text, options.map_path));
  }
  const inventory::PeopleMapping* mapping_ptr = mapping ? &*mapping : nullptr;
  if (options.dry_run) {
    if (people) {
      PH_ASSIGN_OR_RETURN(auto parsed, inventory::parsePeople(text, path, *source, mapping_ptr));
      PH_ASSIGN_OR_RETURN(auto latest, repository.loadPeople());
      summary.counts =
          countUpserts(parsed, latest,
                       [](const inventory::Person& p) -> std::string_view { return p.person_id; });
    } else {
      PH_ASSIGN_OR_RETURN(auto ids, repository.loadPersonIds());
      const StringSet known(ids);
      PH_ASSIGN_OR_RETURN(auto parsed,
                          inventory::parseDevices(text, path, *source, [&](std::string_view id) {
                            return known.contains(id);
                          }));
      PH_ASSIGN_OR_RETURN(auto latest, repository.loadDevices());
      summary.counts =
          countUpserts(parsed, latest,
                       [](const inventory::Device& d) -> std::string_view { return d.device_id; });
    }
    summary.records = summary.counts.added + summary.counts.updated + summary.counts.unchanged;
    return summary;
  }
  if (people) {
    auto produce = [&](const storage::Repository::BatchSink<inventory::Person>& store) {
      return parseWhileStoring<inventory::Person>(
          [&](const inventory::PeopleSink& sink) {
            return inventory::streamPeople(text, path, *source, sink, inventory::kDefaultBatchSize,
                                           mapping_ptr);
          },
          store);
    };
    PH_ASSIGN_OR_RETURN(summary.counts, repository.upsertPeople(produce, change, row_progress));
  } else {
    PH_ASSIGN_OR_RETURN(auto ids, repository.loadPersonIds());
    const StringSet known(ids);
    auto produce = [&](const storage::Repository::BatchSink<inventory::Device>& store) {
      return parseWhileStoring<inventory::Device>(
          [&](const inventory::DeviceSink& sink) {
            return inventory::streamDevices(
                text, path, *source, [&](std::string_view id) { return known.contains(id); }, sink);
          },
          store);
    };
    PH_ASSIGN_OR_RETURN(summary.counts, repository.upsertDevices(produce, change, row_progress));
  }
  summary.records = summary.counts.added + summary.counts.updated + summary.counts.unchanged;
  return summary;
}

std::vector<ImportSourceInfo> importSources() {
  std::vector<ImportSourceInfo> out;
  for (const inventory::Source* source : inventory::allSources()) {
    ImportSourceInfo info;
    info.name = source->name;
    info.description = source->description;
    info.extensions.assign(source->extensions.begin(), source->extensions.end());
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace phaseout::service
