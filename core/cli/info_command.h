#pragma once

#include <iosfwd>
#include <string>

#include "core/sys/threads.h"

namespace crisp::cli {

struct InfoOptions {
  bool json = false;
  bool measureGemm = false;
};

// "Crisp Studio VERSION (git REVISION, BUILD TYPE, COMPILER)": the first line of `crisp info`,
// and what `crisp --version` prints.
std::string versionLine();

// `crisp info`: versions, BLAS, threads; warnings go to err. Returns the exit code.
int runInfo(const InfoOptions& options, const ThreadChoice& threads, std::ostream& out,
            std::ostream& err);

}  // namespace crisp::cli
