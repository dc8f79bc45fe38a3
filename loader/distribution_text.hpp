// Compact text for probability distributions in scenario files, e.g. "8ms",
// "exp(8ms)", "gamma(6ms, cv=0.5)", "empirical(latency.csv, unit=ms)".
// The full grammar is documented in docs/scenarios.md.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "sim/distribution.hpp"

namespace loader {

// Text that is not a distribution, or parameters the distribution rejects.
// The message says what is wrong but not where: the caller knows where the
// text came from (a YAML value, a command-line flag) and adds the position.
class DistributionTextError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `text` into a distribution of durations in nanoseconds. Relative
// paths in empirical(file) are resolved against `base_dir`.
sim::Distribution parse_distribution(std::string_view text, const std::filesystem::path& base_dir);

}  // namespace loader
