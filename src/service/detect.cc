#include "service/detect.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "detect/packet_evidence.h"
#include "logs/access_log.h"
#include "logs/eve_log.h"
#include "logs/zeek_log.h"

namespace phaseout::service {

Result<DetectSetup> loadDetectSetup(const std::string& signatures_dir,
                                    const std::string& oui_path) {
  DetectSetup setup;
  auto signatures = signatures_dir.empty() ? detect::SignatureSet::loadBuiltin()
                                           : detect::SignatureSet::loadDirectory(signatures_dir);
  if (!signatures.isOk()) return signatures.status();
  setup.signatures = std::move(signatures).value();
  if (oui_path.empty()) {
    setup.oui_problem = "no IEEE OUI registry found (install ieee-data or give --oui FILE)";
  } else {
    auto oui = detect::OuiRegistry::load(oui_path);
    if (!oui.isOk()) return oui.status();
    setup.oui = std::move(oui).value();
  }
  return setup;
}

namespace {

bool isZeekLogName(const std::string& name) {
  auto ends = [&name](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".log") || ends(".log.gz");
}

// The Zeek log files a --zeek argument names: the file itself, or a directory's *.log and
// *.log.gz (sorted, so the run is reproducible).
Result<std::vector<std::string>> zeekFiles(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return invalidArgument("cannot read Zeek logs " + path + ": no such file or directory");
  }
  if (!std::filesystem::is_directory(status)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    const std::string name = it->path().filename().string();
    if (isZeekLogName(name)) files.push_back(it->path().string());
  }
  if (ec) return invalidArgument("cannot read Zeek log directory " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Status detectFiles(const std::vector<std::string>& paths, const DetectSetup& setup,
                   ObserveListener& listener, DetectReport& report) {
  struct Quiet : logs::LogListener {
    void onProblem(const logs::LogProblem& /*problem*/) override {}
  } quiet;
  DetectInputs inputs;
  inputs.captures = paths;
  return detectInputs(inputs, setup, listener, quiet, report);
}

Status detectInputs(const DetectInputs& inputs, const DetectSetup& setup, ObserveListener& listener,
                    logs::LogListener& log_listener, DetectReport& report) {
  detect::Ledger ledger(setup.signatures, setup.oui.size() > 0 ? &setup.oui : nullptr);
  detect::PacketEvidence evidence(ledger);
  // One observeFiles call per file, so that every observation is attributed to its file.
  for (const std::string& path : inputs.captures) {
    evidence.setSource(ledger.addSource(path));
    ObserveStats file_stats;
    (void)observeFiles({path}, evidence, listener, file_stats);  // per-file outcome in stats
    report.observe.files += file_stats.files;
    report.observe.unreadable_files += file_stats.unreadable_files;
    report.observe.packets += file_stats.packets;
    report.observe.bytes += file_stats.bytes;
    report.observe.observations += file_stats.observations;
    report.observe.warnings += file_stats.warnings;
    report.observe.anomalies.merge(file_stats.anomalies);
  }
  // Logs: every file is read even after one fails, so the report is as full as it can be;
  // the first failure is returned.
  Status first_error;
  auto keep = [&first_error](Status s) {
    if (!s.isOk() && first_error.isOk()) first_error = std::move(s);
  };
  for (const std::string& dir : inputs.zeek) {
    auto files = zeekFiles(dir);
    if (!files.isOk()) {
      keep(files.status());
      continue;
    }
    if (files->empty()) {
      log_listener.onProblem({dir, 0, "no *.log or *.log.gz files in this directory"});
    }
    const bool quiet_unknown = files->size() > 1 || *files != std::vector<std::string>{dir};
    for (const std::string& file : *files) {
      keep(logs::readZeekLog(file, ledger, &log_listener, report.logs, quiet_unknown));
    }
  }
  for (const std::string& file : inputs.eve_files) {
    keep(logs::readEveLog(file, ledger, &log_listener, report.logs));
  }
  for (const AccessLogInput& log : inputs.access_logs) {
    keep(logs::readAccessLog(log.path, log.service, ledger, &log_listener, report.logs));
  }
  report.ledger = ledger.stats();
  report.devices = ledger.finish(&report.ledger);
  report.sources = ledger.sources();
  report.signatures = setup.signatures;
  if (!first_error.isOk()) return first_error;
  const bool logs_given =
      !inputs.zeek.empty() || !inputs.eve_files.empty() || !inputs.access_logs.empty();
  if (report.observe.files == 0 && !inputs.captures.empty() && !logs_given) {
    return invalidArgument(inputs.captures.size() == 1
                               ? "nothing could be read from " + inputs.captures.front()
                               : "nothing could be read from any input");
  }
  return Status::ok();
}

namespace {

// Forwards to the caller's listener; between batches, applies a requested reload.
class ReloadingListener : public ObserveListener {
 public:
  ReloadingListener(ObserveListener& inner, detect::Ledger& ledger, detect::SignatureStore& store,
                    const LiveDetectOptions& options, std::atomic<bool>& reload,
                    const ReloadReport& on_reload)
      : inner_(inner),
        ledger_(ledger),
        store_(store),
        options_(options),
        reload_(reload),
        on_reload_(on_reload) {}

  void onFileStart(const std::string& file) override { inner_.onFileStart(file); }
  void onUnreadable(const std::string& file, const Status& why) override {
    inner_.onUnreadable(file, why);
  }
  void onWarning(const CaptureProblem& problem) override { inner_.onWarning(problem); }
  void onProgress(const std::string& file, std::uint64_t done, std::uint64_t total) override {
    inner_.onProgress(file, done, total);
  }
  void onLiveStarted(const std::string& interface, std::uint32_t link_type) override {
    inner_.onLiveStarted(interface, link_type);
  }
  void onBatchDone() override {
    applyReload();
    inner_.onBatchDone();
  }
  void applyReload() {
    if (!reload_.exchange(false)) return;
    Status outcome = store_.reload(options_.signatures_dir);
    if (outcome.isOk()) ledger_.replaceSignatures(store_.snapshot());
    if (on_reload_) on_reload_(outcome, store_.snapshot()->size());
  }

 private:
  ObserveListener& inner_;
  detect::Ledger& ledger_;
  detect::SignatureStore& store_;
  const LiveDetectOptions& options_;
  std::atomic<bool>& reload_;
  const ReloadReport& on_reload_;
};

}  // namespace

Status detectLive(const LiveDetectOptions& options, const DetectSetup& setup,
                  ObserveListener& listener, DetectReport& report, const std::atomic<bool>& stop,
                  std::atomic<bool>& reload, const ReloadReport& on_reload) {
  detect::SignatureStore store(setup.signatures);
  detect::Ledger ledger(store.snapshot(), setup.oui.size() > 0 ? &setup.oui : nullptr);
  detect::PacketEvidence evidence(ledger);
  evidence.setSource(ledger.addSource(options.sense.interface));
  ReloadingListener reloading(listener, ledger, store, options, reload, on_reload);
  const Status status = senseInterface(options.sense, evidence, reloading, report.observe, stop);
  reloading.applyReload();  // a request that came with the last packets
  report.ledger = ledger.stats();
  report.devices = ledger.finish(&report.ledger);
  report.sources = ledger.sources();
  report.signatures = store.snapshot();
  return status;
}

}  // namespace phaseout::service
