// The API v1 handlers. Each one is thin: it parses the request strictly into the request
// struct of one service use case, calls it with the route's Caller, and renders the result
// with the same renderer as the CLI's `--format json` (report/ and service/*_output).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "detect/signature_set.h"
#include "server/api_events.h"
#include "server/api_support.h"
#include "server/app.h"
#include "server/router.h"
#include "service/evaluation_cache.h"

namespace phaseout::server {

struct ApiEnv {
  const ServerConfig& config;
  WorkspacePool& pool;
  service::EvaluationCache& cache;
  EventHub& events;
  std::function<std::int64_t()> clock;
  // Rendered GET /api/v1/status answers.
  RenderedCache& rendered;
  // The User-Agent rules sightings are classified with (loaded once).
  std::shared_ptr<const detect::SignatureSet> signatures;

  // After every successful write: cached evaluations are stale, subscribers may have news.
  void written() const {
    cache.invalidate();
    rendered.clear();
    events.poke();
  }
};

// GET directives, directive, status, devices, device, waivers, cases, findings, burndown, audit.
void addReadRoutes(Router& router, ApiEnv& env);
// POST disposition, evidence, acknowledge, handover (+ confirm), replacements, waivers,
// declarations, sightings.
void addWriteRoutes(Router& router, ApiEnv& env);
// PUT me/language (api_language.cc).
void addLanguageRoutes(Router& router, ApiEnv& env);

}  // namespace phaseout::server
