#pragma once

#include "loader/bad_input.hpp"

namespace experiment {

// A problem with what the user asked for (flags, --vary specs, an existing
// sweep file, scenarios that cannot be paired): the front end exits with
// status 2, as for a scenario error.
class InputError : public loader::BadInput {
 public:
  using loader::BadInput::BadInput;
};

}  // namespace experiment
