// What the models emit about requests, recorded for the results. Only
// requests sent after the warm-up are counted (the caller checks
// Request::measured), so nothing here needs resetting at the warm-up.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/request.hpp"
#include "sim/statistics.hpp"

namespace models {

struct RequestCounts {
  std::uint64_t offered = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t good = 0;  // succeeded within slo.latency (every success without one)
  std::array<std::uint64_t, kFailureReasonCount> failed{};

  std::uint64_t failed_total() const {
    std::uint64_t total = 0;
    for (auto n : failed) total += n;
    return total;
  }
  std::uint64_t in_flight() const { return offered - succeeded - failed_total(); }
  std::uint64_t ended() const { return succeeded + failed_total(); }
  // Success ratio of the requests that ended: those still in flight when the
  // run stops are neither successes nor failures. 1 when none ended.
  double availability() const {
    return ended() == 0 ? 1.0 : static_cast<double>(succeeded) / static_cast<double>(ended());
  }
  // Good requests among those that ended (slo.attainment); 1 when none ended.
  double attainment() const {
    return ended() == 0 ? 1.0 : static_cast<double>(good) / static_cast<double>(ended());
  }
};

class Metrics {
 public:
  Metrics(std::size_t classes, std::size_t tiers, std::optional<Time> latency_objective)
      : latency_objective_(latency_objective), classes_(classes), tier_sojourn_(tiers) {}

  // Whether a success of this latency is good under slo.latency.
  bool good(Time latency) const { return !latency_objective_ || latency <= *latency_objective_; }

  void offered(int request_class) { ++classes_[static_cast<std::size_t>(request_class)].counts.offered; }
  void succeeded(int request_class, Time latency) {
    auto& c = classes_[static_cast<std::size_t>(request_class)];
    ++c.counts.succeeded;
    if (good(latency)) ++c.counts.good;
    c.latency.record(latency);
  }
  void failed(int request_class, FailureReason reason) {
    ++classes_[static_cast<std::size_t>(request_class)].counts.failed[static_cast<std::size_t>(reason)];
  }
  void tier_visit(int tier, Time sojourn) { tier_sojourn_[static_cast<std::size_t>(tier)].record(sojourn); }
  // A read query answered by a database replica; stale when the replica had
  // not applied every earlier write of the same client.
  void replica_read(int request_class, bool stale) {
    auto& c = classes_[static_cast<std::size_t>(request_class)];
    ++c.replica_reads;
    if (stale) ++c.stale_reads;
  }

  struct PerClass {
    RequestCounts counts;
    sim::LatencyHistogram latency;  // successful requests, client send to client receive
    std::uint64_t replica_reads = 0;
    std::uint64_t stale_reads = 0;
  };
  const std::vector<PerClass>& classes() const { return classes_; }
  const std::vector<sim::LatencyHistogram>& tier_sojourns() const { return tier_sojourn_; }

 private:
  std::optional<Time> latency_objective_;
  std::vector<PerClass> classes_;
  std::vector<sim::LatencyHistogram> tier_sojourn_;
};

}  // namespace models
