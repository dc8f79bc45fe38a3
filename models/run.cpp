#include "models/run.hpp"

#include <algorithm>
#include <chrono>

#include "models/stack.hpp"
#include "sim/simulation.hpp"

namespace models {

RunResult run_scenario(const ScenarioConfig& config, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  sim::Simulation sim(config.run.seed, options.replication);
  Stack stack(config, sim);
  if (options.windows != nullptr) stack.record_windows(options.window, *options.windows);
  if (options.trace) stack.set_trace(options.trace);
  stack.start();
  if (options.progress) {
    // Slices of 1% keep the progress line fresh at no measurable cost.
    const Time slice = std::max<Time>(1, config.run.duration / 100);
    for (Time t = 0; t < config.run.duration && !stack.overload();) {
      t = std::min(config.run.duration, t + slice);
      sim.run_until(t);
      options.progress(t, sim.events_fired());
    }
  } else {
    sim.run_until(config.run.duration);
  }
  if (stack.overload()) throw RunLimitExceeded(*stack.overload());
  stack.finish();
  RunResult result = stack.results();
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace models
