// Evidence uploaded as bytes (the API's POST /api/v1/evidence): stored once under its SHA-256,
// then named by that digest in a disposition (DispositionRequest::evidence_sha256).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

// The largest evidence file accepted (a scanned certificate, a photo).
inline constexpr std::size_t kMaxEvidenceBytes = 10u << 20;

struct EvidenceUploaded {
  std::string sha256;  // lower-case hex
  std::string name;
  std::int64_t size_bytes = 0;
  std::int64_t event_seq = 0;
};

// Stores `bytes` under their SHA-256 with one "evidence.upload" audit event. Storing the same
// bytes again records the upload again and keeps one copy. PermissionDenied unless the caller
// may act (officers) or is a person of the directory (a holder documenting a hand-over);
// InvalidArgument on "body" when empty or larger than kMaxEvidenceBytes, on "name" when the
// name is not a plain file name.
Result<EvidenceUploaded> uploadEvidence(const Caller& caller, Workspace& ws, std::string_view name,
                                        std::string_view bytes, const Recording& recording);

// Ok when evidence with this SHA-256 is stored; InvalidArgument on `field` when the text is not
// 64 lower-case hex digits, NotFound on `field` when nothing is stored under it.
Status checkEvidence(Workspace& ws, std::string_view sha256, std::string_view field);

std::string evidenceUploadedJson(const EvidenceUploaded& uploaded);

}  // namespace phaseout::service
