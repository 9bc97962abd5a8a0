#include "i18n/language.h"

#include <cstdio>

#include "core/strings.h"
#include "i18n/catalog.h"

namespace phaseout::i18n {

std::string supportedLanguage(std::string_view tag) {
  std::string base;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') return "";
    base += c;
  }
  if (base.empty() || !Catalog::builtin().hasLanguage(base)) return "";
  return base;
}

std::string negotiateLanguage(std::string_view accept_language) {
  std::string best;
  double best_q = 0.0;
  std::size_t i = 0;
  while (i <= accept_language.size()) {
    std::size_t comma = accept_language.find(',', i);
    if (comma == std::string_view::npos) comma = accept_language.size();
    const std::string_view item = trim(accept_language.substr(i, comma - i));
    i = comma + 1;
    if (item.empty()) continue;
    const std::size_t semi = item.find(';');
    const std::string_view tag = trim(item.substr(0, semi));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      const std::string_view param = trim(item.substr(semi + 1));
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        q = std::strtod(std::string(param.substr(2)).c_str(), nullptr);
      }
    }
    if (q <= 0.0 || tag == "*") continue;
    const std::string lang = supportedLanguage(tag);
    // The first of equal weight wins (the order the client listed them).
    if (!lang.empty() && q > best_q) {
      best = lang;
      best_q = q;
    }
  }
  return best;
}

std::string chooseLanguage(std::string_view stored, std::string_view accept_language) {
  std::string lang = supportedLanguage(stored);
  if (lang.empty()) lang = negotiateLanguage(accept_language);
  return lang.empty() ? std::string(kDefaultLanguage) : lang;
}

std::string formatDate(std::string_view language, Date date) {
  if (language == "ru") {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u.%02u.%04d", date.day(), date.month(), date.year());
    return buf;
  }
  return date.toString();
}

}  // namespace phaseout::i18n
