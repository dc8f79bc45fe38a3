// The headline metrics of a run, under stable names: the path of the value in
// the run's JSON report with dots ("latency_ms.p99",
// "nodes.web1.cpu_utilization"). Tables, compare and sweep columns use them;
// docs/statistics.md lists them. They are the entries of the metric table
// (report/metric_table.hpp) that have a label.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "models/results.hpp"
#include "report/metric_table.hpp"

namespace experiment {

using report::Unit;

struct Metric {
  std::string name;
  std::string label;  // for tables, e.g. "latency p99 (ms)" or, per node, "CPU"
  std::string node;   // the node of a per-node metric; empty for the others
  Unit unit = Unit::kMilliseconds;
  std::optional<double> value;  // none when nothing was measured or among_failures
  // A percentile over all finished requests that falls among the failures
  // (latency_all_ms): tables print "fail", JSON and CSV leave it empty.
  bool among_failures = false;
};

// With a latency objective (slo.latency), slo.attainment and goodput_rps come
// first; without one they follow availability.
std::vector<Metric> headline_metrics(const models::RunResult& run);

// How far one run's value may be from the exact one, relative to the value,
// for a metric or JSON key: 1/128 for latency quantiles ("p50", "p999" and
// names ending so), which sim::LatencyHistogram reports at a bucket's
// midpoint, buckets being at most 1/64 of their lower bound wide; 0 otherwise.
double relative_resolution(std::string_view name);

// The metrics a run of `config` reports, with no values: learns its node
// names from the topology and runs nothing.
std::vector<Metric> headline_metrics(const models::ScenarioConfig& config);

}  // namespace experiment
