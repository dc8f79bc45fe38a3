// What the libFuzzer harnesses share: the errors that are the expected
// answer to bad input (anything else escaping is a finding), and a short,
// bounded run of a loaded scenario.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "models/config.hpp"

namespace fuzz {

// The source tree's scenarios/ folder: relative paths such as
// empirical(file.csv) resolve there, as for the shipped scenarios.
std::filesystem::path scenarios_dir();

// The text of a shipped scenario, read once.
const std::string& scenario_text(const std::string& name);

// Runs `config` for at most 20 ms of simulated time and about 200,000
// events (inputs may ask for hours at millions of requests a second; the
// point is to drive what loaded through the models, not to measure). A run
// that a guard stops (models::RunLimitExceeded) ends there, as in the CLI.
void short_run(models::ScenarioConfig config);

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace fuzz
