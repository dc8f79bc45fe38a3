// The one base of every error the user fixes by changing what they gave
// tiersim: a scenario, a flag, a configuration to import, an output path.
#pragma once

#include <stdexcept>

namespace loader {

// The front end prints what() and exits with status 2 for any of them
// (loader::ScenarioError, experiment::InputError, config_import::ImportError,
// cli::OutputError and the command line's usage errors derive from it).
class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace loader
