#include "inventory/sample_org.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace phaseout::inventory {
namespace {

using platform::Channel;
using platform::DeviceState;
using platform::Kind;
using platform::Ownership;
using platform::Platform;

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and specified to the bit, so a seed gives the
// same stream everywhere. Bounded draws use the multiply-shift reduction on 32 bits; its bias
// (< 2^-32 * bound) does not matter for sample data and, unlike <random>, it is portable.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); bound must be > 0.
  std::uint32_t below(std::uint32_t bound) {
    return static_cast<std::uint32_t>(((next() >> 32) * bound) >> 32);
  }
  // True with probability per_10k / 10000.
  bool chance(std::uint32_t per_10k) { return below(10000) < per_10k; }
  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[below(static_cast<std::uint32_t>(items.size()))];
  }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(static_cast<std::uint32_t>(N))];
  }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(static_cast<std::uint32_t>(N))];
  }

 private:
  std::uint64_t state_;
};

// Derives independent streams (people, devices) from one seed, so that asking for a different
// number of devices leaves the people unchanged.
std::uint64_t streamSeed(std::uint64_t seed, std::uint64_t stream) {
  Rng mix(seed ^ (stream * 0xd1b54a32d192ed03ULL));
  return mix.next();
}

// Weighted choice over items with a `weight` member.
template <typename Range>
const auto& pickWeighted(Rng& rng, const Range& items, std::uint32_t total_weight) {
  std::uint32_t r = rng.below(total_weight);
  for (const auto& item : items) {
    if (r < item.weight) return item;
    r -= item.weight;
  }
  return *std::prev(std::end(items));
}

template <typename Range>
std::uint32_t totalWeight(const Range& items) {
  std::uint32_t total = 0;
  for (const auto& item : items) total += item.weight;
  return total;
}

// A bijection on [0, 2^bits): distinct indices give distinct codes, which keeps serials, IMEIs
// and MACs unique without remembering the ones already issued, while looking random.
std::uint64_t permute(std::uint64_t index, unsigned bits, std::uint64_t key) {
  const std::uint64_t mask = (bits == 64) ? ~0ULL : ((1ULL << bits) - 1);
  std::uint64_t x = (index ^ key) & mask;
  x = (x * 0x9e3779b97f4a7c15ULL) & mask;  // odd multiplier: invertible modulo 2^bits
  x ^= x >> (bits / 2);                    // xor-shift: invertible
  x = (x * 0xc2b2ae3d27d4eb4fULL) & mask;
  x ^= x >> (bits / 3);
  return x;
}

// ---------------------------------------------------------------------------------------------
// The organisation.

struct UnitSpec {
  std::string_view path;
  std::uint32_t weight;  // relative head count
};

// The Presidential Administration's directorates (simplified), then units that share a prefix
// with `pa` in their text but are not under it, so that scope matching is exercised.
const std::vector<UnitSpec>& unitSpecs() {
  static const std::vector<UnitSpec> kUnits = {
      {"pa", 10},
      {"pa/chancellery", 60},
      {"pa/domestic-policy", 50},
      {"pa/domestic-policy/regions", 45},
      {"pa/domestic-policy/parties", 25},
      {"pa/domestic-policy/monitoring", 30},
      {"pa/press", 35},
      {"pa/press/accreditation", 12},
      {"pa/protocol", 30},
      {"pa/legal", 55},
      {"pa/public-projects", 35},
      {"pa/state-council", 35},
      {"pa/personnel", 45},
      {"pa/security-council-liaison", 20},
      {"pa/foreign-policy", 40},
      {"pa/interregional-ties", 25},
      {"pa/expert", 30},
      {"pa/control", 45},
      {"pa/citizens-appeals", 60},
      {"pa/anti-corruption", 20},
      {"pa/documents", 40},
      {"pa/it", 40},
      {"pa/it/security", 15},
      {"pa-press", 25},
      {"gov/pa", 10},
      {"gov/ministry-digital", 35},
      {"gov/ministry-finance", 30},
  };
  return kUnits;
}

constexpr std::string_view kSecurityUnit = "pa/it/security";

// Transliterated (BGN/PCGN-like, simplified) Russian names.
constexpr std::array kMaleFirstNames = std::to_array<std::string_view>({
    "Aleksandr",  "Aleksei", "Andrei",   "Anton",     "Artyom",     "Boris",     "Vadim",
    "Valery",     "Viktor",  "Vladimir", "Vladislav", "Gennady",    "Georgy",    "Grigory",
    "Denis",      "Dmitry",  "Evgeny",   "Igor",      "Ilya",       "Ivan",      "Kirill",
    "Konstantin", "Leonid",  "Maksim",   "Mikhail",   "Nikita",     "Nikolai",   "Oleg",
    "Pavel",      "Pyotr",   "Roman",    "Ruslan",    "Sergei",     "Stanislav", "Stepan",
    "Timur",      "Fyodor",  "Yuri",     "Yaroslav",  "Vyacheslav",
});
constexpr std::array kFemaleFirstNames = std::to_array<std::string_view>({
    "Aleksandra", "Alina",   "Alla",     "Anastasia", "Anna",      "Valentina", "Valeria",  "Vera",
    "Viktoria",   "Galina",  "Darya",    "Evgenia",   "Ekaterina", "Elena",     "Zhanna",   "Zoya",
    "Inna",       "Irina",   "Kristina", "Larisa",    "Lyudmila",  "Margarita", "Marina",   "Maria",
    "Nadezhda",   "Natalia", "Nina",     "Oksana",    "Olga",      "Polina",    "Svetlana", "Sofia",
    "Tatiana",    "Ulyana",  "Yulia",    "Yana",
});
// {male form, female form}
constexpr std::array kPatronymics = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"Aleksandrovich", "Aleksandrovna"},
    {"Alekseevich", "Alekseevna"},
    {"Andreevich", "Andreevna"},
    {"Anatolyevich", "Anatolyevna"},
    {"Borisovich", "Borisovna"},
    {"Vasilyevich", "Vasilyevna"},
    {"Valeryevich", "Valeryevna"},
    {"Viktorovich", "Viktorovna"},
    {"Vladimirovich", "Vladimirovna"},
    {"Gennadyevich", "Gennadyevna"},
    {"Dmitrievich", "Dmitrievna"},
    {"Evgenyevich", "Evgenyevna"},
    {"Igorevich", "Igorevna"},
    {"Ivanovich", "Ivanovna"},
    {"Konstantinovich", "Konstantinovna"},
    {"Mikhailovich", "Mikhailovna"},
    {"Nikolaevich", "Nikolaevna"},
    {"Olegovich", "Olegovna"},
    {"Pavlovich", "Pavlovna"},
    {"Petrovich", "Petrovna"},
    {"Sergeevich", "Sergeevna"},
    {"Yurievich", "Yurievna"},
});
// Male forms; every one ends in -ov, -ev, -in or -yn, whose female form adds "a".
constexpr std::array kSurnames = std::to_array<std::string_view>({
    "Ivanov",      "Smirnov",      "Kuznetsov",  "Popov",      "Vasilyev",    "Petrov",
    "Sokolov",     "Mikhailov",    "Novikov",    "Fyodorov",   "Morozov",     "Volkov",
    "Alekseev",    "Lebedev",      "Semyonov",   "Egorov",     "Pavlov",      "Kozlov",
    "Stepanov",    "Nikolaev",     "Orlov",      "Andreev",    "Makarov",     "Nikitin",
    "Zakharov",    "Zaitsev",      "Solovyov",   "Borisov",    "Yakovlev",    "Grigoryev",
    "Romanov",     "Vorobyov",     "Sergeev",    "Frolov",     "Aleksandrov", "Dmitriev",
    "Korolev",     "Gusev",        "Kiselev",    "Ilyin",      "Maksimov",    "Polyakov",
    "Sorokin",     "Vinogradov",   "Kovalev",    "Belov",      "Medvedev",    "Antonov",
    "Tarasov",     "Zhukov",       "Baranov",    "Filippov",   "Komarov",     "Davydov",
    "Belyaev",     "Gerasimov",    "Bogdanov",   "Osipov",     "Sidorov",     "Matveev",
    "Titov",       "Markov",       "Mironov",    "Krylov",     "Kulikov",     "Karpov",
    "Vlasov",      "Melnikov",     "Denisov",    "Gavrilov",   "Tikhonov",    "Kazakov",
    "Afanasyev",   "Danilov",      "Savelyev",   "Timofeev",   "Fomin",       "Chernov",
    "Abramov",     "Martynov",     "Efimov",     "Fedotov",    "Shcherbakov", "Nazarov",
    "Kalinin",     "Isaev",        "Chernyshev", "Bykov",      "Maslov",      "Rodionov",
    "Konovalov",   "Lazarev",      "Voronin",    "Klimov",     "Filatov",     "Ponomaryov",
    "Golubev",     "Kudryavtsev",  "Prokhorov",  "Naumov",     "Potapov",     "Zhuravlev",
    "Ovchinnikov", "Trofimov",     "Leonov",     "Sobolev",    "Ermakov",     "Kolesnikov",
    "Goncharov",   "Emelyanov",    "Nikiforov",  "Grachev",    "Kotov",       "Grishin",
    "Efremov",     "Arkhipov",     "Gromov",     "Kirillov",   "Malyshev",    "Panov",
    "Moiseev",     "Rumyantsev",   "Akimov",     "Kondratyev", "Biryukov",    "Gorbunov",
    "Anisimov",    "Eremin",       "Tikhomirov", "Galkin",     "Lukyanov",    "Mikheev",
    "Skvortsov",   "Yudin",        "Belousov",   "Nesterov",   "Simonov",     "Prokofyev",
    "Kharitonov",  "Knyazev",      "Tsvetkov",   "Levin",      "Mitrofanov",  "Voronov",
    "Aksyonov",    "Sofronov",     "Maltsev",    "Loginov",    "Gorshkov",    "Savin",
    "Krasnov",     "Mayorov",      "Demidov",    "Eliseev",    "Rybakov",     "Safonov",
    "Plotnikov",   "Demin",        "Khokhlov",   "Fadeev",     "Molchanov",   "Ignatov",
    "Litvinov",    "Ershov",       "Ushakov",    "Dementyev",  "Ryabov",      "Mukhin",
    "Kalashnikov", "Leontyev",     "Lobanov",    "Kuzin",      "Korneev",     "Evdokimov",
    "Borodin",     "Platonov",     "Nekrasov",   "Balashov",   "Bobrov",      "Zhdanov",
    "Blinov",      "Ignatyev",     "Korotkov",   "Muravyov",   "Kryukov",     "Belyakov",
    "Bogomolov",   "Drozdov",      "Lavrov",     "Zuev",       "Petukhov",    "Larin",
    "Nikulin",     "Serov",        "Terentyev",  "Zotov",      "Ustinov",     "Fokin",
    "Samoylov",    "Konstantinov", "Lapin",      "Lukin",
});

// What the device generator needs to know about a holder.
struct HolderInfo {
  std::string_view first_name;
  bool left = false;
};

std::string zeroPadded(std::string_view prefix, std::size_t number, std::size_t width) {
  std::string digits = std::to_string(number);
  std::string out(prefix);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
  return out;
}

std::size_t digitCount(std::size_t n) {
  std::size_t digits = 1;
  while (n >= 10) {
    n /= 10;
    ++digits;
  }
  return digits;
}

void appendLower(std::string& out, std::string_view s) {
  for (char c : s) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ---------------------------------------------------------------------------------------------
// The device catalogue: what officials of a Russian government body held in early 2023.

enum class Category { kPhone, kTablet, kLaptop, kDesktop, kWatch };

enum class HostStyle { kApplePhone, kAppleTablet, kMac, kAndroid, kWindows, kLinux, kWatch };

struct Product {
  Kind kind;
  Platform platform;
  std::string_view hardware_id;  // what an MDM reports ("iPhone14,2"), "" when not used
  std::string_view marketing;    // what an asset register says ("iPhone 13 Pro")
  std::span<const std::string_view> vendor_spellings;
  std::string_view os_name;  // "iOS"; the full OS string is os_name + " " + version
  std::span<const std::string_view> os_versions;
  HostStyle host_style;
  std::uint32_t weight;        // relative frequency within the category
  bool parallel_only = false;  // not sold officially in Russia in 2023: parallel import
  bool cellular = true;        // has an IMEI
};

constexpr std::string_view kApple[] = {"Apple", "Apple Inc.", "APPLE"};
constexpr std::string_view kSamsung[] = {"samsung", "Samsung Electronics", "SAMSUNG"};
constexpr std::string_view kXiaomi[] = {"Xiaomi", "XIAOMI", "Xiaomi Communications"};
constexpr std::string_view kHuawei[] = {"HUAWEI", "Huawei Technologies Co., Ltd.",
                                        "Huawei Device Co."};
constexpr std::string_view kHonor[] = {"HONOR", "Honor Device Co., Ltd."};
constexpr std::string_view kAuroraMakers[] = {"INOI", "OMP", "Open Mobile Platform"};
constexpr std::string_view kIos16[] = {"16.1.2", "16.2", "16.3", "16.3.1", "16.3.1"};
constexpr std::string_view kIos15To16[] = {"15.7.3", "16.1.2", "16.2", "16.3", "16.3.1"};
constexpr std::string_view kIpados[] = {"15.7.3", "16.2", "16.3", "16.3.1"};
constexpr std::string_view kMacos[] = {"12.6.3", "13.1", "13.2", "13.2.1"};
constexpr std::string_view kAndroid13[] = {"13"};
constexpr std::string_view kAndroid12To13[] = {"12", "13", "13"};
constexpr std::string_view kAndroid11To13[] = {"11", "12", "13"};
constexpr std::string_view kAndroid10[] = {"10"};
constexpr std::string_view kAndroid11To12[] = {"11", "12"};
constexpr std::string_view kHarmony[] = {"2.0", "3.0", "3.0"};
constexpr std::string_view kHarmony3[] = {"3.0"};
constexpr std::string_view kAurora[] = {"4.0.1", "4.0.2", "4.0.2"};
constexpr std::string_view kWindows[] = {"10 Pro", "10 Pro 22H2", "11 Pro", "11 Pro 22H2"};
constexpr std::string_view kWatchos[] = {"9.2", "9.3", "9.3.1"};

constexpr std::string_view kAndroid12[] = {"12"};
constexpr std::string_view kRealme[] = {"realme"};
constexpr std::string_view kTecno[] = {"TECNO", "TECNO MOBILE LIMITED"};
constexpr std::string_view kGoogle[] = {"Google"};
constexpr std::string_view kMacos13[] = {"13.1", "13.2", "13.2.1"};
constexpr std::string_view kLenovo[] = {"LENOVO", "Lenovo"};
constexpr std::string_view kHp[] = {"HP", "HP Inc."};
constexpr std::string_view kDell[] = {"Dell Inc.", "DELL"};
constexpr std::string_view kAstra[] = {"1.7", "1.7.3"};

const std::vector<Product>& phones() {
  static const std::vector<Product> kPhones = {
      // Apple: about 45% of phones. The iPhone 14 line arrived after Apple stopped selling in
      // Russia (March 2022), so every one came through parallel import.
      {Kind::kPhone, Platform::kIos, "iPhone14,7", "iPhone 14", kApple, "iOS", kIos16,
       HostStyle::kApplePhone, 45, true},
      {Kind::kPhone, Platform::kIos, "iPhone15,2", "iPhone 14 Pro", kApple, "iOS", kIos16,
       HostStyle::kApplePhone, 35, true},
      {Kind::kPhone, Platform::kIos, "iPhone15,3", "iPhone 14 Pro Max", kApple, "iOS", kIos16,
       HostStyle::kApplePhone, 20, true},
      {Kind::kPhone, Platform::kIos, "iPhone14,5", "iPhone 13", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 70},
      {Kind::kPhone, Platform::kIos, "iPhone14,2", "iPhone 13 Pro", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 55},
      {Kind::kPhone, Platform::kIos, "iPhone14,3", "iPhone 13 Pro Max", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 30},
      {Kind::kPhone, Platform::kIos, "iPhone14,4", "iPhone 13 mini", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 15},
      {Kind::kPhone, Platform::kIos, "iPhone13,2", "iPhone 12", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 50},
      {Kind::kPhone, Platform::kIos, "iPhone13,3", "iPhone 12 Pro", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 30},
      {Kind::kPhone, Platform::kIos, "iPhone12,1", "iPhone 11", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 45},
      {Kind::kPhone, Platform::kIos, "iPhone12,8", "iPhone SE (2nd generation)", kApple, "iOS",
       kIos15To16, HostStyle::kApplePhone, 20},
      {Kind::kPhone, Platform::kIos, "iPhone14,6", "iPhone SE (3rd generation)", kApple, "iOS",
       kIos15To16, HostStyle::kApplePhone, 10},
      {Kind::kPhone, Platform::kIos, "iPhone11,8", "iPhone XR", kApple, "iOS", kIos15To16,
       HostStyle::kApplePhone, 25},
      // Samsung (model codes of the international "B"/"F" variants).
      {Kind::kPhone, Platform::kAndroid, "SM-S918B", "Galaxy S23 Ultra", kSamsung, "Android",
       kAndroid13, HostStyle::kAndroid, 15, true},
      {Kind::kPhone, Platform::kAndroid, "SM-S911B", "Galaxy S23", kSamsung, "Android", kAndroid13,
       HostStyle::kAndroid, 10, true},
      {Kind::kPhone, Platform::kAndroid, "SM-S908B", "Galaxy S22 Ultra", kSamsung, "Android",
       kAndroid12To13, HostStyle::kAndroid, 30},
      {Kind::kPhone, Platform::kAndroid, "SM-S901B", "Galaxy S22", kSamsung, "Android",
       kAndroid12To13, HostStyle::kAndroid, 25},
      {Kind::kPhone, Platform::kAndroid, "SM-G991B", "Galaxy S21", kSamsung, "Android",
       kAndroid12To13, HostStyle::kAndroid, 25},
      {Kind::kPhone, Platform::kAndroid, "SM-A536B", "Galaxy A53 5G", kSamsung, "Android",
       kAndroid12To13, HostStyle::kAndroid, 35},
      {Kind::kPhone, Platform::kAndroid, "SM-A325F", "Galaxy A32", kSamsung, "Android",
       kAndroid11To13, HostStyle::kAndroid, 20},
      {Kind::kPhone, Platform::kAndroid, "SM-F936B", "Galaxy Z Fold4", kSamsung, "Android",
       kAndroid12To13, HostStyle::kAndroid, 10},
      // Xiaomi: registers use the marketing name; MDMs report a model number for some.
      {Kind::kPhone, Platform::kAndroid, "", "Redmi Note 12", kXiaomi, "Android", kAndroid12To13,
       HostStyle::kAndroid, 25},
      {Kind::kPhone, Platform::kAndroid, "2201117TY", "Redmi Note 11", kXiaomi, "Android",
       kAndroid11To13, HostStyle::kAndroid, 30},
      {Kind::kPhone, Platform::kAndroid, "M2101K6G", "Redmi Note 10 Pro", kXiaomi, "Android",
       kAndroid11To13, HostStyle::kAndroid, 15},
      {Kind::kPhone, Platform::kAndroid, "", "Xiaomi 12T", kXiaomi, "Android", kAndroid12To13,
       HostStyle::kAndroid, 20},
      {Kind::kPhone, Platform::kAndroid, "", "Xiaomi 12 Lite", kXiaomi, "Android", kAndroid12To13,
       HostStyle::kAndroid, 15},
      {Kind::kPhone, Platform::kAndroid, "", "Xiaomi 13", kXiaomi, "Android", kAndroid13,
       HostStyle::kAndroid, 5},
      {Kind::kPhone, Platform::kAndroid, "", "POCO X5 Pro 5G", kXiaomi, "Android", kAndroid12To13,
       HostStyle::kAndroid, 10},
      // Huawei: international models run EMUI on Android; Chinese models run HarmonyOS.
      {Kind::kPhone, Platform::kAndroid, "ELS-NX9", "P40 Pro", kHuawei, "Android", kAndroid10,
       HostStyle::kAndroid, 15},
      {Kind::kPhone, Platform::kAndroid, "NOH-NX9", "Mate 40 Pro", kHuawei, "Android", kAndroid10,
       HostStyle::kAndroid, 15},
      {Kind::kPhone, Platform::kAndroid, "ANA-NX9", "P40", kHuawei, "Android", kAndroid10,
       HostStyle::kAndroid, 10},
      {Kind::kPhone, Platform::kAndroid, "ELE-L29", "P30", kHuawei, "Android", kAndroid10,
       HostStyle::kAndroid, 10},
      {Kind::kPhone, Platform::kHarmonyos, "NOH-AN00", "Mate 40 Pro", kHuawei, "HarmonyOS",
       kHarmony, HostStyle::kAndroid, 20},
      {Kind::kPhone, Platform::kHarmonyos, "DCO-AL00", "Mate 50 Pro", kHuawei, "HarmonyOS",
       kHarmony3, HostStyle::kAndroid, 15, true},
      {Kind::kPhone, Platform::kHarmonyos, "CET-AL00", "Mate 50", kHuawei, "HarmonyOS", kHarmony3,
       HostStyle::kAndroid, 10, true},
      {Kind::kPhone, Platform::kHarmonyos, "ABR-AL00", "P50", kHuawei, "HarmonyOS", kHarmony,
       HostStyle::kAndroid, 10},
      {Kind::kPhone, Platform::kHarmonyos, "JAD-AL50", "P50 Pro", kHuawei, "HarmonyOS", kHarmony,
       HostStyle::kAndroid, 15},
      // Honor (independent of Huawei since 2020, Android).
      {Kind::kPhone, Platform::kAndroid, "FNE-NX9", "HONOR 70", kHonor, "Android", kAndroid12,
       HostStyle::kAndroid, 25},
      {Kind::kPhone, Platform::kAndroid, "TFY-LX1", "HONOR X8", kHonor, "Android", kAndroid11To12,
       HostStyle::kAndroid, 20},
      {Kind::kPhone, Platform::kAndroid, "NTH-NX9", "HONOR 50", kHonor, "Android", kAndroid11To12,
       HostStyle::kAndroid, 15},
      {Kind::kPhone, Platform::kAndroid, "LGE-NX9", "HONOR Magic4 Pro", kHonor, "Android",
       kAndroid12, HostStyle::kAndroid, 10},
      // Aurora OS (Open Mobile Platform), the domestic allowed replacement.
      {Kind::kPhone, Platform::kAurora, "", "INOI R7", kAuroraMakers, "Aurora OS", kAurora,
       HostStyle::kLinux, 15},
      // Others sold in Russia.
      {Kind::kPhone, Platform::kAndroid, "RMX3511", "realme C35", kRealme, "Android",
       kAndroid11To12, HostStyle::kAndroid, 10},
      {Kind::kPhone, Platform::kAndroid, "", "TECNO CAMON 19", kTecno, "Android", kAndroid12To13,
       HostStyle::kAndroid, 10},
      {Kind::kPhone, Platform::kAndroid, "", "Pixel 7", kGoogle, "Android", kAndroid13,
       HostStyle::kAndroid, 10, true},
  };
  return kPhones;
}

const std::vector<Product>& tablets() {
  static const std::vector<Product> kTablets = {
      {Kind::kTablet, Platform::kIpados, "iPad13,4", "iPad Pro 11-inch (3rd generation)", kApple,
       "iPadOS", kIpados, HostStyle::kAppleTablet, 25, false, false},
      {Kind::kTablet, Platform::kIpados, "iPad13,16", "iPad Air (5th generation)", kApple, "iPadOS",
       kIpados, HostStyle::kAppleTablet, 20, false, false},
      {Kind::kTablet, Platform::kIpados, "iPad12,1", "iPad (9th generation)", kApple, "iPadOS",
       kIpados, HostStyle::kAppleTablet, 30, false, false},
      {Kind::kTablet, Platform::kIpados, "iPad14,1", "iPad mini (6th generation)", kApple, "iPadOS",
       kIpados, HostStyle::kAppleTablet, 10, false, false},
      {Kind::kTablet, Platform::kIpados, "iPad13,8", "iPad Pro 12.9-inch (5th generation)", kApple,
       "iPadOS", kIpados, HostStyle::kAppleTablet, 10, false, false},
      {Kind::kTablet, Platform::kAndroid, "SM-X700", "Galaxy Tab S8", kSamsung, "Android",
       kAndroid12To13, HostStyle::kAndroid, 20, false, false},
      {Kind::kTablet, Platform::kAndroid, "SM-T505", "Galaxy Tab A7", kSamsung, "Android",
       kAndroid11To12, HostStyle::kAndroid, 15, false, true},
      {Kind::kTablet, Platform::kHarmonyos, "DBY-W09", "MatePad 11", kHuawei, "HarmonyOS", kHarmony,
       HostStyle::kAndroid, 15, false, false},
      {Kind::kTablet, Platform::kAurora, "", "INOI T8", kAuroraMakers, "Aurora OS", kAurora,
       HostStyle::kLinux, 5, false, true},
  };
  return kTablets;
}

const std::vector<Product>& laptops() {
  static const std::vector<Product> kLaptops = {
      {Kind::kLaptop, Platform::kMacos, "MacBookPro18,3", "MacBook Pro (14-inch, 2021)", kApple,
       "macOS", kMacos, HostStyle::kMac, 15, false, false},
      {Kind::kLaptop, Platform::kMacos, "MacBookPro18,1", "MacBook Pro (16-inch, 2021)", kApple,
       "macOS", kMacos, HostStyle::kMac, 10, false, false},
      {Kind::kLaptop, Platform::kMacos, "MacBookAir10,1", "MacBook Air (M1, 2020)", kApple, "macOS",
       kMacos, HostStyle::kMac, 20, false, false},
      {Kind::kLaptop, Platform::kMacos, "Mac14,2", "MacBook Air (M2, 2022)", kApple, "macOS",
       kMacos13, HostStyle::kMac, 10, true, false},
      {Kind::kLaptop, Platform::kWindows, "20XW0026RT", "ThinkPad X1 Carbon Gen 9", kLenovo,
       "Windows", kWindows, HostStyle::kWindows, 25, false, false},
      {Kind::kLaptop, Platform::kWindows, "", "HP EliteBook 840 G8 Notebook PC", kHp, "Windows",
       kWindows, HostStyle::kWindows, 20, false, false},
      {Kind::kLaptop, Platform::kWindows, "", "MateBook D 15", kHuawei, "Windows", kWindows,
       HostStyle::kWindows, 15, false, false},
      {Kind::kLaptop, Platform::kWindows, "", "Latitude 5420", kDell, "Windows", kWindows,
       HostStyle::kWindows, 10, false, false},
  };
  return kLaptops;
}

const std::vector<Product>& desktops() {
  static const std::vector<Product> kDesktops = {
      {Kind::kDesktop, Platform::kWindows, "", "HP ProDesk 400 G7 Microtower PC", kHp, "Windows",
       kWindows, HostStyle::kWindows, 30, false, false},
      {Kind::kDesktop, Platform::kWindows, "", "ThinkCentre M70q", kLenovo, "Windows", kWindows,
       HostStyle::kWindows, 20, false, false},
      {Kind::kDesktop, Platform::kLinux, "", "ThinkCentre M70q", kLenovo, "Astra Linux", kAstra,
       HostStyle::kLinux, 10, false, false},
      {Kind::kDesktop, Platform::kMacos, "iMac21,1", "iMac (24-inch, M1, 2021)", kApple, "macOS",
       kMacos, HostStyle::kMac, 10, false, false},
  };
  return kDesktops;
}

const std::vector<Product>& watches() {
  static const std::vector<Product> kWatches = {
      {Kind::kWatch, Platform::kWatchos, "Watch6,1", "Apple Watch Series 6", kApple, "watchOS",
       kWatchos, HostStyle::kWatch, 10, false, false},
      {Kind::kWatch, Platform::kWatchos, "Watch6,6", "Apple Watch Series 7", kApple, "watchOS",
       kWatchos, HostStyle::kWatch, 10, false, false},
  };
  return kWatches;
}

struct CategoryWeight {
  Category category;
  std::uint32_t weight;
};
// A person's devices beyond their main phone.
constexpr CategoryWeight kExtraCategories[] = {
    {Category::kPhone, 40},  {Category::kTablet, 25}, {Category::kLaptop, 25},
    {Category::kDesktop, 6}, {Category::kWatch, 4},
};

// Devices that no table can identify: a no-name handset with a bare model string.
constexpr std::string_view kUnknownModels[] = {"X-200", "X-200", "X-200S"};

// How an export describes a device; mixing them is what makes the importer's inference matter.
enum class ExportStyle {
  kMdm,            // hardware identifier, vendor spelling, full OS string, no platform/kind
  kAssetRegister,  // marketing name, bare OS version with explicit platform and kind
  kSparse,         // a model string and little else
};

constexpr std::string_view kAlnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // no I, O (as Apple)
constexpr std::string_view kHex = "0123456789abcdef";

class Generator {
 public:
  explicit Generator(const SampleOrgOptions& options)
      : options_(options),
        device_count_(sampleOrgDeviceCount(options)),
        person_width_(std::max<std::size_t>(5, digitCount(options.people))),
        device_width_(std::max<std::size_t>(6, digitCount(device_count_))),
        people_rng_(streamSeed(options.seed, 1)),
        device_rng_(streamSeed(options.seed, 2)),
        id_key_(streamSeed(options.seed, 3)) {}

  void run(const std::function<void(const Person&)>& on_person,
           const std::function<void(const Device&)>& on_device) {
    holders_.reserve(options_.people);
    Person person;
    for (std::size_t i = 0; i < options_.people; ++i) {
      makePerson(i, person);
      if (on_person) on_person(person);
    }
    emails_.clear();
    Device device;
    for (std::size_t i = 0; i < device_count_; ++i) {
      makeDevice(i, device);
      if (on_device) on_device(device);
    }
  }

 private:
  void makePerson(std::size_t index, Person& person) {
    Rng& rng = people_rng_;
    const std::vector<UnitSpec>& units = unitSpecs();
    static const std::uint32_t kUnitTotal = totalWeight(units);
    const UnitSpec& unit = pickWeighted(rng, units, kUnitTotal);

    const bool female = rng.chance(4200);
    const std::string_view first = female ? rng.pick(kFemaleFirstNames) : rng.pick(kMaleFirstNames);
    const auto& patronymic = rng.pick(kPatronymics);
    const std::string_view surname = rng.pick(kSurnames);

    person.person_id = zeroPadded("P-", index + 1, person_width_);
    person.name.assign(first);
    person.name += ' ';
    person.name += female ? patronymic.second : patronymic.first;
    person.name += ' ';
    person.name += surname;
    if (female) person.name += 'a';
    person.unit.assign(unit.path);

    // The local part is "<initial>.<surname>", numbered from 2 on a clash, as mail admins do.
    std::string local;
    appendLower(local, first.substr(0, 1));
    local += '.';
    appendLower(local, surname);
    if (female) local += 'a';
    const bool government = unit.path.substr(0, 4) == "gov/";
    std::string key = local;
    key += government ? "@gov.example" : "@pa.example";
    const std::uint32_t seen = ++emails_[key];
    person.email = local;
    if (seen > 1) person.email += std::to_string(seen);
    person.email += government ? "@gov.example" : "@pa.example";

    // Roles: the first person met in a unit is its unit officer; the next few people of the
    // security unit are security officers; everyone else is an official, staff or contractor.
    person.roles.clear();
    bool special = false;
    const std::uint32_t unit_count = ++unit_heads_[unit.path];
    if (unit_count == 1) {
      person.roles = {"official", "unit-officer"};
      special = true;
    } else if (unit.path == kSecurityUnit && unit_count <= 1 + securityOfficerCount()) {
      person.roles = {"official", "security-officer"};
      special = true;
    } else {
      const std::uint32_t r = rng.below(100);
      if (r < 84) {
        person.roles = {"official"};
      } else if (r < 95) {
        person.roles = {"staff"};
      } else {
        person.roles = {"contractor"};
      }
    }
    const bool left = !special && rng.chance(100);
    person.status = left ? EmploymentStatus::kLeft : EmploymentStatus::kActive;
    holders_.push_back(HolderInfo{first, left});
  }

  std::size_t securityOfficerCount() const { return 1 + options_.people / 1000; }

  const Product& pickProduct(Category category) {
    switch (category) {
      case Category::kPhone:
        return pickFrom(phones());
      case Category::kTablet:
        return pickFrom(tablets());
      case Category::kLaptop:
        return pickFrom(laptops());
      case Category::kDesktop:
        return pickFrom(desktops());
      case Category::kWatch:
        return pickFrom(watches());
    }
    return pickFrom(phones());
  }
  const Product& pickFrom(const std::vector<Product>& products) {
    // Few categories, few products: recomputing the total is cheaper than a cache lookup.
    return pickWeighted(device_rng_, products, totalWeight(products));
  }

  void makeDevice(std::size_t index, Device& device) {
    Rng& rng = device_rng_;
    const std::size_t people = options_.people;

    // Slot i < people is person i's main phone (3% of people have none registered, and their
    // slot becomes an extra device of someone else); later slots are extra devices.
    std::size_t holder = people;  // people == none
    Category category = Category::kPhone;
    if (index < people && !rng.chance(300)) {
      holder = index;
    } else {
      static const std::uint32_t kCategoryTotal = totalWeight(kExtraCategories);
      category = pickWeighted(rng, kExtraCategories, kCategoryTotal).category;
      if (people > 0 && !rng.chance(30)) holder = rng.below(static_cast<std::uint32_t>(people));
    }

    device = Device{};
    device.device_id = zeroPadded("D-", index + 1, device_width_);
    if (holder < people) device.holder = zeroPadded("P-", holder + 1, person_width_);
    const HolderInfo* info = holder < people ? &holders_[holder] : nullptr;

    if (rng.chance(30)) {
      makeUnknownDevice(index, device);
    } else {
      describeProduct(pickProduct(category), index, info, device);
    }

    // Ownership and channel are about the device, not its description.
    if (device.kind == Kind::kLaptop || device.kind == Kind::kDesktop) {
      device.ownership = rng.chance(9500) ? Ownership::kCorporate : Ownership::kPersonal;
    } else {
      const std::uint32_t r = rng.below(100);
      device.ownership = r < 70   ? Ownership::kCorporate
                         : r < 95 ? Ownership::kPersonal
                                  : Ownership::kUnknown;
    }

    // State: most active; a departed holder has usually handed the device in.
    if (info != nullptr && info->left && rng.chance(6000)) {
      device.state = DeviceState::kReturned;
    } else {
      const std::uint32_t r = rng.below(1000);
      device.state = r < 15   ? DeviceState::kReturned
                     : r < 19 ? DeviceState::kLost
                     : r < 24 ? DeviceState::kRetired
                     : r < 26 ? DeviceState::kTransferred
                     : r < 27 ? DeviceState::kDestroyed
                              : DeviceState::kActive;
    }
  }

  void makeUnknownDevice(std::size_t index, Device& device) {
    Rng& rng = device_rng_;
    device.model.assign(rng.pick(kUnknownModels));
    device.serial = serial("", 10, index);
    if (rng.chance(5000)) device.macs.push_back(mac(index, 0));
    device.channel = Channel::kUnknown;
  }

  void describeProduct(const Product& product, std::size_t index, const HolderInfo* info,
                       Device& device) {
    Rng& rng = device_rng_;
    const std::uint32_t style_draw = rng.below(100);
    const ExportStyle style = style_draw < 47   ? ExportStyle::kMdm
                              : style_draw < 92 ? ExportStyle::kAssetRegister
                                                : ExportStyle::kSparse;
    const std::string_view version = rng.pick(product.os_versions);
    const std::string_view vendor = rng.pick(product.vendor_spellings);
    const bool has_hardware_id = !product.hardware_id.empty();
    auto fullOs = [&] {
      std::string os(product.os_name);
      os += ' ';
      os += version;
      return os;
    };

    switch (style) {
      case ExportStyle::kMdm:
        device.model.assign(has_hardware_id ? product.hardware_id : product.marketing);
        device.vendor.assign(vendor);
        device.os_version = fullOs();
        break;
      case ExportStyle::kAssetRegister:
        device.model.assign(product.marketing);
        if (rng.chance(7000)) device.vendor.assign(vendor);
        device.os_version.assign(version);
        device.platform = product.platform;
        device.kind = product.kind;
        break;
      case ExportStyle::kSparse:
        device.model.assign(has_hardware_id && rng.chance(5000) ? product.hardware_id
                                                                : product.marketing);
        if (rng.chance(5000)) device.os_version = fullOs();
        break;
    }

    // Procurement: corporate devices mostly through official channels; anything not sold in
    // Russia any more came through parallel import whatever the ownership.
    const std::uint32_t channel_draw = rng.below(100);
    if (channel_draw < 6) {
      device.channel = Channel::kUnknown;
    } else if (product.parallel_only) {
      device.channel = Channel::kParallelImport;
    } else if (channel_draw < 70) {
      device.channel = Channel::kOfficial;
    } else if (channel_draw < 82) {
      device.channel = Channel::kParallelImport;
    } else {
      device.channel = Channel::kPersonal;
    }

    // Identifiers.
    if (rng.chance(9700)) {
      const bool apple = product.host_style == HostStyle::kApplePhone ||
                         product.host_style == HostStyle::kAppleTablet ||
                         product.host_style == HostStyle::kMac ||
                         product.host_style == HostStyle::kWatch;
      device.serial = apple ? serial(rng.chance(5000) ? "F" : "G", 12, index)
                      : product.host_style == HostStyle::kAndroid ? serial("R5", 11, index)
                                                                  : serial("PF", 10, index);
    }
    if (product.cellular && rng.chance(9000)) device.imei = imei(product, index);
    if (rng.chance(9000)) device.macs.push_back(mac(index, 0));
    if (product.kind == Kind::kLaptop && rng.chance(4000)) device.macs.push_back(mac(index, 1));
    device.hostname = hostname(product, info);
  }

  // A serial number of `length` characters: a vendor-style prefix, random filler, and six
  // characters encoding a permutation of the index (unique up to 2^30 devices).
  std::string serial(std::string_view prefix, std::size_t length, std::size_t index) {
    std::string s(prefix);
    while (s.size() + 6 < length) s += kAlnum[device_rng_.below(kAlnum.size())];
    std::uint64_t code = permute(index, 30, id_key_);
    char tail[6];
    for (int i = 5; i >= 0; --i) {
      tail[i] = "0123456789ABCDEFGHJKLMNPQRSTUVWX"[code & 31];
      code >>= 5;
    }
    s.append(tail, 6);
    return s;
  }

  // A 15-digit IMEI: an 8-digit type allocation code per product and block of a million
  // devices, a 6-digit serial unique within that block, and the Luhn check digit.
  std::string imei(const Product& product, std::size_t index) {
    std::uint64_t product_code = 0;
    for (char c : product.marketing)
      product_code = product_code * 31 + static_cast<unsigned char>(c);
    const std::uint64_t tac = 35000000 + (product_code % 1000) * 1000 + (index / 1000000) % 1000;
    // A permutation of [0, 10^6) by cycle-walking a permutation of [0, 2^20).
    std::uint64_t serial_number = index % 1000000;
    do {
      serial_number = permute(serial_number, 20, id_key_ >> 11);
    } while (serial_number >= 1000000);
    std::string digits = std::to_string(tac);
    std::string serial_digits = std::to_string(serial_number);
    digits.append(6 - serial_digits.size(), '0');
    digits += serial_digits;
    // Luhn: double every second digit from the right of the 14 payload digits.
    int sum = 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      int d = digits[digits.size() - 1 - i] - '0';
      if (i % 2 == 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    digits += static_cast<char>('0' + (10 - sum % 10) % 10);
    return digits;
  }

  // A locally administered unicast MAC, as phones and laptops use for private Wi-Fi addresses.
  // The low 32 bits are a permutation of (index, port), so addresses never repeat.
  std::string mac(std::size_t index, unsigned port) {
    const std::uint64_t low = permute(index * 2 + port, 32, id_key_ >> 7);
    const std::uint32_t high = device_rng_.below(1u << 16);
    const std::array<std::uint32_t, 6> bytes = {((high >> 8) & 0xfc) | 0x02,
                                                high & 0xff,
                                                static_cast<std::uint32_t>((low >> 24) & 0xff),
                                                static_cast<std::uint32_t>((low >> 16) & 0xff),
                                                static_cast<std::uint32_t>((low >> 8) & 0xff),
                                                static_cast<std::uint32_t>(low & 0xff)};
    std::string out;
    out.reserve(17);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (i > 0) out += ':';
      out += kHex[bytes[i] >> 4];
      out += kHex[bytes[i] & 15];
    }
    return out;
  }

  // The name a device announces, in each platform's default style; often none is recorded.
  std::string hostname(const Product& product, const HolderInfo* info) {
    Rng& rng = device_rng_;
    const std::string_view first = info != nullptr ? info->first_name : std::string_view();
    std::string out;
    const std::uint32_t r = rng.below(100);
    switch (product.host_style) {
      case HostStyle::kApplePhone:
      case HostStyle::kAppleTablet: {
        const std::string_view what =
            product.host_style == HostStyle::kApplePhone ? "iPhone" : "iPad";
        if (r < 30 || first.empty()) return out;
        if (r < 70) {
          out.assign(what);
          out += '-';
          out += first;
        } else if (r < 90) {
          out.assign(first);
          out += "s-";
          out += what;
        } else {
          out.assign(what);
        }
        return out;
      }
      case HostStyle::kMac: {
        if (r < 20 || first.empty()) return out;
        out.assign(first);
        out += "s-";
        for (char c : product.marketing.substr(0, product.marketing.find(" (")))
          out += c == ' ' ? '-' : c;
        return out;
      }
      case HostStyle::kWatch:
        return out;
      case HostStyle::kAndroid:
        if (r < 35) return out;
        if (r < 80) {
          for (char c : product.marketing) {
            if (c == ' ') {
              out += '-';
            } else if (c != '(' && c != ')' && c != ',') {
              out += c;
            }
          }
        } else {
          out = "android-";
          for (int i = 0; i < 16; ++i) out += kHex[rng.below(16)];
        }
        return out;
      case HostStyle::kWindows:
        if (r < 10) return out;
        if (r < 70) {
          out = "DESKTOP-";
          for (int i = 0; i < 7; ++i) out += kAlnum[rng.below(kAlnum.size())];
        } else {
          out = "PA-WS-";
          for (int i = 0; i < 5; ++i) out += static_cast<char>('0' + rng.below(10));
        }
        return out;
      case HostStyle::kLinux:
        if (r < 40) return out;
        for (char c : product.marketing) out += c == ' ' ? '-' : c;
        return out;
    }
    return out;
  }

  const SampleOrgOptions options_;
  const std::size_t device_count_;
  const std::size_t person_width_;
  const std::size_t device_width_;
  Rng people_rng_;
  Rng device_rng_;
  const std::uint64_t id_key_;
  std::vector<HolderInfo> holders_;
  std::unordered_map<std::string, std::uint32_t> emails_;
  std::unordered_map<std::string_view, std::uint32_t> unit_heads_;
};

}  // namespace

const std::vector<std::string>& sampleOrgUnits() {
  static const std::vector<std::string> kPaths = [] {
    std::vector<std::string> paths;
    for (const UnitSpec& unit : unitSpecs()) paths.emplace_back(unit.path);
    return paths;
  }();
  return kPaths;
}

std::size_t sampleOrgDeviceCount(const SampleOrgOptions& options) {
  if (options.devices != 0) return options.devices;
  return (options.people * 13 + 5) / 10;
}

SampleOrg generateSampleOrg(const SampleOrgOptions& options) {
  SampleOrg org;
  org.people.reserve(options.people);
  org.devices.reserve(sampleOrgDeviceCount(options));
  generateSampleOrg(
      options, [&](const Person& p) { org.people.push_back(p); },
      [&](const Device& d) { org.devices.push_back(d); });
  return org;
}

void generateSampleOrg(const SampleOrgOptions& options,
                       const std::function<void(const Person&)>& on_person,
                       const std::function<void(const Device&)>& on_device) {
  Generator generator(options);
  generator.run(on_person, on_device);
}

}  // namespace phaseout::inventory
