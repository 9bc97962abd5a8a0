#include "service/import.h"

#include <future>
#include <span>

#include "core/bounded_queue.h"
#include "core/string_set.h"
#include "inventory/importer.h"
#include "inventory/sources/registry.h"
#include "service/workspace_access.h"

namespace phaseout::service {
namespace {

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

// The source the request names, or the one its file name's extension chooses.
Result<const inventory::Source*> chooseSource(const ImportRequest& request) {
  if (request.source.empty()) return inventory::sourceForPath(request.path);
  if (const inventory::Source* source = inventory::findSource(request.source)) return source;
  return invalidField("from", "unknown source \"" + request.source + "\"; expected one of " +
                                  inventory::sourceNames());
}

}  // namespace

std::string_view name(ImportKind kind) {
  return kind == ImportKind::kPeople ? "people" : "devices";
}

Result<ImportSummary> importInventory(const Caller& caller, Workspace& workspace,
                                      const ImportRequest& request, const ProgressFn& progress) {
  const bool people = request.kind == ImportKind::kPeople;
  PH_RETURN_IF_ERROR(caller.mayAdminister(people ? "import people" : "import devices"));
  storage::Repository& repository = WorkspaceAccess::repository(workspace);
  PH_RETURN_IF_ERROR(repository.checkReady());
  PH_ASSIGN_OR_RETURN(const inventory::Source* source, chooseSource(request));
  PH_ASSIGN_OR_RETURN(const std::string text, readFile(request.path));
  const std::string& path = request.path;
  const storage::ChangeContext change = changeContext(caller, request.recording, path);
  auto row_progress = [&](std::size_t done, std::size_t total) {
    if (progress) progress("import", done, total);
  };

  ImportSummary summary;
  summary.file = path;
  summary.source = std::string(source->name);
  if (people) {
    auto produce = [&](const storage::Repository::BatchSink<inventory::Person>& store) {
      return parseWhileStoring<inventory::Person>(
          [&](const inventory::PeopleSink& sink) {
            return inventory::streamPeople(text, path, *source, sink);
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
