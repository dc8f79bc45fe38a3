// Time availability against a service-level objective, and what each fault
// cost. The measured period (after the warm-up) is cut into SLO windows; a
// window is good when the share of good requests (successes, within
// slo.latency when one is set) among those that ended in it meets the target. A window where requests were sent but none ended (every
// client still waiting) is bad, and one with no traffic at all is good.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "models/config.hpp"
#include "models/events.hpp"

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

  // A collector of request and timeline events (models/events.hpp).
  void on(const RequestOffered& e) {
    if (e.measured) offered(e.sent);
  }
  void on(const RequestEnded& e);
  void on(const FaultBegan& e);
  void on(const Detection& e) {
    if (e.carries_traffic) detection(e.at);
  }
  void on(const Failover& e) { detection(e.at); }
  // Counts kept as of a time before the window that `now` is in ends land in
  // one place (before the measurement starts counts as one window): offers
  // and outcomes may be stamped ahead of the present up to there.
  Time horizon(std::type_identity<RequestOffered>, Time now) const { return window_end(now); }
  Time horizon(std::type_identity<RequestEnded>, Time now) const { return window_end(now); }
  // Closes the windows up to `now` (the end of the run).
  SloResult finish(Time now);

 private:
  Time window_end(Time t) const {
    if (t < measure_from_) return measure_from_;
    return measure_from_ + ((t - measure_from_) / slo_.window + 1) * slo_.window;
  }
  void offered(Time now);
  void detection(Time now);
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
