#include "core/sys/allocator.h"

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

}  // namespace crisp
