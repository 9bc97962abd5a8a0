// phaseout account password|lock|unlock PERSON
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "service/accounts.h"

namespace phaseout::cli {
namespace {

struct AccountFlags {
  std::string person;
  std::string on;
};

// Turns terminal echo off for its lifetime (when standard input is a terminal).
class NoEcho {
 public:
  NoEcho() {
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// One line of standard input, without its line end; asked for (without echo) on a terminal.
Result<std::string> readPassword(const std::string& person) {
  const bool terminal = ::isatty(STDIN_FILENO) != 0;
  std::string line;
  {
    NoEcho quiet;
    if (terminal) std::fprintf(stderr, "New password for %s: ", person.c_str());
    std::getline(std::cin, line);
    if (terminal) std::fputc('\n', stderr);
  }
  if (!std::cin && line.empty()) {
    return invalidField("password", "no password on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<service::Recording> recording(const AccountFlags& f) {
  PH_ASSIGN_OR_RETURN(auto on, parseDateFlag("--on", f.on));
  return service::Recording{on, nowMs()};
}

template <typename Fn>
int withWorkspace(const CommandContext& ctx, const AccountFlags& f, Fn fn) {
  auto rec = recording(f);
  if (!rec.isOk()) return reportError(rec.status());
  auto ws = service::Workspace::open(ctx.db_path);
  if (!ws.isOk()) return reportError(ws.status());
  Status s = fn(service::Caller::localOperator(ctx.actor), **ws, *rec);
  return s.isOk() ? kExitOk : reportError(s);
}

int runPassword(const CommandContext& ctx, const AccountFlags& f) {
  auto password = readPassword(f.person);
  if (!password.isOk()) return reportError(password.status());
  return withWorkspace(ctx, f, [&](const auto& caller, auto& ws, const auto& rec) -> Status {
    PH_RETURN_IF_ERROR(service::setPassword(caller, ws, f.person, *password, rec));
    std::printf("password set for %s; their open sessions were ended\n", f.person.c_str());
    return Status::ok();
  });
}

int runLock(const CommandContext& ctx, const AccountFlags& f, bool lock) {
  return withWorkspace(ctx, f, [&](const auto& caller, auto& ws, const auto& rec) -> Status {
    if (lock) {
      PH_RETURN_IF_ERROR(service::lockAccount(caller, ws, f.person, rec));
      std::printf("account of %s locked; their sessions and tokens stop working\n",
                  f.person.c_str());
    } else {
      PH_RETURN_IF_ERROR(service::unlockAccount(caller, ws, f.person, rec));
      std::printf("account of %s unlocked\n", f.person.c_str());
    }
    return Status::ok();
  });
}

}  // namespace

void registerAccountCommands(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<AccountFlags>();
  auto* account =
      app.add_subcommand("account", "Set passwords and lock or unlock sign-in to phaseout serve");
  account->require_subcommand(1);
  auto* password = account->add_subcommand(
      "password", "Set PERSON's password, read from standard input (not echoed on a terminal)");
  auto* lock = account->add_subcommand("lock", "Stop PERSON signing in; ends their sessions");
  auto* unlock = account->add_subcommand("unlock", "Let PERSON sign in again");
  for (auto* cmd : {password, lock, unlock}) {
    cmd->add_option("PERSON", f->person, "A person id of the directory")->required();
    cmd->add_option("--on", f->on, "Effective day of the audit entry (default: today)");
  }
  password->footer(
      "At least 12 characters. Stored as an argon2id hash; the password itself is never kept.");
  password->callback([&ctx, f] { ctx.exit_code = runPassword(ctx, *f); });
  lock->callback([&ctx, f] { ctx.exit_code = runLock(ctx, *f, true); });
  unlock->callback([&ctx, f] { ctx.exit_code = runLock(ctx, *f, false); });
}

}  // namespace phaseout::cli
