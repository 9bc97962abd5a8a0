// The inventory as the sources gave it: devices with the external sources that list them,
// where each field of a merged device comes from, and what needs review — holders that match
// nobody, sources that disagree (source-conflict), records a full import no longer listed.
// Behind `phaseout device list`, `phaseout device show ID` and the review counts of `status`.
//
// Reads are narrowed to the caller: a device is visible when Caller::sees(unit of its holder,
// holder) (an unassigned device has no unit); one out of view is NotFound, as if absent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "inventory/merge.h"
#include "inventory/model.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct DeviceListRequest {
  std::string source;  // only devices this source lists (missing ones included); "" = all
};

struct DeviceListEntry {
  inventory::Device device;                      // its latest version
  std::string unit;                              // its holder's unit ("" when unassigned)
  std::vector<inventory::SourceRecord> sources;  // the external sources' records of it
  bool holder_unmatched = false;  // a listing source names a holder who matches nobody
  std::size_t conflicts = 0;      // fields on which its listing sources disagree
};

// Every visible device, ordered by id. InvalidArgument (field "source") for a source name that
// is not registered; FailedPrecondition when the database is not initialised.
Result<std::vector<DeviceListEntry>> listDevices(const Caller& caller, Workspace& workspace,
                                                 const DeviceListRequest& request);

struct FieldProvenance {
  std::string field;  // "holder", "platform", ...
  std::string value;  // canonical text; "" when the device has none
  // The source record whose value won, or nullopt when no listing source gives the field (it
  // came from a direct import or was never given).
  std::optional<inventory::SourceRecord> origin;
};

struct DeviceView {
  inventory::Device device;
  std::string unit;
  std::vector<inventory::SourceRecord> sources;
  std::vector<FieldProvenance> fields;  // every field, in import column order
  std::vector<inventory::FieldConflict> conflicts;
};

// One device with the provenance of every field. NotFound when it does not exist or is out of
// the caller's view.
Result<DeviceView> showDevice(const Caller& caller, Workspace& workspace,
                              const std::string& device_id);

// What the merged inventory asks a person to look at, counted over the visible devices.
struct InventoryReview {
  std::size_t unmatched_holders = 0;    // devices whose source names a holder matching nobody
  std::size_t source_conflicts = 0;     // devices whose sources disagree (source-conflict)
  std::size_t missing_from_source = 0;  // devices a full import of one of their sources lacked
  bool empty() const {
    return unmatched_holders == 0 && source_conflicts == 0 && missing_from_source == 0;
  }
};

// `status_json` (report::statusJson's "{...}\n") with the review counts that `status` prints
// under its table added as its last member, when there is anything to review:
// "review": {"unmatched_holders": n, "source_conflicts": n, "missing_from_source": n}. Every
// front door renders status JSON through it, so the CLI's and the server's stay byte-identical.
inline std::string withReviewJson(std::string status_json, const InventoryReview& review) {
  const std::size_t close = status_json.rfind('}');
  if (review.empty() || close == std::string::npos) return status_json;
  const std::string member =
      ",\"review\":{\"unmatched_holders\":" + std::to_string(review.unmatched_holders) +
      ",\"source_conflicts\":" + std::to_string(review.source_conflicts) +
      ",\"missing_from_source\":" + std::to_string(review.missing_from_source) + "}";
  status_json.insert(close, member);
  return status_json;
}

// One finding per device and kind: "source-conflict" (detail: the fields and each source's
// value), "holder-unmatched" (the holder as named), "missing-from-source" (the sources).
struct InventoryFinding {
  std::string kind;
  std::string device_id;
  std::string detail;
};

Result<InventoryReview> inventoryReview(const Caller& caller, Workspace& workspace);
Result<std::vector<InventoryFinding>> inventoryFindings(const Caller& caller, Workspace& workspace);

}  // namespace phaseout::service
