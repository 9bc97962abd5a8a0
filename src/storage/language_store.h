// LanguageStore: the language each person reads phaseout in (pages, API sentences, e-mails),
// kept with the person by id (table person_languages, migration 6).
//
// Current state, not history: a change replaces the row and appends one "person.language"
// audit event naming the person, the new and the previous language, with its actor. Which
// languages exist is the caller's business (service checks them against the catalog).
//
// Writes must run inside a write transaction (the caller's), reads inside any transaction or
// none. Not thread-safe; shares the Repository's connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"
#include "storage/repository.h"

namespace phaseout::storage {

class LanguageStore {
 public:
  explicit LanguageStore(Repository& repository) : repo_(repository) {}

  // nullopt when the person never chose one.
  Result<std::optional<std::string>> languageOf(const std::string& person_id);
  // Every stored language by person id.
  Result<std::map<std::string, std::string>> languages();
  // Stores the language with a "person.language" event; false (and no event) when it already
  // was the person's language.
  Result<bool> setLanguage(const std::string& person_id, const std::string& language,
                           const ChangeContext& change);

 private:
  Repository& repo_;
};

}  // namespace phaseout::storage
