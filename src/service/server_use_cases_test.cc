// The use cases the server adds: the evaluation cache (equal to the uncached evaluation for
// every scope, invalidated by writes), device detail, self-service and evidence uploads.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "report/status_report.h"
#include "service/audit.h"
#include "service/campaign.h"
#include "service/demo.h"
#include "service/device_detail.h"
#include "service/evaluation_cache.h"
#include "service/evidence.h"
#include "service/self_service.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::day;
using testing::recordingAt;

class ServerUseCasesTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    auto demo = runDemoHere(120);
    ASSERT_TRUE(demo.isOk()) << demo.status().toString();
    // A holder with a pending (banned, open case) device.
    for (const auto& v : demo->status.evaluation.verdicts) {
      if (v.status == policy::VerdictStatus::kPending && v.holder != nullptr &&
          v.holder->status == inventory::EmploymentStatus::kActive) {
        holder_ = v.holder->person_id;
        unit_ = v.holder->unit;
        device_ = v.device->device_id;
        break;
      }
    }
    ASSERT_FALSE(device_.empty());
    for (const auto& v : demo->status.evaluation.verdicts) {
      if (v.holder != nullptr && v.holder->unit != unit_ &&
          v.holder->unit.rfind(unit_ + "/", 0) != 0) {
        other_device_ = v.device->device_id;
        other_person_ = v.holder->person_id;
        break;
      }
    }
    ASSERT_FALSE(other_device_.empty());
  }

  Caller holder() const {
    Caller c;
    c.actor = holder_;
    c.person_id = holder_;
    c.scope.own_person = holder_;
    return c;
  }
  Caller unitOfficer() const {
    Caller c;
    c.actor = "officer";
    c.person_id = "officer";
    c.scope.unit_subtrees = {unit_};
    c.scope.may_act = true;
    return c;
  }
  Caller auditor() const {
    Caller c;
    c.actor = "auditor";
    c.scope.all_units = true;
    c.scope.may_read_audit = true;
    return c;
  }

  std::string uncachedJson(const Caller& caller, Date at) {
    auto r = ws_->status(caller, "pa-iphone-2023", at);
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return report::statusJson(r->directive, r->evaluation, true, r->milestones);
  }

  void expectAuditIntact() {
    auto check = verifyAudit(Caller::localOperator("tester"), *ws_);
    ASSERT_TRUE(check.isOk()) << check.status().toString();
    EXPECT_TRUE(check->ok()) << auditCheckText(*check);
  }

  std::string holder_, unit_, device_, other_device_, other_person_;
};

TEST_F(ServerUseCasesTest, CachedEvaluationEqualsTheUncachedOneForEveryScope) {
  EvaluationCache cache;
  const Date at = day("2023-03-20");
  for (const Caller& caller :
       {Caller::localOperator("x"), unitOfficer(), holder(), auditor(), Caller{}}) {
    for (int round = 0; round < 2; ++round) {
      auto cached = cache.status(caller, *ws_, "pa-iphone-2023", at);
      ASSERT_TRUE(cached.isOk()) << cached.status().toString();
      const auto& r = **cached;
      EXPECT_EQ(report::statusJson(r.directive, r.evaluation, true, r.milestones),
                uncachedJson(caller, at))
          << caller.actor;
    }
  }
  EXPECT_EQ(cache.stats().misses, 1u);
  EXPECT_EQ(cache.stats().hits, 9u);
}

TEST_F(ServerUseCasesTest, AWriteInvalidatesTheCache) {
  EvaluationCache cache;
  const Date at = day("2023-03-21");
  ASSERT_TRUE(cache.status(auditor(), *ws_, "pa-iphone-2023", at).isOk());
  const std::string before = uncachedJson(auditor(), at);
  DispositionRequest req;
  req.device_id = device_;
  req.as = campaign::Disposition::kReturned;
  req.by = holder_;
  ASSERT_TRUE(
      recordDisposition(Caller::localOperator("tester"), *ws_, req, recordingAt("2023-03-21"))
          .isOk());
  auto after = cache.status(auditor(), *ws_, "pa-iphone-2023", at);
  ASSERT_TRUE(after.isOk());
  const std::string json =
      report::statusJson((*after)->directive, (*after)->evaluation, true, (*after)->milestones);
  EXPECT_NE(json, before);
  EXPECT_EQ(json, uncachedJson(auditor(), at));
  EXPECT_EQ(cache.stats().misses, 2u);
}

TEST_F(ServerUseCasesTest, ThreadsShareOneEvaluation) {
  EvaluationCache cache;
  const std::string db = (dir_ / "t.db").string();
  std::vector<std::thread> threads;
  std::vector<std::string> out(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto ws = Workspace::open(db);
      if (!ws.isOk()) return;
      auto r = cache.status(auditor(), **ws, "pa-iphone-2023", day("2023-03-20"));
      if (r.isOk()) out[i] = report::statusJson((*r)->directive, (*r)->evaluation, false);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& json : out) EXPECT_EQ(json, out.front());
  EXPECT_FALSE(out.front().empty());
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST_F(ServerUseCasesTest, DeviceDetailIsNotFoundOutOfView) {
  DeviceDetailRequest req{device_, day("2023-03-20"), 0};
  auto own = deviceDetail(holder(), *ws_, req);
  ASSERT_TRUE(own.isOk()) << own.status().toString();
  EXPECT_EQ(own->device.device_id, device_);
  ASSERT_FALSE(own->verdicts.empty());
  EXPECT_EQ(own->verdicts.front().status, policy::VerdictStatus::kPending);
  EXPECT_FALSE(own->versions.empty());
  EXPECT_NE(deviceDetailJson(*own).find("\"device_id\":\"" + device_ + "\""), std::string::npos);

  auto other = deviceDetail(holder(), *ws_, {other_device_, day("2023-03-20"), 0});
  auto missing = deviceDetail(holder(), *ws_, {"D-nope", day("2023-03-20"), 0});
  ASSERT_EQ(other.status().code(), StatusCode::kNotFound);
  ASSERT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other.status().message(), "device " + other_device_ + " not found");
  EXPECT_TRUE(deviceDetail(unitOfficer(), *ws_, req).isOk());
  EXPECT_EQ(
      deviceDetail(unitOfficer(), *ws_, {other_device_, day("2023-03-20"), 0}).status().code(),
      StatusCode::kNotFound);
}

TEST_F(ServerUseCasesTest, AHolderAcknowledgesDeclaresAndReportsAHandOver) {
  const auto rec = recordingAt("2023-03-21");
  auto ack = acknowledgeNotice(holder(), *ws_, {"", device_, "seen"}, rec);
  ASSERT_TRUE(ack.isOk()) << ack.status().toString();
  EXPECT_EQ(ack->actor, holder_);
  EXPECT_EQ(acknowledgeNotice(holder(), *ws_, {"", other_device_, ""}, rec).status().code(),
            StatusCode::kNotFound);

  DeclarationRequest decl;
  decl.model = "iPhone 12";
  decl.platform = "ios";
  auto declared = declareDevice(holder(), *ws_, decl, rec);
  ASSERT_TRUE(declared.isOk()) << declared.status().toString();
  EXPECT_EQ(declared->device.holder, holder_);
  decl.person_id = other_person_;
  EXPECT_EQ(declareDevice(holder(), *ws_, decl, rec).status().field(), "person");
  EXPECT_EQ(declareDevice(holder(), *ws_, DeclarationRequest{}, rec).status().field(), "model");

  EXPECT_EQ(reportHandover(holder(), *ws_, {device_, "P-nobody", ""}, rec).status().field(), "to");
  auto reported = reportHandover(holder(), *ws_, {device_, other_person_, ""}, rec);
  ASSERT_TRUE(reported.isOk()) << reported.status().toString();
  EXPECT_EQ(reportHandover(holder(), *ws_, {device_, other_person_, ""}, rec).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(confirmHandover(holder(), *ws_, device_, rec).status().code(),
            StatusCode::kPermissionDenied);
  auto confirmed = confirmHandover(unitOfficer(), *ws_, device_, rec);
  ASSERT_TRUE(confirmed.isOk()) << confirmed.status().toString();
  EXPECT_EQ(confirmed->device.holder, other_person_);
  EXPECT_EQ(confirmed->report_seq, reported->event_seq);
  EXPECT_EQ(confirmHandover(unitOfficer(), *ws_, device_, rec).status().code(),
            StatusCode::kNotFound);  // now held by someone out of the officer's view

  std::vector<std::string> actors;
  ASSERT_TRUE(exportAudit(Caller::localOperator("t"), *ws_, [&](std::string_view line) {
                if (line.find("\"seq\":" + std::to_string(ack->seq) + ",") != std::string::npos ||
                    line.find("\"seq\":" + std::to_string(reported->event_seq) + ",") !=
                        std::string::npos) {
                  actors.emplace_back(line);
                }
                return Status::ok();
              }).isOk());
  ASSERT_EQ(actors.size(), 2u);
  for (const auto& line : actors) {
    EXPECT_NE(line.find("\"actor\":\"" + holder_ + "\""), std::string::npos) << line;
  }
  expectAuditIntact();
}

TEST_F(ServerUseCasesTest, UploadedEvidenceBacksADisposition) {
  const auto rec = recordingAt("2023-03-21");
  EXPECT_EQ(uploadEvidence(Caller{}, *ws_, "c.pdf", "x", rec).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(uploadEvidence(unitOfficer(), *ws_, "c.pdf", "", rec).status().field(), "body");
  EXPECT_EQ(uploadEvidence(unitOfficer(), *ws_, "../c.pdf", "x", rec).status().field(), "name");
  auto up = uploadEvidence(unitOfficer(), *ws_, "c.pdf", "certificate", rec);
  ASSERT_TRUE(up.isOk()) << up.status().toString();
  EXPECT_EQ(up->sha256.size(), 64u);

  DispositionRequest req;
  req.device_id = device_;
  req.as = campaign::Disposition::kDestroyed;
  req.by = holder_;
  req.evidence_sha256 = std::string(64, 'a');
  EXPECT_EQ(recordDisposition(unitOfficer(), *ws_, req, rec).status().field(), "evidence");
  req.evidence_sha256 = "nothex";
  EXPECT_EQ(recordDisposition(unitOfficer(), *ws_, req, rec).status().field(), "evidence");
  req.evidence_sha256 = up->sha256;
  auto done = recordDisposition(unitOfficer(), *ws_, req, rec);
  ASSERT_TRUE(done.isOk()) << done.status().toString();
  ASSERT_TRUE(done->evidence.has_value());
  EXPECT_EQ(done->evidence->sha256, up->sha256);
  auto detail = deviceDetail(unitOfficer(), *ws_, {device_, day("2023-03-21"), 0});
  ASSERT_TRUE(detail.isOk());
  ASSERT_EQ(detail->evidence.size(), 1u);
  EXPECT_EQ(detail->evidence.front().sha256, up->sha256);
  expectAuditIntact();
}

}  // namespace
}  // namespace phaseout::service
