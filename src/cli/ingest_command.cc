// phaseout ingest --from nats://HOST:PORT [--durable NAME] [--stream S] [--batch N]
//                 [--once | --idle-exit SECONDS] [--ack-wait SECONDS] [--signatures DIR]
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "service/caller.h"
#include "service/ingest.h"

namespace phaseout::cli {

std::string signaturesDir(const std::string& flag);  // detect_command.cc

namespace {

constexpr const char* kIngestFooter =
    R"(Stores the sightings the sensors publish ('phaseout detect --publish') in the database
(--db). Pulls from the durable JetStream consumer --durable (created when missing, explicit
acks) on the stream PHASEOUT_SIGHTINGS, and stores each message's batch as one audit event
(actor "ingest:DURABLE", source "nats:MESSAGE-ID"); the message is acknowledged only after the
commit. Each message is stored exactly once: its id is kept with the sightings, so a message
delivered again (an ack lost, a process killed) is acknowledged without a second copy. Run
several ingest processes with the same --durable to share the work: each message goes to one
of them; one that dies leaves its unacknowledged messages to the others after --ack-wait.
A message that is not a phaseout sightings batch is refused (named on stderr) and never
delivered again. A database error stops the run; its messages are delivered again later.
Runs until SIGINT/SIGTERM, or --once (until the stream has nothing more), or --idle-exit.

Exit codes:
  0  success
  1  usage error (bad flag, bad URL)
  2  the database failed (nothing acknowledged that was not stored), or with --once the bus
     could not be reached (otherwise ingest waits for it))";

struct IngestOptions {
  std::string from;
  std::string durable = std::string(service::kDefaultDurable);
  std::string stream;
  int batch = 16;
  bool once = false;
  double idle_exit_s = 0;
  double ack_wait_s = 30;
  std::string signatures;
};

std::atomic<bool> g_stop{false};
extern "C" void onIngestStop(int /*signal*/) { g_stop.store(true); }

class StderrIngestListener : public service::IngestListener {
 public:
  void onStored(const service::IngestedBatch& batch) override {
    bus_problem_shown_ = false;
    (void)batch;
  }
  void onRejected(const std::string& message_id, const Status& why) override {
    std::fprintf(stderr, "phaseout: refused message %s: %s\n",
                 message_id.empty() ? "(no id)" : message_id.c_str(), why.message().c_str());
  }
  void onBusProblem(const Status& why) override {
    if (bus_problem_shown_) return;  // once per outage, not once per retry
    bus_problem_shown_ = true;
    std::fprintf(stderr, "phaseout: warning: %s (retrying)\n", why.message().c_str());
  }

 private:
  bool bus_problem_shown_ = false;
};

int runIngest(const CommandContext& ctx, const IngestOptions& o) {
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  service::IngestRequest request;
  request.url = o.from;
  request.durable = o.durable;
  request.stream = o.stream;
  request.batch = o.batch;
  request.once = o.once;
  request.idle_exit_ms = static_cast<std::int64_t>(o.idle_exit_s * 1000);
  request.ack_wait_ms = static_cast<std::int64_t>(o.ack_wait_s * 1000);
  request.signatures_dir = signaturesDir(o.signatures);
  request.now_ms = nowMs;
  g_stop.store(false);
  void (*previous_int)(int) = std::signal(SIGINT, onIngestStop);
  void (*previous_term)(int) = std::signal(SIGTERM, onIngestStop);
  StderrIngestListener listener;
  auto stats = service::ingest(service::Caller::localOperator("ingest:" + o.durable), **ws, request,
                               listener, g_stop);
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  if (!stats.isOk()) return reportError(stats.status());
  std::printf(
      "ingested %zu message(s), %zu sighting(s); %zu delivered again and already stored; "
      "%zu refused\n",
      stats->messages, stats->sightings, stats->duplicates, stats->rejected);
  return kExitOk;
}

}  // namespace

void registerIngestCommand(CLI::App& app, CommandContext& ctx) {
  auto opt = std::make_shared<IngestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Store the sightings sensors publish to NATS JetStream, each exactly once");
  cmd->add_option("--from", opt->from, "The NATS server, nats://HOST:PORT")->required();
  cmd->add_option("--durable", opt->durable,
                  "The durable consumer to pull from, shared by every ingest process given the "
                  "same name (default: phaseout-ingest)");
  cmd->add_option("--stream", opt->stream, "The JetStream stream (default: PHASEOUT_SIGHTINGS)");
  cmd->add_option("--batch", opt->batch, "Messages fetched at once (default: 16)")
      ->check(CLI::Range(1, 1000));
  auto* once = cmd->add_flag("--once", opt->once,
                             "Stop once the stream has no message waiting (after a 1 s wait)");
  cmd->add_option("--idle-exit", opt->idle_exit_s, "Stop after this many seconds without a message")
      ->check(CLI::PositiveNumber)
      ->excludes(once);
  cmd->add_option("--ack-wait", opt->ack_wait_s,
                  "Seconds a message may stay unacknowledged before it goes to another ingest "
                  "process (default: 30; set when the durable is created)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--signatures", opt->signatures,
                  "Directory of signature files for User-Agent rules (default: "
                  "$PHASEOUT_SIGNATURES, else built in)");
  cmd->footer(kIngestFooter);
  cmd->callback([opt, &ctx] { ctx.exit_code = runIngest(ctx, *opt); });
}

}  // namespace phaseout::cli
