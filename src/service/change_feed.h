// The change feed behind the server's event stream: the recorded changes after a sequence
// number, each with the unit and holder it concerns, so that each subscriber is shown only
// the changes it may see. Reads the audit trail, so changes recorded by another process (a
// CLI command on the same database) appear too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct Change {
  std::int64_t seq = 0;
  Date effective;
  std::int64_t recorded_ms = 0;
  std::string actor;
  std::string kind;     // the audit event's kind ("disposition", "case.step", ...)
  std::string subject;  // what it is about (a device, a case, a person, a file)
  // Whom it concerns, resolved as of the day it was recorded: the device's holder (or the
  // person) and their unit; both empty for organisation-wide changes (imports, directives).
  std::string holder;
  std::string unit;
};

// The last recorded change's seq (0 when none).
Result<std::int64_t> lastChangeSeq(Workspace& ws);

// The changes after `after_seq`, at most `limit`, oldest first, every one of them (the caller
// filters per subscriber with seesChange). Needs a caller who sees every unit (the server's
// own reader): PermissionDenied otherwise.
Result<std::vector<Change>> changesAfter(const Caller& reader, Workspace& ws,
                                         std::int64_t after_seq, std::size_t limit = 1000);

// True when the caller may see the change: every change for a caller with every unit;
// otherwise only changes about a holder or unit it sees.
bool seesChange(const Caller& caller, const Change& change);

// {"seq", "effective", "recorded_ms", "actor", "kind", "subject"} (no newline).
std::string changeJson(const Change& change);

}  // namespace phaseout::service
