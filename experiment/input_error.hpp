#pragma once

#include <stdexcept>

namespace experiment {

// A problem with what the user asked for (flags, --vary specs, an existing
// sweep file, scenarios that cannot be paired): the front end exits with
// status 2, as for a scenario error.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace experiment
