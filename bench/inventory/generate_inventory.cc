// bench_generate_inventory: writes a large sample organisation as import CSV files.
//
//   bench_generate_inventory --people 500000 --devices 1000000 --seed 1 --out DIR
//
// Writes DIR/people.csv and DIR/devices.csv in exactly the format `phaseout import` reads
// (inventory/sources/csv_writer.h), from inventory::generateSampleOrg streamed record by
// record, so memory stays small whatever the size. Exit codes: 0 ok, 1 usage or I/O error.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "inventory/sample_org.h"
#include "inventory/sources/csv_writer.h"

namespace {

// Buffers CSV text and writes it in large blocks; remembers the first write error.
class CsvFile {
 public:
  explicit CsvFile(const std::filesystem::path& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) error_ = std::strerror(errno);
    buffer_.reserve(kFlushBytes + 4096);
  }
  ~CsvFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;

  std::string& buffer() { return buffer_; }
  void maybeFlush() {
    if (buffer_.size() >= kFlushBytes) flush();
  }
  // Flushes and closes; returns "" or the error.
  std::string finish() {
    flush();
    if (file_ != nullptr && std::fclose(file_) != 0 && error_.empty())
      error_ = std::strerror(errno);
    file_ = nullptr;
    return error_.empty() ? "" : path_.string() + ": " + error_;
  }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;
  void flush() {
    if (file_ != nullptr && error_.empty() && !buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      error_ = std::strerror(errno);
    }
    buffer_.clear();
  }

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::string error_;
};

}  // namespace

int main(int argc, char** argv) {
  namespace inventory = phaseout::inventory;
  CLI::App app{"Writes a deterministic sample organisation as people.csv and devices.csv."};
  inventory::SampleOrgOptions options;
  options.people = 500000;
  options.devices = 1000000;
  std::string out_dir;
  app.add_option("--people", options.people, "Number of people")->capture_default_str();
  app.add_option("--devices", options.devices, "Number of devices (0: about 1.3 per person)")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "Seed of the generator")->capture_default_str();
  app.add_option("--out", out_dir, "Directory for people.csv and devices.csv")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "bench_generate_inventory: %s: %s\n", out_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  CsvFile people(std::filesystem::path(out_dir) / "people.csv");
  CsvFile devices(std::filesystem::path(out_dir) / "devices.csv");
  inventory::appendPeopleCsvHeader(people.buffer());
  inventory::appendDevicesCsvHeader(devices.buffer());
  std::size_t person_count = 0;
  std::size_t device_count = 0;
  inventory::generateSampleOrg(
      options,
      [&](const inventory::Person& p) {
        inventory::appendPersonCsvRecord(p, people.buffer());
        people.maybeFlush();
        ++person_count;
      },
      [&](const inventory::Device& d) {
        inventory::appendDeviceCsvRecord(d, devices.buffer());
        devices.maybeFlush();
        ++device_count;
      });
  int status = 0;
  for (CsvFile* file : {&people, &devices}) {
    const std::string error = file->finish();
    if (!error.empty()) {
      std::fprintf(stderr, "bench_generate_inventory: %s\n", error.c_str());
      status = 1;
    }
  }
  if (status == 0) {
    std::printf("wrote %zu people and %zu devices to %s\n", person_count, device_count,
                out_dir.c_str());
  }
  return status;
}
