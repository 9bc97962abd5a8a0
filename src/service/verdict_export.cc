#include "service/verdict_export.h"

#include <map>

#include "core/strings.h"
#include "policy/evaluator.h"
#include "service/directive.h"
#include "service/workspace_access.h"
#include "storage/source_store.h"

namespace phaseout::service {
namespace {

struct Banned {
  const inventory::Device* device;
  std::string unit;
  std::string status;
  std::string reason;
};

std::vector<Banned> bannedInUse(const StatusResult& result) {
  std::vector<Banned> out;
  for (const policy::Verdict& v : result.evaluation.verdicts) {
    if (v.device == nullptr || v.device->state != platform::DeviceState::kActive) continue;
    if (v.status != policy::VerdictStatus::kPending &&
        v.status != policy::VerdictStatus::kOverdue) {
      continue;
    }
    out.push_back({v.device, std::string(v.unit), std::string(policy::name(v.status)), v.reason});
  }
  return out;
}

// RFC 4180 field.
std::string csvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// FreeRADIUS strings: double-quoted, '"' and '\' escaped.
std::string radiusString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') c = ' ';
    out += c;
  }
  return out + "\"";
}

std::string dashed(std::string_view mac) {  // aa:bb:.. -> aa-bb-.. (FreeRADIUS Calling-Station-Id)
  std::string out(mac);
  for (char& c : out) {
    if (c == ':') c = '-';
  }
  return out;
}

Result<StatusResult> evaluate(const Caller& caller, Workspace& ws,
                              const VerdictExportRequest& request) {
  PH_RETURN_IF_ERROR(ws.checkReady());
  PH_ASSIGN_OR_RETURN(std::string id, resolveDirective(caller, ws, request.directive_id));
  return ws.status(caller, id, dayOrToday(request.at, request.now_ms));
}

}  // namespace

Result<VerdictExport> exportNac(const Caller& caller, Workspace& workspace,
                                const VerdictExportRequest& request) {
  const std::string& format = request.format;
  if (format != "freeradius" && format != "packetfence" && format != "csv") {
    return invalidField(
        "format", "unknown NAC format \"" + format + "\"; expected freeradius, packetfence or csv");
  }
  PH_ASSIGN_OR_RETURN(const StatusResult result, evaluate(caller, workspace, request));
  std::vector<Banned> banned = bannedInUse(result);
  // The evaluation reads devices without their identifiers (MACs, serials): read those here.
  PH_ASSIGN_OR_RETURN(const auto full, WorkspaceAccess::repository(workspace).loadDevices(
                                           result.evaluation.as_of));
  std::map<std::string_view, const inventory::Device*> by_id;
  for (const inventory::Device& d : full) by_id.emplace(d.device_id, &d);
  for (Banned& b : banned) {
    if (auto it = by_id.find(b.device->device_id); it != by_id.end()) b.device = it->second;
  }
  VerdictExport out;
  out.devices = banned.size();
  const std::string directive = result.evaluation.directive_id;
  const std::string day = result.evaluation.as_of.toString();
  if (format == "freeradius") {
    out.text = "# phaseout: devices banned by " + directive + " and still in use on " + day +
               "\n# FreeRADIUS users file (mods-config/files/authorize): MAC authentication\n"
               "# requests from these stations are rejected.\n";
  } else if (format == "packetfence") {
    // No header: `pfcmd import nodes FILE columns=mac,pid,category,notes` reads every line as
    // a node, its columns named on the command line.
  } else {
    out.text = "device_id,mac,serial,holder,unit,status,reason\n";
  }
  for (const Banned& b : banned) {
    const inventory::Device& d = *b.device;
    if (d.macs.empty()) ++out.without_entry;
    if (format == "csv") {
      // One row per device; MACs joined by ';', so a device without one still names its serial.
      out.text += csvField(d.device_id) + "," + csvField(join(d.macs, ";")) + "," +
                  csvField(d.serial) + "," + csvField(d.holder) + "," + csvField(b.unit) + "," +
                  b.status + "," + csvField(b.reason) + "\n";
      out.entries += d.macs.size();
      continue;
    }
    for (const std::string& mac : d.macs) {
      ++out.entries;
      if (format == "freeradius") {
        out.text += dashed(mac) + "\tCalling-Station-Id == " + radiusString(dashed(mac)) +
                    ", Auth-Type := Reject\n\tReply-Message := " +
                    radiusString("device " + d.device_id + " is banned by " + directive) + "\n\n";
      } else {
        out.text += csvField(mac) + "," + csvField(d.holder) + ",phaseout-quarantine," +
                    csvField(d.device_id + " (serial " + d.serial + "): " + b.reason) + "\n";
      }
    }
  }
  return out;
}

Result<VerdictExport> exportMdm(const Caller& caller, Workspace& workspace,
                                const VerdictExportRequest& request) {
  static const std::map<std::string, std::string> kHeader = {
      {"intune",
       "# Intune managed device ids (Graph: POST /deviceManagement/managedDevices/{id}/retire,\n"
       "# or add each device's Entra object to a group an exclusion or wipe policy targets)\n"},
      {"jamf",
       "# Jamf Pro mobile device ids (Jamf Pro API: POST /api/v2/mobile-devices/{id}/... or a\n"
       "# static group: PUT /JSSResource/mobiledevicegroups/id/{group} with these ids)\n"},
      {"google",
       "# Google Workspace mobile device resourceIds (Admin SDK: POST .../devices/mobile/\n"
       "# {resourceId}/action with {\"action\": \"block\"} or \"admin_account_wipe\")\n"},
      {"fleet",
       "# Fleet host ids (REST: POST /api/v1/fleet/labels with host_ids, or\n"
       "# POST /api/v1/fleet/hosts/{id}/lock)\n"},
  };
  const auto header = kHeader.find(request.format);
  if (header == kHeader.end()) {
    return invalidField("format", "unknown MDM target \"" + request.format +
                                      "\"; expected intune, jamf, google or fleet");
  }
  PH_ASSIGN_OR_RETURN(const StatusResult result, evaluate(caller, workspace, request));
  const std::vector<Banned> banned = bannedInUse(result);
  storage::SourceStore store(WorkspaceAccess::repository(workspace));
  PH_ASSIGN_OR_RETURN(const auto records, store.loadCurrent());
  std::map<std::string, std::vector<const inventory::SourceRecord*>> of_device;
  for (const inventory::SourceRecord& r : records) {
    if (r.source == request.format && !r.missing) of_device[r.device_id].push_back(&r);
  }
  VerdictExport out;
  out.devices = banned.size();
  out.text = header->second + "record_id,device_id,status\n";
  for (const Banned& b : banned) {
    const auto it = of_device.find(b.device->device_id);
    if (it == of_device.end()) {
      ++out.without_entry;
      continue;
    }
    for (const inventory::SourceRecord* r : it->second) {
      ++out.entries;
      out.text +=
          csvField(r->record_id) + "," + csvField(b.device->device_id) + "," + b.status + "\n";
    }
  }
  return out;
}

}  // namespace phaseout::service
