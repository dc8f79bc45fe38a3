// The outputs that put the analytic answer beside the simulation's: the
// table and the JSON section of `tiersim run --analyze`, and the CSV of
// `tiersim analyze --vary`. docs/analysis.md shows them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "analysis/comparison.hpp"
#include "experiment/sweep.hpp"

namespace cli {

// One line per row: analytic value, simulated mean, the 95% half-width over
// replications (with two or more), relative difference, and for highlighted
// rows a "!" in the first column and the causes; then each cause's details.
// Times in ms, utilizations and availability in percent. At most 100 columns
// but for long scenario, station or class names.
std::string comparison_table(const analysis::Comparison& comparison);

// {"method", "replications", "thresholds", "rows": [{"name", "quantity",
// "unit", "analytic", "simulated": {"value", "ci95"}, "difference",
// "highlight", "reasons": [{"cause", "detail"}]}]}; times in ms, the rest as
// fractions or per second; null where there is no value.
nlohmann::ordered_json comparison_json(const analysis::Comparison& comparison);

// The analytic sweep: the plan's varied keys, then those of its metric
// columns that have an analytic value (analysis::analytic_metrics), named as
// `tiersim sweep` names them, then "operational.bottleneck",
// "operational.bottleneck_utilization" and "operational.saturation_rate_per_s".
// A row per point, in the plan's order; an empty cell where a point has no
// value (the mean latency of a saturated point).
std::string analytic_sweep_csv(const experiment::SweepPlan& plan);

}  // namespace cli
