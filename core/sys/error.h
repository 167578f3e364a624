#pragma once

#include <stdexcept>
#include <string>

namespace crisp {

// The one exception type core throws for bad input or a failed environment. Its message is
// complete on its own: it names the file, line, tensor or setting at fault.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace crisp
