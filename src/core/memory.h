// Memory hints for large, short-lived buffers.
#pragma once

#include <cstddef>

namespace phaseout {

// Asks the kernel to back [data, data + bytes) with transparent huge pages where it can (Linux
// madvise(MADV_HUGEPAGE) over the whole 2 MiB pages inside the range): a buffer of hundreds of
// megabytes filled once then takes a few hundred page faults instead of a hundred thousand.
// Only a hint: does nothing elsewhere, for small ranges, or when THP is disabled.
void adviseHugePages(void* data, std::size_t bytes);

}  // namespace phaseout
