#include "capture/capture_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "capture/pcap_writer.h"

namespace phaseout::capture {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(PH_SHARED_DIR) / "corpus" / "pcap";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "capture-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void gzipFile(const fs::path& path, const std::string& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string smallPcap(int packets) {
  std::string file;
  appendPcapFileHeader(file, 1);
  for (int i = 0; i < packets; ++i) {
    const std::string data(60, static_cast<char>('a' + i % 26));
    appendPcapRecord(file, 1000000000LL * (i + 1),
                     {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}, 60);
  }
  return file;
}

std::uint64_t countFrames(CaptureReader& reader) {
  Frame f;
  std::uint64_t n = 0;
  while (reader.next(f)) {
    ++n;
    EXPECT_EQ(f.number, n);
  }
  return n;
}

TEST(CaptureReader, ReadsCorpusFilesWithTsharkFrameCounts) {
  if (!fs::exists(kCorpus)) GTEST_SKIP() << "corpus not found at " << kCorpus;
  // Frame counts as `capinfos -c` (and tshark) report them.
  const std::pair<const char*, std::uint64_t> expected[] = {
      {"ndpi/iphone.pcap", 500}, {"ndpi/alexa-app.pcapng", 3103}, {"ndpi/conncheck.pcap", 92},
      {"ndpi/mpeg.pcap", 19},    {"ndpi/capwap.pcap", 422},       {"ndpi/sites.pcapng", 699},
      {"zeek/dhcp.pcap", 9},
  };
  for (const auto& [name, count] : expected) {
    auto reader = CaptureReader::open((kCorpus / name).string());
    ASSERT_TRUE(reader.isOk()) << reader.status().toString();
    EXPECT_EQ(countFrames(*reader), count) << name;
    EXPECT_EQ(reader->diagnostics().warningCount(), 0u) << name;
    EXPECT_EQ(reader->offset(), reader->size()) << name;
  }
}

TEST(CaptureReader, OpenErrorsNameTheFile) {
  TempDir dir;
  auto missing = CaptureReader::open((dir / "missing.pcap").string());
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.status().message().find("missing.pcap"), std::string::npos);
  writeFile(dir / "empty.pcap", "");
  auto empty = CaptureReader::open((dir / "empty.pcap").string());
  ASSERT_FALSE(empty.isOk());
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
  writeFile(dir / "text.pcap", "this is a text file, not a capture\n");
  auto text = CaptureReader::open((dir / "text.pcap").string());
  ASSERT_FALSE(text.isOk());
  EXPECT_NE(text.status().message().find("neither a pcap nor a pcapng"), std::string::npos);
  auto directory = CaptureReader::open((dir / ".").string());
  EXPECT_FALSE(directory.isOk());
}

TEST(CaptureReader, InflatesGzip) {
  TempDir dir;
  const std::string plain = smallPcap(30);
  gzipFile(dir / "a.pcap.gz", plain);
  auto reader = CaptureReader::open((dir / "a.pcap.gz").string());
  ASSERT_TRUE(reader.isOk()) << reader.status().toString();
  EXPECT_TRUE(reader->inflated());
  EXPECT_EQ(reader->format(), CaptureFormat::kPcap);
  EXPECT_EQ(countFrames(*reader), 30u);
  EXPECT_EQ(reader->diagnostics().warningCount(), 0u);
}

TEST(CaptureReader, TruncatedGzipKeepsWhatInflatedAndWarns) {
  TempDir dir;
  gzipFile(dir / "full.gz", smallPcap(2000));
  std::string gz = readFile(dir / "full.gz");
  gz.resize(gz.size() / 2);
  writeFile(dir / "cut.gz", gz);
  auto reader = CaptureReader::open((dir / "cut.gz").string());
  ASSERT_TRUE(reader.isOk()) << reader.status().toString();
  const std::uint64_t n = countFrames(*reader);
  EXPECT_GT(n, 10u);
  EXPECT_LT(n, 2000u);
  EXPECT_EQ(reader->diagnostics().anomalies().get("gzip.damaged"), 1u);
}

TEST(CaptureReader, CorruptTailReadsWhatItCanAndWarns) {
  TempDir dir;
  std::string file = smallPcap(10);
  file.resize(file.size() - 5);
  writeFile(dir / "cut.pcap", file);
  auto reader = CaptureReader::open((dir / "cut.pcap").string());
  ASSERT_TRUE(reader.isOk());
  EXPECT_EQ(countFrames(*reader), 9u);
  ASSERT_EQ(reader->diagnostics().warnings().size(), 1u);
  EXPECT_EQ(reader->diagnostics().warnings()[0].frame, 10u);
  EXPECT_EQ(reader->diagnostics().warnings()[0].byte_offset, 24u + 9u * 76u);
}

TEST(CaptureReader, LargeFileReleasesPagesAndStillReadsEverything) {
  // Over 8 MiB so the reader drops already-read pages several times mid-file.
  TempDir dir;
  std::string file;
  appendPcapFileHeader(file, 1);
  const std::string data(1400, 'p');
  const int packets = 30000;
  for (int i = 0; i < packets; ++i) {
    appendPcapRecord(file, i, {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()},
                     1400);
  }
  writeFile(dir / "big.pcap", file);
  auto reader = CaptureReader::open((dir / "big.pcap").string());
  ASSERT_TRUE(reader.isOk());
  Frame f;
  std::uint64_t n = 0;
  std::uint64_t sum = 0;
  while (reader->next(f)) {
    ++n;
    sum += f.data[0] + f.data[1399];
  }
  EXPECT_EQ(n, static_cast<std::uint64_t>(packets));
  EXPECT_EQ(sum, static_cast<std::uint64_t>(packets) * 2 * 'p');
}

TEST(CaptureReader, FromBytes) {
  const std::string file = smallPcap(3);
  auto reader =
      CaptureReader::fromBytes({reinterpret_cast<const std::uint8_t*>(file.data()), file.size()});
  ASSERT_TRUE(reader.isOk());
  EXPECT_EQ(countFrames(*reader), 3u);
}

}  // namespace
}  // namespace phaseout::capture
