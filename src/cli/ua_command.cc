// phaseout ua [FILE...] [--format json|text] [--signatures DIR]
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "core/json_writer.h"
#include "detect/scoring.h"
#include "detect/signature_set.h"
#include "service/caller.h"
#include "service/ua.h"

namespace phaseout::cli {

std::string signaturesDir(const std::string& flag);  // detect_command.cc

namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

constexpr const char* kUaFooter =
    R"(Reads User-Agent strings, one per line (files in order, or standard input when none
or '-'), and prints one JSON line per input line:
  {"ua": "...", "platform": "ios", "kind": "phone", "version": "16.5", "vendor": "apple",
   "model": "", "signature": "ua.iphone.browser", "confidence": 0.96, "level": "likely"}
platform is one of phaseout's platforms, "other" (a known non-phone platform such as
ChromeOS or a TV) or "unknown" (no rule applies). kind follows each ecosystem's convention
(Android: "Mobile" = phone, none = tablet; the device tables' kind of the model first).
confidence and level are what `detect` would conclude from this UA alone (never
"confirmed": one signal). A UA that embeds another platform's UA adds "embedded": the
platform of the embedded part (evidence of both). Rules: data/signatures/user_agent.yaml,
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

void appendResult(const detect::SignatureSet& set, std::string_view ua,
                  const detect::SignatureSet::UaMatch& m, const service::UaAlone& alone, bool text,
                  std::string& out) {
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
  appendJsonKey(out, "confidence");
  char number[16];
  std::snprintf(number, sizeof number, "%.4f", alone.confidence);
  out += number;
  appendJsonKey(out, "level");
  appendJsonString(out, detect::name(alone.level));
  if (m.embedded_rule) {
    appendJsonKey(out, "embedded");
    appendJsonString(out, detect::hypothesisName(m.embedded_platform));
  }
  out += "}\n";
}

// Renders each result as it comes, in large chunks.
class UaWriter : public service::UaSink {
 public:
  explicit UaWriter(bool text) : text_(text) { out_.reserve(kFlushBytes + 4096); }
  ~UaWriter() override { flush(); }
  UaWriter(const UaWriter&) = delete;
  UaWriter& operator=(const UaWriter&) = delete;

  void onUserAgent(std::string_view ua, const detect::SignatureSet::UaMatch& match,
                   const detect::SignatureSet& signatures) override {
    // Few rules, many lines: the verdict of a UA alone depends only on its rules and platform.
    const auto key = std::make_tuple(match.rule.value_or(~0u), match.embedded_rule.value_or(~0u),
                                     static_cast<int>(match.platform));
    auto it = alone_.find(key);
    if (it == alone_.end()) {
      it = alone_.emplace(key, service::judgeUserAgentAlone(signatures, match)).first;
    }
    appendResult(signatures, ua, match, it->second, text_, out_);
    if (out_.size() >= kFlushBytes) flush();
  }
  void onUnreadable(const std::string& /*file*/, const Status& why) override {
    std::fprintf(stderr, "phaseout: %s\n", why.message().c_str());
    unreadable_ = true;
  }
  void flush() {
    if (!out_.empty()) std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
    std::fflush(stdout);
  }
  bool unreadable() const { return unreadable_; }

 private:
  bool text_;
  std::string out_;
  std::map<std::tuple<detect::SignatureId, detect::SignatureId, int>, service::UaAlone> alone_;
  bool unreadable_ = false;
};

int runUa(const CommandContext& ctx, const UaOptions& opt) {
  service::UaRequest request;
  request.files = opt.files;
  request.signatures_dir = signaturesDir(opt.signatures);
  std::ios::sync_with_stdio(false);
  UaWriter writer(opt.format == "text");
  const Status status = service::classifyUserAgents(service::Caller::localOperator(ctx.actor),
                                                    request, std::cin, writer);
  writer.flush();
  if (!status.isOk()) {
    // Unreadable files were named as they came; other errors (signatures) are reported here.
    return writer.unreadable() ? kExitInput : reportError(status);
  }
  return kExitOk;
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
  ua->callback([opt, &ctx] { ctx.exit_code = runUa(ctx, *opt); });
}

}  // namespace phaseout::cli
