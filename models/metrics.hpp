// The results' collector of request events (models/events.hpp): counts,
// latencies, tier sojourns and replica reads. Only requests sent after the
// warm-up count (the events' `measured`), so nothing here needs resetting at
// the warm-up.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/events.hpp"
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

  void on(const RequestOffered& e) {
    if (e.measured) ++classes_[static_cast<std::size_t>(e.request_class)].counts.offered;
  }
  void on(const AttemptLaunched& e) {
    if (!e.measured) return;
    ++attempts_;
    if (e.retry) ++retries_;
  }
  void on(const RequestEnded& e) {
    if (!e.measured) return;
    auto& c = classes_[static_cast<std::size_t>(e.request_class)];
    if (e.failure) {
      ++c.counts.failed[static_cast<std::size_t>(*e.failure)];
      return;
    }
    ++c.counts.succeeded;
    if (good(e.latency)) ++c.counts.good;
    c.latency.record(e.latency);
  }
  void on(const TierVisited& e) {
    if (e.measured) tier_sojourn_[static_cast<std::size_t>(e.tier)].record(e.sojourn);
  }
  void on(const ReplicaRead& e) {
    if (!e.measured) return;
    auto& c = classes_[static_cast<std::size_t>(e.request_class)];
    ++c.replica_reads;
    if (e.stale) ++c.stale_reads;
  }

  struct PerClass {
    RequestCounts counts;
    sim::LatencyHistogram latency;  // successful requests, client send to client receive
    std::uint64_t replica_reads = 0;
    std::uint64_t stale_reads = 0;
  };
  const std::vector<PerClass>& classes() const { return classes_; }
  const std::vector<sim::LatencyHistogram>& tier_sojourns() const { return tier_sojourn_; }
  // Attempts of measured requests (first ones and retries), and the retries.
  std::uint64_t attempts() const { return attempts_; }
  std::uint64_t retries() const { return retries_; }

 private:
  std::optional<Time> latency_objective_;
  std::vector<PerClass> classes_;
  std::vector<sim::LatencyHistogram> tier_sojourn_;
  std::uint64_t attempts_ = 0;
  std::uint64_t retries_ = 0;
};

}  // namespace models
