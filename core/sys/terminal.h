#pragma once

namespace crisp {

// Whether `fd` is a terminal (progress bars are drawn only there).
bool isTerminal(int fd);

// The width of the terminal on `fd` in columns: the kernel's window size, else $COLUMNS, else 80.
int terminalColumns(int fd);

}  // namespace crisp
