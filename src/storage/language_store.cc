#include "storage/language_store.h"

#include <nlohmann/json.hpp>

#include "storage/catalog.h"
#include "storage/rows.h"

namespace phaseout::storage {

Result<std::optional<std::string>> LanguageStore::languageOf(const std::string& person_id) {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kLanguageOf));
  s->bind("person_id", person_id);
  PH_ASSIGN_OR_RETURN(bool row, s->step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s->text(columnIndex(kLanguageColumns, "language")));
}

Result<std::map<std::string, std::string>> LanguageStore::languages() {
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kLanguages));
  std::map<std::string, std::string> out;
  while (true) {
    PH_ASSIGN_OR_RETURN(bool row, s->step());
    if (!row) break;
    out.emplace(s->text(columnIndex(kLanguageColumns, "person_id")),
                s->text(columnIndex(kLanguageColumns, "language")));
  }
  return out;
}

Result<bool> LanguageStore::setLanguage(const std::string& person_id, const std::string& language,
                                        const ChangeContext& change) {
  PH_ASSIGN_OR_RETURN(auto previous, languageOf(person_id));
  if (previous && *previous == language) return false;
  PH_ASSIGN_OR_RETURN(auto s, prepare(repo_.connection(), Query::kSetLanguage));
  s->bind("person_id", person_id);
  s->bind("language", language);
  s->bind("updated_ms", change.recorded_ms);
  PH_RETURN_IF_ERROR(s->execute());
  nlohmann::ordered_json detail{{"person", person_id}, {"language", language}};
  detail["previous"] = previous ? nlohmann::ordered_json(*previous) : nlohmann::ordered_json();
  audit::Event e;
  e.effective_day = change.effective.days();
  e.recorded_ms = change.recorded_ms;
  e.actor = change.actor;
  e.kind = "person.language";
  e.subject = person_id;
  e.payload = rowsPayload(detail, audit::RowSetDigest());
  PH_ASSIGN_OR_RETURN(std::int64_t seq, repo_.appendEvent(std::move(e)));
  (void)seq;
  return true;
}

}  // namespace phaseout::storage
