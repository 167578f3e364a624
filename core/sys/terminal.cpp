#include "core/sys/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "core/sys/parse.h"

namespace crisp {

bool isTerminal(int fd) {
  return ::isatty(fd) == 1;
}

int terminalColumns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const std::optional<int> parsed = parseNumber<int>(columns);
    if (parsed && *parsed > 0) return *parsed;
  }
  return 80;
}

}  // namespace crisp
