// Verdicts out: the banned devices still in use as of a day, in the shapes the systems that act
// on them take — network access control (FreeRADIUS, PacketFence, CSV) to quarantine their MAC
// addresses, and the MDMs that manage them (Intune, Jamf, Google, Fleet) to act on their own
// device ids. Behind `phaseout export nac|mdm`. docs/importers.md ("Verdicts out") documents each
// format and the command or API call that consumes it.
//
// "Banned and still in use": an active device whose verdict is pending or overdue (not
// compliant, not exempt under a waiver). Reads are narrowed to the caller like status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct VerdictExportRequest {
  std::string directive_id;  // "" = the only stored directive
  std::optional<Date> at;    // default today
  std::int64_t now_ms = 0;
  std::string format;  // nac: freeradius | packetfence | csv; mdm: intune | jamf | google | fleet
};

struct VerdictExport {
  std::string text;               // the file to hand over
  std::size_t devices = 0;        // banned devices in it
  std::size_t entries = 0;        // MAC addresses (nac) or MDM device ids (mdm) written
  std::size_t without_entry = 0;  // banned devices with no MAC (nac) / not in that MDM (mdm)
};

// Errors: InvalidArgument (field "format") for an unknown format or target; the status use
// case's errors for the directive and the day.
Result<VerdictExport> exportNac(const Caller& caller, Workspace& workspace,
                                const VerdictExportRequest& request);
Result<VerdictExport> exportMdm(const Caller& caller, Workspace& workspace,
                                const VerdictExportRequest& request);

}  // namespace phaseout::service
