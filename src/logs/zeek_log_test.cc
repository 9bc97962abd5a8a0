#include "logs/zeek_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace phaseout::logs {
namespace {

using detect::SignalKind;

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

bool hasEvidence(const detect::DeviceVerdict& d, SignalKind signal, const std::string& value,
                 std::uint64_t line) {
  for (const auto& e : d.evidence) {
    if (e.signal == signal && e.value == value && e.where.line == line) return true;
  }
  return false;
}

// Zeek's TSV writer: header lines, then tab-separated records.
std::string tsv(const std::string& path, const std::string& fields, const std::string& types,
                const std::vector<std::string>& rows) {
  std::string out =
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t" +
      path + "\n#open\t2023-03-20-10-00-00\n#fields\t" + fields + "\n#types\t" + types + "\n";
  for (const auto& r : rows) out += r + "\n";
  out += "#close\t2023-03-20-11-00-00\n";
  return out;
}

constexpr const char* kIphoneUa =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/16.5 Mobile/15E148 Safari/604.1";

struct Fixture {
  detect::Ledger ledger{builtin(), nullptr};
  LogStats stats;
  Collect problems;
  std::vector<detect::DeviceVerdict> parse(const std::string& text, ZeekLogType hint,
                                           const std::string& file = "test.log") {
    ZeekLogParser parser(ledger, ledger.addSource(file), file, &problems, stats, hint);
    parseLines(text, parser, stats);
    return ledger.finish();
  }
};

TEST(ZeekLogTest, DhcpTsvGivesHostNamesAndLeases) {
  Fixture run;
  const std::string dhcp = tsv(
      "dhcp",
      "ts\tuids\tclient_addr\tserver_addr\tmac\thost_name\tclient_fqdn\tdomain\trequested_addr\t"
      "assigned_addr\tlease_time\tmsg_types",
      "time\tset[string]\taddr\taddr\tstring\tstring\tstring\tstring\taddr\taddr\tinterval\t"
      "vector[string]",
      {"1679306400.000000\tCa1,Cb2\t-\t192.168.2.1\tc4:61:8b:35:82:a9\tLucas-iPhone\t-\t"
       "(empty)\t-\t192.168.2.17\t86400.000000\tDISCOVER,OFFER,REQUEST,ACK"});
  const std::string http = tsv(
      "http", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\thost\turi\tuser_agent",
      "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring",
      {std::string("1679306460.5\tCx\t192.168.2.17\t50000\t10.0.0.80\t80\tintranet.example.org\t"
                   "/login?next=%2F\t") +
       kIphoneUa});
  run.parse(dhcp, ZeekLogType::kUnknown);
  const auto devices = run.parse(http, ZeekLogType::kUnknown);
  EXPECT_EQ(run.stats.bad_lines, 0u);
  EXPECT_EQ(run.stats.records, 2u);
  ASSERT_EQ(devices.size(), 1u) << "the http record's IP is the lease of the DHCP mac";
  const auto& d = devices[0];
  EXPECT_EQ(d.key, "mac:c4:61:8b:35:82:a9");
  EXPECT_EQ(d.hostnames, std::vector<std::string>{"Lucas-iPhone"});
  EXPECT_EQ(d.verdict.best, platform::Platform::kIos);
  EXPECT_TRUE(hasEvidence(d, SignalKind::kUserAgent, kIphoneUa, 9));
  EXPECT_TRUE(hasEvidence(d, SignalKind::kHostname, "Lucas-iPhone", 9));
  EXPECT_EQ(d.first_seen_ns, 1679306400'000'000'000);
  EXPECT_EQ(d.last_seen_ns, 1679306460'500'000'000);
  ASSERT_EQ(d.services.size(), 1u);
  EXPECT_EQ(d.services[0].service, "intranet.example.org/login");
  EXPECT_EQ(d.services[0].user_agent, kIphoneUa);
}

TEST(ZeekLogTest, JsonLinesWithTheTypeFromTheFileName) {
  Fixture run;
  const std::string text =
      std::string(R"({"ts":1679306460.25,"uid":"C1","id.orig_h":"10.0.0.7","id.orig_p":5000,)") +
      R"("id.resp_h":"10.0.0.80","id.resp_p":80,"method":"GET","host":"portal.example.org:8080",)" +
      R"("uri":"/mail/inbox","user_agent":")" + kIphoneUa + R"(","username":"jdoe"})" + "\n" +
      R"({"ts":"2023-03-20T10:01:00.000000Z","id.orig_h":"10.0.0.7","host":"portal.example.org",)" +
      R"("uri":"/mail/inbox","user_agent":")" + kIphoneUa + R"(","username":"jdoe"})" + "\n" +
      R"({"ts":1679306460.25,"id.orig_h":"10.0.0.7","host)" + "\n";
  ASSERT_EQ(zeekLogTypeFromFileName("/var/zeek/http.04:00:00-05:00:00.log.gz"), ZeekLogType::kHttp);
  const auto devices = run.parse(text, zeekLogTypeFromFileName("http.log"), "http.log");
  EXPECT_EQ(run.stats.records, 2u);
  EXPECT_EQ(run.stats.bad_lines, 1u);
  ASSERT_EQ(run.problems.problems.size(), 1u);
  EXPECT_EQ(run.problems.problems[0].file, "http.log");
  EXPECT_EQ(run.problems.problems[0].line, 3u);
  ASSERT_EQ(devices.size(), 1u);
  const auto& d = devices[0];
  EXPECT_EQ(d.key, "ip:10.0.0.7");
  EXPECT_EQ(d.verdict.best, platform::Platform::kIos);
  EXPECT_EQ(d.users, std::vector<std::string>{"jdoe"});
  ASSERT_EQ(d.services.size(), 1u);
  EXPECT_EQ(d.services[0].service, "portal.example.org/mail/inbox");
  EXPECT_EQ(d.services[0].user, "jdoe");
  EXPECT_EQ(d.services[0].count, 2u);
  EXPECT_EQ(d.first_seen_ns, 1679306460'000'000'000);
  EXPECT_EQ(d.last_seen_ns, 1679306460'250'000'000) << "10:01:00Z is 1679306460";
}

TEST(ZeekLogTest, DnsSslSoftwareAndConn) {
  Fixture run;
  run.parse(tsv("conn",
                "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tlocal_orig\t"
                "local_resp\torig_l2_addr\tresp_l2_addr",
                "time\tstring\taddr\tport\taddr\tport\tenum\tbool\tbool\tstring\tstring",
                {"1679306400.0\tC1\t192.168.5.20\t51000\t17.253.1.1\t443\ttcp\t-\t-\t"
                 "4c:6a:f6:9f:f6:27\t00:11:22:33:44:55"}),
            ZeekLogType::kUnknown);
  run.parse(tsv("dns", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery",
                "time\tstring\taddr\tport\taddr\tport\tstring",
                {"1679306401.0\tC2\t192.168.5.20\t5353\t224.0.0.251\t5353\t"
                 "_googlecast._tcp.local",
                 "1679306402.0\tC3\t192.168.5.20\t40000\t192.168.5.1\t53\t"
                 "connectivitycheck.gstatic.com"}),
            ZeekLogType::kUnknown);
  run.parse(tsv("ssl", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tserver_name\tja4",
                "time\tstring\taddr\tport\taddr\tport\tstring\tstring",
                {"1679306403.0\tC4\t192.168.5.20\t51000\t17.253.1.1\t443\tmail.example.org\t-"}),
            ZeekLogType::kUnknown);
  const auto devices = run.parse(
      tsv("software", "ts\thost\thost_p\tsoftware_type\tname\tunparsed_version",
          "time\taddr\tport\tenum\tstring\tstring",
          {"1679306404.0\t192.168.5.20\t-\tHTTP::BROWSER\tChrome\tMozilla/5.0 (Linux; "
           "Android 9; Nokia 2.2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.99 "
           "Mobile Safari/537.36",
           "1679306404.0\t192.168.5.20\t-\tOS::WINDOWS\tWindows\tWindows 10"}),
      ZeekLogType::kUnknown);
  EXPECT_EQ(run.stats.bad_lines, 0u);
  ASSERT_EQ(devices.size(), 1u) << "conn.log bound the local address to its MAC";
  const auto& d = devices[0];
  EXPECT_EQ(d.key, "mac:4c:6a:f6:9f:f6:27");
  EXPECT_EQ(d.verdict.best, platform::Platform::kAndroid);
  EXPECT_TRUE(hasEvidence(d, SignalKind::kDnsName, "connectivitycheck.gstatic.com", 10));
  EXPECT_TRUE(hasEvidence(d, SignalKind::kMdnsService, "query:_googlecast._tcp", 9))
      << "port 5353 queries read as a capture's mDNS queries";
  ASSERT_EQ(d.services.size(), 1u);
  EXPECT_EQ(d.services[0].service, "mail.example.org");
  EXPECT_EQ(d.first_seen_ns, 1679306401'000'000'000);
  EXPECT_EQ(d.last_seen_ns, 1679306404'000'000'000);
  // The remote address is not bound to the router's MAC: no device for 00:11:22:33:44:55.
  EXPECT_EQ(find(devices, "mac:00:11:22:33:44:55"), nullptr);
}

TEST(ZeekLogTest, GarbledAndForeignLinesAreCountedNotFatal) {
  Fixture run;
  std::string text = tsv("dns", "ts\tuid\tid.orig_h\tquery", "time\tstring\taddr\tstring",
                         {"1679306401.0\tC2\t10.9.9.9", "1679306401.0\tC2\t10.9.9.9\tx.org"});
  run.parse(text, ZeekLogType::kUnknown, "dns.log");
  EXPECT_EQ(run.stats.bad_lines, 1u);
  EXPECT_EQ(run.stats.records, 1u);
  ASSERT_EQ(run.problems.problems.size(), 1u);
  EXPECT_EQ(run.problems.problems[0].line, 9u);
  EXPECT_NE(run.problems.problems[0].message.find("expected 4 fields, found 3"), std::string::npos);

  Fixture other;
  other.parse(tsv("weird", "ts\tname", "time\tstring", {"1.0\tbad_TCP_checksum"}),
              ZeekLogType::kDns, "dns.log");
  EXPECT_EQ(other.stats.records, 0u) << "#path says weird, whatever the file name says";
  EXPECT_EQ(other.stats.bad_lines, 0u);

  Fixture headless;
  headless.parse("1.0\tC1\t10.0.0.1\n", ZeekLogType::kDns, "dns.log");
  EXPECT_EQ(headless.stats.bad_lines, 1u);
}

TEST(ZeekLogTest, RealDhcpAndConnLogsOfZeeksTestSuite) {
  const std::filesystem::path dir = std::filesystem::path(PH_SHARED_DIR) / "corpus/pcap/zeek";
  if (!std::filesystem::exists(dir / "dhcp.pcap.dhcp.log")) {
    GTEST_SKIP() << "shared corpus not found at " << dir;
  }
  detect::Ledger ledger(builtin(), nullptr);
  LogStats stats;
  Collect problems;
  ASSERT_TRUE(readZeekLog((dir / "dhcp.pcap.dhcp.log").string(), ledger, &problems, stats).isOk());
  ASSERT_TRUE(readZeekLog((dir / "dhcp.pcap.conn.log").string(), ledger, &problems, stats).isOk());
  EXPECT_TRUE(problems.problems.empty()) << problems.problems[0].message;
  EXPECT_EQ(stats.files, 2u);
  EXPECT_EQ(stats.records, 7u);  // 3 DHCP conversations, 4 connections
  EXPECT_EQ(stats.bad_lines, 0u);
  // "btest.is.cool" is no platform's name and the conn.log carries no MACs: the client shows
  // no platform evidence, but its name is recorded against its MAC.
  const auto devices = ledger.finish();
  EXPECT_TRUE(devices.empty());
  EXPECT_EQ(ledger.stats().endpoints, 2u) << "(mac) and (mac, 128.2.6.97)";
}

}  // namespace
}  // namespace phaseout::logs
