#include "core/sys/allocator.h"

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace crisp {

bool keepFreedTensorMemory() {
#if defined(__GLIBC__)
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit; larger blocks (a big
  // embedding table's gradient) are still mapped. Trimming only above 1 GiB of free heap top.
  const bool mmap = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  const bool trim = mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1;
  return mmap && trim;
#else
  return false;
#endif
}

double physicalMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long pageSize = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? static_cast<double>(pages) * static_cast<double>(pageSize)
                                   : 0.0;
}

}  // namespace crisp
