// `tiersim analyze`: the analytic answer for a scenario, and its renderings.
//
//   const auto result = analysis::analyze(config);
//   std::cout << analysis::format_table(result);        // or
//   std::cout << analysis::to_json(result).dump(2);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/availability.hpp"
#include "analysis/demands.hpp"
#include "analysis/fault_groups.hpp"
#include "analysis/queueing.hpp"
#include "models/config.hpp"

namespace analysis {

struct AnalysisOptions {
  MvaLimits mva;
  // Redundancy groups of the request path, to use instead of the ones the
  // scenario's stochastic faults give (analysis/fault_groups.hpp).
  std::vector<RedundancyGroup> availability;
};

struct AnalysisResult {
  StackModel model;
  OperationalAnalysis operational;  // utilizations at queueing.throughput
  QueueingAnalysis queueing;
  // The request path's time availability; none without stochastic crash,
  // kill or stop faults (or groups from the options).
  std::optional<PathAvailability> availability;
  // Where it came from: the groups with their units and reasons, ignored
  // faults, notes. Empty when the options supplied the groups.
  AvailabilityModel availability_model;
  // The same groups with k from redundancy alone, when the load makes some
  // group need more units (availability_model.capacity_matters()).
  std::optional<PathAvailability> availability_without_load;
};

// Throws what build_model throws for a scenario the loader would reject.
AnalysisResult analyze(const models::ScenarioConfig& config, const AnalysisOptions& options = {});

// The largest arrival rate at which the class mix's p-quantile of response
// time stays at or below `limit` (s): bisection over (0, saturation) on the
// open model, the quantile growing with the load. Open workloads only.
struct Knee {
  double p = 0.99;
  double limit = 0.0;                // s
  std::optional<double> rate;        // requests/s; none when even no load misses the limit
  double saturation_rate = 0.0;      // requests/s
  double quantile_at_rate = 0.0;     // s, the quantile at `rate`
};
Knee find_knee(const AnalysisResult& result, double p, double limit, const AnalysisOptions& options = {});

std::string format_knee(const Knee& knee);
nlohmann::ordered_json knee_json(const Knee& knee);

// Plain-text tables; times in milliseconds.
std::string format_table(const AnalysisResult& result);

// Times in milliseconds, rates per second; values without a finite answer
// (saturated, infinite nines) are null.
nlohmann::ordered_json to_json(const AnalysisResult& result);

}  // namespace analysis
