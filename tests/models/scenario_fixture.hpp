// Shared helpers for model tests: load a scenario from scenarios/ with
// overrides, and run it.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "loader/scenario_loader.hpp"
#include "models/config.hpp"
#include "models/run.hpp"
#include "models/stack.hpp"
#include "sim/simulation.hpp"

namespace test_support {

inline std::filesystem::path source_root() { return TIERSIM_SOURCE_ROOT; }

inline models::ScenarioConfig load(const std::string& scenario, const std::vector<std::string>& sets = {}) {
  std::vector<loader::Override> overrides;
  for (const auto& s : sets) overrides.push_back(loader::parse_override(s));
  return loader::load_scenario_file(source_root() / "scenarios" / (scenario + ".yaml"), overrides);
}

inline double ms(double ns) { return ns / 1e6; }

// A fault of one node at `at`, lasting `duration` (0 = to the end of the run).
inline models::FaultConfig scheduled(models::FaultEffect kind, const std::string& node, sim::Time at,
                                     sim::Time duration) {
  models::FaultConfig f;
  f.effect = std::move(kind);
  f.target = node;
  f.nodes = {node};
  f.at = at;
  f.duration = duration;
  return f;
}

// A stack driven by hand, with its fault timeline captured.
struct FaultRun {
  explicit FaultRun(models::ScenarioConfig c) : config(std::move(c)), sim(config.run.seed), stack(config, sim) {
    stack.set_trace([this](sim::Time t, const std::string& text) { trace.emplace_back(t, text); });
    stack.start();
  }
  // When the first timeline line containing `fragment` came; -1 if none did.
  sim::Time first_trace(const std::string& fragment) const {
    for (const auto& [t, text] : trace) {
      if (text.find(fragment) != std::string::npos) return t;
    }
    return -1;
  }
  models::ScenarioConfig config;
  sim::Simulation sim;
  models::Stack stack;
  std::vector<std::pair<sim::Time, std::string>> trace;
};

}  // namespace test_support
