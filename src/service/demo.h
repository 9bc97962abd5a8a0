// The demo use case: a deterministic sample organisation written as CSV exports, imported
// through the real import path, the scenario's directive added, and the status evaluated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "policy/evaluator.h"
#include "service/burndown.h"
#include "service/caller.h"
#include "service/directive.h"
#include "service/import.h"
#include "service/workspace.h"

namespace phaseout::service {

// Where the demo's auditor works: the security unit of the sample organisation.
inline constexpr std::string_view kDemoAuditorUnit = "pa/it/security";

struct DemoOptions {
  std::size_t people = 2000;
  std::uint64_t seed = 1;
  // Where people.csv and devices.csv are written; "" = defaultExportDir of the workspace's
  // database.
  std::string out_dir;
  std::string directive_path;  // empty: the scenario's directive shipped in the binary
  Date as_of = Date::fromCivil(2023, 3, 20);
  bool campaign_history = true;  // record the 6-20 March 2023 campaign (scenario directive)
};

// What the demo's campaign history recorded between 6 and 20 March 2023.
struct DemoCampaign {
  std::size_t notices = 0;  // cases marked notified
  std::size_t acknowledged = 0;
  std::size_t handed_in = 0;     // dispositions "returned"
  std::size_t replacements = 0;  // allowed replacements recorded
  std::string destroyed_device;  // destroyed, with a certificate as evidence
  std::string certificate_path;
  std::string transferred_device;    // "given to the children"
  std::vector<std::string> waivers;  // one expired by 20 March, one still running
  std::string refused_replacement;   // the refusal message of a parallel-import iPhone
};

// One verdict's reason, shown so a first run sees what a verdict says.
struct VerdictExample {
  policy::VerdictStatus status = policy::VerdictStatus::kPending;
  std::string reason;
};

// The demo's examples of verdicts: the first three pending and the first two unknown ones, in
// the evaluation's order.
std::vector<VerdictExample> verdictExamples(const policy::Evaluation& evaluation);

// The demo's default folder for its CSV exports: the folder of the database file the URL or
// path names (storage/open.h), else the current folder "." (an in-memory database, a server,
// a bare file name, a URL that does not parse).
std::string defaultExportDir(std::string_view db_url);

struct DemoOutcome {
  std::string people_csv;
  std::string devices_csv;
  ImportSummary people;
  ImportSummary devices;
  DirectiveAdded directive;
  DemoCampaign campaign;
  StatusResult status;
  std::vector<VerdictExample> examples;  // verdictExamples(status.evaluation)
  // The burn-down from the directive's issue to as_of, unless there is no history to draw.
  std::optional<BurndownOutcome> burndown;
  // The person given the role "auditor" (an official of kDemoAuditorUnit holding no officer
  // role, else any such official), "" when the organisation has none.
  std::string auditor;
};

// The YAML of examples/directives/pa-iphone-2023.yaml, embedded at build time.
std::string_view scenarioDirectiveYaml();

// Initialises the workspace's database, then runs the demo, recording as the caller.
// PermissionDenied unless the caller may administer. Errors on a request field name it
// ("people").
Result<DemoOutcome> runDemo(const Caller& caller, Workspace& workspace, const DemoOptions& options,
                            const Recording& recording, const ProgressFn& progress = {});

}  // namespace phaseout::service
