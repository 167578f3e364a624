#include "core/sys/threads.h"

#include <ATen/Parallel.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/sys/error.h"

namespace crisp {
namespace {

constexpr int kMaxThreads = 1024;

int checkedCount(int value, const char* what) {
  if (value < 1 || value > kMaxThreads) {
    throw Error(std::string(what) + ": thread count must be between 1 and " +
                std::to_string(kMaxThreads) + ", got " + std::to_string(value));
  }
  return value;
}

std::optional<int> threadsFromEnvironment() {
  const char* raw = std::getenv("CRISP_THREADS");
  if (raw == nullptr || *raw == '\0') return std::nullopt;
  int value = 0;
  const char* end = raw + std::strlen(raw);
  auto [ptr, ec] = std::from_chars(raw, end, value);
  if (ec != std::errc() || ptr != end) {
    throw Error(std::string("CRISP_THREADS: expected a positive integer, got \"") + raw + "\"");
  }
  return checkedCount(value, "CRISP_THREADS");
}

}  // namespace

int machineCores() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

ThreadChoice resolveThreadCount(std::optional<int> flag, std::optional<int> setting) {
  if (flag) return {checkedCount(*flag, "--threads"), ThreadSource::Flag};
  if (auto env = threadsFromEnvironment()) return {*env, ThreadSource::Environment};
  if (setting) return {checkedCount(*setting, "threads setting"), ThreadSource::Setting};
  return {machineCores(), ThreadSource::MachineCores};
}

void applyThreadCount(const ThreadChoice& choice) {
  at::set_num_threads(choice.count);
}

ThreadChoice configureThreads(std::optional<int> flag, std::optional<int> setting) {
  const ThreadChoice choice = resolveThreadCount(flag, setting);
  applyThreadCount(choice);
  return choice;
}

int currentThreadCount() {
  return at::get_num_threads();
}

std::string describe(ThreadSource source) {
  switch (source) {
    case ThreadSource::Flag: return "--threads";
    case ThreadSource::Environment: return "CRISP_THREADS";
    case ThreadSource::Setting: return "saved setting";
    case ThreadSource::MachineCores: return "machine cores";
  }
  return "unknown";
}

}  // namespace crisp
