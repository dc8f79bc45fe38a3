// Scenario loader: any text as a scenario file; what loads runs briefly.
// A ScenarioError is the expected answer to bad text; any other exception,
// crash or sanitizer report is a finding.
#include <cstddef>
#include <cstdint>

#include "loader/scenario_loader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  models::ScenarioConfig config;
  try {
    config = loader::load_scenario_text(fuzz::as_text(data, size), "fuzz.yaml", fuzz::scenarios_dir());
  } catch (const loader::ScenarioError&) {
    return 0;
  }
  fuzz::short_run(std::move(config));
  return 0;
}
