#pragma once

#include "core/sys/error.h"

namespace crisp {

// A mistake in what the user asked for (a path that is neither a run nor a model, an unknown
// checkpoint, empty or ill-formed text, a data file that cannot be read): the `crisp` commands
// exit 2 for it and 1 for failures at run time (e.g. a corrupt checkpoint file).
class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace crisp
