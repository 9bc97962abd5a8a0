// phaseout detect [FILE...] [--zeek DIR] [--eve FILE] [--access-log [SERVICE=]FILE]
//                 [--format text|json] [--signatures DIR] [--oui FILE]
//                 [--publish nats://HOST:PORT [--site NAME] [--queue-dir DIR] [--queue-limit N]]
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/capture_feedback.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "service/caller.h"
#include "service/detect.h"
#include "service/detect_json.h"
#include "service/detect_text.h"
#include "service/sensor_feed.h"

namespace phaseout::cli {

void registerUaCommand(CLI::App& app, CommandContext& ctx);  // ua_command.cc

// Where signatures and the IEEE registry come from: flag, else environment, else default
// (shared with `phaseout ua`).
std::string signaturesDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("PHASEOUT_SIGNATURES");
  return env != nullptr ? std::string(env) : std::string();
}

namespace {

constexpr const char* kDetectFooter =
    R"(Reads captures, Zeek logs (--zeek: dhcp, dns, http, ssl, conn, software; TSV or JSON),
Suricata eve.json (--eve: dhcp, dns, http, tls events) and web/proxy access logs
(--access-log: nginx/Apache combined, common or vhost_combined; each log is one service,
named SERVICE= or after its file) into one evidence ledger; at least one input is needed.
Prints a verdict for every device that showed evidence: platform, kind, confidence
and level, with every piece of evidence that moved it (signal, value, signature, weight for
the verdict's platform, independence group, and the file and frame or line where it was
first seen); the authenticated users seen for it, when it was first and last seen, and
the services it reached (host or host/path, user, User-Agent, count, where first seen).
  confirmed  posterior >= 0.99 and two independent groups, on sourced evidence, prefer the
             platform by a margin of 0.5 or more over every platform outside its family
             (iOS, iPadOS and watchOS are one family; one group must then tell them apart)
  likely     posterior >= 0.9
  unknown    anything less: platform is "unknown", "candidates" lists the best guesses
JSON: {"devices": [{"key", "macs", "ips", "hostnames", "users", "first_seen", "last_seen",
"platform", "kind", "vendor", "model", "confidence", "level", "specific_groups", "rival",
"candidates", "evidence": [{"signal", "value", "signature", "weight", "margin", "group",
"counted", "count", "file", "frame" or "line"}], "services": [{"service", "user",
"user_agent", "count", "file", "frame" or "line"}]}], "stats": {...}}   (first_seen/last_seen:
ISO 8601 UTC, absent when unknown; evidence of a signature no public source backs has
"observed_only": true, "observed only" in text; margin: the weight minus the evidence's largest
weight for a platform outside the verdict's family; rival: the nearest other platform).
A damaged line of a log is a warning (file:line: what). An input that cannot be read (missing,
not a capture, unreadable log) fails the run, naming each, and nothing is printed or stored;
--keep-going skips such inputs, names them on stderr and reads the rest.

Sensors (--publish nats://HOST:PORT): the verdicts of the run are one batch, sent as one message
(the JSON above inside {"format": "phaseout-sightings/1", "site", "created", "created_ms", "on",
"detect"}) to the JetStream stream PHASEOUT_SIGHTINGS (created when missing), subject
phaseout.sightings.SITE, with a Nats-Msg-Id derived from site and content, so a re-send is
stored once. The batch is first appended to an fsync'd on-disk queue (--queue-dir, default
$PHASEOUT_QUEUE_DIR, else /var/spool/phaseout/SITE); the queue is then sent oldest first and each
message leaves it once the stream acknowledged it. When the server cannot be reached the batch
waits there, and the next run sends it, in order, before its own. A full queue (--queue-limit)
keeps the older batches and DROPS the new one (exit code 1). 'phaseout ingest' stores the
batches in the database. Live (--interface), the run is one batch, or with --publish-every N one
batch every N seconds while the capture goes on: each period's verdicts (the evidence seen in it)
are printed and queued as the period ends, and the last period's when the run stops.

Signatures: --signatures DIR, else $PHASEOUT_SIGNATURES, else the copies built into phaseout
(data/signatures/*.yaml of its source). IEEE registry: --oui FILE, else $PHASEOUT_OUI, else
/usr/share/ieee-data/oui.txt (Debian ieee-data), else /usr/share/wireshark/manuf.

Exit codes:
  0  success (every input was read, or --keep-going and some were; damage inside a file is a
     warning, not an error)
  1  usage error, bad signature file or registry, an input that cannot be read (without
     --keep-going), or nothing could be read from any input
  2  internal error (e.g. output could not be written))";

struct DetectOptions {
  std::vector<std::string> files;
  std::vector<std::string> zeek;
  std::vector<std::string> eve;
  std::vector<std::string> access_logs;  // [SERVICE=]FILE
  std::string format = "text";
  std::string signatures;
  std::string oui;
  service::SenseOptions live;  // live.interface set: capture live instead of reading inputs
  bool keep_going = false;     // skip unreadable inputs instead of failing
  bool store = false;          // record the verdicts as sightings in the database
  std::string on;              // with --store: the day they were seen (default: their own times)
  std::string publish;         // nats://HOST:PORT: send the verdicts to the bus
  std::string site;
  std::string queue_dir;
  std::string queue_limit;
  std::int64_t publish_every_s = 0;  // live, with --publish: one batch every this many seconds
};

// The host name up to its first dot, as a site name (the default of --site).
std::string defaultSite() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "sensor";
  std::string site(host);
  site = site.substr(0, site.find('.'));
  return site.empty() ? std::string("sensor") : site;
}

// "67108864", "64M", "512K", "1G" (binary multiples).
Result<std::uint64_t> parseByteCount(const std::string& text) {
  std::uint64_t multiplier = 1;
  std::string digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K':
      case 'k':
        multiplier = 1ULL << 10;
        break;
      case 'M':
      case 'm':
        multiplier = 1ULL << 20;
        break;
      case 'G':
      case 'g':
        multiplier = 1ULL << 30;
        break;
      default:
        break;
    }
    if (multiplier != 1) digits.pop_back();
  }
  if (digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return invalidField("queue-limit",
                        "expected a number of bytes (K, M or G may follow), got \"" + text + "\"");
  }
  return std::stoull(digits) * multiplier;
}

// The verdicts on stdout, as `format` (json or text) says, flushed (a live sensor prints one
// report per period).
void printReport(const std::string& format, const service::DetectReport& report,
                 const service::DetectSetup& setup) {
  std::string out;
  if (format == "json") {
    service::writeDetectJson(report, setup, out);
  } else {
    service::writeDetectText(report, setup, out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

// Reports what the feed did on stderr; the exit code it leads to.
int reportFeed(const service::SensorFeed& feed, const service::FeedOutcome& out) {
  for (const std::string& repair : out.repairs) {
    std::fprintf(stderr, "phaseout: warning: queue: %s\n", repair.c_str());
  }
  if (out.sent > 0) {
    std::fprintf(stderr, "phaseout: published %zu batch(es) to %s as site %s", out.sent,
                 feed.url.c_str(), feed.site.c_str());
    if (out.duplicates > 0) {
      std::fprintf(stderr, " (%zu already in the stream: re-sends)", out.duplicates);
    }
    std::fprintf(stderr, "\n");
  }
  if (!out.send_error.isOk()) {
    std::fprintf(stderr,
                 "phaseout: warning: %s; %zu batch(es) (%llu of %llu bytes) wait in %s and are "
                 "sent, in order, by the next run\n",
                 out.send_error.message().c_str(), out.waiting,
                 static_cast<unsigned long long>(out.waiting_bytes),
                 static_cast<unsigned long long>(out.limit_bytes), feed.queue_dir.c_str());
  }
  if (!out.batch_refused.isOk()) {
    std::fprintf(stderr,
                 "phaseout: --queue-limit: %s; this run's batch of %zu device(s) was DROPPED "
                 "(message %s); the older batches are kept\n",
                 out.batch_refused.message().c_str(), out.devices, out.message_id.c_str());
    return kExitInput;
  }
  return kExitOk;
}

class StderrListener : public service::DetectListener {
 public:
  StderrListener() : progress_("detect") {}
  void onProblem(const logs::LogProblem& p) override {
    progress_.finish();
    if (p.line == 0) {
      std::fprintf(stderr, "phaseout: warning: %s: %s\n", p.file.c_str(), p.message.c_str());
    } else {
      std::fprintf(stderr, "phaseout: warning: %s:%llu: %s\n", p.file.c_str(),
                   static_cast<unsigned long long>(p.line), p.message.c_str());
    }
  }
  void onUnreadable(const std::string& /*file*/, const Status& why) override {
    progress_.finish();
    ++unreadable_;
    std::fprintf(stderr, "phaseout: %s\n", why.message().c_str());
  }
  void onWarning(const service::CaptureProblem& p) override {
    progress_.finish();
    printCaptureWarning(p);
  }
  void onProgress(const std::string& file, std::uint64_t done, std::uint64_t total) override {
    showCaptureProgress(progress_, file, done, total);
  }
  void onLiveStarted(const std::string& interface, std::uint32_t link_type) override {
    // Like tcpdump's "listening on": tells a human (or a script) that capture has begun.
    std::fprintf(stderr,
                 "phaseout: listening on %s, link type %u (SIGHUP reloads the signatures; "
                 "SIGINT stops and prints the verdicts)\n",
                 interface.c_str(), link_type);
  }

  std::size_t unreadable() const { return unreadable_; }

 private:
  Progress progress_;
  std::size_t unreadable_ = 0;
};

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
extern "C" void onDetectStop(int /*signal*/) { g_stop.store(true); }
extern "C" void onDetectReload(int /*signal*/) { g_reload.store(true); }

int runDetect(const CommandContext& ctx, const DetectOptions& opt) {
  auto on = parseDateFlag("--on", opt.on);
  if (!on.isOk()) return reportError(on.status());
  service::DetectRequest request;
  request.captures = opt.files;
  request.zeek = opt.zeek;
  request.eve = opt.eve;
  request.access_logs = opt.access_logs;
  request.signatures_dir = signaturesDir(opt.signatures);
  request.oui_path = !opt.oui.empty() ? opt.oui : detect::OuiRegistry::defaultPath();
  request.keep_going = opt.keep_going;
  request.live = opt.live;
  request.store = opt.store;
  request.on = *on;
  request.now_ms = nowMs();
  request.db_path = ctx.db_path;
  const bool live = !opt.live.interface.empty();
  if (opt.publish_every_s != 0) {
    if (opt.publish.empty() || !live) {
      return reportError(invalidField("publish-every", "needs --interface and --publish"));
    }
    request.period_ms = opt.publish_every_s * 1000;
  }
  g_stop.store(false);
  g_reload.store(false);
  request.stop = &g_stop;
  request.reload = &g_reload;
  request.on_reload = [from = request.signatures_dir.empty() ? std::string("the built-in set")
                                                             : request.signatures_dir](
                          const Status& outcome, std::size_t signatures) {
    if (outcome.isOk()) {
      std::fprintf(stderr, "phaseout: reloaded %zu signatures from %s\n", signatures, from.c_str());
    } else {
      std::fprintf(stderr, "phaseout: reload from %s failed, %zu signatures stay in force: %s\n",
                   from.c_str(), signatures, outcome.message().c_str());
    }
  };
  StderrListener listener;
  void (*previous_int)(int) = nullptr;
  void (*previous_term)(int) = nullptr;
  void (*previous_hup)(int) = nullptr;
  if (live) {
    previous_int = std::signal(SIGINT, onDetectStop);
    previous_term = std::signal(SIGTERM, onDetectStop);
    previous_hup = std::signal(SIGHUP, onDetectReload);
  }
  service::SensorFeed feed;
  service::FeedOutcome feed_outcome;
  const bool publish = !opt.publish.empty();
  Result<service::DetectResult> result = internalError("not run");
  if (publish && opt.store) {
    return reportError(invalidField("publish",
                                    "either --store (this database) or --publish "
                                    "(the bus, stored by 'phaseout ingest'), not both"));
  }
  if (publish) {
    feed.url = opt.publish;
    feed.site = opt.site.empty() ? defaultSite() : opt.site;
    const char* env_queue = std::getenv("PHASEOUT_QUEUE_DIR");
    feed.queue_dir = !opt.queue_dir.empty() ? opt.queue_dir
                     : env_queue != nullptr && *env_queue != '\0'
                         ? std::string(env_queue)
                         : "/var/spool/phaseout/" + feed.site;
    if (!opt.queue_limit.empty()) {
      auto limit = parseByteCount(opt.queue_limit);
      if (!limit.isOk()) return reportError(limit.status());
      feed.queue_limit_bytes = *limit;
    }
    request.store = false;
    // Each period's batch: its verdicts on stdout, what the feed did on stderr.
    const auto on_period = [&](const service::DetectReport& period,
                               const service::DetectSetup& setup,
                               const Result<service::FeedOutcome>& fed) {
      printReport(opt.format, period, setup);
      std::fprintf(stderr, "phaseout: period ended: %zu device(s)\n", period.devices.size());
      if (fed.isOk()) {
        (void)reportFeed(feed, *fed);
      } else {
        std::fprintf(stderr, "phaseout: warning: this period's batch was not queued: %s\n",
                     fed.status().message().c_str());
      }
    };
    auto run = service::detectAndPublish(service::Caller::localOperator(ctx.actor), request, feed,
                                         listener, on_period);
    if (run.isOk()) {
      feed_outcome = std::move(run->feed);
      result = std::move(run->detect);
    } else {
      result = run.status();
    }
  } else {
    result = service::detect(service::Caller::localOperator(ctx.actor), request, listener);
  }
  if (live) {
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    std::signal(SIGHUP, previous_hup);
  }
  if (!result.isOk()) {
    const int rc = reportError(result.status());
    const std::size_t inputs =
        opt.files.size() + opt.zeek.size() + opt.eve.size() + opt.access_logs.size();
    if (!opt.keep_going && inputs > 1 && listener.unreadable() > 0) {
      std::fprintf(stderr, "phaseout: nothing %s; --keep-going reads the other inputs\n",
                   opt.store ? "stored" : "printed");
    }
    return rc;
  }
  if (!result->setup.oui_problem.empty()) {
    std::fprintf(stderr, "phaseout: warning: %s; MAC vendors are not used\n",
                 result->setup.oui_problem.c_str());
  }
  for (const auto& skipped : result->report.unreadable) {
    std::fprintf(stderr, "phaseout: warning: skipped %s (--keep-going)\n", skipped.path.c_str());
  }
  printReport(opt.format, result->report, result->setup);
  if (publish) {
    const int rc = reportFeed(feed, feed_outcome);
    if (!result->live_error.isOk()) return reportError(result->live_error);
    return rc;
  }
  if (!result->live_error.isOk()) return reportError(result->live_error);
  if (opt.store) {
    if (!result->stored) {
      std::fprintf(stderr, "phaseout: no device showed evidence; nothing stored\n");
      return kExitOk;
    }
    std::fprintf(stderr,
                 "stored %zu sighting(s) in %s (audit entry %lld); see 'phaseout sightings "
                 "findings'\n",
                 result->sightings, ctx.db_path.c_str(), static_cast<long long>(result->event_seq));
  }
  return kExitOk;
}

}  // namespace

void registerDetectCommands(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<DetectOptions>();
  CLI::App* detect = app.add_subcommand(
      "detect",
      "Judge the platform of every device in captures and sensor or access logs (iPhone, "
      "Android, ...),\nwith its confidence and the evidence for it.");
  detect->add_option("files", opt->files,
                     "Capture files (pcap, pcapng, gzip); '-' reads standard input");
  detect->add_option("--zeek", opt->zeek,
                     "Zeek log directory (every *.log, *.log.gz) or file; repeatable");
  detect->add_option("--eve", opt->eve, "Suricata eve.json file; repeatable");
  detect->add_option("--access-log", opt->access_logs,
                     "[SERVICE=]FILE: a web/proxy access log of SERVICE (default: the file "
                     "name); repeatable");
  detect->add_option("--format", opt->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  detect->add_option("--signatures", opt->signatures,
                     "Directory of signature files (default: $PHASEOUT_SIGNATURES, else built in)");
  detect->add_option("--oui", opt->oui,
                     "IEEE OUI registry file (default: $PHASEOUT_OUI, ieee-data, Wireshark manuf)");
  detect->add_option("--interface,-i", opt->live.interface,
                     "Capture live on this interface instead (needs capture rights); stops on "
                     "SIGINT/SIGTERM, --count or --duration; SIGHUP reloads the signatures");
  detect->add_option("--filter,-f", opt->live.filter, "With --interface: a BPF filter");
  detect->add_option("--count,-c", opt->live.max_packets,
                     "With --interface: stop after this many packets");
  detect->add_option("--duration,-d", opt->live.duration_s,
                     "With --interface: stop after this many seconds");
  detect->add_flag("--keep-going", opt->keep_going,
                   "Skip inputs that cannot be read (each named on stderr) instead of failing "
                   "the run");
  detect->add_flag("--store", opt->store,
                   "Also record every device as a sighting in the database (--db), matched to "
                   "the inventory by 'phaseout sightings findings' and counted by 'status'");
  detect->add_option("--on", opt->on,
                     "With --store: the day the devices were seen, YYYY-MM-DD (default: the "
                     "times in the inputs, else today)");
  detect->add_option("--publish", opt->publish,
                     "nats://HOST:PORT: send the verdicts as one batch to the NATS JetStream "
                     "stream PHASEOUT_SIGHTINGS (queued on disk until acknowledged); see "
                     "'phaseout ingest'");
  detect->add_option("--site", opt->site,
                     "With --publish: this sensor's site (letters, digits, '-', '_'; default: the "
                     "host name)");
  detect->add_option("--queue-dir", opt->queue_dir,
                     "With --publish: the on-disk queue (default: $PHASEOUT_QUEUE_DIR, else "
                     "/var/spool/phaseout/SITE)");
  detect->add_option("--publish-every", opt->publish_every_s,
                     "With --interface and --publish: send a batch every this many seconds "
                     "(the verdicts of that period; at least 1) while the capture goes on");
  detect->add_option("--queue-limit", opt->queue_limit,
                     "With --publish: the most bytes the queue holds, e.g. 64M (default); a batch "
                     "that does not fit is dropped");
  detect->footer(kDetectFooter);
  detect->callback([opt, &ctx] { ctx.exit_code = runDetect(ctx, *opt); });
  registerUaCommand(app, ctx);
}

}  // namespace phaseout::cli
