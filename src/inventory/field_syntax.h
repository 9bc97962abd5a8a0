// Syntax of the inventory's structured text fields: org unit paths, MAC addresses, e-mail
// addresses. Pure functions, no allocation except the returned string; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace phaseout::inventory {

// True for a unit path: one or more segments of [a-z0-9._-], joined by single '/', no leading
// or trailing '/', and no segment "." or "..". ("pa", "pa/domestic-policy/press").
bool isValidUnitPath(std::string_view unit);

// Accepts "aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF" (one separator kind throughout) and Cisco's
// "aabb.ccdd.eeff", any letter case. Returns the lower-case colon form, or nullopt.
std::optional<std::string> normalizeMac(std::string_view text);
// The same, writing into `out` (reusing its capacity); `out` is unchanged when it returns false.
bool normalizeMac(std::string_view text, std::string& out);

// A deliberately loose check: exactly one '@' with text on both sides, no whitespace or
// control characters, and a domain that neither starts nor ends with '.'.
bool isPlausibleEmail(std::string_view email);

}  // namespace phaseout::inventory
