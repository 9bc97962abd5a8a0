#include "service/language.h"

#include "i18n/catalog.h"
#include "i18n/language.h"
#include "service/workspace_access.h"
#include "storage/language_store.h"

namespace phaseout::service {

using storage::Transaction;

Result<std::string> ownLanguage(const Caller& caller, Workspace& ws) {
  if (caller.person_id.empty()) return std::string();
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  storage::LanguageStore store(repo);
  PH_ASSIGN_OR_RETURN(auto language, store.languageOf(caller.person_id));
  return language.value_or("");
}

Result<bool> setLanguage(const Caller& caller, Workspace& ws, std::string_view person_id,
                         std::string_view language, const Recording& recording) {
  const std::string chosen = i18n::supportedLanguage(language);
  if (chosen.empty() || chosen != language) {
    std::string known;
    for (const auto& l : i18n::Catalog::builtin().languages()) {
      known += known.empty() ? l : ", " + l;
    }
    return invalidField("language", "expected one of: " + known);
  }
  const bool own = !caller.person_id.empty() && caller.person_id == person_id;
  if (!own && !caller.scope.may_administer) {
    return notFound("no person " + std::string(person_id));
  }
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  PH_ASSIGN_OR_RETURN(auto tx, Transaction::begin(repo.connection(), Transaction::Mode::kWrite));
  PH_ASSIGN_OR_RETURN(auto person, repo.loadPerson(std::string(person_id), recording.today()));
  storage::LanguageStore store(repo);
  const auto change = changeContext(caller, recording, "language");
  PH_ASSIGN_OR_RETURN(bool changed, store.setLanguage(person.person_id, chosen, change));
  if (!changed) return false;
  PH_RETURN_IF_ERROR(tx->commit());
  return true;
}

Result<std::map<std::string, std::string>> storedLanguages(const Caller& caller, Workspace& ws) {
  PH_RETURN_IF_ERROR(caller.mayAdminister("read people's languages"));
  storage::Repository& repo = WorkspaceAccess::repository(ws);
  PH_RETURN_IF_ERROR(repo.checkReady());
  storage::LanguageStore store(repo);
  return store.languages();
}

}  // namespace phaseout::service
