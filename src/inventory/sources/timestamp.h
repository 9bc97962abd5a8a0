// Timestamps as exports write them, to epoch milliseconds (UTC).
//
// Accepted: ISO 8601 / RFC 3339 date-times ("2024-03-01T10:20:30Z", with a fraction of any
// length, a "+02:00"/"+0200" offset or none (UTC), a space instead of the "T"), a bare date
// ("2024-03-01", midnight UTC), and the US form admin consoles export ("3/1/2024 10:20:30 AM",
// "3/1/2024 22:20"). Anything else is nullopt. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace phaseout::inventory {

std::optional<std::int64_t> parseTimestampMs(std::string_view text);

}  // namespace phaseout::inventory
