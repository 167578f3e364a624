#pragma once

#include <optional>
#include <string>

namespace crisp {

// Where the intra-op thread count came from, in order of precedence.
enum class ThreadSource { Flag, Environment, Setting, MachineCores };

struct ThreadChoice {
  int count = 1;
  ThreadSource source = ThreadSource::MachineCores;
};

// Why explicit: LibTorch's default was 1 thread on a 2-core machine (docs/ARCHITECTURE.md,
// "Platform hazards").
// Precedence: a command-line flag, then CRISP_THREADS, then a saved setting, then the cores.
// Throws crisp::Error naming the source when a value is not a positive integer.
ThreadChoice resolveThreadCount(std::optional<int> flag, std::optional<int> setting);

// Sets LibTorch's intra-op thread count (and so OpenMP/OpenBLAS's) to choice.count.
void applyThreadCount(const ThreadChoice& choice);

// resolveThreadCount followed by applyThreadCount: what every main calls at start-up.
ThreadChoice configureThreads(std::optional<int> flag, std::optional<int> setting);

int currentThreadCount();
int machineCores();
std::string describe(ThreadSource source);

}  // namespace crisp
