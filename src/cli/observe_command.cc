// phaseout observe FILE... | phaseout sense --interface IF
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/capture_feedback.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "core/json_writer.h"
#include "dissect/observation.h"
#include "service/caller.h"
#include "service/observe.h"

namespace phaseout::cli {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;
// Files smaller than this finish too fast for a progress line to help.

constexpr const char* kObserveFooter =
    R"(Output: one observation per line (JSON Lines by default), then one stats line:
  {"stats": {"files": n, "unreadable_files": n, "packets": n, "bytes": n,
             "observations": n, "warnings": n, "anomalies": {"name": n, ...}}}
"frame" is the 1-based packet index in its file, as tshark numbers frames; with several
files each line also names its "file".
Damage inside a file is reported on stderr with its byte offset and frame number;
what precedes it is still read. Progress is shown on stderr only when it is a terminal.

An input that cannot be read fails the run, naming each: before anything is read when it
cannot be opened, at the end when it is not a capture; --keep-going skips such inputs and
names them on stderr.

Exit codes:
  0  success (every input was read, or --keep-going and some were; damaged files give
     warnings, not errors)
  1  usage error, an input that cannot be read (without --keep-going), or nothing could be
     read from any input
  2  internal error (e.g. output could not be written))";

constexpr const char* kSenseFooter =
    R"(Captures until --count packets, --duration seconds, or Ctrl-C / SIGTERM, printing
observations as they are made and a stats line at the end (with "dropped": packets the
kernel dropped). Needs root or CAP_NET_RAW.

Exit codes:
  0  success
  1  usage error: bad filter, no such interface, no permission
  2  internal error (the capture failed))";

struct ObserveOptions {
  std::vector<std::string> files;
  std::string format = "jsonl";
  bool keep_going = false;
};

struct SenseCommandOptions {
  service::SenseOptions sense;
  std::string format = "jsonl";
};

bool textFormat(const std::string& format) { return format == "text"; }

// Buffers formatted observations and writes them in large chunks.
class LineWriter : public dissect::ObservationSink {
 public:
  explicit LineWriter(bool text) : text_(text) { buffer_.reserve(kFlushBytes + 4096); }
  ~LineWriter() override { flush(); }
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  void onObservation(const dissect::Observation& observation) override {
    const std::size_t start = buffer_.size();
    if (text_) {
      dissect::appendTextLine(observation, buffer_);
    } else {
      dissect::appendJsonLine(observation, buffer_);
    }
    // With several input files, frame numbers restart in each: say which file a line is from.
    if (!file_key_.empty() && buffer_.size() > start) {
      buffer_.insert(start + (text_ ? 0 : 1), file_key_);
    }
    if (buffer_.size() >= kFlushBytes) flush();
  }
  // Names `file` in every following line ("file" key first in JSON, "file " prefix in text).
  void setFile(const std::string& file) {
    file_key_.clear();
    if (text_) {
      file_key_ = file + " ";
    } else {
      appendJsonKey(file_key_, "file", true);
      appendJsonString(file_key_, file);
      file_key_ += ',';
    }
  }
  void append(const std::string& line) { buffer_ += line; }
  void flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
    std::fflush(stdout);
  }

 private:
  bool text_;
  std::string buffer_;
  std::string file_key_;
};

class StderrListener : public service::ObserveListener {
 public:
  StderrListener(LineWriter& writer, bool live, bool name_files = false)
      : writer_(writer), progress_("observe"), live_(live), name_files_(name_files) {}

  void onFileStart(const std::string& file) override {
    if (name_files_) writer_.setFile(file);
  }
  void onUnreadable(const std::string& /*file*/, const Status& why) override {
    progress_.finish();
    std::fprintf(stderr, "phaseout: %s\n", why.message().c_str());
  }
  void onWarning(const service::CaptureProblem& p) override {
    progress_.finish();
    printCaptureWarning(p);
  }
  void onProgress(const std::string& file, std::uint64_t done, std::uint64_t total) override {
    showCaptureProgress(progress_, file + ", MiB", done, total);
  }
  void onLiveStarted(const std::string& interface, std::uint32_t link_type) override {
    // Like tcpdump's "listening on": tells a human (or a script) that capture has begun.
    std::fprintf(stderr, "phaseout: listening on %s, link type %u\n", interface.c_str(), link_type);
  }
  void onBatchDone() override {
    if (live_) writer_.flush();
  }

 private:
  LineWriter& writer_;
  Progress progress_;
  bool live_;
  bool name_files_;
};

std::string statsLine(const service::ObserveStats& stats, bool text, bool live) {
  std::string out;
  if (text) {
    out = "stats: ";
    if (!live) {
      out += "files=" + std::to_string(stats.files) +
             " unreadable_files=" + std::to_string(stats.unreadable_files) + " ";
    }
    out += "packets=" + std::to_string(stats.packets) + " bytes=" + std::to_string(stats.bytes) +
           " observations=" + std::to_string(stats.observations);
    if (live) {
      out += " dropped=" + std::to_string(stats.dropped);
    } else {
      out += " warnings=" + std::to_string(stats.warnings);
    }
    out += " anomalies:";
    if (stats.anomalies.all().empty()) out += " none";
    for (const auto& [name, count] : stats.anomalies.all()) {
      out += " " + name + "=" + std::to_string(count);
    }
    out += '\n';
    return out;
  }
  auto field = [&out](std::string_view key, std::uint64_t v, bool first = false) {
    appendJsonKey(out, key, first);
    appendJsonInt(out, static_cast<std::int64_t>(v));
  };
  out = "{\"stats\": {";
  if (!live) {
    field("files", stats.files, true);
    field("unreadable_files", stats.unreadable_files);
    field("packets", stats.packets);
  } else {
    field("packets", stats.packets, true);
  }
  field("bytes", stats.bytes);
  field("observations", stats.observations);
  if (live) {
    field("dropped", stats.dropped);
  } else {
    field("warnings", stats.warnings);
  }
  appendJsonKey(out, "anomalies");
  out += '{';
  bool first = true;
  for (const auto& [name, count] : stats.anomalies.all()) {
    field(name, count, first);
    first = false;
  }
  out += "}}}\n";
  return out;
}

int runObserve(const CommandContext& ctx, const ObserveOptions& opt) {
  LineWriter writer(textFormat(opt.format));
  StderrListener listener(writer, false, opt.files.size() > 1);
  service::ObserveRequest request;
  request.paths = opt.files;
  request.keep_going = opt.keep_going;
  service::ObserveStats stats;
  const Status status =
      service::observe(service::Caller::localOperator(ctx.actor), request, writer, listener, stats);
  writer.append(statsLine(stats, textFormat(opt.format), false));
  writer.flush();
  for (const auto& skipped : stats.skipped) {
    std::fprintf(stderr, "phaseout: warning: skipped %s (--keep-going)\n", skipped.path.c_str());
  }
  if (!status.isOk()) {
    const int rc = reportError(status);
    if (!opt.keep_going && opt.files.size() > 1 && stats.unreadable_files > 0) {
      std::fprintf(stderr, "phaseout: --keep-going reads the other inputs\n");
    }
    return rc;
  }
  return kExitOk;
}

std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int /*signal*/) { g_stop.store(true); }

int runSense(const CommandContext& ctx, const SenseCommandOptions& opt) {
  LineWriter writer(textFormat(opt.format));
  StderrListener listener(writer, true);
  service::ObserveStats stats;
  g_stop.store(false);
  auto* previous_int = std::signal(SIGINT, onStopSignal);
  auto* previous_term = std::signal(SIGTERM, onStopSignal);
  const Status status = service::sense(service::Caller::localOperator(ctx.actor), opt.sense, writer,
                                       listener, stats, g_stop);
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  if (!status.isOk() && stats.packets == 0) {
    writer.flush();
    return reportError(status);
  }
  writer.append(statsLine(stats, textFormat(opt.format), true));
  writer.flush();
  if (!status.isOk()) return reportError(status);
  return kExitOk;
}

}  // namespace

void registerObserveCommands(CLI::App& app, CommandContext& ctx) {
  auto observe_opt = std::make_shared<ObserveOptions>();
  CLI::App* observe = app.add_subcommand(
      "observe",
      "Read capture files (pcap, pcapng, gzip-compressed or not) and print what "
      "devices reveal:\nDHCP, DHCPv6, DNS/mDNS, HTTP request heads, TLS ClientHello "
      "(JA4), TCP SYN.");
  observe->add_option("files", observe_opt->files, "Capture files; '-' reads standard input")
      ->required();
  observe->add_option("--format", observe_opt->format, "Output format: jsonl (default) or text")
      ->check(CLI::IsMember({"jsonl", "json", "text"}));
  observe->footer(kObserveFooter);
  observe->add_flag("--keep-going", observe_opt->keep_going,
                    "Skip inputs that cannot be read (each named on stderr) instead of failing");
  observe->callback([observe_opt, &ctx] { ctx.exit_code = runObserve(ctx, *observe_opt); });

  auto sense_opt = std::make_shared<SenseCommandOptions>();
  CLI::App* sense = app.add_subcommand(
      "sense", "Capture live on a network interface and print observations as `observe` does.");
  sense->add_option("--interface,-i", sense_opt->sense.interface, "Interface to capture on")
      ->required();
  sense->add_option("--filter,-f", sense_opt->sense.filter,
                    "BPF capture filter, e.g. 'udp port 67 or tcp port 443'");
  sense
      ->add_option("--count,-c", sense_opt->sense.max_packets,
                   "Stop after this many packets (default: no limit)")
      ->check(CLI::NonNegativeNumber);
  sense
      ->add_option("--duration,-d", sense_opt->sense.duration_s,
                   "Stop after this many seconds (default: no limit)")
      ->check(CLI::Range(0.0, 1e9));
  sense->add_option("--format", sense_opt->format, "Output format: jsonl (default) or text")
      ->check(CLI::IsMember({"jsonl", "json", "text"}));
  sense->footer(kSenseFooter);
  sense->callback([sense_opt, &ctx] { ctx.exit_code = runSense(ctx, *sense_opt); });
}

}  // namespace phaseout::cli
