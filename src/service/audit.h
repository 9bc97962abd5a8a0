// Audit use cases: verify the hash-chained trail, and export it, one JSON line per entry.
// Both need Caller::mayReadAudit (PermissionDenied otherwise).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

struct AuditCheck {
  std::int64_t events = 0;  // entries walked
  std::int64_t rows = 0;    // stored rows whose digest was recomputed
  std::optional<std::int64_t> first_broken_seq;
  std::string problem;                        // what is wrong at first_broken_seq
  std::vector<std::string> altered_evidence;  // SHA-256 keys whose bytes no longer match
  bool ok() const { return !first_broken_seq.has_value() && altered_evidence.empty(); }
};

// Walks the chain and recomputes every entry's row digest (on a second connection and thread
// when the database is a file). A broken trail is a result, not an error.
Result<AuditCheck> verifyAudit(const Caller& caller, Workspace& ws);

// Called with each exported line (JSON, with its newline); a non-ok Status stops the export.
using AuditLineSink = std::function<Status(std::string_view line)>;

// The export format: one JSON object per entry, in order, {"seq", "effective" (YYYY-MM-DD),
// "recorded_ms", "actor", "kind", "subject", "payload" (the stored JSON, or its text when it
// is not JSON), "prev_hash", "hash"}. Only entries after `after_seq` are exported. Returns the
// number of entries exported.
Result<std::size_t> exportAudit(const Caller& caller, Workspace& ws, const AuditLineSink& sink,
                                std::int64_t after_seq = 0);

// How the CLI prints a verification: "audit trail intact: ..." or the first broken entry and
// each altered evidence file; JSON {"ok", "events", "rows"[, "first_broken_entry", "problem"]
// [, "altered_evidence"]} and a newline.
std::string auditCheckText(const AuditCheck& check);
std::string auditCheckJson(const AuditCheck& check);

}  // namespace phaseout::service
