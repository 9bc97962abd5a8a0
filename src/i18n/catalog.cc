#include "i18n/catalog.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace phaseout::embedded {
extern const std::string_view kCatalog_en;
extern const std::string_view kCatalog_ru;
}  // namespace phaseout::embedded

namespace phaseout::i18n {
namespace {

constexpr std::string_view kErrorPrefix = "api.sentence.";
constexpr std::string_view kEnglish = "en";

}  // namespace

std::string_view pluralCategory(std::string_view language, long long n) {
  const long long a = n < 0 ? -n : n;
  if (language == "ru") {
    const long long mod10 = a % 10;
    const long long mod100 = a % 100;
    if (mod10 == 1 && mod100 != 11) return "one";
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return "few";
    return "many";
  }
  return a == 1 ? "one" : "other";
}

const Catalog& Catalog::builtin() {
  static const Catalog catalog = [] {
    auto parsed = parse(
        {{"en", std::string(embedded::kCatalog_en)}, {"ru", std::string(embedded::kCatalog_ru)}});
    if (!parsed.isOk()) {
      std::fprintf(stderr, "phaseout: the embedded message catalog is broken: %s\n",
                   parsed.status().toString().c_str());
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return catalog;
}

Result<Catalog> Catalog::parse(const std::map<std::string, std::string>& json_by_language) {
  Catalog c;
  if (json_by_language.find(std::string(kEnglish)) == json_by_language.end()) {
    return invalidArgument("the message catalog has no English (en), the fallback language");
  }
  c.languages_.emplace_back(kEnglish);
  for (const auto& [language, text] : json_by_language) {
    if (language != kEnglish) c.languages_.push_back(language);
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      return invalidArgument("message catalog " + language + ": expected one JSON object");
    }
    auto& texts = c.texts_[language];
    for (const auto& [key, value] : json.items()) {
      if (!value.is_string()) {
        return invalidArgument("message catalog " + language + ": " + key + ": expected a string");
      }
      texts.emplace(key, value.get<std::string>());
    }
  }
  // The English error templates, split at their placeholders.
  for (const auto& [key, text] : c.texts_[std::string(kEnglish)]) {
    if (key.rfind(kErrorPrefix, 0) != 0) continue;
    Template t;
    t.key = key;
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t open = text.find('{', i);
      const std::size_t close = open == std::string::npos ? open : text.find('}', open);
      if (close == std::string::npos) {
        t.segments.push_back({false, text.substr(i)});
        break;
      }
      if (open > i) t.segments.push_back({false, text.substr(i, open - i)});
      t.segments.push_back({true, text.substr(open + 1, close - open - 1)});
      i = close + 1;
    }
    for (const auto& s : t.segments) {
      if (!s.placeholder) t.literal_size += s.text.size();
    }
    // A template of placeholders only would match every sentence: it is not a template.
    if (t.literal_size > 0) c.templates_.push_back(std::move(t));
  }
  return c;
}

bool Catalog::hasLanguage(std::string_view language) const {
  return texts_.find(language) != texts_.end();
}

std::vector<std::string> Catalog::keys(std::string_view language) const {
  std::vector<std::string> out;
  const auto it = texts_.find(language);
  if (it == texts_.end()) return out;
  for (const auto& [key, text] : it->second) out.push_back(key);
  return out;
}

const std::string* Catalog::find(std::string_view language, std::string_view key) const {
  const auto lang = texts_.find(language);
  if (lang == texts_.end()) return nullptr;
  const auto it = lang->second.find(key);
  return it == lang->second.end() ? nullptr : &it->second;
}

std::string Catalog::fill(std::string_view text, const Params& params) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('{', i);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto it =
        std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
    if (it == params.end()) {
      out.append(text.substr(open, close - open + 1));
    } else {
      out.append(it->second);
    }
    i = close + 1;
  }
  return out;
}

std::string Catalog::text(std::string_view language, std::string_view key,
                          const Params& params) const {
  const std::string* found = find(language, key);
  if (found == nullptr) found = find(kEnglish, key);
  return found == nullptr ? std::string(key) : fill(*found, params);
}

std::string Catalog::plural(std::string_view language, std::string_view key, long long count,
                            const Params& params) const {
  Params all = params;
  all.emplace_back("count", std::to_string(count));
  const std::string base(key);
  for (std::string_view lang : {language, kEnglish}) {
    const std::string category(pluralCategory(lang, count));
    if (const std::string* s = find(lang, base + "." + category)) return fill(*s, all);
    if (const std::string* s = find(lang, base + ".other")) return fill(*s, all);
  }
  return text(language, key, all);
}

bool Catalog::match(const Template& t, std::string_view sentence, Params& out) const {
  // Backtracking over the positions where each placeholder may end; a placeholder matches
  // at least one character.
  struct Matcher {
    const std::vector<Segment>& segments;
    std::string_view s;
    Params& values;
    bool run(std::size_t seg, std::size_t pos) {
      if (seg == segments.size()) return pos == s.size();
      const Segment& cur = segments[seg];
      if (!cur.placeholder) {
        if (s.substr(pos, cur.text.size()) != cur.text) return false;
        return run(seg + 1, pos + cur.text.size());
      }
      if (seg + 1 == segments.size()) {
        if (pos >= s.size()) return false;
        values.emplace_back(cur.text, std::string(s.substr(pos)));
        return true;
      }
      const Segment& next = segments[seg + 1];
      if (next.placeholder) return false;  // two placeholders side by side: ambiguous
      for (std::size_t at = s.find(next.text, pos + 1); at != std::string_view::npos;
           at = s.find(next.text, at + 1)) {
        values.emplace_back(cur.text, std::string(s.substr(pos, at - pos)));
        if (run(seg + 1, at)) return true;
        values.pop_back();
      }
      return false;
    }
  };
  out.clear();
  Matcher m{t.segments, sentence, out};
  return m.run(0, 0);
}

std::optional<Recognised> Catalog::recognise(std::string_view english) const {
  std::optional<Recognised> best;
  std::size_t best_literal = 0;
  Params values;
  for (const Template& t : templates_) {
    if (t.literal_size <= best_literal && best) continue;
    if (!match(t, english, values)) continue;
    best = Recognised{t.key, values};
    best_literal = t.literal_size;
  }
  return best;
}

std::string Catalog::translate(std::string_view language, std::string_view english) const {
  if (language == kEnglish) return std::string(english);
  auto r = recognise(english);
  if (!r) return std::string(english);
  const std::string* s = find(language, r->key);
  return s == nullptr ? std::string(english) : fill(*s, r->params);
}

}  // namespace phaseout::i18n
