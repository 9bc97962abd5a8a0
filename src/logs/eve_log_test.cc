#include "logs/eve_log.h"

#include <gtest/gtest.h>

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

bool hasEvidence(const detect::DeviceVerdict& d, SignalKind signal, const std::string& value) {
  for (const auto& e : d.evidence) {
    if (e.signal == signal && e.value == value) return true;
  }
  return false;
}

TEST(EveLogTest, DhcpDnsHttpTlsEventsOfOneClient) {
  // Suricata 7 eve.json lines (fields as it writes them; other event types are skipped).
  const std::string text =
      R"({"timestamp":"2023-03-20T10:00:00.000000+0000","flow_id":1,"event_type":"dhcp","src_ip":"0.0.0.0","src_port":68,"dest_ip":"255.255.255.255","dest_port":67,"proto":"UDP","dhcp":{"type":"request","id":3735928559,"client_mac":"4c:6a:f6:9f:f6:27","assigned_ip":"0.0.0.0","client_ip":"0.0.0.0","dhcp_type":"request","client_id":"01:4c:6a:f6:9f:f6:27","hostname":"Nokia-2-2","params":["subnet_mask","router","dns_server"],"vendor_class_identifier":"android-dhcp-9"}}
{"timestamp":"2023-03-20T10:00:00.100000+0000","event_type":"dhcp","src_ip":"192.168.5.1","dest_ip":"192.168.5.20","dhcp":{"type":"reply","client_mac":"4c:6a:f6:9f:f6:27","assigned_ip":"192.168.5.20","dhcp_type":"ack"}}
{"timestamp":"2023-03-20T10:00:01.000000+0000","event_type":"dns","src_ip":"192.168.5.20","dest_ip":"192.168.5.1","dns":{"type":"query","id":1,"rrname":"connectivitycheck.gstatic.com","rrtype":"A","tx_id":0}}
{"timestamp":"2023-03-20T10:00:01.500000+0000","event_type":"dns","src_ip":"192.168.5.20","dest_ip":"192.168.5.1","dns":{"version":3,"type":"request","id":2,"queries":[{"rrname":"android.clients.google.com","rrtype":"A"}]}}
{"timestamp":"2023-03-20T10:00:01.600000+0000","event_type":"dns","src_ip":"192.168.5.1","dest_ip":"192.168.5.20","dns":{"type":"answer","id":2,"rrname":"mesu.apple.com","rrtype":"A"}}
{"timestamp":"2023-03-20T10:00:02.000000+0000","event_type":"http","src_ip":"192.168.5.20","src_port":40000,"dest_ip":"10.0.0.80","dest_port":80,"http":{"hostname":"intranet.example.org","url":"/news?id=7","http_user_agent":"Mozilla/5.0 (Linux; Android 9; Nokia 2.2) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.99 Mobile Safari/537.36","http_method":"GET","status":200}}
{"timestamp":"2023-03-20T10:00:03.000000+0000","event_type":"tls","src_ip":"192.168.5.20","dest_ip":"10.0.0.25","tls":{"sni":"mail.example.org","version":"TLS 1.3","ja3":{"hash":"x"}}}
{"timestamp":"2023-03-20T10:00:04.000000+0000","event_type":"flow","src_ip":"192.168.5.20","dest_ip":"10.0.0.25"}
{"timestamp":"2023-03-20T10:00:05.000000+0000","event_type":"tls","src_ip":"192.168.5.20","tls":{"sni":"mail.exa
{"src_ip":"192.168.5.20"}
)";
  detect::Ledger ledger(builtin(), nullptr);
  LogStats stats;
  Collect problems;
  EveParser parser(ledger, ledger.addSource("eve.json"), "eve.json", &problems, stats);
  parseLines(text, parser, stats);
  EXPECT_EQ(stats.records, 7u);
  EXPECT_EQ(stats.skipped, 1u);  // the flow event
  EXPECT_EQ(stats.bad_lines, 2u);
  ASSERT_EQ(problems.problems.size(), 2u);
  EXPECT_EQ(problems.problems[0].line, 9u);
  EXPECT_EQ(problems.problems[1].line, 10u);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u) << "the ACK's lease joins the IP events to the client MAC";
  const auto& d = devices[0];
  EXPECT_EQ(d.key, "mac:4c:6a:f6:9f:f6:27");
  EXPECT_EQ(d.verdict.best, platform::Platform::kAndroid);
  EXPECT_EQ(d.hostnames, std::vector<std::string>{"Nokia-2-2"});
  EXPECT_TRUE(hasEvidence(d, SignalKind::kDhcpVendorClass, "android-dhcp-9"));
  EXPECT_TRUE(hasEvidence(d, SignalKind::kDnsName, "connectivitycheck.gstatic.com"));
  EXPECT_TRUE(hasEvidence(d, SignalKind::kDnsName, "android.clients.google.com"));
  EXPECT_FALSE(hasEvidence(d, SignalKind::kDnsName, "mesu.apple.com")) << "answers are not queries";
  bool params = false;
  for (const auto& e : d.evidence) params = params || e.signal == SignalKind::kDhcpParamList;
  EXPECT_FALSE(params) << "Suricata's named parameter list is not option 55";
  ASSERT_EQ(d.services.size(), 2u);
  EXPECT_EQ(d.services[0].service, "intranet.example.org/news");
  EXPECT_NE(d.services[0].user_agent.find("Nokia 2.2"), std::string::npos);
  EXPECT_EQ(d.services[1].service, "mail.example.org");
  EXPECT_EQ(d.first_seen_ns, 1679306400'000'000'000);
  EXPECT_EQ(d.last_seen_ns, 1679306403'000'000'000);
}

TEST(EveLogTest, NumericParamsAreOption55) {
  const std::string text =
      R"({"timestamp":"2023-03-20T10:00:00Z","event_type":"dhcp","dhcp":{"type":"request","client_mac":"c4:61:8b:35:82:a9","hostname":"Lucas-iPhone","params":[1,121,3,6,15,119,252]}})"
      "\n";
  detect::Ledger ledger(builtin(), nullptr);
  LogStats stats;
  EveParser parser(ledger, ledger.addSource("eve.json"), "eve.json", nullptr, stats);
  parseLines(text, parser, stats);
  const auto devices = ledger.finish();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_TRUE(hasEvidence(devices[0], SignalKind::kDhcpParamList, "1,121,3,6,15,119,252"));
  EXPECT_EQ(devices[0].verdict.best, platform::Platform::kIos);
}

}  // namespace
}  // namespace phaseout::logs
