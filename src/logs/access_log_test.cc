#include "logs/access_log.h"

#include <gtest/gtest.h>

#include <vector>

namespace phaseout::logs {
namespace {

std::shared_ptr<const detect::SignatureSet> builtin() {
  static const auto set = detect::SignatureSet::loadBuiltin().value();
  return set;
}

class Collect : public LogListener {
 public:
  void onProblem(const LogProblem& p) override { problems.push_back(p); }
  std::vector<LogProblem> problems;
};

const detect::DeviceVerdict* find(const std::vector<detect::DeviceVerdict>& devices,
                                  const std::string& key) {
  for (const auto& d : devices) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

constexpr const char* kIphoneUa =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/16.5 Mobile/15E148 Safari/604.1";
constexpr const char* kWindowsUa =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.0.0 Safari/537.36";

struct Fixture {
  detect::Ledger ledger{builtin(), nullptr};
  LogStats stats;
  Collect problems;
  std::vector<detect::DeviceVerdict> parse(const std::string& text, const std::string& service,
                                           bool from_name = false) {
    AccessLogParser parser(ledger, ledger.addSource("access.log"), "access.log", &problems, stats,
                           service, from_name);
    parseLines(text, parser, stats);
    return ledger.finish();
  }
};

TEST(AccessLogTest, CombinedLinesGiveUsersUserAgentsAndServiceUses) {
  Fixture f;
  const std::string text =
      std::string(
          "10.1.2.3 - jdoe [20/Mar/2023:11:00:00 +0100] \"GET /owa/?ae=Item HTTP/1.1\" "
          "200 5120 \"https://mail.example.org/\" \"") +
      kIphoneUa + "\"\n" +
      "10.1.2.3 - jdoe [20/Mar/2023:11:00:05 +0100] \"POST /owa/service.svc HTTP/1.1\" 200 "
      "312 \"-\" \"" +
      kIphoneUa + "\"\n" +
      "10.1.2.3 - mallory [20/Mar/2023:11:00:06 +0100] \"GET /owa/ HTTP/1.1\" 401 0 \"-\" \"" +
      kIphoneUa + "\"\n" +
      "10.1.2.4 - - [20/Mar/2023:11:01:00 +0100] \"GET / HTTP/1.1\" 200 512 \"-\" \"" + kWindowsUa +
      "\"\n";
  const auto devices = f.parse(text, "mail");
  EXPECT_EQ(f.stats.records, 4u);
  EXPECT_EQ(f.stats.bad_lines, 0u);
  ASSERT_EQ(devices.size(), 2u);
  const auto* phone = find(devices, "ip:10.1.2.3");
  ASSERT_NE(phone, nullptr);
  EXPECT_EQ(phone->verdict.best, platform::Platform::kIos);
  EXPECT_EQ(phone->users, std::vector<std::string>{"jdoe"}) << "a 401 answer refused mallory";
  ASSERT_EQ(phone->services.size(), 3u);
  EXPECT_EQ(phone->services[0].service, "mail/owa/");
  EXPECT_EQ(phone->services[0].user, "");
  EXPECT_EQ(phone->services[1].service, "mail/owa/");
  EXPECT_EQ(phone->services[1].user, "jdoe");
  EXPECT_EQ(phone->services[1].user_agent, kIphoneUa);
  EXPECT_EQ(phone->services[1].where.line, 1u);
  EXPECT_EQ(phone->services[2].service, "mail/owa/service.svc");
  // 20/Mar/2023:11:00:00 +0100 is 10:00:00Z, 1679306400.
  EXPECT_EQ(phone->first_seen_ns, 1679306400'000'000'000);
  EXPECT_EQ(phone->last_seen_ns, 1679306406'000'000'000);
  const auto* desktop = find(devices, "ip:10.1.2.4");
  ASSERT_NE(desktop, nullptr);
  EXPECT_EQ(desktop->verdict.best, platform::Platform::kWindows);
  EXPECT_TRUE(desktop->users.empty());
  ASSERT_EQ(desktop->services.size(), 1u);
  EXPECT_EQ(desktop->services[0].service, "mail");
}

TEST(AccessLogTest, CommonVhostAndProxyForms) {
  Fixture f;
  const std::string text =
      std::string(
          "10.1.2.5 - alice [20/Mar/2023:10:00:00 +0000] \"GET /intro.html HTTP/1.0\" 200 "
          "2326\n") +
      "portal.example.org:443 10.1.2.6 - bob [20/Mar/2023:10:00:01 +0000] \"GET /app/ HTTP/1.1\" "
      "200 100 \"-\" \"" +
      kIphoneUa + "\"\n" +
      "10.1.2.7 - carol [20/Mar/2023:10:00:02 +0000] \"GET http://Files.Example.org/a/b?x=1 "
      "HTTP/1.1\" 200 1 \"-\" \"" +
      kIphoneUa + "\"\n" +
      "10.1.2.7 - carol [20/Mar/2023:10:00:03 +0000] \"CONNECT chat.example.org:443 HTTP/1.1\" "
      "200 1 \"-\" \"" +
      kIphoneUa + "\"\n";
  const auto devices = f.parse(text, "web", /*from_name=*/true);
  EXPECT_EQ(f.stats.bad_lines, 0u);
  EXPECT_EQ(f.stats.records, 4u);
  // A common-format line carries no User-Agent: no evidence, so no device, but nothing breaks.
  EXPECT_EQ(find(devices, "ip:10.1.2.5"), nullptr);
  const auto* vhost = find(devices, "ip:10.1.2.6");
  ASSERT_NE(vhost, nullptr);
  ASSERT_EQ(vhost->services.size(), 1u);
  EXPECT_EQ(vhost->services[0].service, "portal.example.org/app/") << "the line's vhost";
  EXPECT_EQ(vhost->users, std::vector<std::string>{"bob"});
  const auto* proxy = find(devices, "ip:10.1.2.7");
  ASSERT_NE(proxy, nullptr);
  ASSERT_EQ(proxy->services.size(), 2u);
  EXPECT_EQ(proxy->services[0].service, "chat.example.org");
  EXPECT_EQ(proxy->services[1].service, "files.example.org/a/b");
}

TEST(AccessLogTest, DamagedLinesAreReportedWithTheirNumber) {
  Fixture f;
  const std::string text =
      std::string(
          "10.1.2.3 - jdoe [20/Mar/2023:11:00:00 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"") +
      kIphoneUa + "\"\n" + "10.1.2.3 - jdoe [20/Mar/2023:11:00:00 +0100] \"GET /trunc\n" +
      "garbage without any structure\n" +
      "client.example.org - - [20/Mar/2023:11:00:00 +0100] \"GET / HTTP/1.1\" 200 1\n" +
      "10.1.2.3 - jdoe [32/Mar/2023:11:00:00 +0100] \"GET / HTTP/1.1\" 200 1\n" + "\n";
  const auto devices = f.parse(text, "portal");
  EXPECT_EQ(f.stats.records, 1u);
  EXPECT_EQ(f.stats.bad_lines, 4u);
  ASSERT_EQ(f.problems.problems.size(), 4u);
  EXPECT_EQ(f.problems.problems[0].line, 2u);
  EXPECT_EQ(f.problems.problems[1].line, 3u);
  EXPECT_EQ(f.problems.problems[2].line, 4u);
  EXPECT_NE(f.problems.problems[2].message.find("not an IP address"), std::string::npos);
  EXPECT_EQ(f.problems.problems[3].line, 5u);
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].verdict.best, platform::Platform::kIos);
}

TEST(AccessLogTest, ServiceNameFromTheFileName) {
  EXPECT_EQ(accessLogServiceName("/var/log/nginx/intranet.log"), "intranet");
  EXPECT_EQ(accessLogServiceName("portal.access.log.gz"), "portal.access");
  EXPECT_EQ(accessLogServiceName("access_log"), "access_log");
}

}  // namespace
}  // namespace phaseout::logs
