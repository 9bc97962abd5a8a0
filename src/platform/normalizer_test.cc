#include "platform/normalizer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace phaseout::platform {
namespace {

// One row of an export and what the normaliser must make of it. Platforms and kinds are
// canonical names; "" vendor and version mean unknown.
struct Case {
  const char* vendor;
  const char* model;
  const char* platform;
  const char* os_version;
  const char* kind;
  const char* want_vendor;
  const char* want_platform;
  const char* want_kind;
  const char* want_version;
};

// clang-format off
const Case kCases[] = {
  // vendor, model, platform, os_version, kind  ->  vendor, platform, kind, version

  // Apple hardware identifiers.
  {"", "iPhone14,2", "", "", "",                         "apple", "ios", "phone", ""},
  {"Apple", "iPhone14,2", "", "iOS 16.4.1", "",          "apple", "ios", "phone", "16.4.1"},
  {"", "IPHONE14,2", "", "", "",                         "apple", "ios", "phone", ""},
  {"", "iphone14,2", "", "", "",                         "apple", "ios", "phone", ""},
  {"", "iPhone99,9", "", "", "",                         "apple", "ios", "phone", ""},
  {"", "iPad13,4", "", "iPadOS 17", "",                  "apple", "ipados", "tablet", "17"},
  {"", "iPad13,4", "", "", "",                           "apple", "ipados", "tablet", ""},
  {"", "Watch6,1", "", "", "",                           "apple", "watchos", "watch", ""},
  {"", "Watch6,1", "", "watchOS 10.1", "",               "apple", "watchos", "watch", "10.1"},
  {"", "Mac14,2", "", "", "",                            "apple", "macos", "laptop", ""},
  {"", "Mac14,3", "", "", "",                            "apple", "macos", "desktop", ""},
  {"", "Mac13,1", "", "macOS 13.6", "",                  "apple", "macos", "desktop", "13.6"},
  {"", "Mac99,1", "", "", "",                            "apple", "macos", "unknown", ""},
  {"", "MacBookPro18,1", "", "macOS 14.1", "",           "apple", "macos", "laptop", "14.1"},
  {"", "MacBookAir10,1", "", "", "",                     "apple", "macos", "laptop", ""},
  {"", "MacBook10,1", "", "", "",                        "apple", "macos", "laptop", ""},
  {"", "iMac21,1", "", "", "",                           "apple", "macos", "desktop", ""},
  {"", "iMacPro1,1", "", "", "",                         "apple", "macos", "desktop", ""},
  {"", "Macmini9,1", "", "", "",                         "apple", "macos", "desktop", ""},
  {"", "MacPro7,1", "", "", "",                          "apple", "macos", "desktop", ""},
  {"", "iPod9,1", "", "iOS 15.7", "",                    "apple", "ios", "other", "15.7"},
  {"", "AppleTV11,1", "", "tvOS 17", "",                 "apple", "unknown", "other", "17"},
  // A Mac may boot Windows or Linux; an iPhone may not run Android.
  {"", "MacBookPro15,1", "", "Windows 10", "",           "apple", "windows", "laptop", "10"},
  {"", "MacBookPro18,1", "", "Ubuntu 22.04", "",         "apple", "linux", "laptop", "22.04"},
  {"", "MacBookPro18,1", "", "Android 13", "",           "apple", "unknown", "laptop", "13"},
  {"", "iPhone14,2", "", "Android 13", "",               "apple", "unknown", "phone", "13"},
  {"", "iPhone14,2", "", "iPadOS 17", "",                "apple", "unknown", "phone", "17"},
  {"", "Watch6,1", "", "iOS 17", "",                     "apple", "unknown", "watch", "17"},
  // iPads ran iOS until iPadOS 13; later "iOS" on an iPad is an MDM's family label.
  {"", "iPad7,5", "", "iOS 12.5.7", "",                  "apple", "ios", "tablet", "12.5.7"},
  {"", "iPad13,4", "", "iOS 16.4", "",                   "apple", "ipados", "tablet", "16.4"},
  {"", "iPad13,4", "", "iOS", "",                        "apple", "ipados", "tablet", ""},
  {"", "iPad Air", "", "iOS 9.3.5", "",                  "apple", "ios", "tablet", "9.3.5"},
  {"", "iPad13,4", "ios", "16.4", "",                    "apple", "ios", "tablet", "16.4"},

  // Apple marketing names.
  {"", "iPhone 13 Pro", "", "", "",                      "apple", "ios", "phone", ""},
  {"", "iphone 13 pro", "", "", "",                      "apple", "ios", "phone", ""},
  {"", "IPHONE 13 PRO", "", "", "",                      "apple", "ios", "phone", ""},
  {"", "iPhone", "", "", "",                             "apple", "ios", "phone", ""},
  {"", "  iPhone   SE  ", "", "", "",                    "apple", "ios", "phone", ""},
  {"", "Apple iPhone 13", "", "", "",                    "apple", "ios", "phone", ""},
  {"Apple Inc.", "iPhone 13 Pro", "", "", "",            "apple", "ios", "phone", ""},
  {"", "iPad Air", "", "", "",                           "apple", "ipados", "tablet", ""},
  {"", "iPad Pro (11-inch)", "", "", "",                 "apple", "ipados", "tablet", ""},
  {"", "iPad mini", "", "iPadOS 17.1", "",               "apple", "ipados", "tablet", "17.1"},
  {"", "MacBook Air", "", "", "",                        "apple", "macos", "laptop", ""},
  {"", "MacBook Pro 16", "", "", "",                     "apple", "macos", "laptop", ""},
  {"", "Apple Watch", "", "", "",                        "apple", "watchos", "watch", ""},
  {"", "Apple Watch Series 8", "", "", "",               "apple", "watchos", "watch", ""},
  {"", "iMac", "", "", "",                               "apple", "macos", "desktop", ""},
  {"", "Mac mini", "", "", "",                           "apple", "macos", "desktop", ""},
  {"", "Mac Studio", "", "", "",                         "apple", "macos", "desktop", ""},
  {"", "Mac Pro", "", "", "",                            "apple", "macos", "desktop", ""},
  {"", "iPod touch", "", "", "",                         "apple", "ios", "other", ""},
  {"APPLE INC", "", "", "iOS 16.4.1", "",                "apple", "ios", "unknown", "16.4.1"},
  {"Apple", "", "", "", "",                              "apple", "unknown", "unknown", ""},
  {"苹果", "", "", "", "",                                "apple", "unknown", "unknown", ""},
  {"Apple", "A2633", "", "", "",                         "apple", "unknown", "unknown", ""},

  // Platform and kind fields: canonical names are kept, free text is parsed.
  {"", "", "iOS 16.4", "", "",                           "apple", "ios", "unknown", "16.4"},
  {"", "iPhone 13", "iOS 16.4", "16.4.1", "",            "apple", "ios", "phone", "16.4"},
  {"", "iPhone 13", "ios", "16.4.1", "",                 "apple", "ios", "phone", "16.4.1"},
  {"", "iPhone 13", "IOS", "", "",                       "apple", "ios", "phone", ""},
  {"", "iPhone 13", "android", "", "",                   "apple", "android", "phone", ""},
  {"", "iPhone 13", "", "", "tablet",                    "apple", "ios", "tablet", ""},
  {"", "iPhone 13", "", "", "Smartphone",                "apple", "ios", "phone", ""},
  {"", "iPad Air", "", "iPadOS 17.1", "unknown",         "apple", "ipados", "tablet", "17.1"},
  {"", "iPhone 13", "unknown", "iOS 16", "",             "apple", "ios", "phone", "16"},
  {"", "", "", "iOS/iPadOS 17.1", "",                    "apple", "unknown", "unknown", "17.1"},
  {"", "iPad Air", "iOS/iPadOS", "17.1", "",             "apple", "ipados", "tablet", "17.1"},
  {"", "iPhone 13", "iOS/iPadOS", "17.1", "",            "apple", "ios", "phone", "17.1"},
  {"", "", "Android", "13", "",                          "", "android", "unknown", "13"},
  {"", "", "Android 13", "", "",                         "", "android", "unknown", "13"},
  {"", "", "android", "Android 13", "",                  "", "android", "unknown", "13"},
  {"", "", "Android 12", "iOS 16", "",                   "", "unknown", "unknown", "12"},
  {"", "", "", "16.4.1", "",                             "", "unknown", "unknown", "16.4.1"},
  {"", "", "HarmonyOS", "4.0", "",                       "", "harmonyos", "unknown", "4.0"},
  {"", "", "HarmonyOS", "5.0.1", "",                     "", "harmonyos-next", "unknown", "5.0.1"},
  {"", "", "harmonyos", "", "",                          "", "harmonyos", "unknown", ""},
  {"", "", "harmonyos-next", "5.0", "",                  "", "harmonyos-next", "unknown", "5.0"},
  {"", "", "Windows", "10.0.19045", "",                  "", "windows", "unknown", "10.0.19045"},

  // OS strings.
  {"", "", "", "iOS 16.4.1", "",                         "apple", "ios", "unknown", "16.4.1"},
  {"", "", "", "iOS16.4.1", "",                          "apple", "ios", "unknown", "16.4.1"},
  {"", "", "", "iOS 16.4.1 (20E252)", "",                "apple", "ios", "unknown", "16.4.1"},
  {"", "", "", "iOS", "",                                "apple", "ios", "unknown", ""},
  {"", "", "", "iPhone OS 3.1", "",                      "apple", "ios", "unknown", "3.1"},
  {"", "", "", "iPadOS 17", "",                          "apple", "ipados", "tablet", "17"},
  {"", "", "", "macOS Sonoma 14.1", "",                  "apple", "macos", "unknown", "14.1"},
  {"", "", "", "Mac OS X 10.15.7", "",                   "apple", "macos", "unknown", "10.15.7"},
  {"", "", "", "Mac OS X 10_15_7", "",                   "apple", "macos", "unknown", "10.15.7"},
  {"", "", "", "OS X 10.11", "",                         "apple", "macos", "unknown", "10.11"},
  {"", "", "", "Android 13", "",                         "", "android", "unknown", "13"},
  {"", "", "", "android 13", "",                         "", "android", "unknown", "13"},
  {"", "", "", "ANDROID 13", "",                         "", "android", "unknown", "13"},
  {"", "", "", "Android 14 (API 34)", "",                "", "android", "unknown", "14"},
  {"", "", "", "Android", "",                            "", "android", "unknown", ""},
  {"", "", "", "HarmonyOS 4.0", "",                      "", "harmonyos", "unknown", "4.0"},
  {"", "", "", "HarmonyOS 3.0.0", "",                    "", "harmonyos", "unknown", "3.0.0"},
  {"", "", "", "HarmonyOS NEXT 5.0", "",                 "", "harmonyos-next", "unknown", "5.0"},
  {"", "", "", "harmonyos next", "",                     "", "harmonyos-next", "unknown", ""},
  {"", "", "", "HarmonyOS 5.0.1", "",                    "", "harmonyos-next", "unknown", "5.0.1"},
  {"", "", "", "HarmonyOS", "",                          "", "unknown", "unknown", ""},
  {"", "", "", "Harmony OS 2.0", "",                     "", "harmonyos", "unknown", "2.0"},
  {"", "", "", "OpenHarmony 5.0", "",                    "", "harmonyos-next", "unknown", "5.0"},
  {"", "", "", "OpenHarmony 4.1", "",                    "", "harmonyos-next", "unknown", "4.1"},
  {"", "", "", "Aurora OS 4.0.2", "",                    "", "aurora", "unknown", "4.0.2"},
  {"", "", "", "Aurora 4.0", "",                         "", "aurora", "unknown", "4.0"},
  {"", "", "", "ОС Аврора 5.1", "",                      "", "aurora", "unknown", "5.1"},
  {"", "", "", "АВРОРА 4.0.2", "",                       "", "aurora", "unknown", "4.0.2"},
  {"", "", "", "Sailfish OS 4.5", "",                    "", "sailfish", "unknown", "4.5"},
  {"", "", "", "SailfishOS 4.5.0.19", "",                "", "sailfish", "unknown", "4.5.0.19"},
  {"", "", "", "KaiOS 2.5", "",                          "", "kaios", "phone", "2.5"},
  {"", "", "", "kaios 3.1", "",                          "", "kaios", "phone", "3.1"},
  {"", "", "", "Windows 10 Pro", "",                     "", "windows", "unknown", "10"},
  {"", "", "", "Windows 11 Enterprise 22H2", "",         "", "windows", "unknown", "11"},
  {"", "", "", "Microsoft Windows 10 Enterprise", "",    "", "windows", "unknown", "10"},
  {"", "", "", "Windows 10.0.19045", "",                 "", "windows", "unknown", "10.0.19045"},
  {"", "", "", "Win10", "",                              "", "windows", "unknown", "10"},
  {"", "", "", "Windows Phone 8.1", "",                  "", "windows", "phone", "8.1"},
  {"", "", "", "Ubuntu 22.04.3 LTS", "",                 "", "linux", "unknown", "22.04.3"},
  {"", "", "", "Debian GNU/Linux 12 (bookworm)", "",     "", "linux", "unknown", "12"},
  {"", "", "", "Red Hat Enterprise Linux 9.2", "",       "", "linux", "unknown", "9.2"},
  {"", "", "", "Fedora Linux 39", "",                    "", "linux", "unknown", "39"},
  {"", "", "", "Astra Linux 1.7", "",                    "", "linux", "unknown", "1.7"},
  {"", "", "", "Астра Линукс 1.7", "",                   "", "linux", "unknown", "1.7"},
  {"", "", "", "Pop!_OS 22.04", "",                      "", "linux", "unknown", "22.04"},
  {"", "", "", "Linux", "",                              "", "linux", "unknown", ""},
  {"", "", "", "EMUI 12.0", "",                          "", "android", "unknown", ""},
  {"", "", "", "MIUI 14", "",                            "", "android", "unknown", ""},
  {"", "", "", "One UI 5.1", "",                         "", "android", "unknown", ""},
  {"", "", "", "Wear OS 4", "",                          "", "unknown", "watch", "4"},
  {"", "", "", "Tizen 5.5", "",                          "", "unknown", "unknown", "5.5"},
  {"", "", "", "ChromeOS 120", "",                       "", "unknown", "unknown", "120"},
  // An OS outside the vocabulary says the platform is none of ours, whatever the model implies;
  // an ambiguous label ("iOS/iPadOS", "HarmonyOS" without a version) lets the model choose.
  {"", "Galaxy Tab S8", "", "Tizen 5.5", "",             "samsung", "unknown", "tablet", "5.5"},
  {"", "Pixelbook Go", "", "ChromeOS 120", "",           "google", "unknown", "laptop", "120"},
  {"Jolla", "", "", "Tizen", "",                         "jolla", "unknown", "unknown", ""},
  {"", "Honor Magic5 Pro", "", "HarmonyOS", "",          "honor", "unknown", "phone", ""},
  {"Jolla", "", "", "iOS/iPadOS", "",                    "jolla", "unknown", "unknown", ""},
  {"", "iPad7,5", "", "iOS/iPadOS 12.5", "",             "apple", "ios", "tablet", "12.5"},

  // Huawei and Honor model codes.
  {"HUAWEI", "NOH-AN00", "", "HarmonyOS 4.0", "",        "huawei", "harmonyos", "phone", "4.0"},
  {"Huawei Device Co., Ltd.", "NOH-AN00", "", "HarmonyOS NEXT 5.0", "",
                                                  "huawei", "harmonyos-next", "phone", "5.0"},
  {"", "NOH-AN00", "", "", "",                           "huawei", "unknown", "phone", ""},
  {"", "noh-an00", "", "", "",                           "huawei", "unknown", "phone", ""},
  {"", "ELE-L29", "", "Android 10", "",                  "huawei", "android", "phone", "10"},
  {"", "ANA-NX9", "", "EMUI 10.1", "",                   "huawei", "android", "phone", ""},
  {"Huawei Technologies Co., Ltd.", "LYA-L29", "", "", "",
                                                         "huawei", "unknown", "phone", ""},
  {"", "ALN-AL00", "", "HarmonyOS 4.0.0", "",            "huawei", "harmonyos", "phone", "4.0.0"},
  {"", "ALN-AL00", "", "OpenHarmony 5.0", "",
                                                  "huawei", "harmonyos-next", "phone", "5.0"},
  {"", "ALN-AL00", "", "HarmonyOS", "",                  "huawei", "unknown", "phone", ""},
  {"", "HUAWEI NOH-AN00", "", "", "",                    "huawei", "unknown", "phone", ""},
  {"", "NOH-AN00", "", "iOS 16", "",                     "huawei", "unknown", "phone", "16"},
  {"", "NOH-AN00", "", "Aurora OS 4.0", "",              "huawei", "unknown", "phone", "4.0"},
  {"华为", "NOH-AN00", "", "", "",                        "huawei", "unknown", "phone", ""},
  {"Honor", "NTH-NX9", "", "", "",                       "honor", "android", "phone", ""},
  {"", "NTH-AN00", "", "MagicOS 7.0", "",                "honor", "android", "phone", ""},
  {"", "PGT-N19", "", "HarmonyOS 4.0", "",               "honor", "unknown", "phone", "4.0"},
  {"HUAWEI", "COL-L29", "", "", "",                      "huawei", "unknown", "phone", ""},
  {"HONOR", "COL-L29", "", "", "",                       "honor", "unknown", "phone", ""},
  {"Honor", "NOH-AN00", "", "", "",                      "honor", "unknown", "unknown", ""},
  {"", "MRX-W09", "", "HarmonyOS 2.0", "",               "huawei", "harmonyos", "tablet", "2.0"},
  {"", "BAH3-W09", "", "", "",                           "huawei", "unknown", "tablet", ""},
  {"", "LTN-B19", "", "", "",                            "huawei", "unknown", "watch", ""},
  {"Huawei", "P40 Pro", "", "", "",                      "huawei", "unknown", "phone", ""},
  {"", "P40 Pro", "", "", "",                            "huawei", "unknown", "phone", ""},
  {"", "HUAWEI Mate 40 Pro", "", "", "",                 "huawei", "unknown", "phone", ""},
  {"HUAWEI", "Mate 60 Pro", "", "HarmonyOS 4.0", "",     "huawei", "harmonyos", "phone", "4.0"},
  {"", "HUAWEI MatePad 11", "", "HarmonyOS 3.1", "",     "huawei", "harmonyos", "tablet", "3.1"},
  {"", "HUAWEI MateBook X Pro", "", "Windows 11", "",    "huawei", "windows", "laptop", "11"},
  {"", "HUAWEI WATCH GT 3", "", "", "",                  "huawei", "unknown", "watch", ""},
  {"", "Honor Magic5 Pro", "", "", "",                   "honor", "android", "phone", ""},
  {"", "HONOR 90", "", "", "",                           "honor", "unknown", "phone", ""},
  {"", "ABC-L29", "", "", "",                            "", "unknown", "unknown", ""},
  {"Huawei", "ABC-L29", "", "", "",                      "huawei", "unknown", "unknown", ""},
  {"HUAWEI", "", "", "HarmonyOS 4.2.0", "",              "huawei", "harmonyos", "unknown", "4.2.0"},
  // Huawei and Honor marketing names without a vendor: the name fixes vendor and kind, only
  // the OS string sets the platform.
  {"", "P40", "", "", "",                                "huawei", "unknown", "phone", ""},
  {"", "Mate 40 Pro", "", "", "",                        "huawei", "unknown", "phone", ""},
  {"", "Mate 60 Pro", "", "HarmonyOS 4.0", "",           "huawei", "harmonyos", "phone", "4.0"},
  {"", "Mate X5", "", "", "",                            "huawei", "unknown", "phone", ""},
  {"", "nova 11", "", "", "",                            "huawei", "unknown", "phone", ""},
  {"", "P60 Pro", "", "", "",                            "huawei", "unknown", "phone", ""},
  {"", "Pura 70", "", "", "",                            "huawei", "unknown", "phone", ""},
  {"", "Pura 70 Ultra", "", "HarmonyOS NEXT 5.0", "",    "huawei", "harmonyos-next", "phone", "5.0"},
  {"", "P30 lite", "", "Android 10", "",                 "huawei", "android", "phone", "10"},
  {"", "P8 lite", "", "", "",                            "huawei", "unknown", "phone", ""},
  {"", "P40E", "", "", "",                               "huawei", "unknown", "phone", ""},
  {"", "nova 5T", "", "EMUI 12", "",                     "huawei", "android", "phone", ""},
  {"", "nova Y70", "", "", "",                           "huawei", "unknown", "phone", ""},
  {"", "Mate40 Pro", "", "", "",                         "huawei", "unknown", "phone", ""},
  {"", "Mate XS 2", "", "", "",                          "huawei", "unknown", "phone", ""},
  {"", "Mate 20 X", "", "", "",                          "huawei", "unknown", "phone", ""},
  {"", "Enjoy 60X", "", "", "",                          "huawei", "unknown", "phone", ""},
  {"", "P smart 2019", "", "", "",                       "huawei", "unknown", "phone", ""},
  {"", "MatePad 11", "", "", "",                         "huawei", "unknown", "tablet", ""},
  {"", "MatePad Pro 13.2", "", "HarmonyOS 4.0", "",      "huawei", "harmonyos", "tablet", "4.0"},
  {"", "MateBook X Pro", "", "Windows 11", "",           "huawei", "windows", "laptop", "11"},
  {"", "HUAWEI P40 Pro", "", "", "",                     "huawei", "unknown", "phone", ""},
  {"", "Huawei Y9 2019", "", "", "",                     "huawei", "unknown", "phone", ""},
  {"Huawei", "nova 11", "", "HarmonyOS 4.0", "",         "huawei", "harmonyos", "phone", "4.0"},
  {"Unknown", "P40 Pro", "", "", "",                     "huawei", "unknown", "phone", ""},
  {"N/A", "Mate 60 Pro", "", "", "",                     "huawei", "unknown", "phone", ""},
  {"", "Honor Magic", "", "", "",                        "honor", "unknown", "phone", ""},
  {"", "Honor Magic 2", "", "", "",                      "honor", "unknown", "phone", ""},
  {"", "Honor Magic 5 Pro", "", "", "",                  "honor", "android", "phone", ""},
  {"", "Honor Magic V2", "", "", "",                     "honor", "android", "phone", ""},
  {"", "Honor X9a", "", "Android 13", "",                "honor", "android", "phone", "13"},
  {"Honor", "X9a", "", "", "",                           "honor", "unknown", "phone", ""},
  {"", "X9a", "", "", "",                                "", "unknown", "unknown", ""},
  {"", "Honor 90", "", "MagicOS 7.1", "",                "honor", "android", "phone", ""},
  {"", "Honor View 20", "", "", "",                      "honor", "unknown", "phone", ""},
  // A series name must be whole: the number may carry glued letters ("P40E"), never more
  // digits, and the name is never found inside another word.
  {"", "XP400", "", "", "",                              "", "unknown", "unknown", ""},
  {"", "P400", "", "", "",                               "", "unknown", "unknown", ""},
  {"", "P4015n", "", "", "",                             "", "unknown", "unknown", ""},
  {"", "P40X2", "", "", "",                              "", "unknown", "unknown", ""},
  {"", "Mate 400", "", "", "",                           "", "unknown", "unknown", ""},
  {"", "Mate", "", "", "",                               "", "unknown", "unknown", ""},
  {"", "nova", "", "", "",                               "", "unknown", "unknown", ""},
  {"HP", "LaserJet P4015", "", "", "",                   "hp", "unknown", "unknown", ""},
  {"", "ThinkPad P40 Yoga", "", "", "",                  "lenovo", "unknown", "laptop", ""},
  // Shared names are Huawei's only when the vendor field does not name another maker, known
  // or not; that is no conflict.
  {"Cubot", "P40", "", "Android 11", "",                 "", "android", "unknown", "11"},
  {"HP", "P24 G5", "", "", "",                           "hp", "unknown", "unknown", ""},
  {"Lenovo", "P40", "", "Android 11", "",                "lenovo", "android", "unknown", "11"},
  {"Honor", "P40", "", "", "",                           "honor", "unknown", "unknown", ""},
  {"Cubot", "HUAWEI P40", "", "", "",                    "huawei", "unknown", "phone", ""},

  // Samsung.
  {"", "SM-S918B", "", "", "",                           "samsung", "android", "phone", ""},
  {"samsung", "SM-S918B", "", "Android 14", "",          "samsung", "android", "phone", "14"},
  {"", "sm-s918b", "", "", "",                           "samsung", "android", "phone", ""},
  {"", "SM-G991B", "", "", "",                           "samsung", "android", "phone", ""},
  {"", "SM-A546B", "", "", "",                           "samsung", "android", "phone", ""},
  {"", "SM-F946B", "", "", "",                           "samsung", "android", "phone", ""},
  {"", "SM-T870", "", "", "",                            "samsung", "android", "tablet", ""},
  {"", "SM-X700", "", "", "",                            "samsung", "android", "tablet", ""},
  {"", "SM-R870", "", "", "",                            "samsung", "unknown", "watch", ""},
  {"", "SM-R870", "", "Wear OS 3", "",                   "samsung", "unknown", "watch", "3"},
  {"", "SM-W2022", "", "", "",                           "", "unknown", "unknown", ""},
  {"", "Galaxy Tab S8", "", "", "",                      "samsung", "android", "tablet", ""},
  {"", "Samsung Galaxy S23 Ultra", "", "", "",           "samsung", "android", "phone", ""},
  {"Samsung Electronics Co., Ltd.", "Galaxy A54 5G", "", "", "",
                                                         "samsung", "android", "phone", ""},
  {"", "Galaxy Z Fold5", "", "", "",                     "samsung", "android", "phone", ""},
  {"", "Galaxy Watch5", "", "", "",                      "samsung", "unknown", "watch", ""},
  {"", "Galaxy Book3 Pro", "", "", "",                   "samsung", "windows", "laptop", ""},
  {"", "Galaxy", "", "", "",                             "samsung", "unknown", "unknown", ""},
  {"", "Galaxy S23", "", "", "",                         "samsung", "android", "phone", ""},
  {"", "Galaxy A54", "", "", "",                         "samsung", "android", "phone", ""},
  {"", "Galaxy Tab", "", "", "",                         "samsung", "android", "tablet", ""},
  {"", "Galaxy Tab A8", "", "Android 13", "",            "samsung", "android", "tablet", "13"},
  {"", "SM-S918B", "", "iOS 16", "",                     "samsung", "unknown", "phone", "16"},
  {"", "SM-S918B", "", "", "Tablet",                     "samsung", "android", "tablet", ""},

  // Google.
  {"", "Pixel 7 Pro", "", "", "",                        "google", "android", "phone", ""},
  {"", "Pixel 7", "", "", "",                            "google", "android", "phone", ""},
  {"Google", "Pixel 8", "", "Android 14", "",            "google", "android", "phone", "14"},
  {"", "pixel 6a", "", "", "",                           "google", "android", "phone", ""},
  {"", "Pixel Tablet", "", "", "",                       "google", "android", "tablet", ""},
  {"", "Pixel Watch 2", "", "", "",                      "google", "unknown", "watch", ""},
  {"", "Pixelbook Go", "", "", "",                       "google", "unknown", "laptop", ""},
  {"Google", "Pixel 7", "", "GrapheneOS 2023", "",       "google", "android", "phone", ""},

  // Xiaomi, Redmi, POCO.
  {"", "Redmi Note 12", "", "", "",                      "xiaomi", "android", "phone", ""},
  {"", "POCO F5", "", "", "",                            "xiaomi", "android", "phone", ""},
  {"", "POCO X5", "", "", "",                            "xiaomi", "android", "phone", ""},
  {"", "Xiaomi 13T", "", "", "",                         "xiaomi", "android", "phone", ""},
  {"", "Xiaomi 13 Pro", "", "", "",                      "xiaomi", "android", "phone", ""},
  {"", "Xiaomi Pad 6", "", "", "",                       "xiaomi", "android", "tablet", ""},
  {"Xiaomi", "2201123G", "", "", "",                     "xiaomi", "unknown", "unknown", ""},
  {"", "Xiaomi 2201123G", "", "", "",                    "xiaomi", "unknown", "unknown", ""},
  {"Redmi", "22011119TI", "", "", "",                    "xiaomi", "unknown", "unknown", ""},
  {"Redmi", "Note 12", "", "", "",                       "xiaomi", "android", "phone", ""},
  {"Xiaomi Communications Co., Ltd.", "Redmi Pad SE", "", "", "",
                                                         "xiaomi", "android", "tablet", ""},

  // OPPO, OnePlus, realme, vivo.
  {"OPPO", "CPH2305", "", "", "",                        "oppo", "android", "phone", ""},
  {"", "CPH2305", "", "", "",                            "", "android", "phone", ""},
  {"OnePlus", "CPH2449", "", "", "",                     "oneplus", "android", "phone", ""},
  {"", "OnePlus 11", "", "", "",                         "oneplus", "android", "phone", ""},
  {"OnePlus", "LE2123", "", "", "",                      "oneplus", "android", "phone", ""},
  {"", "LE2123", "", "", "",                             "", "unknown", "unknown", ""},
  {"realme", "RMX3630", "", "", "",                      "realme", "android", "phone", ""},
  {"vivo", "V2145", "", "", "",                          "vivo", "android", "phone", ""},
  {"", "V2145", "", "", "",                              "", "unknown", "unknown", ""},
  {"vivo", "X200", "", "", "",                           "vivo", "android", "phone", ""},
  {"", "X200", "", "", "",                               "", "unknown", "unknown", ""},

  // Other Android makers.
  {"ZTE", "Blade A72", "", "", "",                       "zte", "android", "phone", ""},
  {"Motorola", "moto g54 5G", "", "", "",                "motorola", "android", "phone", ""},
  {"", "XT2041-4", "", "", "",                           "motorola", "android", "phone", ""},
  {"Sony", "Xperia 10 III", "", "Sailfish OS 4.5", "",   "sony", "sailfish", "phone", "4.5"},
  {"Sony", "Xperia 10 III", "", "Aurora OS 4.0.2", "",   "sony", "aurora", "phone", "4.0.2"},
  {"Sony", "Xperia 10", "", "iOS 16", "",                "sony", "unknown", "phone", "16"},
  {"Sony", "XQ-BC52", "", "", "",                        "sony", "android", "phone", ""},
  {"LGE", "LM-G900", "", "", "",                         "lg", "android", "phone", ""},

  // Nokia / HMD, TCL / Alcatel, Jio: KaiOS feature phones.
  {"Nokia", "8110 4G", "", "", "",                       "nokia", "kaios", "phone", ""},
  {"", "Nokia 8110 4G", "", "KaiOS 2.5.1", "",           "nokia", "kaios", "phone", "2.5.1"},
  {"HMD Global", "Nokia 2720 Flip", "", "", "",          "nokia", "kaios", "phone", ""},
  {"HMD Global Oy", "Nokia G21", "", "Android 12", "",   "nokia", "android", "phone", "12"},
  {"", "Nokia C3-00", "", "", "",                        "nokia", "unknown", "phone", ""},
  {"Nokia", "8110", "", "", "",                          "nokia", "unknown", "unknown", ""},
  {"Alcatel", "4044T", "", "", "",                       "tcl", "kaios", "phone", ""},
  {"TCL", "Alcatel Go Flip 3", "", "", "",               "tcl", "kaios", "phone", ""},
  {"", "", "", "KaiOS 2.5", "",                          "", "kaios", "phone", "2.5"},
  {"", "JioPhone", "", "", "",                           "jio", "kaios", "phone", ""},
  {"", "JioPhone Next", "", "", "",                      "jio", "android", "phone", ""},

  // Aurora and Sailfish devices.
  {"Open Mobile Platform", "", "", "", "",               "omp", "aurora", "unknown", ""},
  {"OMP", "", "", "Aurora 4.0.2", "",                    "omp", "aurora", "unknown", "4.0.2"},
  {"ОМП", "", "", "", "",                                "omp", "aurora", "unknown", ""},
  {"INOI", "INOI R7", "", "Aurora OS 4.0.2", "",         "inoi", "aurora", "phone", "4.0.2"},
  {"INOI", "INOI A72", "", "", "",                       "inoi", "unknown", "unknown", ""},
  {"INOI", "R7", "", "", "",                             "inoi", "aurora", "phone", ""},
  {"", "INOI R7", "", "", "",                            "inoi", "aurora", "phone", ""},
  {"", "INOI R7", "", "Sailfish Mobile OS RUS 2.1", "",  "inoi", "aurora", "phone", "2.1"},
  {"", "INOI R7", "", "Android 10", "",                  "inoi", "unknown", "phone", "10"},
  {"INOI", "INOI T10", "", "", "",                       "inoi", "unknown", "tablet", ""},
  // Open Mobile Platform publishes Aurora and makes no devices: as the vendor of a device it
  // says "Aurora", and the model names the maker.
  {"Open Mobile Platform", "INOI R7", "", "Aurora OS 4.0.2", "",
                                                         "inoi", "aurora", "phone", "4.0.2"},
  {"OMP", "INOI R7", "", "Aurora OS 4.0.2", "",          "inoi", "aurora", "phone", "4.0.2"},
  {"ОМП", "INOI R7", "", "Aurora OS 4.0.2", "",          "inoi", "aurora", "phone", "4.0.2"},
  {"Открытая мобильная платформа", "INOI R7", "", "", "", "inoi", "aurora", "phone", ""},
  {"OMP", "INOI T8", "", "", "",                         "inoi", "aurora", "tablet", ""},
  {"OMP", "R7", "", "", "",                              "omp", "aurora", "unknown", ""},
  {"OMP", "F+ R570E", "", "Aurora 4.0.2", "",            "fplus", "aurora", "phone", "4.0.2"},
  {"F+", "R570E", "", "", "",                            "fplus", "unknown", "phone", ""},
  {"F+ tech", "F+ R570E", "", "Aurora OS 4.0.2", "",     "fplus", "aurora", "phone", "4.0.2"},
  {"", "F+ R570E", "", "", "",                           "fplus", "unknown", "phone", ""},
  {"OMP", "Aquarius Cmp NS220", "", "Aurora OS 4.0.2", "",
                                                         "aquarius", "aurora", "phone", "4.0.2"},
  {"Aquarius", "NS M11", "", "Aurora 4.0", "",           "aquarius", "aurora", "phone", "4.0"},
  {"Аквариус", "Cmp NS208", "", "", "",                  "aquarius", "unknown", "tablet", ""},
  {"OMP", "AQUARIUS Cmp NS208", "", "", "",              "aquarius", "aurora", "tablet", ""},
  {"OMP", "Bittium Tough Mobile 2C", "", "", "",         "bittium", "aurora", "phone", ""},
  {"Bittium", "Tough Mobile 2C", "", "Android 9", "",    "bittium", "android", "phone", "9"},
  {"OMP", "KVADRA_T", "", "Aurora OS 5.1", "",           "yadro", "aurora", "tablet", "5.1"},
  {"Open Mobile Platform", "KVADRA_T", "", "", "",       "yadro", "aurora", "tablet", ""},
  {"AYYA", "T1", "", "Aurora 4.0", "",                   "ayya", "aurora", "phone", "4.0"},
  {"", "AYYA T1", "", "Android 11", "",                  "ayya", "android", "phone", "11"},
  {"OMP", "AYYA T1", "", "", "",                         "ayya", "aurora", "phone", ""},
  {"QTECH", "", "", "Aurora 4.0", "",                    "qtech", "aurora", "unknown", "4.0"},
  {"OMP", "Xperia 10 III", "", "", "",                   "sony", "aurora", "phone", ""},
  {"OMP", "Mate 60 Pro", "", "", "",                     "huawei", "unknown", "phone", ""},
  {"OMP", "", "", "4.0.2", "",                           "omp", "aurora", "unknown", "4.0.2"},
  // ...and contradicts an OS string or a model that cannot run Aurora.
  {"OMP", "", "", "Android 13", "",                      "omp", "unknown", "unknown", "13"},
  {"OMP", "iPhone 13", "", "", "",                       "apple", "unknown", "phone", ""},
  {"OMP", "Galaxy S23", "", "Aurora 4.0", "",            "samsung", "unknown", "phone", "4.0"},
  {"OMP", "INOI R7", "", "iOS 16", "",                   "inoi", "unknown", "phone", "16"},
  {"OMP", "KVADRA_T", "", "", "phone",                   "yadro", "aurora", "phone", ""},
  {"OMP", "INOI R7", "android", "", "",                  "inoi", "android", "phone", ""},
  // "F+" is a brand, not the letter F.
  {"F", "", "", "", "",                                  "", "unknown", "unknown", ""},
  {"F-Secure", "", "", "", "",                           "", "unknown", "unknown", ""},
  {"YADRO", "KVADRA_T", "", "", "",                      "yadro", "aurora", "tablet", ""},
  {"", "KVADRA_T", "", "Аврора 4.0", "",                 "yadro", "aurora", "tablet", "4.0"},
  {"Jolla", "Jolla C2", "", "", "",                      "jolla", "sailfish", "phone", ""},
  {"Jolla Ltd.", "", "", "", "",                         "jolla", "sailfish", "unknown", ""},
  {"Jolla", "", "", "Android 13", "",                    "jolla", "android", "unknown", "13"},
  {"F(x)tec", "Pro1 X", "", "Sailfish OS 4.5", "",       "fxtec", "sailfish", "phone", "4.5"},
  {"", "F(x)tec Pro1 X", "", "", "",                     "fxtec", "unknown", "phone", ""},

  // Laptops, desktops, Windows tablets.
  {"Dell Inc.", "Latitude 7420", "", "Windows 10 Enterprise", "",
                                                         "dell", "windows", "laptop", "10"},
  {"", "OptiPlex 7090", "", "", "",                      "dell", "unknown", "desktop", ""},
  {"Dell", "XPS 13 9310", "", "", "",                    "dell", "unknown", "laptop", ""},
  {"Dell", "XPS 8960", "", "", "",                       "dell", "unknown", "desktop", ""},
  {"HP", "HP EliteBook 840 G8", "", "Windows 11 Pro", "", "hp", "windows", "laptop", "11"},
  {"Hewlett-Packard", "EliteDesk 800 G6", "", "", "",    "hp", "unknown", "desktop", ""},
  {"LENOVO", "ThinkPad X1 Carbon Gen 11", "", "Ubuntu 22.04", "",
                                                         "lenovo", "linux", "laptop", "22.04"},
  {"Lenovo", "Lenovo Tab M10", "", "", "",               "lenovo", "android", "tablet", ""},
  {"Microsoft Corporation", "Surface Pro 9", "", "", "", "microsoft", "windows", "tablet", ""},
  {"Microsoft", "Surface Laptop 5", "", "Windows 11", "", "microsoft", "windows", "laptop", "11"},
  {"Microsoft", "Surface Pro 9", "", "Android 13", "",   "microsoft", "unknown", "tablet", "13"},

  // Kind spellings.
  {"", "", "", "", "Mobile Phone",                       "", "unknown", "phone", ""},
  {"", "", "", "", "Notebook",                           "", "unknown", "laptop", ""},
  {"", "", "", "", "Планшет",                            "", "unknown", "tablet", ""},
  {"", "", "", "", "Workstation",                        "", "unknown", "desktop", ""},
  {"", "", "", "", "Mobile Workstation",                 "", "unknown", "laptop", ""},
  {"", "", "", "", "smartwatch",                         "", "unknown", "watch", ""},
  {"", "", "", "", "Computer",                           "", "unknown", "unknown", ""},

  // Conflicts, unknowns and garbage.
  {"Samsung", "iPhone 13", "", "", "",                   "samsung", "unknown", "unknown", ""},
  {"Samsung", "iPhone 13", "", "iOS 16", "",             "samsung", "unknown", "unknown", "16"},
  {"Apple", "Galaxy S23", "", "", "",                    "apple", "unknown", "unknown", ""},
  {"Foxconn", "iPhone 13", "", "", "",                   "apple", "ios", "phone", ""},
  {"", "", "", "", "",                                   "", "unknown", "unknown", ""},
  {" ", "\t", "  ", "\n", " ",                           "", "unknown", "unknown", ""},
  {"???", "!!!", "@@@", "###", "$$$",                    "", "unknown", "unknown", ""},
  {"Äpple", "Ìphone 13", "İOS 16", "", "",               "", "unknown", "unknown", ""},
  {"\xff\xfe", "\xc3\x28", "\xe0\x80\xaf", "\xf0\x28\x8c\xbc", "\x80",
                                                         "", "unknown", "unknown", ""},
  {"", "iPhone 13", "", "abc", "",                       "apple", "ios", "phone", ""},
  {"Unknown", "Unknown", "Unknown", "Unknown", "Unknown", "", "unknown", "unknown", ""},
  {"N/A", "N/A", "N/A", "N/A", "N/A",                    "", "unknown", "unknown", ""},
};
// clang-format on

std::string describe(const Case& c) {
  std::ostringstream out;
  out << "{vendor=\"" << c.vendor << "\" model=\"" << c.model << "\" platform=\"" << c.platform
      << "\" os_version=\"" << c.os_version << "\" kind=\"" << c.kind << "\"}";
  return out.str();
}

TEST(NormalizerTest, TableOfCases) {
  const Normalizer& n = Normalizer::builtin();
  int checked = 0;
  for (const Case& c : kCases) {
    const NormalizedDevice d = n.normalize({c.vendor, c.model, c.platform, c.os_version, c.kind});
    EXPECT_EQ(d.vendor, c.want_vendor) << describe(c);
    EXPECT_EQ(name(d.platform), c.want_platform) << describe(c);
    EXPECT_EQ(name(d.kind), c.want_kind) << describe(c);
    EXPECT_EQ(d.os_version, c.want_version) << describe(c);
    ++checked;
  }
  EXPECT_GE(checked, 150);
}

TEST(NormalizerTest, ModelNames) {
  const Normalizer& n = Normalizer::builtin();
  const auto model_name = [&](std::string_view model) {
    return n.normalize({.model = model}).model_name;
  };
  EXPECT_EQ(model_name("iPhone14,2"), "iPhone 13 Pro");
  EXPECT_EQ(model_name("IPHONE14,5"), "iPhone 13");
  EXPECT_EQ(model_name("iPad13,4"), "iPad Pro (11-inch, 3rd generation)");
  EXPECT_EQ(model_name("Mac14,2"), "MacBook Air (M2, 2022)");
  EXPECT_EQ(model_name("NOH-AN00"), "HUAWEI Mate 40 Pro");
  EXPECT_EQ(model_name("iPhone99,9"), "iPhone99,9");  // unknown identifier: as given
  EXPECT_EQ(model_name("  iPhone 13 Pro  "), "iPhone 13 Pro");
  EXPECT_EQ(model_name("X200"), "X200");
  EXPECT_EQ(model_name(""), "");
}

TEST(NormalizerTest, LongInputsAreCheapAndSafe) {
  const Normalizer& n = Normalizer::builtin();
  const std::string junk(100000, 'a');
  const NormalizedDevice d = n.normalize({junk, junk, junk, junk, junk});
  EXPECT_EQ(d.vendor, "");
  EXPECT_EQ(d.platform, Platform::kUnknown);
  EXPECT_EQ(d.kind, Kind::kUnknown);
  EXPECT_EQ(d.os_version, "");

  // Only the start of a field matters: a name followed by anything is still recognised.
  const std::string os = "Android 13 " + std::string(100000, 'x');
  const std::string model = "iPhone 13 " + std::string(100000, ' ') + "Pro";
  EXPECT_EQ(n.normalize({.os_version = os}).platform, Platform::kAndroid);
  EXPECT_EQ(n.normalize({.os_version = os}).os_version, "13");
  EXPECT_EQ(n.normalize({.model = model}).platform, Platform::kIos);

  // A version is capped rather than copied whole.
  const std::string long_version = "Windows " + std::string(200, '1');
  EXPECT_EQ(n.normalize({.os_version = long_version}).os_version, std::string(32, '1'));

  // An embedded NUL is an ordinary byte.
  const std::string with_nul("iPhone\0 13", 10);
  EXPECT_EQ(n.normalize({.model = with_nul}).vendor, "apple");
}

TEST(NormalizerTest, ExplicitCanonicalFieldsAreAlwaysKept) {
  const Normalizer& n = Normalizer::builtin();
  const std::vector<std::string_view> models = {"iPhone14,2", "NOH-AN00", "SM-S918B", "Pixel 7",
                                                "KVADRA_T",   "",         "garbage"};
  const std::vector<std::string_view> oses = {"iOS 16", "Android 13", "", "Aurora 4.0"};
  for (std::string_view platform : platformNames()) {
    if (platform == "unknown" || platform == "harmonyos") continue;  // see the next test
    for (std::string_view kind : kindNames()) {
      if (kind == "unknown") continue;
      for (std::string_view model : models) {
        for (std::string_view os : oses) {
          const NormalizedDevice d = n.normalize({"", model, platform, os, kind});
          EXPECT_EQ(name(d.platform), platform) << model << " / " << os;
          EXPECT_EQ(name(d.kind), kind) << model << " / " << os;
        }
      }
    }
  }
}

TEST(NormalizerTest, CanonicalHarmonyosIsSplitByVersion) {
  const Normalizer& n = Normalizer::builtin();
  EXPECT_EQ(n.normalize({.platform = "harmonyos", .os_version = "4.2"}).platform,
            Platform::kHarmonyos);
  EXPECT_EQ(n.normalize({.platform = "HarmonyOS", .os_version = "5.0.0"}).platform,
            Platform::kHarmonyosNext);
  EXPECT_EQ(n.normalize({.platform = "harmonyos"}).platform, Platform::kHarmonyos);
}

TEST(NormalizerTest, RandomBytesNeverBreakInvariants) {
  const Normalizer& n = Normalizer::builtin();
  std::mt19937 rng(20230401);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 40);
  const std::vector<std::string> seeds = {"iPhone14,2", "NOH-AN00", "HarmonyOS 5.0", "SM-S918B",
                                          "Аврора",     "iPad",     "Galaxy Tab",    "huawei p40"};
  for (int i = 0; i < 20000; ++i) {
    std::string fields[5];
    for (std::string& f : fields) {
      f = seeds[static_cast<std::size_t>(byte(rng)) % seeds.size()].substr(
          0, static_cast<std::size_t>(length(rng)));
      const int extra = length(rng);
      for (int k = 0; k < extra; ++k) f.push_back(static_cast<char>(byte(rng)));
    }
    const NormalizedDevice d = n.normalize({fields[0], fields[1], fields[2], fields[3], fields[4]});
    ASSERT_TRUE(parsePlatform(name(d.platform)).has_value());
    ASSERT_TRUE(parseKind(name(d.kind)).has_value());
    ASSERT_LE(d.os_version.size(), 32u);
    for (char c : d.os_version) ASSERT_TRUE((c >= '0' && c <= '9') || c == '.') << d.os_version;
    for (char c : d.vendor)
      ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
}

TEST(ParseOsStringTest, ReportsPlatformVersionAndImpliedFacts) {
  OsInfo info = parseOsString("iOS 16.4.1");
  EXPECT_TRUE(info.recognized);
  EXPECT_EQ(info.platform, Platform::kIos);
  EXPECT_EQ(info.version, "16.4.1");
  EXPECT_EQ(info.vendor, "apple");
  EXPECT_EQ(info.kind, Kind::kUnknown);

  info = parseOsString("iPadOS 17");
  EXPECT_EQ(info.platform, Platform::kIpados);
  EXPECT_EQ(info.kind, Kind::kTablet);

  info = parseOsString("HarmonyOS NEXT 5.0");
  EXPECT_EQ(info.platform, Platform::kHarmonyosNext);
  EXPECT_EQ(info.version, "5.0");
  EXPECT_EQ(info.vendor, "");

  // User-Agent spellings.
  info = parseOsString("iPhone OS 16_4_1");
  EXPECT_EQ(info.platform, Platform::kIos);
  EXPECT_EQ(info.version, "16.4.1");
  info = parseOsString("Android 13; SM-S918B");
  EXPECT_EQ(info.platform, Platform::kAndroid);
  EXPECT_EQ(info.version, "13");
  info = parseOsString("Windows NT 10.0; Win64; x64");
  EXPECT_EQ(info.platform, Platform::kWindows);
  EXPECT_EQ(info.version, "10.0");
  info = parseOsString("KAIOS/2.5");
  EXPECT_EQ(info.platform, Platform::kKaios);
  EXPECT_EQ(info.version, "2.5");

  // Names that cover several platforms, or none of the vocabulary: recognised, platform unknown.
  info = parseOsString("HarmonyOS");
  EXPECT_TRUE(info.recognized);
  EXPECT_EQ(info.platform, Platform::kUnknown);
  info = parseOsString("iOS/iPadOS 17.1");
  EXPECT_TRUE(info.recognized);
  EXPECT_EQ(info.platform, Platform::kUnknown);
  EXPECT_EQ(info.version, "17.1");
  EXPECT_EQ(info.vendor, "apple");
  info = parseOsString("tvOS 17");
  EXPECT_TRUE(info.recognized);
  EXPECT_EQ(info.platform, Platform::kUnknown);
  EXPECT_EQ(info.kind, Kind::kOther);

  info = parseOsString("EMUI 12");
  EXPECT_EQ(info.platform, Platform::kAndroid);
  EXPECT_EQ(info.version, "");

  info = parseOsString("16.4.1 (20E252)");
  EXPECT_FALSE(info.recognized);
  EXPECT_EQ(info.version, "16.4.1");

  for (std::string_view nothing : {"", "   ", "banana 12", "X200", "\xff\xff"}) {
    info = parseOsString(nothing);
    EXPECT_FALSE(info.recognized) << nothing;
    EXPECT_EQ(info.platform, Platform::kUnknown) << nothing;
    EXPECT_EQ(info.version, "") << nothing;
  }
}

TEST(NormalizerTablesTest, ShippedFileParsesAndMatchesEmbeddedTables) {
  const std::string path = std::string(PH_SOURCE_DIR) + "/data/platform/device_tables.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = Normalizer::fromText(text.str(), "device_tables.txt");
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  // Same behaviour as the embedded copy on every case of the table.
  for (const Case& c : kCases) {
    const RawDeviceFields raw{c.vendor, c.model, c.platform, c.os_version, c.kind};
    const NormalizedDevice a = (*parsed)->normalize(raw);
    const NormalizedDevice b = Normalizer::builtin().normalize(raw);
    EXPECT_EQ(a.vendor, b.vendor);
    EXPECT_EQ(a.platform, b.platform);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.os_version, b.os_version);
  }
}

TEST(NormalizerTablesTest, CustomTablesDriveTheResult) {
  const std::string text =
      "# a site's own table\n"
      "vendor | acme | ACME Corp\n"
      "os     | linux | AcmeOS | vendor=acme\n"
      "kind   | phone | handheld\n"
      "model  | rb-##* | acme | linux | phone | name=Roadrunner\n"
      "hwfamily | gizmo | acme | - | watch\n"
      "hwid   | gizmo1,1 | - | Gizmo One\n";
  auto parsed = Normalizer::fromText(text, "site.txt");
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  const Normalizer& n = **parsed;

  NormalizedDevice d = n.normalize({.model = "RB-42x"});
  EXPECT_EQ(d.vendor, "acme");
  EXPECT_EQ(d.platform, Platform::kLinux);
  EXPECT_EQ(d.kind, Kind::kPhone);
  EXPECT_EQ(d.model_name, "Roadrunner");

  d = n.normalize({.model = "Gizmo1,1", .os_version = "AcmeOS 3.2"});
  EXPECT_EQ(d.vendor, "acme");
  EXPECT_EQ(d.platform, Platform::kLinux);
  EXPECT_EQ(d.kind, Kind::kWatch);
  EXPECT_EQ(d.os_version, "3.2");
  EXPECT_EQ(d.model_name, "Gizmo One");

  d = n.normalize({.vendor = "ACME Corp., Ltd.", .kind = "Handheld"});
  EXPECT_EQ(d.vendor, "acme");
  EXPECT_EQ(d.kind, Kind::kPhone);
  // Spellings match whole words: "ACME Corp" is not a prefix of "ACME Corporation".
  EXPECT_EQ(n.normalize({.vendor = "ACME Corporation"}).vendor, "");

  // The built-in tables know nothing of ACME, and ACME's table nothing of Apple.
  EXPECT_EQ(Normalizer::builtin().normalize({.model = "RB-42x"}).vendor, "");
  EXPECT_EQ(n.normalize({.model = "iPhone 13"}).vendor, "");
  EXPECT_EQ(n.parseOs("iOS 16").recognized, false);
}

TEST(NormalizerTablesTest, PublishersSharedNamesAndBlanks) {
  const std::string text =
      "vendor | acme  | ACME Corp\n"
      "vendor | other | Other Co\n"
      "vendor | osco  | OSCo | publishes=linux\n"
      "vendor | plus  | Z+\n"
      "blank  | Unknown\n"
      "os     | linux | AcmeOS\n"
      "os     | android | Android\n"
      "model  | rb-##* | acme | (linux,android) | phone\n"
      "model  | z##    | acme | (linux,android) | tablet | shared=yes\n"
      "model  | z+ q#  | plus | - | watch\n";
  auto parsed = Normalizer::fromText(text, "site.txt");
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  const Normalizer& n = **parsed;

  // An OS publisher as vendor: the model names the maker, the publisher the platform.
  NormalizedDevice d = n.normalize({.vendor = "OSCo", .model = "RB-42x"});
  EXPECT_EQ(d.vendor, "acme");
  EXPECT_EQ(d.platform, Platform::kLinux);
  EXPECT_EQ(d.kind, Kind::kPhone);
  d = n.normalize({.vendor = "OSCo"});
  EXPECT_EQ(d.vendor, "osco");
  EXPECT_EQ(d.platform, Platform::kLinux);
  d = n.normalize({.vendor = "OSCo", .model = "RB-42x", .os_version = "Android 14"});
  EXPECT_EQ(d.vendor, "acme");
  EXPECT_EQ(d.platform, Platform::kUnknown);  // the publisher and the OS string disagree
  EXPECT_EQ(d.kind, Kind::kPhone);

  // A shared name is the rule's vendor's unless the vendor field names another maker.
  const auto shared = [&](std::string_view vendor) {
    return n.normalize({.vendor = vendor, .model = "Z10"});
  };
  EXPECT_EQ(shared("").vendor, "acme");
  EXPECT_EQ(shared("").kind, Kind::kTablet);
  EXPECT_EQ(shared("ACME Corp").kind, Kind::kTablet);
  EXPECT_EQ(shared("unknown").kind, Kind::kTablet);
  EXPECT_EQ(shared("OSCo").kind, Kind::kTablet);
  EXPECT_EQ(shared("OSCo").platform, Platform::kLinux);
  EXPECT_EQ(shared("Other Co").vendor, "other");
  EXPECT_EQ(shared("Other Co").kind, Kind::kUnknown);
  EXPECT_EQ(shared("Mystery Devices").vendor, "");
  EXPECT_EQ(shared("Mystery Devices").kind, Kind::kUnknown);
  // Not a conflict: the OS string still sets the platform.
  EXPECT_EQ(n.normalize({.vendor = "Other Co", .model = "Z10", .os_version = "AcmeOS 2"}).platform,
            Platform::kLinux);
  // Whole words: glued letters after the number, never more digits.
  EXPECT_EQ(n.normalize({.model = "Z10e"}).kind, Kind::kTablet);
  EXPECT_EQ(n.normalize({.model = "Z10 Pro"}).kind, Kind::kTablet);
  EXPECT_EQ(n.normalize({.model = "Z100"}).kind, Kind::kUnknown);
  EXPECT_EQ(n.normalize({.model = "XZ10"}).kind, Kind::kUnknown);
  EXPECT_EQ(n.normalize({.model = "Z10e2"}).kind, Kind::kUnknown);

  // A '+' glued to a brand is part of it, in the vendor field and before a model.
  EXPECT_EQ(n.normalize({.vendor = "Z+"}).vendor, "plus");
  EXPECT_EQ(n.normalize({.vendor = "Z"}).vendor, "");
  EXPECT_EQ(n.normalize({.vendor = "Z+", .model = "Q5"}).kind, Kind::kWatch);
  EXPECT_EQ(n.normalize({.model = "Z+ Q5"}).kind, Kind::kWatch);
}

TEST(NormalizerTablesTest, ErrorsNameSourceAndLine) {
  struct Bad {
    const char* text;
    const char* message_part;
  };
  const Bad bad_tables[] = {
      {"vendor | acme | ACME\n\ngadget | x | y\n", "t.txt:3: unknown record type 'gadget'"},
      {"os | beos | BeOS\n", "t.txt:1: unknown platform 'beos'"},
      {"os | iOS | iOS\n", "t.txt:1: unknown platform 'iOS'"},
      {"model | foo* | acme | - | phone\n", "t.txt:1: vendor 'acme' is not declared"},
      {"vendor | acme | ACME\nvendor | other | Acme\n",
       "t.txt:2: duplicate vendor spelling 'acme'"},
      {"vendor | ACME | ACME\n", "t.txt:1: vendor id 'ACME' must be lower-case"},
      {"vendor | acme | ACME\nmodel | f*o | acme | - | phone\n", "t.txt:2: '*' is only allowed"},
      {"vendor | acme | ACME\nmodel | f* | acme | - | phone\n",
       "t.txt:2: a pattern needs at least"},
      {"vendor | acme | ACME\nmodel | foo | acme | - \n", "t.txt:2: expected model |"},
      {"vendor | acme | ACME\nmodel | foo | acme | - | handset\n",
       "t.txt:2: unknown kind 'handset'"},
      {"vendor | acme | ACME\nmodel | foo | acme | (linux | phone\n", "t.txt:2: expected ')'"},
      {"vendor | acme | ACME\nmodel | foo | acme | linux | phone | color=red\n",
       "t.txt:2: unknown option 'color'"},
      {"vendor | acme | ACME\nmodel | foo | acme | linux | phone | name\n",
       "t.txt:2: expected key=value"},
      {"vendor | acme | ACME\nmodel | foo | acme | linux | phone\nmodel | foo | acme | - | -\n",
       "t.txt:3: duplicate model pattern"},
      {"os | linux | Foo | since=x\n", "t.txt:1: since= expects"},
      {"os | linux | Foo\nos | windows | FOO\n", "t.txt:2: duplicate OS name 'foo'"},
      {"os | linux | Foo | version=all\n", "t.txt:1: version= accepts only 'none'"},
      {"kind | gadget | thing\n", "t.txt:1: unknown kind 'gadget'"},
      {"kind | phone | mobile\nkind | tablet | Mobile\n", "t.txt:2: duplicate kind spelling"},
      {"hwid | gizmo1,1 | - | Gizmo\n", "t.txt:1: hardware family 'gizmo' is not declared"},
      {"vendor | acme | ACME\nhwfamily | gizmo | acme | - | watch\nhwid | gizmo | - | G\n",
       "t.txt:3: expected an identifier like iPhone14,2"},
      {"vendor | acme | ACME\nhwfamily | giz-mo | acme | - | watch\n",
       "t.txt:2: a hardware family is letters only"},
      {"vendor | acme | ACME\nmodel | foo | acme | linux | phone | older=ios\n",
       "t.txt:2: older= expects"},
      {"vendor | acme | ACME | platform=plan9\n", "t.txt:1: unknown platform 'plan9'"},
      {"vendor | acme | !!!\n", "t.txt:1: spelling has no letters or digits"},
      {"os | (linux) | Foo\n", "t.txt:1: a list of platforms needs at least two"},
      {"os | (linux,beos) | Foo\n", "t.txt:1: unknown platform 'beos'"},
      {"os | (linux,windows | Foo\n", "t.txt:1: expected ')'"},
      {"vendor | acme | ACME | publishes=plan9\n", "t.txt:1: unknown platform 'plan9'"},
      {"vendor | acme | ACME | platform=linux\nvendor | acme | Acme Corp | publishes=linux\n",
       "t.txt:2: vendor 'acme' has both platform= and publishes="},
      {"vendor | acme | ACME | publishes=linux\nvendor | acme | Acme Corp | publishes=windows\n",
       "t.txt:2: vendor 'acme' already has publishes=linux"},
      {"vendor | acme | ACME | color=red\n", "t.txt:1: unknown option 'color'"},
      {"vendor | acme | ACME\nmodel | foo | acme | - | phone | shared=no\n",
       "t.txt:2: shared= accepts only 'yes'"},
      {"vendor | acme | ACME\nhwfamily | gizmo | acme | - | watch | shared=yes\n",
       "t.txt:2: unknown option 'shared'"},
      {"blank | ???\n", "t.txt:1: spelling has no letters or digits"},
      {"blank | Unknown\nblank | UNKNOWN\n", "t.txt:2: duplicate blank spelling 'unknown'"},
      {"vendor | acme | ACME\nblank | Acme\n", "t.txt:2: blank spelling 'acme' names a vendor"},
      {"blank | a | b\n", "t.txt:1: expected blank | <spelling>"},
  };
  for (const Bad& bad : bad_tables) {
    auto parsed = Normalizer::fromText(bad.text, "t.txt");
    ASSERT_FALSE(parsed.isOk()) << bad.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(bad.message_part), std::string::npos)
        << "got: " << parsed.status().message() << "\nwanted: " << bad.message_part;
  }
}

TEST(NormalizerTablesTest, EmptyTablesKnowNothing) {
  auto parsed = Normalizer::fromText("# nothing\n\n", "empty.txt");
  ASSERT_TRUE(parsed.isOk());
  const NormalizedDevice d = (*parsed)->normalize({"Apple", "iPhone14,2", "", "iOS 16", ""});
  EXPECT_EQ(d.vendor, "");
  EXPECT_EQ(d.platform, Platform::kUnknown);
  EXPECT_EQ(d.kind, Kind::kUnknown);
  EXPECT_EQ(d.os_version, "");
  // Canonical fields need no table.
  EXPECT_EQ((*parsed)->normalize({.platform = "ios", .kind = "phone"}).platform, Platform::kIos);
}

}  // namespace
}  // namespace phaseout::platform
