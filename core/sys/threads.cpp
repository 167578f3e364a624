#include "core/sys/threads.h"

#include <ATen/Parallel.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

constexpr int kMaxThreads = 1024;

int checkedCount(long long value, const std::string& what) {
  if (value < 1 || value > kMaxThreads) {
    throw Error(what + ": thread count must be between 1 and " + std::to_string(kMaxThreads) +
                ", got " + std::to_string(value));
  }
  return static_cast<int>(value);
}

std::optional<int> countFromEnvironment(const char* variable, bool firstOfList) {
  const char* raw = std::getenv(variable);
  if (raw == nullptr || *raw == '\0') return std::nullopt;
  std::string text = raw;
  // OpenMP's OMP_NUM_THREADS may list one count per nesting level ("4,2"): the first is ours.
  if (firstOfList) text = text.substr(0, text.find(','));
  const std::optional<long long> value = parseInteger(text);
  if (!value) {
    throw Error(std::string(variable) + ": expected a positive integer, got \"" + raw + "\"");
  }
  return checkedCount(*value, variable);
}

std::string readSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string firstLine(const std::string& path) {
  const std::string text = readSmallFile(path);
  return text.substr(0, text.find('\n'));
}

// The quota of one cgroup directory in CPUs; 0 when unlimited or unreadable.
double quotaOfDirectory(const std::string& directory) {
  // cgroup v2: "max 100000" or "150000 100000".
  std::istringstream v2(readSmallFile(directory + "/cpu.max"));
  std::string quota;
  double period = 0;
  if (v2 >> quota >> period) {
    const std::optional<double> q = parseNumber<double>(quota);
    return q && *q > 0 && period > 0 ? *q / period : 0;
  }
  // cgroup v1: cpu.cfs_quota_us is -1 when unlimited.
  const std::optional<double> q = parseNumber<double>(firstLine(directory + "/cpu.cfs_quota_us"));
  const std::optional<double> p = parseNumber<double>(firstLine(directory + "/cpu.cfs_period_us"));
  return q && p && *q > 0 && *p > 0 ? *q / *p : 0;
}

// Paths of the group and its parents up to the root: "/a/b" -> "/a/b", "/a", "".
std::vector<std::string> groupAndParents(std::string group) {
  std::vector<std::string> chain;
  while (!group.empty() && group != "/") {
    chain.push_back(group);
    group = group.substr(0, group.rfind('/'));
  }
  chain.emplace_back();
  return chain;
}

std::mutex gConfiguredMutex;
std::optional<ThreadChoice> gConfigured;

}  // namespace

int CpuAvailability::usableCpus() const {
  int cpus = std::max(1, machineCores);
  if (affinityCpus > 0) cpus = std::min(cpus, affinityCpus);
  if (cgroupQuota > 0) cpus = std::min(cpus, static_cast<int>(std::ceil(cgroupQuota - 1e-9)));
  return cpus;
}

int CpuAvailability::usableThreads() const {
  return std::max(1, usableCpus() / std::max(1, localProcesses));
}

std::string CpuAvailability::describe() const {
  const auto plural = [](double n, const char* one, const char* many) {
    std::ostringstream text;
    text << n << " " << (n == 1 ? one : many);
    return text.str();
  };
  std::string text = plural(machineCores, "core", "cores");
  if (affinityCpus > 0 && affinityCpus < machineCores) {
    text += ", affinity " + plural(affinityCpus, "CPU", "CPUs");
  }
  if (cgroupQuota > 0) text += ", cgroup quota " + plural(cgroupQuota, "CPU", "CPUs");
  if (localProcesses > 1) text += ", " + plural(localProcesses, "local rank", "local ranks");
  return text;
}

double cgroupCpuQuota(const std::string& procSelfCgroup, const std::string& cgroupRoot) {
  double tightest = 0;
  const auto consider = [&](double quota) {
    if (quota > 0 && (tightest == 0 || quota < tightest)) tightest = quota;
  };
  std::istringstream lines(procSelfCgroup);
  std::string line;
  while (std::getline(lines, line)) {
    // "hierarchy-id:controllers:path"; v2 has id 0 and no controllers.
    const size_t first = line.find(':');
    const size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string group = line.substr(second + 1);
    std::string mount;
    if (line.substr(0, first) == "0" && controllers.empty()) {
      mount = cgroupRoot;
    } else {
      std::istringstream names(controllers);
      std::string name;
      bool cpu = false;
      while (std::getline(names, name, ',')) cpu = cpu || name == "cpu";
      if (!cpu) continue;
      // v1 mounts the cpu controller as "cpu" or "cpu,cpuacct" (often both, one a link).
      mount = cgroupRoot + "/" + controllers;
      if (firstLine(mount + "/cpu.cfs_period_us").empty()) mount = cgroupRoot + "/cpu";
    }
    for (const std::string& directory : groupAndParents(group)) {
      consider(quotaOfDirectory(mount + directory));
    }
  }
  return tightest;
}

CpuAvailability detectCpuAvailability() {
  CpuAvailability cpus;
  cpus.machineCores = machineCores();
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) cpus.affinityCpus = CPU_COUNT(&mask);
  cpus.cgroupQuota = cgroupCpuQuota(readSmallFile("/proc/self/cgroup"), "/sys/fs/cgroup");
  if (const char* ranks = std::getenv("LOCAL_WORLD_SIZE")) {
    const std::optional<long long> n = parseInteger(ranks);
    if (n && *n >= 1 && *n <= kMaxThreads) cpus.localProcesses = static_cast<int>(*n);
  }
  return cpus;
}

int machineCores() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

ThreadChoice resolveThreadCount(std::optional<int> flag, std::optional<int> setting) {
  ThreadChoice choice;
  choice.cpus = detectCpuAvailability();
  if (flag) {
    choice.count = checkedCount(*flag, "--threads");
    choice.source = ThreadSource::Flag;
  } else if (auto crisp = countFromEnvironment("CRISP_THREADS", false)) {
    choice.count = *crisp;
    choice.source = ThreadSource::Environment;
  } else if (auto openMp = countFromEnvironment("OMP_NUM_THREADS", true)) {
    choice.count = *openMp;
    choice.source = ThreadSource::OpenMpEnvironment;
  } else if (setting) {
    choice.count = checkedCount(*setting, "threads setting");
    choice.source = ThreadSource::Setting;
  } else {
    choice.count = choice.cpus.usableThreads();
    choice.source = ThreadSource::AvailableCpus;
  }
  return choice;
}

void applyThreadCount(const ThreadChoice& choice) {
  at::set_num_threads(choice.count);
  const std::lock_guard<std::mutex> lock(gConfiguredMutex);
  gConfigured = choice;
}

ThreadChoice configureThreads(std::optional<int> flag, std::optional<int> setting) {
  const ThreadChoice choice = resolveThreadCount(flag, setting);
  applyThreadCount(choice);
  return choice;
}

std::optional<ThreadChoice> configuredThreads() {
  const std::lock_guard<std::mutex> lock(gConfiguredMutex);
  return gConfigured;
}

int currentThreadCount() {
  return at::get_num_threads();
}

void setCurrentThreadCount(int count) {
  at::set_num_threads(checkedCount(count, "thread count"));
}

std::string describe(ThreadSource source) {
  switch (source) {
    case ThreadSource::Flag: return "--threads";
    case ThreadSource::Environment: return "CRISP_THREADS";
    case ThreadSource::OpenMpEnvironment: return "OMP_NUM_THREADS";
    case ThreadSource::Setting: return "saved setting";
    case ThreadSource::AvailableCpus: return "usable CPUs";
  }
  return "unknown";
}

// --- contention -----------------------------------------------------------------------------

CpuLoadSample sampleCpuLoad() {
  CpuLoadSample sample;
  sample.when = std::chrono::steady_clock::now();
  timespec self{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &self) == 0) {
    sample.selfSeconds = static_cast<double>(self.tv_sec) + self.tv_nsec * 1e-9;
  }
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const bool haveMask = sched_getaffinity(0, sizeof(mask), &mask) == 0;
  const double ticksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::istringstream lines(readSmallFile("/proc/stat"));
  std::string line;
  while (std::getline(lines, line)) {
    // "cpuN user nice system idle iowait irq softirq steal guest guest_nice" (guest is in user)
    if (!startsWith(line, "cpu") || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream fields(line.substr(3));
    int cpu = 0;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    fields >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    if (haveMask && (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &mask))) continue;
    sample.busySeconds += (user + nice + system + irq + softirq + steal) / ticksPerSecond;
  }
  return sample;
}

double otherProcessesCpus(const CpuLoadSample& from, const CpuLoadSample& to) {
  const double wall = std::chrono::duration<double>(to.when - from.when).count();
  if (wall <= 0) return 0;
  const double others = (to.busySeconds - from.busySeconds) - (to.selfSeconds - from.selfSeconds);
  return std::max(0.0, others / wall);
}

ThreadGovernor::ThreadGovernor(int maxThreads, int sharedCpus, std::chrono::milliseconds interval)
    : maxThreads_(std::max(1, maxThreads)),
      sharedCpus_(std::max(maxThreads_, sharedCpus)),
      current_(maxThreads_),
      interval_(interval) {}

std::optional<int> ThreadGovernor::poll() {
  const CpuLoadSample now = sampleCpuLoad();
  if (!last_) {
    last_ = now;
    return std::nullopt;
  }
  if (now.when - last_->when < interval_) return std::nullopt;
  othersCpus_ = otherProcessesCpus(*last_, now);
  last_ = now;
  const std::optional<int> changed = observe(othersCpus_);
  if (changed) setCurrentThreadCount(*changed);
  return changed;
}

std::optional<int> ThreadGovernor::observe(double othersCpus) {
  // A busy loop on one of two cores reads as about 1.0; our own threads are not counted.
  const int wanted =
      std::clamp(static_cast<int>(std::lround(sharedCpus_ - othersCpus)), 1, maxThreads_);
  const bool confirmed = wanted == pending_;
  pending_ = wanted;
  if (wanted == current_ || !confirmed) return std::nullopt;
  current_ = wanted;
  return wanted;
}

}  // namespace crisp
