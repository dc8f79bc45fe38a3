// Running a scenario: one Simulation, one Stack, from time 0 to the run's
// duration.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "models/config.hpp"
#include "models/results.hpp"
#include "models/timeseries.hpp"

namespace models {

struct RunOptions {
  std::uint64_t replication = 0;
  // Called now and then with (simulated time, events so far); may be empty.
  std::function<void(Time, std::uint64_t)> progress;
  // When set, rows of `window` length stream to it as the run goes.
  WindowSink* windows = nullptr;
  Time window = sim::kSecond;
  // When set, receives the fault timeline: faults, detections, failovers, repairs.
  std::function<void(Time, const std::string&)> trace;
};

// A guard stopped the run: the overload guard (run.max_in_flight or
// run.max_pending_events; what() names the limit, the simulated time and
// the node holding the most requests) or the stalled-clock guard (requests
// sent without end at one instant). The CLI exits with status 3.
class RunLimitExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws RunLimitExceeded when a guard stops the run.
RunResult run_scenario(const ScenarioConfig& config, const RunOptions& options = {});

}  // namespace models
