#include "service/observe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "capture/pcap_writer.h"

namespace phaseout::service {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(PH_SHARED_DIR) / "corpus" / "pcap";

class Collect : public dissect::ObservationSink {
 public:
  void onObservation(const dissect::Observation& o) override {
    types.emplace_back(dissect::name(o.type));
    frames.push_back(o.frame);
  }
  std::vector<std::string> types;
  std::vector<std::uint64_t> frames;
};

class Record : public ObserveListener {
 public:
  void onUnreadable(const std::string& file, const Status& why) override {
    unreadable.push_back(file + ": " + why.message());
  }
  void onWarning(const CaptureProblem& problem) override { warnings.push_back(problem); }
  std::vector<std::string> unreadable;
  std::vector<CaptureProblem> warnings;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "observe-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string pathOf(const std::string& name) const { return (path_ / name).string(); }
  std::string file(const std::string& name, const std::string& bytes) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

 private:
  fs::path path_;
};

// One DHCPDISCOVER-shaped UDP packet from 0.0.0.0:68 to 255.255.255.255:67, as Ethernet.
std::string dhcpCapture(int copies) {
  std::vector<std::uint8_t> dhcp(240, 0);
  dhcp[0] = 1;  // BOOTREQUEST
  dhcp[1] = 1;
  dhcp[2] = 6;
  dhcp[236] = 99;  // magic cookie
  dhcp[237] = 130;
  dhcp[238] = 83;
  dhcp[239] = 99;
  const std::uint8_t options[] = {53, 1, 1, 12, 4, 'h', 'o', 's', 't', 255};
  dhcp.insert(dhcp.end(), std::begin(options), std::end(options));
  std::vector<std::uint8_t> frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 8, 0};
  const std::size_t ip_len = 20 + 8 + dhcp.size();
  std::vector<std::uint8_t> ip = {0x45,
                                  0,
                                  static_cast<std::uint8_t>(ip_len >> 8),
                                  static_cast<std::uint8_t>(ip_len & 0xff),
                                  0,
                                  0,
                                  0,
                                  0,
                                  64,
                                  17,
                                  0,
                                  0,
                                  0,
                                  0,
                                  0,
                                  0,
                                  255,
                                  255,
                                  255,
                                  255};
  const std::size_t udp_len = 8 + dhcp.size();
  std::vector<std::uint8_t> udp = {0,
                                   68,
                                   0,
                                   67,
                                   static_cast<std::uint8_t>(udp_len >> 8),
                                   static_cast<std::uint8_t>(udp_len & 0xff),
                                   0,
                                   0};
  frame.insert(frame.end(), ip.begin(), ip.end());
  frame.insert(frame.end(), udp.begin(), udp.end());
  frame.insert(frame.end(), dhcp.begin(), dhcp.end());
  std::string file;
  capture::appendPcapFileHeader(file, 1);
  for (int i = 0; i < copies; ++i) {
    capture::appendPcapRecord(file, 1000000000LL * (i + 1), frame,
                              static_cast<std::uint32_t>(frame.size()));
  }
  return file;
}

TEST(ObserveFiles, StreamsObservationsAndCounts) {
  TempDir dir;
  const std::string path = dir.file("a.pcap", dhcpCapture(3));
  Collect sink;
  Record listener;
  ObserveStats stats;
  ASSERT_TRUE(observeFiles({path}, sink, listener, stats).isOk());
  EXPECT_EQ(stats.files, 1u);
  EXPECT_EQ(stats.packets, 3u);
  EXPECT_EQ(stats.observations, 3u);
  EXPECT_EQ(sink.types, (std::vector<std::string>{"dhcp", "dhcp", "dhcp"}));
  EXPECT_EQ(sink.frames, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_TRUE(listener.unreadable.empty());
  EXPECT_TRUE(listener.warnings.empty());
}

TEST(ObserveFiles, DamagedTailWarnsButSucceeds) {
  TempDir dir;
  std::string bytes = dhcpCapture(3);
  bytes.resize(bytes.size() - 20);
  const std::string path = dir.file("cut.pcap", bytes);
  Collect sink;
  Record listener;
  ObserveStats stats;
  ASSERT_TRUE(observeFiles({path}, sink, listener, stats).isOk());
  EXPECT_EQ(stats.packets, 2u);
  EXPECT_EQ(stats.warnings, 1u);
  ASSERT_EQ(listener.warnings.size(), 1u);
  EXPECT_EQ(listener.warnings[0].file, path);
  EXPECT_EQ(listener.warnings[0].frame, 3u);
  EXPECT_GT(listener.warnings[0].byte_offset, 24u);
  EXPECT_EQ(stats.anomalies.get("pcap.truncated_record"), 1u);
}

TEST(ObserveFiles, FailsOnlyWhenNothingCouldBeRead) {
  TempDir dir;
  const std::string good = dir.file("good.pcap", dhcpCapture(1));
  const std::string text = dir.file("notes.txt", "not a capture");
  std::string header_only_then_garbage = dhcpCapture(0) + std::string(10, '\xff');
  const std::string garbage = dir.file("garbage.pcap", header_only_then_garbage);
  {
    Collect sink;
    Record listener;
    ObserveStats stats;
    EXPECT_TRUE(
        observeFiles({text, good, dir.pathOf("missing.pcap")}, sink, listener, stats).isOk());
    EXPECT_EQ(stats.files, 1u);
    EXPECT_EQ(stats.unreadable_files, 2u);
    EXPECT_EQ(listener.unreadable.size(), 2u);
    EXPECT_EQ(stats.observations, 1u);
  }
  {
    Collect sink;
    Record listener;
    ObserveStats stats;
    const Status status = observeFiles({text, garbage}, sink, listener, stats);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(stats.unreadable_files, 2u);
  }
  {
    // A valid capture with no packets is not an error: there was nothing to read.
    Collect sink;
    Record listener;
    ObserveStats stats;
    EXPECT_TRUE(
        observeFiles({dir.file("empty.pcap", dhcpCapture(0))}, sink, listener, stats).isOk());
    EXPECT_EQ(stats.files, 1u);
  }
}

TEST(Observe, AnUnreadableInputFailsTheRunBeforeAnythingIsRead) {
  TempDir dir;
  const std::string good = dir.file("good.pcap", dhcpCapture(1));
  const std::string missing = dir.pathOf("missing.pcap");
  const std::string also_missing = dir.pathOf("also-missing.pcap");
  ObserveRequest request;
  request.paths = {good, missing, also_missing};
  const Caller op = Caller::localOperator("t");
  {
    Collect sink;
    Record listener;
    ObserveStats stats;
    const Status status = observe(op, request, sink, listener, stats);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(missing), std::string::npos) << status.message();
    EXPECT_NE(status.message().find(also_missing), std::string::npos) << status.message();
    EXPECT_EQ(listener.unreadable.size(), 2u);
    EXPECT_EQ(stats.observations, 0u);  // nothing was read
    EXPECT_EQ(stats.packets, 0u);
  }
  {
    request.keep_going = true;
    Collect sink;
    Record listener;
    ObserveStats stats;
    EXPECT_TRUE(observe(op, request, sink, listener, stats).isOk());
    EXPECT_EQ(stats.observations, 1u);
    ASSERT_EQ(stats.skipped.size(), 2u);
    EXPECT_EQ(stats.skipped[0].path, missing);
  }
  {
    // A file that opens but is no capture shows only while reading: still a failure.
    request.paths = {good, dir.file("notes.txt", "not a capture")};
    request.keep_going = false;
    Collect sink;
    Record listener;
    ObserveStats stats;
    const Status status = observe(op, request, sink, listener, stats);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("notes.txt"), std::string::npos);
  }
  {
    // Nothing readable at all fails even with keep_going.
    request.paths = {missing};
    request.keep_going = true;
    Collect sink;
    Record listener;
    ObserveStats stats;
    const Status status = observe(op, request, sink, listener, stats);
    EXPECT_EQ(status.message(), "nothing could be read from " + missing);
  }
}

TEST(ObserveFiles, CorpusCaptureYieldsEveryObservationType) {
  const fs::path path = kCorpus / "ndpi" / "iphone.pcap";
  if (!fs::exists(path)) GTEST_SKIP() << "corpus not found at " << kCorpus;
  Collect sink;
  Record listener;
  ObserveStats stats;
  ASSERT_TRUE(observeFiles({path.string()}, sink, listener, stats).isOk());
  EXPECT_EQ(stats.packets, 500u);
  for (const char* type : {"dhcp", "mdns", "http", "tls", "tcp_syn"}) {
    EXPECT_NE(std::find(sink.types.begin(), sink.types.end(), type), sink.types.end()) << type;
  }
}

}  // namespace
}  // namespace phaseout::service
