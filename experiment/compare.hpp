// `tiersim compare`: scenarios run with the same replications (common random
// numbers) and paired differences against the first.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/replications.hpp"
#include "experiment/summary.hpp"

namespace experiment {

struct ComparedMetric {
  MetricEstimate own;
  // (this scenario - the first) over replications, with its interval
  // (latency percentiles: from the ratio of geometric means, widened by what
  // the two values' resolution, sim::LatencyHistogram::kRelativeResolution,
  // could account for; others: the mean difference and its t-interval); none
  // for the first scenario, for metrics the first lacks (another topology's
  // nodes) and when some replication measured nothing.
  std::optional<Estimate> difference;
  // The interval excludes 0.
  bool significant = false;
};

struct ComparedScenario {
  std::string file;
  const Experiment* experiment = nullptr;
  std::vector<ComparedMetric> metrics;
};

// experiments from run_paired, files as the user named them.
std::vector<ComparedScenario> compare(std::span<const Experiment> experiments, std::span<const std::string> files);

// The global metrics, scenario by scenario, with the differences; '*' marks a
// significant one.
std::string comparison_table(std::span<const ComparedScenario> scenarios, unsigned jobs);
// All metrics, node ones included; docs/statistics.md lists the keys.
nlohmann::ordered_json comparison_json(std::span<const ComparedScenario> scenarios);
// One row per scenario and metric: scenario,file,metric,value,lo,hi,
// difference,difference_lo,difference_hi,significant.
std::string comparison_csv(std::span<const ComparedScenario> scenarios);

}  // namespace experiment
