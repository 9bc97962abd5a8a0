// Which language a person reads, and dates written for it.
//
// The order every front door follows: the person's stored language, else the request's
// Accept-Language, else English. Only languages the catalog has are ever chosen.
#pragma once

#include <string>
#include <string_view>

#include "core/date.h"

namespace phaseout::i18n {

inline constexpr std::string_view kDefaultLanguage = "en";

// The catalog's language for a tag ("ru", "ru-RU", "EN_gb" -> "ru", "ru", "en"), or "" when
// the catalog has no such language.
std::string supportedLanguage(std::string_view tag);

// The best supported language of an Accept-Language header (RFC 9110 section 12.5.4: tags
// with q-values, "*" ignored, q=0 refused), else "" when it names none we have.
std::string negotiateLanguage(std::string_view accept_language);

// The stored language when supported, else the Accept-Language choice, else "en".
std::string chooseLanguage(std::string_view stored, std::string_view accept_language);

// A civil date as the language writes it in running text: "2026-03-31" in English (ISO, as
// phaseout's English output always wrote it), "31.03.2026" in Russian.
std::string formatDate(std::string_view language, Date date);

}  // namespace phaseout::i18n
