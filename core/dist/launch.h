#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sys/error.h"

namespace crisp::dist {

// Rank 0 could not host the job's store because its MASTER_PORT was taken by another process
// (between the launcher's choice of a free port and the bind, or a MASTER_PORT given by hand).
// `crisp` exits with kPortTakenExitCode for it, which tells the launcher to try another port.
class PortTakenError : public Error {
 public:
  using Error::Error;
};
inline constexpr int kPortTakenExitCode = 75;  // EX_TEMPFAIL: try again

// Where this process stands in a data-parallel job, read from the variables torchrun sets
// (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and, under
// torchrun's static rendezvous, TORCHELASTIC_USE_AGENT_STORE / TORCHELASTIC_RESTART_COUNT).
// `crisp train --nproc N` sets the same variables for the ranks it starts.
struct LaunchEnvironment {
  int rank = 0;
  int worldSize = 1;
  int localRank = 0;
  int localWorldSize = 1;
  std::string masterAddr = "127.0.0.1";
  int masterPort = 0;
  // torchrun's agent hosts the TCPStore: every rank connects as a client, under the prefix
  // /worker/attempt_<TORCHELASTIC_RESTART_COUNT>, as torch.distributed's own workers do.
  // Otherwise rank 0 hosts the store.
  bool useAgentStore = false;
  std::string restartCount = "0";

  // Nullopt when WORLD_SIZE is unset (a single-process run). Throws crisp::Error naming the
  // variable when one is missing or malformed.
  static std::optional<LaunchEnvironment> fromEnvironment();
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int findFreePort();

// Runs `executable args...` as `nproc` local ranks with torchrun's variables set (MASTER_ADDR
// 127.0.0.1; MASTER_PORT: the launcher's own MASTER_PORT when set, else a free port), waits for
// all and returns an exit code: the first non-zero one in order of exit (a rank that died on a
// signal counts as 128 + signal), else 0. When rank 0 finds the port taken
// (kPortTakenExitCode) the others are ended at once and all start again on a free port, up to
// three times, with a message on stderr. The
// ranks share the launcher's stdout and stderr (rank 0 reports; the others print errors only).
// If a rank fails, the others get `graceSeconds` to end on their own (they notice the dead
// peer or time out), then are killed. Ctrl-C reaches the ranks through the terminal's process
// group; SIGTERM and SIGHUP to the launcher are forwarded to them.
int launchLocalRanks(const std::string& executable, const std::vector<std::string>& args, int nproc,
                     double graceSeconds);

}  // namespace crisp::dist
