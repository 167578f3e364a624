#pragma once

namespace crisp {

// Keeps freed tensor buffers in the process instead of handing them back to the kernel.
// Why: a training step frees and re-allocates the same activation and gradient buffers; by
// default glibc maps the large ones fresh and trims the heap after each step, and the page
// faults of touching them again cost about a quarter of a `small` step on 2 threads
// (docs/BENCHMARKS.md). Process-wide and idempotent; a no-op off glibc. Returns whether the
// allocator took the settings.
bool keepFreedTensorMemory();

// The machine's physical memory in bytes (0 when unknown): what sizes read from files are
// checked against before anything that large is allocated.
double physicalMemoryBytes();

}  // namespace crisp
