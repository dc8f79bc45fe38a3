// Compact text for probability distributions in scenario files, e.g. "8ms",
// "exp(8ms)", "gamma(6ms, cv=0.5)", "empirical(latency.csv, unit=ms)".
// The full grammar is documented in docs/scenarios.md.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/distribution.hpp"

namespace loader {

// Text that is not a distribution, or parameters the distribution rejects
// (also: call text that detail::split_call cannot split).
// The message says what is wrong but not where: the caller knows where the
// text came from (a YAML value, a command-line flag) and adds the position.
class DistributionTextError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `text` into a distribution of durations in nanoseconds. Relative
// paths in empirical(file) are resolved against `base_dir`.
sim::Distribution parse_distribution(std::string_view text, const std::filesystem::path& base_dir);

namespace detail {

// "name(a, b, key=value)" in parts. Distributions use it, and so do other
// compact values of the same shape (client backoff), so that all of them
// share one syntax and one set of messages.
struct Call {
  std::string_view name;
  std::vector<std::string_view> positional;
  std::vector<std::pair<std::string_view, std::string_view>> named;

  std::optional<std::string_view> get(std::string_view key) const {
    for (const auto& [k, v] : named) {
      if (k == key) return v;
    }
    return std::nullopt;
  }
};

// Splits `text` (trimmed, containing '('); the parts point into `text`.
// Throws DistributionTextError on a missing ')', nested parentheses, empty
// arguments, a plain argument after a key=value one and repeated keys.
Call split_call(std::string_view text);

}  // namespace detail

}  // namespace loader
