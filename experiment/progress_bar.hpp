// "[######----------]  3/8 runs  ETA 12s  1.2M events/s" on a terminal's
// stderr, for experiments and sweeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace experiment {

class ProgressBar {
 public:
  explicit ProgressBar(std::string unit);  // what is counted: "runs", "points"
  ~ProgressBar();  // clears the line, also when the work throws
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Suits experiment::Progress; redraws at most ten times a second. The ETA
  // extrapolates the rate since the first update, so work done before it
  // (resumed sweep points) does not count.
  void update(double done, double total, std::uint64_t events);

 private:
  using Clock = std::chrono::steady_clock;
  std::string unit_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  std::optional<double> first_done_;
  bool drawn_ = false;
};

}  // namespace experiment
