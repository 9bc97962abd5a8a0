#include "service/evidence.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "service/workspace_access.h"
#include "storage/campaign_store.h"
#include "storage/connection.h"

namespace phaseout::service {

Result<EvidenceUploaded> uploadEvidence(const Caller& caller, Workspace& ws, std::string_view name,
                                        std::string_view bytes, const Recording& recording) {
  if (!caller.scope.may_act && caller.person_id.empty()) {
    return permissionDenied("not allowed to upload evidence");
  }
  if (bytes.empty()) return invalidField("body", "the evidence file is empty");
  if (bytes.size() > kMaxEvidenceBytes) {
    return invalidField(
        "body", "the evidence file is larger than " + std::to_string(kMaxEvidenceBytes) + " bytes");
  }
  const std::string file_name = name.empty() ? std::string("evidence") : std::string(name);
  if (file_name.size() > 255 || file_name.find_first_of("/\\") != std::string::npos ||
      file_name == "." || file_name == ".." ||
      std::any_of(file_name.begin(), file_name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return invalidField("name", "expected a plain file name");
  }
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(
      auto tx, storage::Transaction::begin(repo.connection(), storage::Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto file, storage::CampaignStore(repo).storeEvidence(file_name, bytes));
  const storage::ChangeContext change = changeContext(caller, recording, "evidence upload");
  audit::Event event;
  event.effective_day = change.effective.days();
  event.recorded_ms = change.recorded_ms;
  event.actor = change.actor;
  event.kind = "evidence.upload";
  event.subject = file.sha256;
  event.payload =
      nlohmann::ordered_json{
          {"detail",
           {{"name", file.name}, {"sha256", file.sha256}, {"size_bytes", file.size_bytes}}}}
          .dump();
  PH_ASSIGN_OR_RETURN(const std::int64_t seq, repo.appendEvent(std::move(event)));
  PH_RETURN_IF_ERROR(tx->commit());
  return EvidenceUploaded{file.sha256, file.name, file.size_bytes, seq};
}

Status checkEvidence(Workspace& ws, std::string_view sha256, std::string_view field) {
  const bool hex = sha256.size() == 64 && std::all_of(sha256.begin(), sha256.end(), [](char c) {
                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                   });
  if (!hex)
    return invalidField(std::string(field),
                        "expected the SHA-256 of an uploaded file (64 hex digits)");
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  auto stored = storage::CampaignStore(repo).loadEvidence(std::string(sha256));
  if (!stored.isOk()) {
    if (stored.status().code() == StatusCode::kNotFound) {
      return notFound("no evidence uploaded with SHA-256 " + std::string(sha256))
          .withField(std::string(field));
    }
    return stored.status();
  }
  return Status::ok();
}

std::string evidenceUploadedJson(const EvidenceUploaded& uploaded) {
  return nlohmann::ordered_json{{"sha256", uploaded.sha256},
                                {"name", uploaded.name},
                                {"size_bytes", uploaded.size_bytes},
                                {"event", uploaded.event_seq}}
             .dump() +
         "\n";
}

}  // namespace phaseout::service
