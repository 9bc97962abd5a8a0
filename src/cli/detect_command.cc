// phaseout detect [FILE...] [--zeek DIR] [--eve FILE] [--access-log [SERVICE=]FILE]
//                 [--format text|json] [--signatures DIR] [--oui FILE]
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/json_writer.h"
#include "core/strings.h"
#include "detect/scoring.h"
#include "dissect/observation.h"
#include "service/detect.h"
#include "service/sightings.h"
#include "service/workspace.h"

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

constexpr std::uint64_t kProgressMinBytes = 64ull << 20;
constexpr double kCandidateMinProbability = 0.01;
constexpr std::size_t kMaxCandidates = 3;
constexpr std::size_t kMaxTextServices = 10;

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
  confirmed  posterior >= 0.99 and two independent groups each prefer the platform
  likely     posterior >= 0.9
  unknown    anything less: platform is "unknown", "candidates" lists the best guesses
JSON: {"devices": [{"key", "macs", "ips", "hostnames", "users", "first_seen", "last_seen",
"platform", "kind", "vendor", "model", "confidence", "level", "candidates", "evidence":
[{"signal", "value", "signature", "weight", "group", "counted", "count", "file", "frame" or
"line"}], "services": [{"service", "user", "user_agent", "count", "file", "frame" or
"line"}]}], "stats": {...}}   (first_seen/last_seen: ISO 8601 UTC, absent when unknown)
A damaged line of a log is a warning (file:line: what); a log that cannot be read is an
error.

Signatures: --signatures DIR, else $PHASEOUT_SIGNATURES, else the copies built into phaseout
(data/signatures/*.yaml of its source). IEEE registry: --oui FILE, else $PHASEOUT_OUI, else
/usr/share/ieee-data/oui.txt (Debian ieee-data), else /usr/share/wireshark/manuf.

Exit codes:
  0  success (some input was read; damaged files give warnings, not errors)
  1  usage error, bad signature file or registry, a log that cannot be read, or nothing
     could be read from any input
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
  bool store = false;          // record the verdicts as sightings in the database
  std::string on;              // with --store: the day they were seen (default: their own times)
};

class StderrListener : public service::ObserveListener, public logs::LogListener {
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
    std::fprintf(stderr, "phaseout: %s\n", why.message().c_str());
  }
  void onWarning(const service::CaptureProblem& p) override {
    progress_.finish();
    if (p.frame == 0 && p.byte_offset == 0) {
      std::fprintf(stderr, "phaseout: warning: %s: %s\n", p.file.c_str(), p.message.c_str());
    } else {
      std::fprintf(stderr, "phaseout: warning: %s: byte offset %llu (frame %llu): %s\n",
                   p.file.c_str(), static_cast<unsigned long long>(p.byte_offset),
                   static_cast<unsigned long long>(p.frame), p.message.c_str());
    }
  }
  void onProgress(const std::string& file, std::uint64_t done, std::uint64_t total) override {
    if (total < kProgressMinBytes) return;
    if (done >= total) {
      progress_.finish();
      return;
    }
    progress_.update(file, static_cast<std::size_t>(done >> 20),
                     static_cast<std::size_t>(total >> 20));
  }
  void onLiveStarted(const std::string& interface, std::uint32_t link_type) override {
    // Like tcpdump's "listening on": tells a human (or a script) that capture has begun.
    std::fprintf(stderr,
                 "phaseout: listening on %s, link type %u (SIGHUP reloads the signatures; "
                 "SIGINT stops and prints the verdicts)\n",
                 interface.c_str(), link_type);
  }

 private:
  Progress progress_;
};

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
extern "C" void onDetectStop(int /*signal*/) { g_stop.store(true); }
extern "C" void onDetectReload(int /*signal*/) { g_reload.store(true); }

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string signedWeight(float w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", static_cast<double>(w));
  return buf;
}

std::string baseName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void appendStringArray(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    appendJsonString(out, values[i]);
  }
  out += ']';
}

struct Counts {
  std::uint64_t confirmed = 0, likely = 0, unknown = 0;
};

Counts countLevels(const std::vector<detect::DeviceVerdict>& devices) {
  Counts c;
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

std::vector<std::pair<platform::Platform, double>> candidates(const detect::Verdict& v) {
  std::vector<std::pair<platform::Platform, double>> out;
  for (std::size_t i = 0; i < v.posterior.size(); ++i) {
    if (v.posterior[i] >= kCandidateMinProbability)
      out.emplace_back(detect::platformAt(i), v.posterior[i]);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > kMaxCandidates) out.resize(kMaxCandidates);
  return out;
}

std::string isoTime(std::int64_t ns) {
  std::string out;
  dissect::appendTimestamp(ns, out);
  return out;
}

// "file" and "frame" (captures) or "line" (logs) of a first sighting, when known.
void appendWhere(std::string& out, const detect::Where& where,
                 const std::vector<std::string>& sources) {
  if (where.frame == 0 && where.line == 0) return;
  appendJsonKey(out, "file");
  appendJsonString(out, where.source < sources.size() ? sources[where.source] : std::string());
  if (where.frame != 0) {
    appendJsonKey(out, "frame");
    appendJsonInt(out, static_cast<std::int64_t>(where.frame));
  } else {
    appendJsonKey(out, "line");
    appendJsonInt(out, static_cast<std::int64_t>(where.line));
  }
}

void writeJson(const service::DetectReport& report, const service::DetectSetup& setup,
               std::string& out) {
  const detect::SignatureSet& set = *setup.signatures;
  out += "{\"devices\": [";
  bool first_device = true;
  for (const auto& d : report.devices) {
    out += first_device ? "\n  {" : ",\n  {";
    first_device = false;
    appendJsonKey(out, "key", true);
    appendJsonString(out, d.key);
    appendJsonKey(out, "macs");
    appendStringArray(out, d.macs);
    appendJsonKey(out, "ips");
    appendStringArray(out, d.ips);
    appendJsonKey(out, "hostnames");
    appendStringArray(out, d.hostnames);
    appendJsonKey(out, "users");
    appendStringArray(out, d.users);
    if (d.first_seen_ns != 0) {
      appendJsonKey(out, "first_seen");
      appendJsonString(out, isoTime(d.first_seen_ns));
      appendJsonKey(out, "last_seen");
      appendJsonString(out, isoTime(d.last_seen_ns));
    }
    appendJsonKey(out, "platform");
    appendJsonString(out, platform::name(d.verdict.platform()));
    appendJsonKey(out, "kind");
    appendJsonString(out, platform::name(d.kind));
    if (!d.vendor.empty()) {
      appendJsonKey(out, "vendor");
      appendJsonString(out, d.vendor);
    }
    if (!d.model.empty()) {
      appendJsonKey(out, "model");
      appendJsonString(out, d.model);
    }
    appendJsonKey(out, "confidence");
    out += fixed(d.verdict.confidence, 4);
    appendJsonKey(out, "level");
    appendJsonString(out, detect::name(d.verdict.level));
    appendJsonKey(out, "candidates");
    out += '[';
    bool first = true;
    for (const auto& [p, prob] : candidates(d.verdict)) {
      out += first ? "{" : ", {";
      first = false;
      appendJsonKey(out, "platform", true);
      appendJsonString(out, detect::hypothesisName(p));
      appendJsonKey(out, "p");
      out += fixed(prob, 4);
      out += '}';
    }
    out += ']';
    appendJsonKey(out, "evidence");
    out += '[';
    first = true;
    for (const auto& e : d.evidence) {
      const detect::Signature& s = set.signature(e.signature);
      out += first ? "\n    {" : ",\n    {";
      first = false;
      appendJsonKey(out, "signal", true);
      appendJsonString(out, detect::name(e.signal));
      appendJsonKey(out, "value");
      appendJsonString(out, e.value);
      appendJsonKey(out, "signature");
      appendJsonString(out, s.id);
      appendJsonKey(out, "weight");
      out += fixed(e.weight, 2);
      appendJsonKey(out, "group");
      appendJsonString(out, set.group(s.group).id);
      appendJsonKey(out, "counted");
      out += e.counted ? "true" : "false";
      appendJsonKey(out, "count");
      appendJsonInt(out, static_cast<std::int64_t>(e.count));
      appendWhere(out, e.where, report.sources);
      out += '}';
    }
    out += ']';
    appendJsonKey(out, "services");
    out += '[';
    first = true;
    for (const auto& u : d.services) {
      out += first ? "\n    {" : ",\n    {";
      first = false;
      appendJsonKey(out, "service", true);
      appendJsonString(out, u.service);
      appendJsonKey(out, "user");
      appendJsonString(out, u.user);
      appendJsonKey(out, "user_agent");
      appendJsonString(out, u.user_agent);
      appendJsonKey(out, "count");
      appendJsonInt(out, static_cast<std::int64_t>(u.count));
      appendWhere(out, u.where, report.sources);
      out += '}';
    }
    out += "]}";
  }
  out += first_device ? "],\n" : "\n],\n";
  const Counts c = countLevels(report.devices);
  auto field = [&out](std::string_view key, std::uint64_t v, bool first = false) {
    appendJsonKey(out, key, first);
    appendJsonInt(out, static_cast<std::int64_t>(v));
  };
  out += "\"stats\": {";
  field("files", report.observe.files, true);
  field("unreadable_files", report.observe.unreadable_files);
  field("packets", report.observe.packets);
  field("bytes", report.observe.bytes);
  field("observations", report.observe.observations);
  field("warnings", report.observe.warnings);
  field("log_files", report.logs.files);
  field("log_lines", report.logs.lines);
  field("log_records", report.logs.records);
  field("log_bad_lines", report.logs.bad_lines);
  field("evidence", report.ledger.evidence);
  field("service_uses", report.ledger.service_uses);
  field("services_dropped", report.ledger.services_dropped);
  field("users_dropped", report.ledger.users_dropped);
  field("devices", report.devices.size());
  field("confirmed", c.confirmed);
  field("likely", c.likely);
  field("unknown", c.unknown);
  field("routers", report.ledger.routers);
  field("linked", report.ledger.linked);
  appendJsonKey(out, "signatures");
  appendJsonString(out, set.version());
  appendJsonKey(out, "oui");
  appendJsonString(out, setup.oui.size() > 0 ? setup.oui.source() : std::string("none"));
  appendJsonKey(out, "anomalies");
  out += '{';
  bool first = true;
  for (const auto& [name, count] : report.observe.anomalies.all()) {
    field(name, count, first);
    first = false;
  }
  out += "}}}\n";
}

void writeText(const service::DetectReport& report, const service::DetectSetup& setup,
               std::string& out) {
  const detect::SignatureSet& set = *setup.signatures;
  for (const auto& d : report.devices) {
    out += d.key + "  " + std::string(platform::name(d.verdict.platform()));
    if (d.kind != platform::Kind::kUnknown) out += " " + std::string(platform::name(d.kind));
    out += "  " + std::string(detect::name(d.verdict.level)) + " " + fixed(d.verdict.confidence, 3);
    if (d.verdict.level == detect::Level::kUnknown) {
      out += "  (";
      bool first = true;
      for (const auto& [p, prob] : candidates(d.verdict)) {
        out += (first ? "" : ", ") + std::string(detect::hypothesisName(p)) + " " + fixed(prob, 2);
        first = false;
      }
      out += ")";
    }
    if (!d.vendor.empty()) out += "  " + d.vendor;
    if (!d.model.empty()) out += " " + d.model;
    out += '\n';
    if (!d.macs.empty()) out += "    macs: " + join(d.macs, " ") + '\n';
    if (!d.ips.empty()) out += "    ips: " + join(d.ips, " ") + '\n';
    if (!d.hostnames.empty()) out += "    hostnames: " + join(d.hostnames, " ") + '\n';
    if (!d.users.empty()) out += "    users: " + join(d.users, " ") + '\n';
    if (d.first_seen_ns != 0) {
      out += "    seen: " + isoTime(d.first_seen_ns) + " .. " + isoTime(d.last_seen_ns) + '\n';
    }
    for (const auto& e : d.evidence) {
      const detect::Signature& s = set.signature(e.signature);
      out += "    " + signedWeight(e.weight) + (e.counted ? "  " : " ~") +
             std::string(detect::name(e.signal)) + " \"" + e.value + "\" [" + s.id + ", " +
             set.group(s.group).id + "]";
      if (e.where.frame != 0 && e.where.source < report.sources.size()) {
        out += " " + baseName(report.sources[e.where.source]) + "#" + std::to_string(e.where.frame);
      } else if (e.where.line != 0 && e.where.source < report.sources.size()) {
        out += " " + baseName(report.sources[e.where.source]) + ":" + std::to_string(e.where.line);
      }
      if (e.count > 1) out += " x" + std::to_string(e.count);
      out += '\n';
    }
    for (std::size_t i = 0; i < d.services.size() && i < kMaxTextServices; ++i) {
      const auto& u = d.services[i];
      out += "    service " + u.service;
      if (!u.user.empty()) out += " user=" + u.user;
      if (u.count > 1) out += " x" + std::to_string(u.count);
      if (!u.user_agent.empty()) out += " \"" + u.user_agent + "\"";
      out += '\n';
    }
    if (d.services.size() > kMaxTextServices) {
      out += "    (" + std::to_string(d.services.size() - kMaxTextServices) +
             " more services; --format json lists all)\n";
    }
  }
  const Counts c = countLevels(report.devices);
  out += "stats: files=" + std::to_string(report.observe.files) +
         " packets=" + std::to_string(report.observe.packets) +
         " log_files=" + std::to_string(report.logs.files) +
         " log_lines=" + std::to_string(report.logs.lines) +
         " log_bad_lines=" + std::to_string(report.logs.bad_lines) +
         " observations=" + std::to_string(report.observe.observations) +
         " devices=" + std::to_string(report.devices.size()) +
         " confirmed=" + std::to_string(c.confirmed) + " likely=" + std::to_string(c.likely) +
         " unknown=" + std::to_string(c.unknown) +
         " oui=" + (setup.oui.size() > 0 ? setup.oui.source() : std::string("none")) + '\n';
  out +=
      "(~ marks evidence outweighed within its group; weights are log10 likelihood ratios "
      "for the platform shown)\n";
}

int runDetect(const CommandContext& ctx, const DetectOptions& opt) {
  auto on = parseDateFlag("--on", opt.on);
  if (!on.isOk()) return reportError(on.status());
  if (on->has_value() && !opt.store) {
    std::fprintf(stderr, "phaseout: --on applies to --store only\n");
    return kExitInput;
  }
  service::DetectInputs inputs;
  inputs.captures = opt.files;
  inputs.zeek = opt.zeek;
  inputs.eve_files = opt.eve;
  for (const std::string& arg : opt.access_logs) {
    // SERVICE=FILE; a path that merely contains '=' in a directory name stays a path.
    const std::size_t eq = arg.find('=');
    if (eq != std::string::npos && eq > 0 && arg.find('/') > eq) {
      inputs.access_logs.push_back({arg.substr(0, eq), arg.substr(eq + 1)});
    } else {
      inputs.access_logs.push_back({std::string(), arg});
    }
  }
  const bool live = !opt.live.interface.empty();
  if (live && !inputs.empty()) {
    std::fprintf(stderr, "phaseout: --interface captures live; it takes no files or logs\n");
    return kExitInput;
  }
  if (!live && inputs.empty()) {
    std::fprintf(stderr,
                 "phaseout: detect needs input: capture files, --zeek, --eve, --access-log or "
                 "--interface\n");
    return kExitInput;
  }
  const std::string oui_path = !opt.oui.empty() ? opt.oui : detect::OuiRegistry::defaultPath();
  auto setup = service::loadDetectSetup(signaturesDir(opt.signatures), oui_path);
  if (!setup.isOk()) return reportError(setup.status());
  if (!setup->oui_problem.empty()) {
    std::fprintf(stderr, "phaseout: warning: %s; MAC vendors are not used\n",
                 setup->oui_problem.c_str());
  }
  StderrListener listener;
  service::DetectReport report;
  Status status;
  if (live) {
    service::LiveDetectOptions live_options;
    live_options.sense = opt.live;
    live_options.signatures_dir = signaturesDir(opt.signatures);
    g_stop.store(false);
    g_reload.store(false);
    auto* previous_int = std::signal(SIGINT, onDetectStop);
    auto* previous_term = std::signal(SIGTERM, onDetectStop);
    auto* previous_hup = std::signal(SIGHUP, onDetectReload);
    status = service::detectLive(
        live_options, *setup, listener, report, g_stop, g_reload,
        [&](const Status& outcome, std::size_t signatures) {
          const std::string from = live_options.signatures_dir.empty()
                                       ? "the built-in set"
                                       : live_options.signatures_dir;
          if (outcome.isOk()) {
            std::fprintf(stderr, "phaseout: reloaded %zu signatures from %s\n", signatures,
                         from.c_str());
          } else {
            std::fprintf(stderr,
                         "phaseout: reload from %s failed, %zu signatures stay in force: %s\n",
                         from.c_str(), signatures, outcome.message().c_str());
          }
        });
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    std::signal(SIGHUP, previous_hup);
  } else {
    status = service::detectInputs(inputs, *setup, listener, listener, report);
  }
  // Evidence is named by the set in force at the end (a live run may have reloaded it).
  if (report.signatures) setup->signatures = report.signatures;
  std::string out;
  if (opt.format == "json") {
    writeJson(report, *setup, out);
  } else {
    writeText(report, *setup, out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!status.isOk()) return reportError(status);
  if (opt.store) {
    if (report.devices.empty()) {
      std::fprintf(stderr, "phaseout: no device showed evidence; nothing stored\n");
      return kExitOk;
    }
    auto ws = service::Workspace::open(ctx.db_path);
    if (!ws.isOk()) return reportError(ws.status());
    service::Recording recording;
    recording.on = *on;
    recording.actor = ctx.actor;
    recording.now_ms = nowMs();
    auto stored = service::recordSightings(**ws, report.devices, report.sources, *setup->signatures,
                                           recording);
    if (!stored.isOk()) return reportError(stored.status());
    std::fprintf(stderr,
                 "stored %zu sighting(s) in %s (audit entry %lld); see 'phaseout sightings "
                 "findings'\n",
                 stored->sightings, ctx.db_path.c_str(), static_cast<long long>(stored->event_seq));
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
  detect->add_flag("--store", opt->store,
                   "Also record every device as a sighting in the database (--db), matched to "
                   "the inventory by 'phaseout sightings findings' and counted by 'status'");
  detect->add_option("--on", opt->on,
                     "With --store: the day the devices were seen, YYYY-MM-DD (default: the "
                     "times in the inputs, else today)");
  detect->footer(kDetectFooter);
  detect->callback([opt, &ctx] { ctx.exit_code = runDetect(ctx, *opt); });
  registerUaCommand(app, ctx);
}

}  // namespace phaseout::cli
