// The text form of a detect run (`phaseout detect`, the default): per device a verdict line,
// its identifiers, every piece of evidence ("~" when outweighed in its group, "observed only"
// for a signature no public source backs) and up to ten services; then a stats line.
#pragma once

#include <string>

#include "service/detect.h"

namespace phaseout::service {

// Appends the whole text. Evidence is named through setup.signatures (see writeDetectJson).
void writeDetectText(const DetectReport& report, const DetectSetup& setup, std::string& out);

}  // namespace phaseout::service
