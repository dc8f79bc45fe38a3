// An experiment's results across replications: estimates of the headline
// metrics, the JSON of `tiersim run` and its table. docs/statistics.md
// documents the JSON shapes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "experiment/metrics.hpp"
#include "experiment/replications.hpp"
#include "experiment/statistics.hpp"

namespace experiment {

struct MetricEstimate {
  Metric metric;                     // as replication 0 reports it
  std::optional<Estimate> estimate;  // none when some replication measured nothing
};

// The headline metrics over the runs (replications in order).
std::vector<MetricEstimate> summarize(std::span<const models::RunResult> runs);

// {"value": x, "ci95": [lo, hi]}; the interval is null with one replication,
// and everything is null without an estimate.
nlohmann::ordered_json estimate_json(const std::optional<Estimate>& e);

// One replication without sequential stopping: report::run_result_json's
// plain numbers. Otherwise the same keys, with every number that measures
// the system as estimate_json over the replications. Either way followed by
// "warmup_detection" with an automatic warm-up and "sequential" with a
// precision target. Apart from engine.wall_s, the same experiment gives the
// same bytes whatever the number of threads.
nlohmann::ordered_json experiment_json(const Experiment& e);

// The table of `tiersim run` for the same two cases.
std::string experiment_table(const Experiment& e, unsigned jobs);

// One line on how the automatic warm-up was chosen, for tables.
std::string warmup_text(const Experiment& e);

}  // namespace experiment
