#include "inventory/sources/registry.h"

#include <array>
#include <string>
#include <vector>

#include "core/strings.h"

// The registered sources, in the order help texts list them. A source is one file,
// sources/<name>_source.cc defining `const Source& <name>Source()`, plus one line here.
#define PH_INVENTORY_SOURCES(X) \
  X(csvSource)                  \
  X(jsonSource)                 \
  X(intuneSource)               \
  X(jamfSource)                 \
  X(googleSource)               \
  X(fleetSource)                \
  X(snipeitSource)              \
  X(ldifSource)                 \
  X(scimSource)

namespace phaseout::inventory {

#define PH_DECLARE_SOURCE(function) const Source& function();
PH_INVENTORY_SOURCES(PH_DECLARE_SOURCE)
#undef PH_DECLARE_SOURCE

namespace {

std::string_view extensionOf(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : base.substr(dot);
}

}  // namespace

std::span<const Source* const> allSources() {
  // Built on first use, so that no static initialiser depends on another's order.
#define PH_SOURCE_ENTRY(function) &function(),
  static const auto table = std::to_array<const Source*>({PH_INVENTORY_SOURCES(PH_SOURCE_ENTRY)});
#undef PH_SOURCE_ENTRY
  return table;
}

const Source* findSource(std::string_view name) {
  for (const Source* source : allSources()) {
    if (source->name == name) return source;
  }
  return nullptr;
}

Result<const Source*> sourceForPath(std::string_view path) {
  const std::string_view ext = extensionOf(path);
  std::vector<std::string_view> known;
  for (const Source* source : allSources()) {
    for (std::string_view candidate : source->extensions) {
      if (!ext.empty() && iequals(ext, candidate)) return source;
      known.push_back(candidate);
    }
  }
  // ".csv or .json", ".csv, .json or .ldif"
  std::string endings;
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (i != 0) endings += i + 1 == known.size() ? " or " : ", ";
    endings += known[i];
  }
  return invalidArgument(std::string(path) + ": expected a file name ending in " + endings +
                         " (the extension chooses the format)");
}

const Source* recogniseSource(std::string_view head, SourceSchema schema) {
  constexpr std::size_t kHeadBytes = 64 * 1024;
  head = head.substr(0, kHeadBytes);
  for (const Source* source : allSources()) {
    if (source->recognise != nullptr && source->recognise(head, schema)) return source;
  }
  return nullptr;
}

std::string sourceNames() {
  std::string out;
  for (const Source* source : allSources()) {
    if (!out.empty()) out += ", ";
    out += source->name;
  }
  return out;
}

}  // namespace phaseout::inventory
