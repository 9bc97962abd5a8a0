// How a sighting is written, shared by its two makers: a detect verdict (sightings.h,
// toSighting) and the JSON detect printed (detect_json.h, parseDetectJson). Internal to
// service.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/reconcile.h"
#include "core/date.h"
#include "detect/signature_set.h"
#include "service/workspace.h"

namespace phaseout::service {

// "office.pcap#12", "access.log:7", "office.pcap", or "" without a file.
std::string sightingWhere(const std::string& file, std::uint64_t frame, std::uint64_t line);

// One piece of evidence as a sighting keeps it:
// '+2.10 user_agent "Mozilla/5.0 (iPhone; ...)" [ua.iphone.browser, ua] office.pcap#12 x3',
// with ", observed only" inside the brackets for a signature no public source backs and
// " (outweighed in its group)" at the end when it did not count.
std::string sightingEvidenceLine(double weight, std::string_view signal, std::string_view value,
                                 std::string_view signature, std::string_view group, bool counted,
                                 bool observed_only, const std::string& where, std::uint64_t count);

// Classifies a service use's User-Agent with detect's UA rules (ua_platform, ua_kind): the
// smartphone rule of usage bans.
void classifyServiceUse(campaign::ServiceUse& use, const detect::SignatureSet& signatures);

// Adds a source file name once (empty names are not sources).
void addSightingSource(std::vector<std::string>& sources, const std::string& name);

// The day a sighting is judged on: Recording::on, else its last-seen day, else today.
Date judgedDay(const campaign::Sighting& sighting, const Recording& recording);

}  // namespace phaseout::service
