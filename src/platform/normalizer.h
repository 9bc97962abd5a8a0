// Normalizer: turns what real inventories contain into (vendor, platform, kind, OS version).
//
// Inputs are the raw strings of an MDM or asset export: a vendor spelling ("Apple Inc.",
// "HUAWEI", "Huawei Device Co."), a model (hardware identifier "iPhone14,2", marketing name
// "iPhone 13 Pro", Huawei/Honor code "NOH-AN00"), an OS string ("iPadOS 17.1", "Aurora OS 4.0.2").
// Matching is case-insensitive (ASCII and Cyrillic) and table-driven from
// data/platform/device_tables.txt, whose header documents the format and the rules of
// inference. What cannot be known stays unknown: the normalizer never guesses a platform from
// weak hints.
//
// Thread safety: a Normalizer is immutable after construction; share it freely.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "platform/platform.h"

namespace phaseout::platform {

struct RawDeviceFields {
  std::string_view vendor{};
  std::string_view model{};
  std::string_view platform{};  // may be a canonical name ("ios") or free text ("iOS 16.4.1")
  std::string_view os_version{};
  std::string_view kind{};  // may be empty
};

struct NormalizedDevice {
  std::string vendor;  // canonical lower-case vendor id ("apple", "huawei"), or "" if unknown
  Platform platform = Platform::kUnknown;
  Kind kind = Kind::kUnknown;
  std::string os_version;  // "16.4.1" when known, else ""
  std::string model_name;  // marketing name when known ("iPhone 13 Pro"), else the raw model
};

// What an OS string says: "iOS 16.4.1" -> {ios, "16.4.1"}; "HarmonyOS NEXT 5.0" ->
// {harmonyos-next, "5.0"}; "EMUI 12" -> {android, ""} (a skin's number is not Android's).
struct OsInfo {
  bool recognized = false;  // the string starts with an OS name of the tables
  Platform platform = Platform::kUnknown;
  std::string version;         // dotted number ("16.4.1"), "" when none is given
  Kind kind = Kind::kUnknown;  // a kind the OS implies ("watchOS" -> watch), else unknown
  std::string vendor;          // a vendor the OS implies ("iOS" -> "apple"), else ""
};

class Normalizer {
 public:
  // The normalizer built from the data tables shipped inside the binary.
  static const Normalizer& builtin();
  // Parses a table file in the format of data/platform/ (for tests and custom tables).
  // InvalidArgument names "<source_name>:<line>: <what is wrong>".
  static Result<std::unique_ptr<Normalizer>> fromText(std::string_view text,
                                                      std::string_view source_name);

  // Explicit fields win: a non-empty `platform` or `kind` that parses as a canonical name is
  // kept as given ("unknown" counts as empty). One exception: a canonical name the tables split
  // by version is resolved with the version ("harmonyos" + "5.0" is harmonyos-next). Empty or
  // free-text fields are inferred from the others:
  //   vendor   the vendor field, else the vendor a model implies, else a vendor word opening
  //            the model, else the vendor an OS implies ("iOS" -> apple); "" when none. A
  //            vendor field naming an OS publisher that makes no devices ("Open Mobile
  //            Platform", Aurora) yields to the maker the model names: "OMP" + "INOI R7" is
  //            inoi; "OMP" alone is omp.
  //   platform the OS string (free-text platform field first, then os_version; an OS
  //            publisher in the vendor field counts as one more), checked against what the
  //            model admits; else what the model implies; else the platform of a single-OS
  //            vendor (Jolla); else unknown.
  //   kind     the kind field (canonical or a spelling such as "Smartphone"), else the model,
  //            else what the OS implies ("iPadOS" -> tablet).
  //   version  the number after the OS name ("iOS 16.4.1" -> "16.4.1"), or a bare number in
  //            os_version; never a vendor skin's number ("EMUI 12").
  // Model names match whole words ("P40" is not found in "XP400" or "P400"). A name other
  // makers also use ("P40", "nova 11") is the table vendor's only when the vendor field is
  // empty, blank ("Unknown") or admitted by the name; any other vendor field turns it off.
  // Fields that contradict each other (model "iPhone 13" with vendor "Samsung" or OS "Android
  // 13") leave the platform unknown, so the device is reviewed rather than guessed.
  // Never fails: input that says nothing yields unknowns. Cost is a few hash probes and prefix
  // compares per call (no regex, no allocation beyond the returned strings); inputs are only
  // examined in their first 256 bytes, so very long strings cost no more.
  [[nodiscard]] NormalizedDevice normalize(const RawDeviceFields& raw) const;

  // Parses an OS string ("Android 13", "Mac OS X 10_15_7", "Aurora OS 4.0.2") with these tables.
  // A string that names no known OS but starts with a number ("16.4.1 (20E252)") gives
  // recognized=false and that version.
  [[nodiscard]] OsInfo parseOs(std::string_view text) const;

  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  struct Tables;

 private:
  explicit Normalizer(std::unique_ptr<Tables> tables);
  std::unique_ptr<Tables> tables_;
};

// Normalizer::builtin().parseOs(text): for callers that meet OS strings outside device
// records, such as User-Agent classification.
OsInfo parseOsString(std::string_view text);

}  // namespace phaseout::platform
