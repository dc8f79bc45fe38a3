// The outcome of one run, as plain data for reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/metrics.hpp"
#include "models/slo.hpp"
#include "sim/statistics.hpp"

namespace models {

// Read-your-writes at database replicas (with replication_lag): read
// queries answered by replicas, and those of them that were stale.
struct StaleReads {
  std::uint64_t count = 0;
  std::uint64_t replica_reads = 0;
};

// The q-quantile, in ns, of the latencies of every request that ended,
// successes and failures together, a failure counting as slower than every
// success: nullopt when that rank falls among the failures. The successes'
// histogram gives the value, so its resolution applies. Needs counts.ended() > 0.
inline std::optional<double> quantile_with_failures(const sim::LatencyHistogram& successes,
                                                    const RequestCounts& counts, double q) {
  const std::uint64_t rank = sim::LatencyHistogram::nearest_rank(q, counts.ended());
  if (rank > counts.succeeded) return std::nullopt;
  return successes.at_rank(rank);
}

struct ClassResult {
  std::string name;
  RequestCounts counts;
  sim::LatencyHistogram latency;
  std::optional<StaleReads> stale_reads;  // unset: no replication lag modelled
};

struct TierResult {
  std::string name;
  std::string kind;
  sim::LatencyHistogram sojourn;  // arrival at a node to response sent, measured requests
};

struct NodeResult {
  std::string name;
  std::string tier;
  std::string host;
  double cpu_utilization = 0.0;
  double nic_utilization = 0.0;   // the busier direction
  double disk_utilization = 0.0;
  double queue_mean = 0.0;        // requests at the node, waiting or served
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  Time duration = 0;
  Time warmup = 0;
  RequestCounts totals;
  sim::LatencyHistogram latency;
  std::vector<ClassResult> classes;
  std::vector<TierResult> tiers;
  std::vector<NodeResult> nodes;
  // Attempts of measured requests (first ones and retries), and the SLO view.
  std::uint64_t attempts = 0;
  std::uint64_t retries = 0;
  SloResult slo;
  std::optional<StaleReads> stale_reads;  // over all classes; unset: no replication lag modelled
  std::uint64_t events = 0;
  double wall_seconds = 0.0;

  double measured_seconds() const { return sim::to_seconds(duration - warmup); }
  double throughput() const { return static_cast<double>(totals.succeeded) / measured_seconds(); }
  double availability() const { return totals.availability(); }
  // Good requests (slo.latency) per measured second.
  double goodput() const { return static_cast<double>(totals.good) / measured_seconds(); }
  double attainment() const { return totals.attainment(); }
  // Attempts per first attempt: how much retries multiplied the load.
  double amplification() const {
    return totals.offered == 0 ? 1.0 : static_cast<double>(attempts) / static_cast<double>(totals.offered);
  }
};

}  // namespace models
