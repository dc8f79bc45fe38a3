// The "simulated 12s / 60s  20%  1.2M events/s" line on a terminal's stderr.
#pragma once

#include <chrono>
#include <cstdint>

#include "sim/time.hpp"

namespace cli {

class ProgressLine {
 public:
  explicit ProgressLine(sim::Time total);
  ~ProgressLine();  // clears the line, also when the run throws
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Suits models::RunOptions::progress; redraws at most ten times a second.
  void update(sim::Time simulated, std::uint64_t events);

 private:
  using Clock = std::chrono::steady_clock;
  sim::Time total_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace cli
