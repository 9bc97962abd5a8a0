// The language a person reads phaseout in: pages, the API's sentences and reminder e-mails.
// Kept with the person (storage/language_store.h); chosen on the person's page, or carried by
// the directory. Every change is one "person.language" audit event whose actor is the caller.
// Not thread-safe (one Workspace per thread).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "service/caller.h"
#include "service/workspace.h"

namespace phaseout::service {

// The caller's own stored language, "" when they never chose one (or are not a person: the
// local operator, a sensor).
Result<std::string> ownLanguage(const Caller& caller, Workspace& ws);

// Sets the language of `person_id`: the caller's own, or anyone's for a caller who may
// administer. InvalidArgument (field "language") for a language the catalog does not have,
// NotFound for a person the caller may not set or who does not exist (as of the day
// recorded). Returns false (and records nothing) when it already was their language.
Result<bool> setLanguage(const Caller& caller, Workspace& ws, std::string_view person_id,
                         std::string_view language, const Recording& recording);

// Every stored language by person id (reminders are written in each recipient's language).
// The caller must be able to administer.
Result<std::map<std::string, std::string>> storedLanguages(const Caller& caller, Workspace& ws);

}  // namespace phaseout::service
