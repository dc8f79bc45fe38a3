// Shared helpers for model tests: load a scenario from scenarios/ with
// overrides, and run it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "loader/scenario_loader.hpp"
#include "models/config.hpp"
#include "models/run.hpp"

namespace test_support {

inline std::filesystem::path source_root() { return TIERSIM_SOURCE_ROOT; }

inline models::ScenarioConfig load(const std::string& scenario, const std::vector<std::string>& sets = {}) {
  std::vector<loader::Override> overrides;
  for (const auto& s : sets) overrides.push_back(loader::parse_override(s));
  return loader::load_scenario_file(source_root() / "scenarios" / (scenario + ".yaml"), overrides);
}

inline double ms(double ns) { return ns / 1e6; }

}  // namespace test_support
