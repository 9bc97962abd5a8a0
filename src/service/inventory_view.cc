#include "service/inventory_view.h"

#include <map>
#include <unordered_map>

#include "core/strings.h"
#include "inventory/sources/registry.h"
#include "service/workspace_access.h"
#include "storage/source_store.h"

namespace phaseout::service {
namespace {

using inventory::SourceRecord;

std::vector<const SourceRecord*> pointers(const std::vector<SourceRecord>& records) {
  std::vector<const SourceRecord*> out;
  out.reserve(records.size());
  for (const SourceRecord& r : records) out.push_back(&r);
  return out;
}

// The devices with their records and units, narrowed to the caller, in one read transaction.
struct Loaded {
  std::vector<DeviceListEntry> entries;
};

Result<Loaded> load(const Caller& caller, Workspace& workspace) {
  storage::Repository& repository = WorkspaceAccess::repository(workspace);
  PH_RETURN_IF_ERROR(repository.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(repository.connection(),
                                                           storage::Transaction::Mode::kRead));
  PH_ASSIGN_OR_RETURN(const auto people, repository.loadPeople());
  std::unordered_map<std::string, std::string> unit_of;
  for (const inventory::Person& p : people) unit_of.emplace(p.person_id, p.unit);
  PH_ASSIGN_OR_RETURN(auto devices, repository.loadDevices());
  storage::SourceStore store(repository);
  PH_ASSIGN_OR_RETURN(auto records, store.loadCurrent());
  PH_RETURN_IF_ERROR(tx->commit());
  std::unordered_map<std::string, std::vector<SourceRecord>> of_device;
  for (SourceRecord& r : records) of_device[r.device_id].push_back(std::move(r));

  Loaded out;
  for (inventory::Device& device : devices) {
    const auto unit = unit_of.find(device.holder);
    const std::string unit_text = unit == unit_of.end() ? std::string() : unit->second;
    if (!caller.sees(unit_text, device.holder)) continue;
    DeviceListEntry entry;
    entry.unit = unit_text;
    if (auto it = of_device.find(device.device_id); it != of_device.end()) {
      entry.sources = std::move(it->second);
    }
    const std::vector<const SourceRecord*> listed = pointers(entry.sources);
    for (const SourceRecord* r : listed) {
      if (!r->missing && r->holder_match == inventory::HolderMatch::kUnmatched) {
        entry.holder_unmatched = true;
      }
    }
    entry.conflicts = inventory::conflicts(listed).size();
    entry.device = std::move(device);
    out.entries.push_back(std::move(entry));
  }
  return out;
}

std::string describeConflict(const inventory::FieldConflict& conflict) {
  std::vector<std::string> parts;
  for (const inventory::ConflictValue& v : conflict.values) {
    parts.push_back(v.source + " \"" + v.value + "\"");
  }
  return conflict.field + ": " + join(parts, ", ") + " (" + conflict.values.back().source +
         " wins, synchronised last)";
}

}  // namespace

Result<std::vector<DeviceListEntry>> listDevices(const Caller& caller, Workspace& workspace,
                                                 const DeviceListRequest& request) {
  if (!request.source.empty() && inventory::findSource(request.source) == nullptr) {
    return invalidField("source", "unknown source \"" + request.source + "\"; expected one of " +
                                      inventory::sourceNames());
  }
  PH_ASSIGN_OR_RETURN(Loaded loaded, load(caller, workspace));
  if (request.source.empty()) return std::move(loaded.entries);
  std::vector<DeviceListEntry> out;
  for (DeviceListEntry& entry : loaded.entries) {
    for (const SourceRecord& r : entry.sources) {
      if (r.source == request.source) {
        out.push_back(std::move(entry));
        break;
      }
    }
  }
  return out;
}

Result<DeviceView> showDevice(const Caller& caller, Workspace& workspace,
                              const std::string& device_id) {
  storage::Repository& repository = WorkspaceAccess::repository(workspace);
  PH_RETURN_IF_ERROR(repository.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(repository.connection(),
                                                           storage::Transaction::Mode::kRead));
  const auto not_found = [&] {
    return Status(StatusCode::kNotFound, "no device '" + device_id + "'");
  };
  PH_ASSIGN_OR_RETURN(const bool exists, repository.deviceExists(device_id));
  if (!exists) return not_found();
  PH_ASSIGN_OR_RETURN(auto devices,
                      repository.loadDevices(std::nullopt, storage::Repository::Fields::kAll,
                                             {device_id, device_id + '\x01'}));
  if (devices.empty()) return not_found();
  DeviceView view;
  view.device = std::move(devices.front());
  if (!view.device.holder.empty()) {
    PH_ASSIGN_OR_RETURN(const auto people, repository.loadPeople());
    for (const inventory::Person& p : people) {
      if (p.person_id == view.device.holder) view.unit = p.unit;
    }
  }
  if (!caller.sees(view.unit, view.device.holder)) return not_found();
  storage::SourceStore store(repository);
  PH_ASSIGN_OR_RETURN(view.sources, store.loadOfDevice(device_id));
  PH_RETURN_IF_ERROR(tx->commit());
  const std::vector<const SourceRecord*> listed = pointers(view.sources);
  for (std::string_view field : inventory::mergedFieldNames()) {
    FieldProvenance provenance;
    provenance.field = field;
    provenance.value = inventory::fieldText(view.device, field);
    if (const SourceRecord* origin = inventory::originOf(field, listed)) {
      provenance.origin = *origin;
    }
    view.fields.push_back(std::move(provenance));
  }
  view.conflicts = inventory::conflicts(listed);
  return view;
}

Result<std::vector<InventoryFinding>> inventoryFindings(const Caller& caller,
                                                        Workspace& workspace) {
  PH_ASSIGN_OR_RETURN(Loaded loaded, load(caller, workspace));
  std::vector<InventoryFinding> out;
  for (const DeviceListEntry& entry : loaded.entries) {
    const std::vector<const SourceRecord*> listed = pointers(entry.sources);
    const auto found = inventory::conflicts(listed);
    if (!found.empty()) {
      std::vector<std::string> parts;
      for (const auto& c : found) parts.push_back(describeConflict(c));
      out.push_back({"source-conflict", entry.device.device_id, join(parts, "; ")});
    }
    std::vector<std::string> unmatched, missing;
    for (const SourceRecord& r : entry.sources) {
      if (r.missing) {
        missing.push_back(r.source);
      } else if (r.holder_match == inventory::HolderMatch::kUnmatched) {
        unmatched.push_back(r.source + " names \"" + r.holder_ref + "\"");
      }
    }
    if (!unmatched.empty()) {
      out.push_back({"holder-unmatched", entry.device.device_id,
                     join(unmatched, "; ") + ", who matches no person"});
    }
    if (!missing.empty()) {
      out.push_back({"missing-from-source", entry.device.device_id,
                     "no longer listed by " + join(missing, ", ")});
    }
  }
  return out;
}

Result<InventoryReview> inventoryReview(const Caller& caller, Workspace& workspace) {
  InventoryReview review;
  {
    // Without any external source there is nothing to review: no device load (status reads
    // this on every call, over inventories of millions of devices).
    storage::Repository& repository = WorkspaceAccess::repository(workspace);
    storage::SourceStore store(repository);
    PH_ASSIGN_OR_RETURN(const auto records, store.loadCurrent());
    if (records.empty()) return review;
  }
  PH_ASSIGN_OR_RETURN(const auto findings, inventoryFindings(caller, workspace));
  for (const InventoryFinding& f : findings) {
    if (f.kind == "source-conflict") ++review.source_conflicts;
    if (f.kind == "holder-unmatched") ++review.unmatched_holders;
    if (f.kind == "missing-from-source") ++review.missing_from_source;
  }
  return review;
}

}  // namespace phaseout::service
