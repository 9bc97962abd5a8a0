// The demo use case: a deterministic sample organisation written as CSV exports, imported
// through the real import path, the scenario's directive added, and the status evaluated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "service/workspace.h"

namespace phaseout::service {

struct DemoOptions {
  std::size_t people = 2000;
  std::uint64_t seed = 1;
  std::string out_dir = ".";        // where people.csv and devices.csv are written
  std::string directive_path;       // empty: the scenario's directive shipped in the binary
  Date as_of = Date::fromCivil(2023, 3, 20);
};

struct DemoOutcome {
  std::string people_csv;
  std::string devices_csv;
  ImportSummary people;
  ImportSummary devices;
  DirectiveAdded directive;
  StatusResult status;
};

// The YAML of examples/directives/pa-iphone-2023.yaml, embedded at build time.
std::string_view scenarioDirectiveYaml();

// Initialises the workspace's database, then runs the demo, recording as `recording.actor`.
Result<DemoOutcome> runDemo(Workspace& workspace, const DemoOptions& options,
                            const Recording& recording, const ProgressFn& progress = {});

}  // namespace phaseout::service
