#include "service/detect.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace phaseout::service {
namespace {

TEST(ParseAccessLogArgument, ServiceEqualsFileOrAPath) {
  auto named = parseAccessLogArgument("mail=/var/log/nginx/access.log");
  ASSERT_TRUE(named.isOk());
  EXPECT_EQ(named->service, "mail");
  EXPECT_EQ(named->path, "/var/log/nginx/access.log");
  // '=' inside a directory name is part of the path.
  auto path = parseAccessLogArgument("/srv/a=b/access.log");
  ASSERT_TRUE(path.isOk());
  EXPECT_EQ(path->service, "");
  EXPECT_EQ(path->path, "/srv/a=b/access.log");
  EXPECT_EQ(parseAccessLogArgument("=x.log")->path, "=x.log");
  auto empty = parseAccessLogArgument("");
  ASSERT_FALSE(empty.isOk());
  EXPECT_EQ(empty.status().field(), "access-log");
  auto no_file = parseAccessLogArgument("mail=");
  ASSERT_FALSE(no_file.isOk());
  EXPECT_EQ(no_file.status().field(), "access-log");
}

class Quiet : public DetectListener {
 public:
  void onProblem(const logs::LogProblem& /*problem*/) override {}
  void onUnreadable(const std::string& file, const Status& /*why*/) override {
    unreadable.push_back(file);
  }
  std::vector<std::string> unreadable;
};

TEST(Detect, UnreadableInputsFailTheRunNamingEachUnlessKeepGoing) {
  const auto dir = std::filesystem::temp_directory_path() / "phaseout_detect_service_test";
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "access.log").string();
  std::ofstream(log) << "10.0.0.7 - - [05/Apr/2023:10:42:32 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" "
                        "\"Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X)\"\n";
  DetectRequest request;
  request.captures = {(dir / "missing.pcap").string()};
  request.access_logs = {"web=" + log, (dir / "missing.log").string()};
  const Caller op = Caller::localOperator("t");
  {
    Quiet listener;
    auto r = detect(op, request, listener);
    ASSERT_FALSE(r.isOk());
    EXPECT_EQ(r.status().message(),
              "2 of 3 inputs cannot be read: " + (dir / "missing.pcap").string() + ", " +
                  (dir / "missing.log").string());
    EXPECT_EQ(listener.unreadable.size(), 2u);
  }
  {
    request.keep_going = true;
    Quiet listener;
    auto r = detect(op, request, listener);
    ASSERT_TRUE(r.isOk()) << r.status().toString();
    EXPECT_EQ(r->report.unreadable.size(), 2u);
    EXPECT_EQ(r->report.logs.files, 1u);
    EXPECT_FALSE(r->stored);
  }
  {
    // Storing needs an administrator, and is refused before anything is read.
    Caller reader;
    reader.actor = "p-2";
    reader.scope.all_units = true;
    request.store = true;
    Quiet listener;
    auto r = detect(reader, request, listener);
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    EXPECT_TRUE(listener.unreadable.empty());
  }
  {
    DetectRequest on_without_store;
    on_without_store.captures = {log};
    on_without_store.on = Date::fromEpochMs(0);
    Quiet listener;
    EXPECT_EQ(detect(op, on_without_store, listener).status().field(), "on");
  }
  {
    // A publishing period is for a live capture, and at least a second long.
    DetectRequest files;
    files.captures = {log};
    files.period_ms = 5000;
    Quiet listener;
    EXPECT_EQ(detect(op, files, listener).status().field(), "publish-every");
    std::atomic<bool> stop{true}, reload{false};
    DetectRequest live;
    live.live.interface = "lo";
    live.stop = &stop;
    live.reload = &reload;
    live.period_ms = 500;
    auto refused = detect(op, live, listener);
    EXPECT_EQ(refused.status().field(), "publish-every");
    EXPECT_NE(refused.status().message().find("at least 1 second"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phaseout::service
