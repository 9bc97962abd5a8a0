// phaseout ua [FILE...] [--format json|text] [--signatures DIR]
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/json_writer.h"
#include "detect/signature_set.h"

namespace phaseout::cli {

std::string signaturesDir(const std::string& flag);  // detect_command.cc

namespace {

constexpr std::size_t kFlushBytes = 1 << 20;
// Longer lines are classified on their first bytes only (the matcher's scan limit).
constexpr std::size_t kMaxLineBytes = 64 * 1024;

constexpr const char* kUaFooter =
    R"(Reads User-Agent strings, one per line (files in order, or standard input when none
or '-'), and prints one JSON line per input line:
  {"ua": "...", "platform": "ios", "kind": "phone", "version": "16.5", "vendor": "apple",
   "model": "", "signature": "ua.iphone.browser"}
platform is one of phaseout's platforms, "other" (a known non-phone platform such as
ChromeOS or a TV) or "unknown" (no rule applies). Rules: data/signatures/user_agent.yaml,
or --signatures DIR / $PHASEOUT_SIGNATURES.

Exit codes:
  0  success
  1  usage error, bad signature file, or an input file that cannot be read
  2  internal error)";

struct UaOptions {
  std::vector<std::string> files;
  std::string format = "json";
  std::string signatures;
};

void appendResult(const detect::SignatureSet& set, std::string_view ua, bool text,
                  std::string& out) {
  const auto m = set.classifyUserAgent(ua);
  const std::string_view platform_name =
      !m.rule ? std::string_view("unknown") : detect::hypothesisName(m.platform);
  if (text) {
    out += platform_name;
    out += '\t';
    out += platform::name(m.kind);
    out += '\t';
    out += m.version.empty() ? "-" : m.version;
    out += '\t';
    out += m.vendor.empty() ? "-" : m.vendor;
    out += '\t';
    out += m.rule ? set.signature(*m.rule).id : std::string("-");
    out += '\t';
    out += ua;
    out += '\n';
    return;
  }
  out += '{';
  appendJsonKey(out, "ua", true);
  appendJsonString(out, ua);
  appendJsonKey(out, "platform");
  appendJsonString(out, platform_name);
  appendJsonKey(out, "kind");
  appendJsonString(out, platform::name(m.kind));
  appendJsonKey(out, "version");
  appendJsonString(out, m.version);
  appendJsonKey(out, "vendor");
  appendJsonString(out, m.vendor);
  appendJsonKey(out, "model");
  appendJsonString(out, m.model);
  appendJsonKey(out, "signature");
  appendJsonString(out, m.rule ? set.signature(*m.rule).id : std::string());
  out += "}\n";
}

int classifyStream(const detect::SignatureSet& set, std::istream& in, bool text, std::string& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > kMaxLineBytes) line.resize(kMaxLineBytes);
    appendResult(set, line, text, out);
    if (out.size() >= kFlushBytes) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  return kExitOk;
}

int runUa(const UaOptions& opt) {
  auto loaded = detect::SignatureSet::load(signaturesDir(opt.signatures));
  if (!loaded.isOk()) return reportError(loaded.status());
  const detect::SignatureSet& set = **loaded;
  const bool text = opt.format == "text";
  std::string out;
  out.reserve(kFlushBytes + 4096);
  std::ios::sync_with_stdio(false);
  int rc = kExitOk;
  if (opt.files.empty()) {
    classifyStream(set, std::cin, text, out);
  } else {
    for (const auto& file : opt.files) {
      if (file == "-") {
        classifyStream(set, std::cin, text, out);
        continue;
      }
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "phaseout: %s: cannot be read\n", file.c_str());
        rc = kExitInput;
        continue;
      }
      classifyStream(set, in, text, out);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return rc;
}

}  // namespace

void registerUaCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<UaOptions>();
  CLI::App* ua = app.add_subcommand(
      "ua", "Classify User-Agent strings (one per line): platform, kind and OS version.");
  ua->add_option("files", opt->files,
                 "Files of User-Agents, one per line (default: standard input)");
  ua->add_option("--format", opt->format, "Output format: json (JSON lines, default) or text")
      ->check(CLI::IsMember({"json", "jsonl", "text"}));
  ua->add_option("--signatures", opt->signatures,
                 "Directory of signature files (default: $PHASEOUT_SIGNATURES, else built in)");
  ua->footer(kUaFooter);
  ua->callback([opt, &ctx] { ctx.exit_code = runUa(*opt); });
}

}  // namespace phaseout::cli
