#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "models/run.hpp"

namespace fuzz {

namespace {

// Thrown from the progress callback, between slices of the run, to end a
// run that has used its event budget.
struct EventBudgetSpent {};

constexpr sim::Time kLongestRun = 20 * sim::kMillisecond;
constexpr std::uint64_t kEventBudget = 200'000;

}  // namespace

std::filesystem::path scenarios_dir() { return std::filesystem::path(TIERSIM_SOURCE_ROOT) / "scenarios"; }

const std::string& scenario_text(const std::string& name) {
  static std::map<std::string, std::string> texts;
  auto [it, inserted] = texts.try_emplace(name);
  if (inserted) {
    std::ifstream in(scenarios_dir() / name);
    if (!in) throw std::runtime_error("cannot read scenarios/" + name);
    std::ostringstream text;
    text << in.rdbuf();
    it->second = text.str();
  }
  return it->second;
}

void short_run(models::ScenarioConfig config) {
  config.run.duration = std::min(config.run.duration, kLongestRun);
  config.run.warmup = 0;
  config.run.auto_warmup = false;
  // Faults scheduled past the shortened end are validated already; the
  // models ignore them as they would any fault after the run.
  models::RunOptions options;
  options.progress = [](sim::Time, std::uint64_t events) {
    if (events > kEventBudget) throw EventBudgetSpent{};
  };
  try {
    models::run_scenario(config, options);
  } catch (const EventBudgetSpent&) {
  } catch (const models::RunLimitExceeded&) {
    // A guard stopped the run with its message: what the CLI reports with
    // exit status 3, by design (docs/reliability.md).
  }
}

}  // namespace fuzz
