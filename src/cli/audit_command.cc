// phaseout audit verify | export
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "service/workspace.h"

namespace phaseout::cli {
namespace {

// The trail is broken: a distinct exit code so scripts can tell it from bad usage.
constexpr int kExitTrailBroken = 3;

struct AuditFlags {
  std::string format = "text";
  std::string output;
};

int runVerify(const CommandContext& ctx, const AuditFlags& f) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status ready = (*ws)->repository().checkReady();
  if (!ready.isOk()) return reportError(ready);
  auto check = (*ws)->verifyAudit();
  if (!check.isOk()) return reportError(check.status());
  if (f.format == "json") {
    nlohmann::ordered_json j{{"ok", check->ok()}, {"events", check->events}, {"rows", check->rows}};
    if (check->first_broken_seq) {
      j["first_broken_entry"] = *check->first_broken_seq;
      j["problem"] = check->problem;
    }
    if (!check->altered_evidence.empty()) j["altered_evidence"] = check->altered_evidence;
    std::printf("%s\n", j.dump().c_str());
  } else if (check->ok()) {
    std::printf("audit trail intact: %lld entries, %lld rows checked\n",
                static_cast<long long>(check->events), static_cast<long long>(check->rows));
  } else {
    if (check->first_broken_seq) {
      std::printf("audit trail BROKEN at entry %lld: %s\n",
                  static_cast<long long>(*check->first_broken_seq), check->problem.c_str());
    }
    for (const auto& sha : check->altered_evidence) {
      std::printf("evidence file %s no longer matches its hash\n", sha.c_str());
    }
  }
  return check->ok() ? kExitOk : kExitTrailBroken;
}

int runExport(const CommandContext& ctx, const AuditFlags& f) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status ready = (*ws)->repository().checkReady();
  if (!ready.isOk()) return reportError(ready);
  std::FILE* out = stdout;
  if (!f.output.empty() && f.output != "-") {
    out = std::fopen(f.output.c_str(), "wb");
    if (!out) return reportError(invalidArgument(f.output + ": cannot open for writing"));
  }
  std::size_t n = 0;
  Status s = (*ws)->repository().forEachEvent([&](const audit::Event& e) -> Status {
    nlohmann::ordered_json j{{"seq", e.seq},
                             {"effective", Date::fromDays(e.effective_day).toString()},
                             {"recorded_ms", e.recorded_ms},
                             {"actor", e.actor},
                             {"kind", e.kind},
                             {"subject", e.subject}};
    try {
      j["payload"] = nlohmann::ordered_json::parse(e.payload);
    } catch (const nlohmann::json::exception&) {
      j["payload"] = e.payload;  // not JSON (altered?): exported as text, verify will say so
    }
    j["prev_hash"] = e.prev_hash;
    j["hash"] = e.hash;
    const std::string line = j.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), out);
    ++n;
    return Status::ok();
  });
  if (out != stdout) std::fclose(out);
  if (!s.isOk()) return reportError(s);
  if (out != stdout)
    std::fprintf(stderr, "exported %zu audit entries to %s\n", n, f.output.c_str());
  return kExitOk;
}

}  // namespace

void registerAuditCommands(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<AuditFlags>();
  auto* audit = app.add_subcommand("audit", "Verify or export the tamper-evident audit trail");
  audit->require_subcommand(1);
  auto* verify =
      audit->add_subcommand("verify", "Walk the hash chain and recompute every entry's row digest");
  verify->add_option("--format", f->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  verify->footer(
      "Exit codes: 0 intact; 3 broken (the first broken entry is named); 1 usage or "
      "input error; 2 internal error.");
  verify->callback([&ctx, f] { ctx.exit_code = runVerify(ctx, *f); });
  auto* exp = audit->add_subcommand("export", "Write every audit entry as one JSON line");
  exp->add_option("-o,--output", f->output, "Output file (default: standard output)");
  exp->callback([&ctx, f] { ctx.exit_code = runExport(ctx, *f); });
}

}  // namespace phaseout::cli
