#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace crisp {

// Where the intra-op thread count came from, in order of precedence.
enum class ThreadSource {
  Flag,               // --threads
  Environment,        // CRISP_THREADS
  OpenMpEnvironment,  // OMP_NUM_THREADS
  Setting,            // the studio's saved setting
  AvailableCpus,      // what this process may use: cores, affinity mask, cgroup quota, ranks
};

// The CPUs this process may use, and why.
struct CpuAvailability {
  int machineCores = 1;    // online cores
  int affinityCpus = 0;    // CPUs in the sched_getaffinity mask; 0 = unknown
  double cgroupQuota = 0;  // CPUs the cgroup's CFS quota allows; 0 = no quota
  int localProcesses = 1;  // LOCAL_WORLD_SIZE: ranks of one data-parallel run on this machine

  // min(cores, affinity, ceil(quota)): the CPUs this process and its local ranks may use.
  int usableCpus() const;
  // usableCpus() shared among the local processes; at least 1.
  int usableThreads() const;
  // "2 cores", "2 cores, affinity 1 CPU", "8 cores, cgroup quota 1.5 CPUs, 2 local ranks"...
  std::string describe() const;
};

// Reads the live system: std::thread::hardware_concurrency, sched_getaffinity, the cgroup of
// /proc/self/cgroup (v2 cpu.max or v1 cpu.cfs_quota_us / cpu.cfs_period_us, the tightest of the
// group and its parents) and LOCAL_WORLD_SIZE (set by torchrun and by `crisp train --nproc`).
CpuAvailability detectCpuAvailability();

// The CFS quota in CPUs of the cgroup named in `procSelfCgroup` (the text of /proc/self/cgroup),
// looked up under `cgroupRoot` (normally /sys/fs/cgroup); 0 when there is none. Exposed so tests
// can feed it a fake hierarchy.
double cgroupCpuQuota(const std::string& procSelfCgroup, const std::string& cgroupRoot);

struct ThreadChoice {
  int count = 1;
  ThreadSource source = ThreadSource::AvailableCpus;
  CpuAvailability cpus;

  // Chosen by crisp, not by the user: the trainer may then lower it while other processes
  // compete for the CPUs (see ThreadGovernor).
  bool automatic() const { return source == ThreadSource::AvailableCpus; }
};

// Why explicit: LibTorch's default was 1 thread on a 2-core machine, and with another job on
// the box two threads per core made training 16x slower (docs/ARCHITECTURE.md, "Platform
// hazards"). Precedence: a command-line flag, then CRISP_THREADS, then OMP_NUM_THREADS (its
// first value, as OpenMP reads a list), then a saved setting, then the usable CPUs. The
// crisp-specific variable wins over the generic one, as MKL_NUM_THREADS does over
// OMP_NUM_THREADS. Throws crisp::Error naming the source when a value is not a positive integer.
ThreadChoice resolveThreadCount(std::optional<int> flag, std::optional<int> setting);

// Sets LibTorch's intra-op thread count (and so OpenMP/OpenBLAS's) to choice.count and
// remembers the choice (configuredThreads).
void applyThreadCount(const ThreadChoice& choice);

// resolveThreadCount followed by applyThreadCount: what every main calls at start-up.
ThreadChoice configureThreads(std::optional<int> flag, std::optional<int> setting);

// The choice configureThreads made; nullopt when it was never called (library users, tests).
std::optional<ThreadChoice> configuredThreads();

// LibTorch's intra-op count as the calling thread sees it, and setting it for the calling
// thread (OpenMP's thread count is per thread: a worker sets its own).
int currentThreadCount();
void setCurrentThreadCount(int count);
int machineCores();
std::string describe(ThreadSource source);

// CPU time the other processes on our CPUs used over an interval, in CPUs (1.0 = one busy core).
struct CpuLoadSample {
  std::chrono::steady_clock::time_point when;
  double busySeconds = 0;  // all processes, summed over the CPUs we may run on (/proc/stat)
  double selfSeconds = 0;  // this process (CLOCK_PROCESS_CPUTIME_ID)
};
CpuLoadSample sampleCpuLoad();
double otherProcessesCpus(const CpuLoadSample& from, const CpuLoadSample& to);

// Lowers (and raises again, up to the automatic count) the intra-op threads of the thread that
// trains while other processes compete for the CPUs. Measured on 2 cores with one busy loop
// beside it (docs/BENCHMARKS.md): two threads fell to a fraction of one thread's rate, because
// every parallel region waits for the thread that shares its core. Deciding from a measured
// load rather than a guess: threads = min(automatic count, shared CPUs - CPUs the others used),
// held for two samples in a row before changing.
class ThreadGovernor {
 public:
  // maxThreads: the automatic count; sharedCpus: the CPUs it was taken from (more than
  // maxThreads when local ranks share them: the other ranks then count as "other processes").
  ThreadGovernor(int maxThreads, int sharedCpus, std::chrono::milliseconds interval);

  // Call between steps, on the thread that trains. Returns the new count when it changed it.
  std::optional<int> poll();
  // The decision alone, for tests: the count the governor would settle on given what the
  // other processes used.
  std::optional<int> observe(double othersCpus);

  int current() const { return current_; }
  // What the other processes used over the last interval poll() measured, in CPUs.
  double othersCpus() const { return othersCpus_; }

 private:
  int maxThreads_;
  int sharedCpus_;
  int current_;
  std::chrono::milliseconds interval_;
  std::optional<CpuLoadSample> last_;
  int pending_ = 0;
  double othersCpus_ = 0;  // the count the last sample asked for; changed when two agree
};

}  // namespace crisp
