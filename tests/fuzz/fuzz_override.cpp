// `--set key.path=value` overrides: each line of the input is one override,
// applied in order to a shipped scenario; what loads runs briefly.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "loader/scenario_loader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // 3-scale-up has every tier kind, two load balancers and a database with
  // replicas, so most keys of docs/scenarios.md have something to override.
  const std::string& base = fuzz::scenario_text("3-scale-up.yaml");
  std::string_view text = fuzz::as_text(data, size);
  models::ScenarioConfig config;
  try {
    std::vector<loader::Override> overrides;
    while (!text.empty()) {
      const std::size_t end = text.find('\n');
      overrides.push_back(loader::parse_override(text.substr(0, end)));
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    config = loader::load_scenario_text(base, "3-scale-up.yaml", fuzz::scenarios_dir(), overrides);
  } catch (const loader::ScenarioError&) {
    return 0;
  }
  fuzz::short_run(std::move(config));
  return 0;
}
