// The message catalog: one flat JSON object per language (web/i18n/<language>.json), the
// single source of the pages' texts, the API's error sentences and the reminder e-mails.
//
// Keys are dotted by use (docs/architecture.md, "Web pages"). A key with plural forms is
// stored as KEY.one / KEY.few / KEY.many / KEY.other (CLDR categories; English has one and
// other, Russian all four). Placeholders are {name}; a placeholder without a value is left as
// written, so a missing parameter shows instead of vanishing.
//
// Sentence templates: every `api.sentence.*` key is the template of a sentence service or the
// server returns in a Status ("expected a date YYYY-MM-DD" is api.sentence.expected_date,
// "no device {id}" api.sentence.no_device).
// recognise() finds the template an English sentence was built from and the values of its
// placeholders, so the server can say the same thing in the caller's language without
// service knowing about languages.
//
// Thread safety: a Catalog is immutable once built; builtin() is built once, on first use, and
// may be used from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace phaseout::i18n {

// Placeholder values by name, in the order given.
using Params = std::vector<std::pair<std::string, std::string>>;

// "one", "few", "many" or "other" for the integer `n` in `language` (CLDR rules for "en" and
// "ru"; any other language uses the English rule).
std::string_view pluralCategory(std::string_view language, long long n);

// An English sentence recognised as an instance of a catalog template.
struct Recognised {
  std::string key;  // "api.sentence.expected_date"
  Params params;    // the placeholders' values as they appear in the sentence
};

class Catalog {
 public:
  // The catalog embedded in the binary (web/i18n/en.json and ru.json). Aborts at start-up if
  // the embedded files are not flat JSON objects of strings (a build defect, caught by tests).
  static const Catalog& builtin();
  // A catalog from JSON texts by language; InvalidArgument naming the language and the key
  // for anything but one object of string values. "en" must be present (the fallback).
  static Result<Catalog> parse(const std::map<std::string, std::string>& json_by_language);

  // The languages the catalog has, "en" first.
  const std::vector<std::string>& languages() const { return languages_; }
  bool hasLanguage(std::string_view language) const;
  // Every key of a language as stored (plural forms with their suffix), sorted.
  std::vector<std::string> keys(std::string_view language) const;
  // The stored text, or nullptr.
  const std::string* find(std::string_view language, std::string_view key) const;

  // The text of `key` in `language` (else English, else the key itself) with `params` filled.
  std::string text(std::string_view language, std::string_view key,
                   const Params& params = {}) const;
  // The plural form of `key` for `count` (KEY.<category>, else KEY.other, in `language`, else
  // in English), with {count} and `params` filled.
  std::string plural(std::string_view language, std::string_view key, long long count,
                     const Params& params = {}) const;

  // The `api.sentence.*` template `english` was built from, with its placeholders' values: the
  // template that matches the whole sentence and has the most literal text. nullopt when none
  // matches (the sentence has no catalog entry).
  std::optional<Recognised> recognise(std::string_view english) const;
  // The sentence said again in `language`: the recognised template's text there with the same
  // values; `english` itself when no template matches or the language is English.
  std::string translate(std::string_view language, std::string_view english) const;

  // Fills {name} placeholders of `text`; unknown ones are kept as written.
  static std::string fill(std::string_view text, const Params& params);

 private:
  struct Segment {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  struct Template {
    std::string key;
    std::vector<Segment> segments;
    std::size_t literal_size = 0;
  };
  bool match(const Template& t, std::string_view sentence, Params& out) const;

  std::vector<std::string> languages_;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> texts_;
  std::vector<Template> templates_;  // the English api.sentence.* templates with literal text
};

}  // namespace phaseout::i18n
