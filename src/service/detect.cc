#include "service/detect.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "detect/packet_evidence.h"
#include "logs/access_log.h"
#include "logs/eve_log.h"
#include "logs/zeek_log.h"
#include "service/sightings.h"
#include "service/workspace.h"

namespace phaseout::service {

namespace {

// The registry a ledger reads MAC vendors from, if the setup has one.
const detect::OuiRegistry* ouiOf(const DetectSetup& setup) {
  return setup.oui.size() > 0 ? &setup.oui : nullptr;
}

// The ledger's verdicts, its counts, sources and signature set, into `report`.
void fillVerdicts(const detect::Ledger& ledger,
                  std::shared_ptr<const detect::SignatureSet> signatures, DetectReport& report) {
  report.ledger = ledger.stats();
  report.devices = ledger.finish(&report.ledger);
  report.sources = ledger.sources();
  report.signatures = std::move(signatures);
}

}  // namespace

DetectReport::LevelCounts DetectReport::levels() const {
  LevelCounts c;
  for (const auto& d : devices) {
    switch (d.verdict.level) {
      case detect::Level::kConfirmed:
        ++c.confirmed;
        break;
      case detect::Level::kLikely:
        ++c.likely;
        break;
      case detect::Level::kUnknown:
        ++c.unknown;
        break;
    }
  }
  return c;
}

Result<DetectSetup> loadDetectSetup(const std::string& signatures_dir,
                                    const std::string& oui_path) {
  DetectSetup setup;
  auto signatures = detect::SignatureSet::load(signatures_dir);
  if (!signatures.isOk()) return signatures.status();
  setup.signatures = std::move(signatures).value();
  if (oui_path.empty()) {
    setup.oui_problem =
        "no IEEE OUI registry found (install ieee-data or give an oui registry file)";
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

Status detectInputs(const DetectInputs& inputs, const DetectSetup& setup, ObserveListener& listener,
                    logs::LogListener& log_listener, DetectReport& report) {
  detect::Ledger ledger(setup.signatures, ouiOf(setup));
  detect::PacketEvidence evidence(ledger);
  std::vector<SkippedInput> unreadable;
  std::size_t read = 0;
  // A log that cannot be read: reported like a capture, and the other inputs still read.
  auto keep = [&](const std::string& path, Status s) {
    if (s.isOk()) {
      ++read;
      return;
    }
    listener.onUnreadable(path, s);
    unreadable.push_back({path, s.message()});
  };
  // One observeFiles call per file, so that every observation is attributed to its file.
  for (const std::string& path : inputs.captures) {
    evidence.setSource(ledger.addSource(path));
    ObserveStats file_stats;
    (void)observeFiles({path}, evidence, listener, file_stats);  // per-file outcome in stats
    if (file_stats.unreadable_files > 0) {
      unreadable.push_back({path, "nothing could be read from " + path});
    } else {
      ++read;
    }
    report.observe.files += file_stats.files;
    report.observe.unreadable_files += file_stats.unreadable_files;
    report.observe.packets += file_stats.packets;
    report.observe.bytes += file_stats.bytes;
    report.observe.observations += file_stats.observations;
    report.observe.warnings += file_stats.warnings;
    report.observe.anomalies.merge(file_stats.anomalies);
  }
  for (const std::string& dir : inputs.zeek) {
    auto files = zeekFiles(dir);
    if (!files.isOk()) {
      keep(dir, files.status());
      continue;
    }
    if (files->empty()) {
      log_listener.onProblem({dir, 0, "no *.log or *.log.gz files in this directory"});
    }
    const bool quiet_unknown = files->size() > 1 || *files != std::vector<std::string>{dir};
    Status first_error;
    for (const std::string& file : *files) {
      Status s = logs::readZeekLog(file, ledger, &log_listener, report.logs, quiet_unknown);
      if (!s.isOk() && first_error.isOk()) first_error = std::move(s);
    }
    keep(dir, std::move(first_error));
  }
  for (const std::string& file : inputs.eve_files) {
    keep(file, logs::readEveLog(file, ledger, &log_listener, report.logs));
  }
  for (const AccessLogInput& log : inputs.access_logs) {
    keep(log.path, logs::readAccessLog(log.path, log.service, ledger, &log_listener, report.logs));
  }
  fillVerdicts(ledger, setup.signatures, report);
  report.unreadable = unreadable;
  if (read == 0 && !unreadable.empty()) return unreadableInputs(unreadable, inputs.size());
  return Status::ok();
}

namespace {

// Forwards to the caller's listener; between batches, applies a requested reload and ends a
// period that is over (its verdicts to options.on_period, then a fresh ledger).
class LiveListener : public ForwardingListener {
 public:
  LiveListener(ObserveListener& inner, detect::Ledger& ledger, detect::PacketEvidence& evidence,
               detect::SignatureStore& store, const DetectSetup& setup,
               const LiveDetectOptions& options, std::atomic<bool>& reload,
               const ReloadReport& on_reload, const ObserveStats& stats)
      : ForwardingListener(inner),
        ledger_(ledger),
        evidence_(evidence),
        store_(store),
        setup_(setup),
        options_(options),
        reload_(reload),
        on_reload_(on_reload),
        stats_(stats),
        period_setup_(options.period_ms > 0 ? setup : DetectSetup()),
        period_end_(std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(options.period_ms)) {}

  void onBatchDone() override {
    applyReload();
    endPeriodIfOver();
    ForwardingListener::onBatchDone();
  }
  void endPeriodIfOver() {
    if (options_.period_ms <= 0 || !options_.on_period) return;
    const auto now = std::chrono::steady_clock::now();
    if (now < period_end_) return;
    period_end_ = now + std::chrono::milliseconds(options_.period_ms);
    DetectReport period;
    fillVerdicts(ledger_, store_.snapshot(), period);
    period.observe = stats_;
    period_setup_.signatures = period.signatures;
    ledger_ = detect::Ledger(store_.snapshot(), ouiOf(setup_));
    evidence_.setSource(ledger_.addSource(options_.sense.interface));
    options_.on_period(period, period_setup_);
  }
  void applyReload() {
    if (!reload_.exchange(false)) return;
    Status outcome = store_.reload(options_.signatures_dir);
    if (outcome.isOk()) ledger_.replaceSignatures(store_.snapshot());
    if (on_reload_) on_reload_(outcome, store_.snapshot()->size());
  }

 private:
  detect::Ledger& ledger_;
  detect::PacketEvidence& evidence_;
  detect::SignatureStore& store_;
  const DetectSetup& setup_;
  const LiveDetectOptions& options_;
  std::atomic<bool>& reload_;
  const ReloadReport& on_reload_;
  const ObserveStats& stats_;
  DetectSetup period_setup_;  // the setup with the signatures in force (periods only)
  std::chrono::steady_clock::time_point period_end_;
};

}  // namespace

Status detectLive(const LiveDetectOptions& options, const DetectSetup& setup,
                  ObserveListener& listener, DetectReport& report, const std::atomic<bool>& stop,
                  std::atomic<bool>& reload, const ReloadReport& on_reload) {
  detect::SignatureStore store(setup.signatures);
  detect::Ledger ledger(store.snapshot(), ouiOf(setup));
  detect::PacketEvidence evidence(ledger);
  evidence.setSource(ledger.addSource(options.sense.interface));
  LiveListener live(listener, ledger, evidence, store, setup, options, reload, on_reload,
                    report.observe);
  const Status status = senseInterface(options.sense, evidence, live, report.observe, stop);
  live.applyReload();  // a request that came with the last packets
  fillVerdicts(ledger, store.snapshot(), report);
  return status;
}

Result<AccessLogInput> parseAccessLogArgument(std::string_view text) {
  if (text.empty()) return invalidField("access-log", "expected [SERVICE=]FILE, got nothing");
  // SERVICE=FILE; a path that merely contains '=' in a directory name stays a path.
  const std::size_t eq = text.find('=');
  if (eq != std::string_view::npos && eq > 0 && text.find('/') > eq) {
    if (eq + 1 == text.size()) {
      return invalidField("access-log", "\"" + std::string(text) + "\" names service \"" +
                                            std::string(text.substr(0, eq)) +
                                            "\" but no file after '='");
    }
    return AccessLogInput{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  }
  return AccessLogInput{std::string(), std::string(text)};
}

namespace {

// Checks every input before anything is read (inputs.h): the unreadable ones, each reported.
std::vector<SkippedInput> checkInputs(const DetectInputs& inputs, ObserveListener& listener) {
  std::vector<SkippedInput> unreadable;
  auto check = [&](const std::string& path, InputKind kind) {
    std::string why = unreadableReason(path, kind);
    if (why.empty()) return true;
    listener.onUnreadable(path, invalidArgument(why));
    unreadable.push_back({path, std::move(why)});
    return false;
  };
  for (const auto& path : inputs.captures) check(path, InputKind::kFile);
  for (const auto& path : inputs.zeek) check(path, InputKind::kFileOrDirectory);
  for (const auto& path : inputs.eve_files) check(path, InputKind::kFile);
  for (const auto& log : inputs.access_logs) check(log.path, InputKind::kFile);
  return unreadable;
}

// The inputs without those skipped.
DetectInputs without(const DetectInputs& inputs, const std::vector<SkippedInput>& skipped) {
  auto skip = [&skipped](const std::string& path) {
    return std::any_of(skipped.begin(), skipped.end(),
                       [&path](const SkippedInput& s) { return s.path == path; });
  };
  DetectInputs out;
  for (const auto& p : inputs.captures) {
    if (!skip(p)) out.captures.push_back(p);
  }
  for (const auto& p : inputs.zeek) {
    if (!skip(p)) out.zeek.push_back(p);
  }
  for (const auto& p : inputs.eve_files) {
    if (!skip(p)) out.eve_files.push_back(p);
  }
  for (const auto& log : inputs.access_logs) {
    if (!skip(log.path)) out.access_logs.push_back(log);
  }
  return out;
}

}  // namespace

Result<DetectResult> detect(const Caller& caller, const DetectRequest& request,
                            DetectListener& listener) {
  if (request.on && !request.store) {
    return invalidField("on", "the day applies only when the verdicts are stored");
  }
  DetectInputs inputs;
  inputs.captures = request.captures;
  inputs.zeek = request.zeek;
  inputs.eve_files = request.eve;
  for (const std::string& arg : request.access_logs) {
    PH_ASSIGN_OR_RETURN(auto log, parseAccessLogArgument(arg));
    inputs.access_logs.push_back(std::move(log));
  }
  const bool live = !request.live.interface.empty();
  if (live && !inputs.empty()) {
    return invalidField("interface", "captures live; it takes no files or logs");
  }
  if (!live && inputs.empty()) {
    return invalidArgument(
        "detect needs input: capture files, Zeek logs, eve.json files, access logs or an "
        "interface to capture on");
  }
  if (live && (request.stop == nullptr || request.reload == nullptr)) {
    return invalidArgument("a live run needs its stop and reload flags");
  }
  if (request.period_ms != 0 && (!live || request.period_ms < 1000)) {
    return invalidField("publish-every", live ? "expected at least 1 second, got " +
                                                    std::to_string(request.period_ms) + " ms"
                                              : "a period is for a live capture (--interface)");
  }
  if (request.store) PH_RETURN_IF_ERROR(caller.mayRecordSightings());

  DetectResult result;
  PH_ASSIGN_OR_RETURN(result.setup, loadDetectSetup(request.signatures_dir, request.oui_path));
  if (live) {
    LiveDetectOptions options;
    options.sense = request.live;
    options.signatures_dir = request.signatures_dir;
    options.period_ms = request.period_ms;
    options.on_period = request.on_period;
    result.live_error = detectLive(options, result.setup, listener, result.report, *request.stop,
                                   *request.reload, request.on_reload);
  } else {
    std::vector<SkippedInput> unreadable = checkInputs(inputs, listener);
    if (!unreadable.empty() && !request.keep_going) {
      return unreadableInputs(unreadable, inputs.size());
    }
    const Status status =
        detectInputs(without(inputs, unreadable), result.setup, listener, listener, result.report);
    for (const SkippedInput& skipped : unreadable) {  // captures skipped before reading
      if (std::find(inputs.captures.begin(), inputs.captures.end(), skipped.path) !=
          inputs.captures.end()) {
        ++result.report.observe.unreadable_files;
      }
    }
    unreadable.insert(unreadable.end(), result.report.unreadable.begin(),
                      result.report.unreadable.end());
    result.report.unreadable = unreadable;
    const bool nothing_read = unreadable.size() >= inputs.size();
    if (!unreadable.empty() && (!request.keep_going || !status.isOk() || nothing_read)) {
      return unreadableInputs(unreadable, inputs.size());
    }
    PH_RETURN_IF_ERROR(status);
  }
  // Evidence is named by the set in force at the end (a live run may have reloaded it).
  if (result.report.signatures) result.setup.signatures = result.report.signatures;
  if (!request.store || result.report.devices.empty() || !result.live_error.isOk()) {
    return result;
  }
  PH_ASSIGN_OR_RETURN(auto ws, Workspace::open(request.db_path));
  Recording recording;
  recording.on = request.on;
  recording.now_ms = request.now_ms;
  PH_ASSIGN_OR_RETURN(auto stored,
                      recordSightings(caller, *ws, result.report.devices, result.report.sources,
                                      *result.setup.signatures, recording));
  result.stored = true;
  result.event_seq = stored.event_seq;
  result.sightings = stored.sightings;
  return result;
}

}  // namespace phaseout::service
