// The analytic answer next to what a simulation measured: `tiersim run
// --analyze` and `tiersim analyze --vary`. Pure functions; the CLI runs the
// simulation and the analysis, and renders the rows (cli/comparison_output.hpp).
//
//   const auto comparison = analysis::compare(config, analysis::analyze(config), experiment.runs);
//
// docs/analysis.md explains the thresholds and the reasons.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analysis_report.hpp"
#include "models/config.hpp"
#include "models/results.hpp"

namespace analysis {

enum class Quantity {
  kThroughput,   // requests/s
  kResponse,     // mean response time, s
  kUtilization,  // busy fraction of a station's servers
  kAvailability  // share of the requests that succeed
};

// When a row is highlighted. Utilization and throughput obey the
// utilization law U = X D, which holds exactly for what a run measures, so a
// simulation differs from the analysis by its sampling error only: about
// sqrt(2 / n) for n requests (the arrival count and the mean service time),
// 0.25% for the 324,000 requests of a stage scenario. 2% of the value is
// several of those; beyond it something the analysis leaves out (rejections,
// retries, down time) changed the work done. The 0.05-point floor keeps
// nearly idle stations quiet: they see few jobs (3-scale-up's db1 CPU, 1%
// busy, varies by 0.01 points from run to run; one monitoring tick more or
// less moves a passive balancer's 0.2% by 2%).
inline constexpr double kUtilizationTolerance = 0.02;  // relative
inline constexpr double kUtilizationFloor = 0.0005;    // absolute, utilization only
// Mean response times are approximations beyond product form (M/G/c, pools,
// cut-through NICs): 10% separates "the approximation is rough" from "the
// model is different".
inline constexpr double kResponseTolerance = 0.10;  // relative
// Availability: the unavailabilities 1 - A are compared, since A is near 1;
// 1e-4 keeps a few rejections in a run without faults quiet.
inline constexpr double kUnavailabilityTolerance = 0.10;  // relative to 1 - A analytic
inline constexpr double kUnavailabilityFloor = 1e-4;      // absolute

// Why a simulation may disagree with the analysis.
enum class Cause {
  kFinitePool,         // the run rejected requests at a limit, or the analysis finds a pool near full or rejecting
  kWeakApproximation,  // a station on the path is flagged by the analysis (service cv far from 1, utilization > 90%)
  kRetries,            // clients retried: each attempt is work the analysis does not count
  kFaults,             // the scenario injects faults: down time, detection and failover
  kFewSamples,         // a short run, no warm-up, or a difference within the replications' spread
  kSaturation,         // the analysis has no steady state at this load
};

// "finite_pool", "weak_approximation", "retries", "faults", "few_samples", "saturation".
std::string_view cause_name(Cause cause);

struct Reason {
  Cause cause = Cause::kFinitePool;
  std::string detail;  // a sentence naming what was seen, e.g. "web_connections rejected 12 requests"
};

struct ComparisonRow {
  std::string name;  // "throughput", "response", "response <class>", "<host>.cpu", "<host>.nic", "<host>.disk", "time availability"
  Quantity quantity = Quantity::kUtilization;
  // What the analysis and each replication say, in s, requests/s or
  // fractions; none: no answer (saturated, faults without a model, nothing measured).
  std::optional<double> analytic;
  std::vector<double> simulated;  // one per replication; empty when some replication measured nothing
  std::optional<double> difference;  // (mean simulated - analytic) / analytic
  bool highlighted = false;
  std::vector<Reason> reasons;  // of highlighted rows: the likely ones, when known
  double simulated_mean() const;
};

struct Comparison {
  std::string method;  // the queueing analysis's
  std::size_t replications = 0;
  std::vector<ComparisonRow> rows;  // throughput, responses, stations by host, availability
};

// The rows: throughput; mean response overall and per class; per host the
// CPU, the busier NIC direction (what the simulation reports) and the disk,
// leaving out stations idle on both sides; availability. Software pools have
// no row: the simulation does not report their occupancy. `runs` are the
// replications of `config` (as run), `analysis` its analysis.
Comparison compare(const models::ScenarioConfig& config, const AnalysisResult& analysis,
                   std::span<const models::RunResult> runs);

// The analytic request availability: the analysis's availability model when
// it has one; 1 when the scenario has no faults (the model serves every
// request); none otherwise (scheduled faults have no steady state).
std::optional<double> analytic_availability(const models::ScenarioConfig& config, const AnalysisResult& analysis);

// The analytic values of the metrics a run reports, under their names in
// experiment/metrics.hpp: "throughput_rps", "latency_ms.mean" (while the
// analysis is stable), "slo.time_availability" (see analytic_availability:
// the model's is a time availability) and, per node,
// "nodes.<node>.cpu_utilization", "nic_utilization" (the busier direction)
// and "disk_utilization" of its host. Utilizations above 1 are offered load.
// "latency_ms.p50", "p90" and "p99" from response_quantile; "throughput_rps"
// at most the saturation rate. Request availability has no analytic value.
std::map<std::string, double> analytic_metrics(const models::ScenarioConfig& config, const AnalysisResult& analysis);

}  // namespace analysis
