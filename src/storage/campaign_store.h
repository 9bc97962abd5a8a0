// CampaignStore: persistence of the campaign — waivers and their revocations, case steps,
// evidence files, sent notifications — and the full history the campaign is read from.
//
// Every write is bound to one audit event (through Repository::appendEvent) whose payload
// carries the digest of the rows it wrote; callers run writes inside a write transaction.
// Not thread-safe; shares the Repository's connection.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "campaign/history.h"
#include "campaign/waiver.h"
#include "storage/repository.h"

namespace phaseout::storage {

struct EvidenceFile {
  std::string sha256;
  std::string name;
  std::int64_t size_bytes = 0;
};

struct Notification {
  std::string directive_id;
  std::string device_id;
  std::string milestone;
  std::string step;       // e.g. "before-7" or "escalation"
  std::string recipient;  // an e-mail address
  Date sent_on;
};

class CampaignStore {
 public:
  explicit CampaignStore(Repository& repository) : repo_(repository) {}

  // Assigns the next waiver id ("W-000001"), stores it with a "waiver.grant" event; returns
  // the stored waiver.
  Result<campaign::Waiver> grantWaiver(campaign::Waiver waiver, const ChangeContext& change);
  // NotFound for an unknown id; FailedPrecondition when already revoked.
  Status revokeWaiver(const std::string& waiver_id, Date from, const ChangeContext& change);
  // All waivers (of one directive when given), with their revocations, ordered by id.
  Result<std::vector<campaign::Waiver>> loadWaivers(const std::string& directive_id = "");

  // Assigns the next request id ("WR-000001") and stores the pending request with a
  // "waiver.request" event whose subject is the device; returns the stored request.
  Result<campaign::RequestedWaiver> requestWaiver(campaign::RequestedWaiver request,
                                                  const ChangeContext& change);
  // Stores the decision of a request (its state approved or refused, decided_by, decided_on
  // and decision_reason set) with one event, subject the device: "waiver.approve" also stores
  // `granted` (its waiver id assigned here and returned in waiver_id), its digest covering both
  // rows; "waiver.refuse" the decision alone. FailedPrecondition when it is already decided.
  Result<campaign::RequestedWaiver> decideWaiverRequest(campaign::RequestedWaiver decided,
                                                        std::optional<campaign::Waiver> granted,
                                                        const ChangeContext& change);
  // All requests (of one directive when given) with their decisions, ordered by id.
  Result<std::vector<campaign::RequestedWaiver>> loadWaiverRequests(
      const std::string& directive_id = "");

  Result<std::int64_t> recordCaseStep(const campaign::CaseStep& step, const ChangeContext& change);
  Result<std::vector<campaign::CaseStep>> loadCaseSteps(const std::string& directive_id);

  // Stores the bytes once (keyed by SHA-256); returns their description. Must run in a write
  // transaction; the caller's event references the digest.
  Result<EvidenceFile> storeEvidence(const std::string& name, std::string_view bytes);
  Result<std::string> loadEvidence(const std::string& sha256);

  Result<bool> notificationSent(const std::string& directive_id, const std::string& device_id,
                                const std::string& milestone, const std::string& step);
  Status recordNotification(const Notification& n, const ChangeContext& change);
  Result<std::vector<Notification>> loadNotifications(const std::string& directive_id);

  // Everything casesOn()/snapshotOn() need for one directive. With `device_id`, only that
  // device, the people who held it and its case steps: enough to judge its one case quickly.
  // Must run in a read (or write) transaction. With `second` (another connection to the same
  // database, used by no one else meanwhile) half of the device versions are read on a second
  // thread over it, in a transaction of its own that must see the same snapshot (checked).
  Result<campaign::History> loadHistory(const std::string& directive_id,
                                        const std::string& device_id = "",
                                        Connection* second = nullptr);

 private:
  Result<std::vector<campaign::Versioned<inventory::Device>>> loadDeviceHistory(Connection& conn,
                                                                                Connection* second);

  Result<std::string> nextWaiverId();
  Status insertWaiver(const campaign::Waiver& waiver, std::int64_t seq);

  Repository& repo_;
};

}  // namespace phaseout::storage
