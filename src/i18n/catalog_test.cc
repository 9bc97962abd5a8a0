#include "i18n/catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "i18n/language.h"

namespace phaseout::i18n {
namespace {

// "overview.days_left.few" -> "overview.days_left"; other keys unchanged.
std::string baseKey(const std::string& key, std::string* category = nullptr) {
  for (std::string_view c : {"one", "few", "many", "other", "two", "zero"}) {
    const std::string suffix = "." + std::string(c);
    if (key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
      if (category != nullptr) *category = std::string(c);
      return key.substr(0, key.size() - suffix.size());
    }
  }
  return key;
}

std::set<std::string> placeholders(const std::string& text) {
  std::set<std::string> out;
  for (std::size_t i = text.find('{'); i != std::string::npos; i = text.find('{', i + 1)) {
    const std::size_t close = text.find('}', i);
    if (close == std::string::npos) break;
    out.insert(text.substr(i + 1, close - i - 1));
  }
  return out;
}

TEST(CatalogTest, BuiltinHasEnglishAndRussian) {
  const auto& c = Catalog::builtin();
  ASSERT_EQ(c.languages().size(), 2u);
  EXPECT_EQ(c.languages()[0], "en");
  EXPECT_EQ(c.languages()[1], "ru");
}

// Every message exists in every language: the same keys, plural keys (a base with .one and
// .other in English) with every form the language's rules choose, and the same placeholders.
TEST(CatalogTest, EveryKeyInEveryLanguageWithItsFormsAndPlaceholders) {
  const auto& c = Catalog::builtin();
  const std::map<std::string, std::vector<std::string>> forms = {
      {"en", {"one", "other"}}, {"ru", {"one", "few", "many", "other"}}};
  std::set<std::string> plural_bases;
  for (const auto& key : c.keys("en")) {
    std::string category;
    const std::string base = baseKey(key, &category);
    if (category == "one" && c.find("en", base + ".other") != nullptr) plural_bases.insert(base);
  }
  EXPECT_FALSE(plural_bases.empty());
  // What a language must have: every plain English key, every form of every plural base.
  for (const auto& lang : c.languages()) {
    std::set<std::string> expected;
    for (const auto& key : c.keys("en")) {
      if (!plural_bases.count(baseKey(key))) expected.insert(key);
    }
    for (const auto& base : plural_bases) {
      for (const auto& form : forms.at(lang)) expected.insert(base + "." + form);
    }
    const auto keys = c.keys(lang);
    const std::set<std::string> have(keys.begin(), keys.end());
    for (const auto& key : expected) EXPECT_TRUE(have.count(key)) << lang << " lacks " << key;
    for (const auto& key : have)
      EXPECT_TRUE(expected.count(key)) << lang << " has " << key << " alone";
  }
  // The placeholders of a text are those of its English text (any English plural form).
  for (const auto& lang : c.languages()) {
    for (const auto& key : c.keys(lang)) {
      const std::string base = plural_bases.count(baseKey(key)) ? baseKey(key) : key;
      std::set<std::string> english;
      for (const auto& en_key : c.keys("en")) {
        if (en_key == base || (plural_bases.count(base) && baseKey(en_key) == base)) {
          for (const auto& p : placeholders(*c.find("en", en_key))) english.insert(p);
        }
      }
      for (const auto& p : placeholders(*c.find(lang, key))) {
        EXPECT_TRUE(english.count(p)) << lang << ": " << key << ": {" << p << "} is not in English";
      }
    }
  }
}

TEST(CatalogTest, PluralCategories) {
  EXPECT_EQ(pluralCategory("en", 1), "one");
  EXPECT_EQ(pluralCategory("en", 0), "other");
  EXPECT_EQ(pluralCategory("en", 2), "other");
  EXPECT_EQ(pluralCategory("en", 11), "other");
  EXPECT_EQ(pluralCategory("ru", 1), "one");
  EXPECT_EQ(pluralCategory("ru", 21), "one");
  EXPECT_EQ(pluralCategory("ru", 11), "many");
  EXPECT_EQ(pluralCategory("ru", 2), "few");
  EXPECT_EQ(pluralCategory("ru", 24), "few");
  EXPECT_EQ(pluralCategory("ru", 12), "many");
  EXPECT_EQ(pluralCategory("ru", 14), "many");
  EXPECT_EQ(pluralCategory("ru", 5), "many");
  EXPECT_EQ(pluralCategory("ru", 0), "many");
  EXPECT_EQ(pluralCategory("ru", 111), "many");
  EXPECT_EQ(pluralCategory("ru", -3), "few");
}

TEST(CatalogTest, PluralFormsFromTheBuiltinCatalog) {
  const auto& c = Catalog::builtin();
  EXPECT_EQ(c.plural("en", "mail.days_left", 1), "1 day left");
  EXPECT_EQ(c.plural("en", "mail.days_left", 3), "3 days left");
  EXPECT_EQ(c.plural("ru", "mail.days_left", 1), "остался 1 день");
  EXPECT_EQ(c.plural("ru", "mail.days_left", 3), "осталось 3 дня");
  EXPECT_EQ(c.plural("ru", "mail.days_left", 5), "осталось 5 дней");
  EXPECT_EQ(c.plural("ru", "mail.days_left", 21), "остался 21 день");
}

TEST(CatalogTest, ParametersAreFilledAndMissingOnesShow) {
  EXPECT_EQ(Catalog::fill("{a} and {b}", {{"a", "x"}, {"b", "y"}}), "x and y");
  EXPECT_EQ(Catalog::fill("{a} and {b}", {{"a", "x"}}), "x and {b}");
  EXPECT_EQ(Catalog::fill("no braces", {{"a", "x"}}), "no braces");
  EXPECT_EQ(Catalog::fill("open { only", {}), "open { only");
  const auto& c = Catalog::builtin();
  EXPECT_EQ(c.text("ru", "mail.reminder.greeting", {{"name", "Анна"}}), "Уважаемый(ая) Анна!");
  // A language the catalog lacks falls back to English; an unknown key is itself.
  EXPECT_EQ(c.text("de", "mail.reminder.greeting", {{"name", "Ann"}}), "Dear Ann,");
  EXPECT_EQ(c.text("ru", "no.such.key"), "no.such.key");
}

TEST(CatalogTest, ParseRefusesWhatIsNotAFlatObjectOfStrings) {
  EXPECT_FALSE(Catalog::parse({{"ru", "{}"}}).isOk());  // no English
  EXPECT_FALSE(Catalog::parse({{"en", "[]"}}).isOk());
  EXPECT_FALSE(Catalog::parse({{"en", "{\"a\": 1}"}}).isOk());
  EXPECT_FALSE(Catalog::parse({{"en", "{"}}).isOk());
  EXPECT_TRUE(Catalog::parse({{"en", "{\"a\": \"b\"}"}}).isOk());
}

TEST(CatalogTest, RecognisesTheTemplateASentenceWasBuiltFrom) {
  auto c = Catalog::parse({{"en", R"({"api.sentence.date": "expected a date YYYY-MM-DD",
                  "api.sentence.unknown": "unknown {what} {name}",
                  "api.sentence.until": "{field} must be on or after {from}",
                  "api.sentence.ends": "{thing}",
                  "api.sentence.longer": "unknown directive {name}"})"},
                           {"ru", R"({"api.sentence.date": "ожидается дата ГГГГ-ММ-ДД",
                  "api.sentence.unknown": "неизвестно: {what} {name}",
                  "api.sentence.until": "{field} не раньше {from}",
                  "api.sentence.ends": "{thing}",
                  "api.sentence.longer": "неизвестная директива {name}"})"}});
  ASSERT_TRUE(c.isOk()) << c.status().toString();
  auto r = c->recognise("expected a date YYYY-MM-DD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key, "api.sentence.date");
  EXPECT_TRUE(r->params.empty());
  r = c->recognise("until must be on or after 2026-01-01");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key, "api.sentence.until");
  EXPECT_EQ(r->params, (Params{{"field", "until"}, {"from", "2026-01-01"}}));
  // The template with the most literal text wins.
  r = c->recognise("unknown directive pa-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key, "api.sentence.longer");
  // A template of placeholders alone matches nothing; a sentence no template makes is not
  // recognised; a literal must match whole.
  EXPECT_FALSE(c->recognise("something else entirely"));
  EXPECT_FALSE(c->recognise("expected a date YYYY-MM-DD!"));
  EXPECT_EQ(c->translate("ru", "until must be on or after 2026-01-01"),
            "until не раньше 2026-01-01");
  EXPECT_EQ(c->translate("ru", "something else"), "something else");
  EXPECT_EQ(c->translate("en", "expected a date YYYY-MM-DD"), "expected a date YYYY-MM-DD");
}

// Every error template is usable: it has literal text, no two placeholders side by side, and
// its own English text is recognised as itself.
TEST(CatalogTest, EveryErrorTemplateRecognisesItself) {
  const auto& c = Catalog::builtin();
  int n = 0;
  for (const auto& key : c.keys("en")) {
    if (key.rfind("api.sentence.", 0) != 0) continue;
    ++n;
    const std::string& text = *c.find("en", key);
    EXPECT_EQ(text.find("}{"), std::string::npos) << key;
    // Each placeholder filled with a value of its own name in capitals.
    Params params;
    for (const auto& p : placeholders(text)) params.emplace_back(p, "X" + p + "X");
    const std::string sentence = Catalog::fill(text, params);
    const auto r = c.recognise(sentence);
    ASSERT_TRUE(r) << key << ": " << sentence;
    // Another template may be as specific and say the same; it must then say it in Russian too.
    EXPECT_EQ(c.translate("ru", sentence), Catalog::fill(*c.find("ru", r->key), r->params)) << key;
  }
  EXPECT_GE(n, 80);  // the sentences the API matrices meet, and more
}

TEST(LanguageTest, ChoosesStoredElseAcceptLanguageElseEnglish) {
  EXPECT_EQ(supportedLanguage("ru-RU"), "ru");
  EXPECT_EQ(supportedLanguage("EN_gb"), "en");
  EXPECT_EQ(supportedLanguage("de"), "");
  EXPECT_EQ(supportedLanguage(""), "");
  EXPECT_EQ(negotiateLanguage("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), "ru");
  EXPECT_EQ(negotiateLanguage("de-DE, en;q=0.5, ru;q=0.8"), "ru");
  EXPECT_EQ(negotiateLanguage("de, fr"), "");
  EXPECT_EQ(negotiateLanguage("ru;q=0, en"), "en");
  EXPECT_EQ(negotiateLanguage("*"), "");
  EXPECT_EQ(chooseLanguage("ru", "en"), "ru");
  EXPECT_EQ(chooseLanguage("", "ru"), "ru");
  EXPECT_EQ(chooseLanguage("xx", "de"), "en");
}

TEST(LanguageTest, DatesForTheLanguage) {
  const Date d = Date::fromCivil(2026, 3, 9);
  EXPECT_EQ(formatDate("en", d), "2026-03-09");
  EXPECT_EQ(formatDate("ru", d), "09.03.2026");
}

}  // namespace
}  // namespace phaseout::i18n
