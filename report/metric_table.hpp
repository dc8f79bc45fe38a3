// The values of a run's report in one table. Each entry is a value's place in
// the JSON of `tiersim run` (a dotted path, in the file's key order) with its
// computation, how replications combine it, and, for a headline metric, its
// label and unit in tables and its place among the headline metrics that
// replicated summaries, `compare` and `sweep` report, and its column in the
// table of `tiersim run`. The JSON writer (json_report.cpp), the headline list
// (experiment/metrics.cpp), the replicated summary (experiment/summary.cpp)
// and the single run's latency and node tables (table_report.cpp) all walk
// this table: a new metric is one entry plus its computation.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "models/results.hpp"

namespace report {

// How tables print a value: ms, a latency percentile in ms (only the digits
// the histogram resolves), per second, a fraction as a percentage, or a plain
// number (a mean queue length).
enum class Unit { kMilliseconds, kPercentileMilliseconds, kPerSecond, kAvailability, kUtilization, kNumber };

// A metric's value in one run: none when nothing was measured, or when it is
// a percentile over all finished requests that falls among the failures
// (among_failures: tables print "fail", JSON and CSV leave it empty).
struct MetricValue {
  std::optional<double> value;
  bool among_failures = false;
};

// How the report of several replications combines a top-level entry.
enum class Across {
  kEstimate,      // numbers become estimates, objects are combined member by member
  kSame,          // the same in every replication: kept as it is
  kReplications,  // the replication's number: becomes "replications", their count
  kEngine,        // the engine's events add up; the wall time is the experiment's
};

struct Headline {
  std::string_view label = {};  // in tables; empty: not a headline metric
  Unit unit = Unit::kMilliseconds;  // also that of its column (RunField::column)
  int rank = 0;                       // order among the headline metrics
  bool leads_with_objective = false;  // comes first when slo.latency is set
};

struct RunField {
  std::string_view path;
  // A number (null in JSON when it has no value) ...
  MetricValue (*metric)(const models::RunResult&) = nullptr;
  // ... or any other JSON value (counts, texts, objects).
  nlohmann::ordered_json (*json)(const models::RunResult&) = nullptr;
  Headline headline{};
  // Its column in the latency table of `tiersim run`, whose rows are the
  // objects latency_ms (successes) and latency_all_ms (all finished
  // requests); empty: not in that table.
  std::string_view column = {};
  Across across = Across::kEstimate;
};

// The values of each node's object under "nodes"; those with a label are
// headline metrics named "nodes.<node>.<key>", those with a column are
// columns of the node table of `tiersim run`.
struct NodeField {
  std::string_view key;
  double (*metric)(const models::NodeResult&) = nullptr;
  nlohmann::ordered_json (*json)(const models::NodeResult&) = nullptr;
  std::string_view label = {};
  Unit unit = Unit::kUtilization;
  std::string_view column = {};
};

// In the JSON's key order.
std::span<const RunField> run_fields();
std::span<const NodeField> node_fields();

// A percentile (quantile q) in ms over every request that ended, failures
// slower than every success: among the failures, or none when nothing ended.
MetricValue all_finished(const sim::LatencyHistogram& successes, const models::RequestCounts& counts, double q);

// How replications combine the top-level key `key` (kEstimate if no entry
// is under it).
Across across_of(std::string_view key);

}  // namespace report
