#pragma once

#include <iosfwd>

#include "core/sys/threads.h"

namespace crisp::cli {

struct InfoOptions {
  bool json = false;
  bool measureGemm = false;
};

// `crisp info`: versions, BLAS, threads; warnings go to err. Returns the exit code.
int runInfo(const InfoOptions& options, const ThreadChoice& threads, std::ostream& out,
            std::ostream& err);

}  // namespace crisp::cli
