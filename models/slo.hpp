// Time availability against a service-level objective, and what each fault
// cost. The measured period (after the warm-up) is cut into SLO windows; a
// window is good when the share of good requests (successes, within
// slo.latency when one is set) among those that ended in it meets the target. A window where requests were sent but none ended (every
// client still waiting) is bad, and one with no traffic at all is good.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/config.hpp"

namespace models {

struct FaultImpact {
  std::string fault;             // e.g. "host crash lb1"
  Time start = 0;
  std::optional<Time> detected;  // first detection or failover event after the start
  std::optional<Time> recovered; // end of the first good window after the last bad one
  std::uint64_t failed = 0;      // measured requests that failed from start to recovery
};

struct SloResult {
  double target = 0.0;
  std::optional<Time> latency;  // the latency objective, if any
  Time window = 0;
  std::uint64_t windows = 0;
  std::uint64_t good_windows = 0;
  double time_availability() const {
    return windows == 0 ? 1.0 : static_cast<double>(good_windows) / static_cast<double>(windows);
  }
  Time downtime() const { return static_cast<Time>(windows - good_windows) * window; }
  std::vector<FaultImpact> faults;
};

class SloTracker {
 public:
  SloTracker(const SloConfig& slo, Time measure_from);

  void offered(Time now);
  // good: a success within the latency objective (any success without one).
  void ended(Time now, bool success, bool good);
  // Whether times a and b fall in the same window (before the measurement
  // starts counts as one window): counts kept as of either land in one place.
  bool same_window(Time a, Time b) const {
    if (a < measure_from_ || b < measure_from_) return a < measure_from_ && b < measure_from_;
    return (a - measure_from_) / slo_.window == (b - measure_from_) / slo_.window;
  }
  void fault_started(Time now, std::string description);
  void detection(Time now);
  // Closes the windows up to `now` (the end of the run).
  SloResult finish(Time now);

 private:
  void advance(Time now);
  void close_window(Time end);

  SloConfig slo_;
  Time measure_from_;
  Time window_start_;
  std::uint64_t offered_ = 0, good_ = 0, ended_ = 0;
  SloResult result_;
  std::vector<std::size_t> open_;       // faults not yet recovered
  std::vector<bool> had_bad_window_;    // per fault
};

}  // namespace models
