#include "core/dist/launch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/sys/error.h"

namespace crisp::dist {
namespace {

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

int integerVariable(const char* name, int minimum, int maximum) {
  const std::optional<std::string> text = variable(name);
  if (!text) throw Error(std::string("data-parallel launch: ") + name + " is not set");
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno != 0 || value < minimum || value > maximum) {
    throw Error(std::string("data-parallel launch: ") + name + "=" + *text +
                " is not a whole number in [" + std::to_string(minimum) + ", " +
                std::to_string(maximum) + "]");
  }
  return static_cast<int>(value);
}

// The launcher's children, for forwarding SIGTERM (async-signal-safe: a fixed array).
constexpr int kMaxRanks = 256;
pid_t gChildren[kMaxRanks];
volatile sig_atomic_t gChildCount = 0;

extern "C" void forwardTermination(int signal) {
  for (int i = 0; i < gChildCount; ++i)
    if (gChildren[i] > 0) ::kill(gChildren[i], signal);
}

// Ctrl-C reaches every rank through the terminal's process group; the launcher only waits.
// A handler, not SIG_IGN: an ignored signal would stay ignored across exec in the ranks.
extern "C" void ignoreInterrupt(int) {}

}  // namespace

std::optional<LaunchEnvironment> LaunchEnvironment::fromEnvironment() {
  if (!variable("WORLD_SIZE")) return std::nullopt;
  LaunchEnvironment env;
  env.worldSize = integerVariable("WORLD_SIZE", 1, 1 << 16);
  env.rank = integerVariable("RANK", 0, env.worldSize - 1);
  env.localRank = variable("LOCAL_RANK") ? integerVariable("LOCAL_RANK", 0, env.worldSize - 1) : 0;
  env.localWorldSize = variable("LOCAL_WORLD_SIZE")
                           ? integerVariable("LOCAL_WORLD_SIZE", 1, env.worldSize)
                           : env.worldSize;
  env.masterAddr = variable("MASTER_ADDR").value_or("");
  if (env.masterAddr.empty() && env.worldSize > 1)
    throw Error("data-parallel launch: MASTER_ADDR is not set");
  env.masterPort = env.worldSize > 1 ? integerVariable("MASTER_PORT", 1, 65535) : 0;
  env.useAgentStore = variable("TORCHELASTIC_USE_AGENT_STORE").value_or("") == "True";
  env.restartCount = variable("TORCHELASTIC_RESTART_COUNT").value_or("0");
  if (env.useAgentStore && !variable("TORCHELASTIC_RESTART_COUNT"))
    throw Error(
        "data-parallel launch: TORCHELASTIC_USE_AGENT_STORE=True without "
        "TORCHELASTIC_RESTART_COUNT");
  return env;
}

int findFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int saved = errno;
    ::close(fd);
    throw Error(std::string("cannot find a free port: ") + std::strerror(saved));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

namespace {

// One start of the ranks on `port`; returns their exit code as launchLocalRanks does.
int runRanksOnce(const std::string& executable, const std::vector<std::string>& args, int nproc,
                 double graceSeconds, const std::string& port) {
  std::vector<std::string> argvText;
  argvText.push_back(executable);
  argvText.insert(argvText.end(), args.begin(), args.end());

  struct sigaction previousInt {
  }, previousTerm{}, previousHangUp{}, action{};
  action.sa_handler = ignoreInterrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &previousInt);
  // SIGTERM (Slurm, Kubernetes) and SIGHUP (a closed terminal) stop each rank with a checkpoint.
  action.sa_handler = forwardTermination;
  ::sigaction(SIGTERM, &action, &previousTerm);
  ::sigaction(SIGHUP, &action, &previousHangUp);

  gChildCount = 0;
  for (int rank = 0; rank < nproc; ++rank) {
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(std::string("cannot start a rank: ") + std::strerror(errno));
    if (pid == 0) {
      ::setenv("RANK", std::to_string(rank).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", port.c_str(), 1);
      ::unsetenv("TORCHELASTIC_USE_AGENT_STORE");  // rank 0 hosts the store
      std::vector<char*> argv;
      for (std::string& a : argvText) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(executable.c_str(), argv.data());
      std::fprintf(stderr, "crisp: cannot run %s: %s\n", executable.c_str(), std::strerror(errno));
      ::_exit(127);
    }
    gChildren[rank] = pid;
    gChildCount = rank + 1;
  }

  using Clock = std::chrono::steady_clock;
  int result = 0, running = nproc;
  bool killPending = false;
  Clock::time_point killAt = Clock::now();
  while (running > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int i = 0; i < nproc; ++i)
        if (gChildren[i] == pid) gChildren[i] = 0;
      --running;
      const int code = WIFEXITED(status)     ? WEXITSTATUS(status)
                       : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                             : 1;
      if (code != 0 && result == 0) {
        result = code;
        killPending = true;
        // A taken port: the others wait for a store that will never be there.
        const double grace = code == kPortTakenExitCode ? 0.0 : graceSeconds;
        killAt = Clock::now() +
                 std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(grace));
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;
    if (killPending && Clock::now() >= killAt) {
      for (int i = 0; i < nproc; ++i) {
        if (gChildren[i] > 0) {
          if (result != kPortTakenExitCode) {
            std::fprintf(stderr, "crisp: rank %d did not end %.0f s after another failed; killed\n",
                         i, graceSeconds);
          }
          ::kill(gChildren[i], SIGKILL);
        }
      }
      killPending = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  gChildCount = 0;
  ::sigaction(SIGINT, &previousInt, nullptr);
  ::sigaction(SIGTERM, &previousTerm, nullptr);
  ::sigaction(SIGHUP, &previousHangUp, nullptr);
  return result;
}

}  // namespace

int launchLocalRanks(const std::string& executable, const std::vector<std::string>& args, int nproc,
                     double graceSeconds) {
  if (nproc < 1 || nproc > kMaxRanks)
    throw Error("--nproc must be in [1, " + std::to_string(kMaxRanks) + "]");
  std::string port = variable("MASTER_PORT")
                         ? std::to_string(integerVariable("MASTER_PORT", 1, 65535))
                         : std::to_string(findFreePort());
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    const int result = runRanksOnce(executable, args, nproc, graceSeconds, port);
    if (result != kPortTakenExitCode || attempt == kAttempts) return result;
    const std::string next = std::to_string(findFreePort());
    std::fprintf(stderr,
                 "crisp: port %s was taken before rank 0 could host the job there; "
                 "starting the ranks again on port %s\n",
                 port.c_str(), next.c_str());
    port = next;
  }
}

}  // namespace crisp::dist
