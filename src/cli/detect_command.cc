// phaseout detect FILE... [--format text|json] [--signatures DIR] [--oui FILE]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/json_writer.h"
#include "core/strings.h"
#include "detect/scoring.h"
#include "service/detect.h"

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

constexpr const char* kDetectFooter =
    R"(Prints a verdict for every device that showed evidence: platform, kind, confidence
and level, with every piece of evidence that moved it (signal, value, signature, weight for
the verdict's platform, independence group, and the file and frame where it was first seen).
  confirmed  posterior >= 0.99 and two independent groups each prefer the platform
  likely     posterior >= 0.9
  unknown    anything less: platform is "unknown", "candidates" lists the best guesses
JSON: {"devices": [{"key", "macs", "ips", "hostnames", "platform", "kind", "vendor", "model",
"confidence", "level", "candidates", "evidence": [{"signal", "value", "signature", "weight",
"group", "counted", "count", "file", "frame"}]}], "stats": {...}}

Signatures: --signatures DIR, else $PHASEOUT_SIGNATURES, else the copies built into phaseout
(data/signatures/*.yaml of its source). IEEE registry: --oui FILE, else $PHASEOUT_OUI, else
/usr/share/ieee-data/oui.txt (Debian ieee-data), else /usr/share/wireshark/manuf.

Exit codes:
  0  success (some input was read; damaged files give warnings, not errors)
  1  usage error, bad signature file or registry, or nothing could be read from any input
  2  internal error (e.g. output could not be written))";

struct DetectOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string signatures;
  std::string oui;
};

class StderrListener : public service::ObserveListener {
 public:
  StderrListener() : progress_("detect") {}
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

 private:
  Progress progress_;
};

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
      if (e.where.frame != 0 || e.where.line != 0) {
        appendJsonKey(out, "file");
        appendJsonString(out, e.where.source < report.sources.size()
                                  ? report.sources[e.where.source]
                                  : std::string());
        if (e.where.frame != 0) {
          appendJsonKey(out, "frame");
          appendJsonInt(out, static_cast<std::int64_t>(e.where.frame));
        } else {
          appendJsonKey(out, "line");
          appendJsonInt(out, static_cast<std::int64_t>(e.where.line));
        }
      }
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
  field("evidence", report.ledger.evidence);
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
    for (const auto& e : d.evidence) {
      const detect::Signature& s = set.signature(e.signature);
      out += "    " + signedWeight(e.weight) + (e.counted ? "  " : " ~") +
             std::string(detect::name(e.signal)) + " \"" + e.value + "\" [" + s.id + ", " +
             set.group(s.group).id + "]";
      if (e.where.frame != 0 && e.where.source < report.sources.size()) {
        out += " " + baseName(report.sources[e.where.source]) + "#" + std::to_string(e.where.frame);
      }
      if (e.count > 1) out += " x" + std::to_string(e.count);
      out += '\n';
    }
  }
  const Counts c = countLevels(report.devices);
  out += "stats: files=" + std::to_string(report.observe.files) +
         " packets=" + std::to_string(report.observe.packets) +
         " observations=" + std::to_string(report.observe.observations) +
         " devices=" + std::to_string(report.devices.size()) +
         " confirmed=" + std::to_string(c.confirmed) + " likely=" + std::to_string(c.likely) +
         " unknown=" + std::to_string(c.unknown) +
         " oui=" + (setup.oui.size() > 0 ? setup.oui.source() : std::string("none")) + '\n';
  out +=
      "(~ marks evidence outweighed within its group; weights are log10 likelihood ratios "
      "for the platform shown)\n";
}

int runDetect(const DetectOptions& opt) {
  const std::string oui_path = !opt.oui.empty() ? opt.oui : detect::OuiRegistry::defaultPath();
  auto setup = service::loadDetectSetup(signaturesDir(opt.signatures), oui_path);
  if (!setup.isOk()) return reportError(setup.status());
  if (!setup->oui_problem.empty()) {
    std::fprintf(stderr, "phaseout: warning: %s; MAC vendors are not used\n",
                 setup->oui_problem.c_str());
  }
  StderrListener listener;
  service::DetectReport report;
  const Status status = service::detectFiles(opt.files, *setup, listener, report);
  std::string out;
  if (opt.format == "json") {
    writeJson(report, *setup, out);
  } else {
    writeText(report, *setup, out);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!status.isOk()) return reportError(status);
  return kExitOk;
}

}  // namespace

void registerDetectCommands(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<DetectOptions>();
  CLI::App* detect = app.add_subcommand(
      "detect",
      "Judge the platform of every device in capture files (iPhone, Android, ...), "
      "with its\nconfidence and the evidence for it.");
  detect
      ->add_option("files", opt->files,
                   "Capture files (pcap, pcapng, gzip); '-' reads standard input")
      ->required();
  detect->add_option("--format", opt->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  detect->add_option("--signatures", opt->signatures,
                     "Directory of signature files (default: $PHASEOUT_SIGNATURES, else built in)");
  detect->add_option("--oui", opt->oui,
                     "IEEE OUI registry file (default: $PHASEOUT_OUI, ieee-data, Wireshark manuf)");
  detect->footer(kDetectFooter);
  detect->callback([opt, &ctx] { ctx.exit_code = runDetect(*opt); });
  registerUaCommand(app, ctx);
}

}  // namespace phaseout::cli
