// Webhook detection and the outbox: a baseline announces nothing; a disposition is announced
// once per webhook with the old and new status; a second process finds the work done; the
// backoff schedule; claims keep a device's deliveries in order and honour leases.
#include "service/webhooks.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/campaign.h"
#include "service/demo.h"
#include "service/test_support.h"

namespace phaseout::service {
namespace {

using testing::day;
using testing::recordingAt;

TEST(WebhookBackoff, DoublesFromTheInitialDelayUpToTheCap) {
  const BackoffPolicy policy{1000, 30000, 10};
  // jitter 0: half of the delay is fixed; jitter -> 1: the whole delay.
  EXPECT_EQ(backoffDelayMs(policy, 1, 0.0), 500);
  EXPECT_EQ(backoffDelayMs(policy, 1, 0.999999), 999);
  EXPECT_EQ(backoffDelayMs(policy, 2, 0.0), 1000);
  EXPECT_EQ(backoffDelayMs(policy, 3, 0.5), 3000);
  EXPECT_EQ(backoffDelayMs(policy, 5, 0.0), 8000);
  EXPECT_EQ(backoffDelayMs(policy, 6, 0.0), 15000);   // 32 s capped at 30 s
  EXPECT_EQ(backoffDelayMs(policy, 60, 1.0), 30000);  // no overflow
  for (int attempt = 1; attempt < 20; ++attempt) {
    const std::int64_t low = backoffDelayMs(policy, attempt, 0.0);
    const std::int64_t high = backoffDelayMs(policy, attempt, 1.0);
    EXPECT_LE(low, high);
    EXPECT_LE(high, 30000);
    EXPECT_GE(low, 500);
  }
}

TEST(WebhookPayload, CarriesEveryField) {
  VerdictChange c;
  c.directive_id = "pa-iphone-2023";
  c.device_id = "D-1";
  c.holder = "P-1";
  c.unit = "gov/pa";
  c.old_status = "overdue";
  c.new_status = "exempt";
  c.reason = "Waived until 2023-06-30 (W-000001).";
  c.event_seq = 42;
  c.day = day("2023-03-20");
  c.detected_ms = day("2023-03-20").epochMs() + 1000;
  const auto j = nlohmann::json::parse(verdictChangeJson(c, "whd_1"));
  EXPECT_EQ(j["delivery_id"], "whd_1");
  EXPECT_EQ(j["type"], "verdict.changed");
  EXPECT_EQ(j["directive"], "pa-iphone-2023");
  EXPECT_EQ(j["device"], "D-1");
  EXPECT_EQ(j["holder"], "P-1");
  EXPECT_EQ(j["unit"], "gov/pa");
  EXPECT_EQ(j["old_status"], "overdue");
  EXPECT_EQ(j["new_status"], "exempt");
  EXPECT_EQ(j["reason"], c.reason);
  EXPECT_EQ(j["event_seq"], 42);
  EXPECT_EQ(j["day"], "2023-03-20");
  EXPECT_EQ(j["at"], "2023-03-20T00:00:01Z");
}

class WebhookWatcherTest : public testing::WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    if (HasFatalFailure()) return;
    auto demo = runDemoHere(120);
    ASSERT_TRUE(demo.isOk()) << demo.status().toString();
    for (const auto& v : demo->status.evaluation.verdicts) {
      if (v.status == policy::VerdictStatus::kPending && v.holder != nullptr) {
        if (device_.empty()) {
          device_ = v.device->device_id;
          holder_ = v.holder->person_id;
        } else if (second_device_.empty()) {
          second_device_ = v.device->device_id;
        }
      }
    }
    ASSERT_FALSE(second_device_.empty());
  }

  void dispose(const std::string& device_id, const char* today) {
    DispositionRequest request;
    request.device_id = device_id;
    request.as = campaign::Disposition::kDestroyed;
    request.by = holder_;
    auto r = recordDisposition(Caller::localOperator("tester"), *ws_, request, recordingAt(today));
    ASSERT_TRUE(r.isOk()) << r.status().toString();
  }

  static std::int64_t at(const char* today) { return day(today).epochMs() + 7'200'000; }

  const Caller reader_ = Caller::localOperator("phaseout serve");
  std::string device_, second_device_, holder_;
};

TEST_F(WebhookWatcherTest, ABaselineThenEachChangeOncePerWebhook) {
  VerdictWatcher watcher(std::vector<WebhookTarget>{{"http://a.example/hook", {}},
                                                    {"http://b.example/hook", {"other"}}});
  auto first = watcher.scan(reader_, *ws_, nullptr, at("2023-03-20"));
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_TRUE(first->baseline);
  EXPECT_TRUE(first->changes.empty());
  auto again = watcher.scan(reader_, *ws_, nullptr, at("2023-03-20"));
  ASSERT_TRUE(again.isOk());
  EXPECT_FALSE(again->evaluated);  // nothing new

  dispose(device_, "2023-03-20");
  EvaluationCache cache;
  auto after = watcher.scan(reader_, *ws_, &cache, at("2023-03-20"));
  ASSERT_TRUE(after.isOk()) << after.status().toString();
  ASSERT_EQ(after->changes.size(), 1u);
  const VerdictChange& c = after->changes[0];
  EXPECT_EQ(c.directive_id, "pa-iphone-2023");
  EXPECT_EQ(c.device_id, device_);
  EXPECT_EQ(c.holder, holder_);
  EXPECT_FALSE(c.unit.empty());
  EXPECT_EQ(c.old_status, "pending");
  EXPECT_EQ(c.new_status, kOutOfScope);
  EXPECT_NE(c.reason.find("destroyed"), std::string::npos) << c.reason;
  EXPECT_EQ(after->deliveries, 1u);  // the second webhook wants another directive

  auto claimed = claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "me",
                                        at("2023-03-20"), 10000, 10);
  ASSERT_TRUE(claimed.isOk()) << claimed.status().toString();
  ASSERT_EQ(claimed->size(), 1u);
  const auto body = nlohmann::json::parse((*claimed)[0].payload);
  EXPECT_EQ(body["delivery_id"], (*claimed)[0].delivery_id);
  EXPECT_EQ(body["device"], device_);
  EXPECT_TRUE(claimWebhookDeliveries(reader_, *ws_, "http://b.example/hook", "me", at("2023-03-20"),
                                     10000, 10)
                  ->empty());

  // A second process on the same database (a fresh watcher) finds the work done, and then
  // continues from the stored snapshot.
  VerdictWatcher other(std::vector<WebhookTarget>{{"http://a.example/hook", {}}});
  auto elsewhere = other.scan(reader_, *ws_, nullptr, at("2023-03-20"));
  ASSERT_TRUE(elsewhere.isOk());
  EXPECT_TRUE(elsewhere->elsewhere);
  dispose(second_device_, "2023-03-20");
  auto next = other.scan(reader_, *ws_, nullptr, at("2023-03-20"));
  ASSERT_TRUE(next.isOk()) << next.status().toString();
  ASSERT_EQ(next->changes.size(), 1u);
  EXPECT_EQ(next->changes[0].device_id, second_device_);
  // The first watcher's memory is behind the stored cursor: it reloads, finds nothing new.
  auto first_again = watcher.scan(reader_, *ws_, nullptr, at("2023-03-20"));
  ASSERT_TRUE(first_again.isOk());
  EXPECT_TRUE(first_again->elsewhere);
  EXPECT_TRUE(first_again->changes.empty());
}

TEST_F(WebhookWatcherTest, ANewDayIsComparedWithoutAnyEvent) {
  VerdictWatcher watcher(std::vector<WebhookTarget>{{"http://a.example/hook", {}}});
  ASSERT_TRUE(watcher.scan(reader_, *ws_, nullptr, at("2023-03-20")).isOk());
  // Far past the directive's deadline: pending devices became overdue.
  auto later = watcher.scan(reader_, *ws_, nullptr, at("2024-06-01"));
  ASSERT_TRUE(later.isOk()) << later.status().toString();
  ASSERT_FALSE(later->changes.empty());
  for (const auto& c : later->changes) {
    if (c.old_status == "pending") {
      EXPECT_EQ(c.new_status, "overdue") << c.device_id;
    }
    EXPECT_EQ(c.day, day("2024-06-01"));
  }
}

TEST_F(WebhookWatcherTest, ClaimsKeepADevicesOrderAndHonourLeases) {
  VerdictWatcher watcher(std::vector<WebhookTarget>{{"http://a.example/hook", {}}});
  ASSERT_TRUE(watcher.scan(reader_, *ws_, nullptr, at("2023-03-20")).isOk());
  dispose(device_, "2023-03-20");
  ASSERT_TRUE(watcher.scan(reader_, *ws_, nullptr, at("2023-03-20")).isOk());
  const std::int64_t now = at("2023-03-20");
  auto mine = claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p1", now, 5000, 10);
  ASSERT_TRUE(mine.isOk());
  ASSERT_EQ(mine->size(), 1u);
  // Leased: another process gets nothing until the lease ends.
  EXPECT_TRUE(
      claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p2", now + 1000, 5000, 10)
          ->empty());
  auto expired =
      claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p2", now + 6000, 5000, 10);
  ASSERT_TRUE(expired.isOk());
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].delivery_id, (*mine)[0].delivery_id);  // the same idempotency key

  // p1's late outcome is ignored (the claim is p2's); p2's failure schedules a retry.
  WebhookAttempt late{&(*mine)[0], "p1", now + 6100, true, ""};
  const BackoffPolicy policy{1000, 8000, 3};
  ASSERT_TRUE(recordWebhookAttempt(reader_, *ws_, late, policy, 0.0).isOk());
  WebhookAttempt failed{&(*expired)[0], "p2", now + 6200, false, "HTTP 500"};
  auto outcome = recordWebhookAttempt(reader_, *ws_, failed, policy, 0.0);
  ASSERT_TRUE(outcome.isOk());
  EXPECT_EQ(*outcome, AttemptOutcome::kRetrying);
  EXPECT_TRUE(
      claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p2", now + 6600, 5000, 10)
          ->empty());  // due after 500 ms
  auto retry =
      claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p2", now + 6700, 5000, 10);
  ASSERT_EQ(retry->size(), 1u);
  EXPECT_EQ((*retry)[0].attempts, 1);
  WebhookAttempt again{&(*retry)[0], "p2", now + 6800, false, "HTTP 500"};
  EXPECT_EQ(*recordWebhookAttempt(reader_, *ws_, again, policy, 0.0), AttemptOutcome::kRetrying);
  retry =
      claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p2", now + 9000, 5000, 10);
  ASSERT_EQ(retry->size(), 1u);
  WebhookAttempt last{&(*retry)[0], "p2", now + 9100, false, "HTTP 500"};
  EXPECT_EQ(*recordWebhookAttempt(reader_, *ws_, last, policy, 0.0), AttemptOutcome::kGivenUp);
  EXPECT_TRUE(
      claimWebhookDeliveries(reader_, *ws_, "http://a.example/hook", "p2", now + 99000, 5000, 10)
          ->empty());
}

TEST_F(WebhookWatcherTest, ANarrowReaderIsRefused) {
  Caller narrow;
  narrow.actor = "x";
  narrow.scope.unit_subtrees = {"gov"};
  VerdictWatcher watcher(std::vector<WebhookTarget>{});
  auto r = watcher.scan(narrow, *ws_, nullptr, at("2023-03-20"));
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace phaseout::service
