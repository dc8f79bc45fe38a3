#include "models/slo.hpp"

#include <algorithm>

namespace models {

namespace {
// How long a fault may take to show in the success ratio.
constexpr Time kGrace = 60 * sim::kSecond;
}  // namespace

SloTracker::SloTracker(const SloConfig& slo, Time measure_from)
    : slo_(slo), measure_from_(measure_from), window_start_(measure_from) {
  result_.target = slo.target;
  result_.window = slo.window;
  result_.latency = slo.latency;
}

void SloTracker::advance(Time now) {
  while (now >= window_start_ + slo_.window) close_window(window_start_ + slo_.window);
}

void SloTracker::offered(Time now) {
  if (now < window_start_) return;
  advance(now);
  ++offered_;
}

void SloTracker::on(const RequestEnded& e) {
  if (!e.measured || e.at < window_start_) return;
  advance(e.at);
  ++ended_;
  // A good request: a success within the latency objective (any success without one).
  if (!e.failure && (!slo_.latency || e.latency <= *slo_.latency)) ++good_;
  for (std::size_t f : open_) {
    if (e.failure) ++result_.faults[f].failed;
  }
}

void SloTracker::close_window(Time end) {
  const bool good = ended_ == 0 ? offered_ == 0
                                : static_cast<double>(good_) >= slo_.target * static_cast<double>(ended_);
  ++result_.windows;
  if (good) ++result_.good_windows;
  for (auto it = open_.begin(); it != open_.end();) {
    FaultImpact& impact = result_.faults[*it];
    if (end <= impact.start) {
      ++it;
      continue;
    }
    if (!good) {
      had_bad_window_[*it] = true;
      ++it;
      continue;
    }
    // Good again after bad windows: recovered. A fault whose effects show
    // late (clients notice by their timeouts) gets a grace period before it
    // is called harmless, recovered at its start.
    if (had_bad_window_[*it]) {
      impact.recovered = end;
    } else if (end - impact.start >= kGrace) {
      impact.recovered = impact.start;
    } else {
      ++it;
      continue;
    }
    it = open_.erase(it);
  }
  window_start_ = end;
  offered_ = good_ = ended_ = 0;
}

void SloTracker::on(const FaultBegan& e) {
  FaultImpact impact;
  impact.fault = e.fault;
  impact.start = e.at;
  result_.faults.push_back(std::move(impact));
  open_.push_back(result_.faults.size() - 1);
  had_bad_window_.push_back(false);
}

void SloTracker::detection(Time now) {
  for (std::size_t f : open_) {
    if (!result_.faults[f].detected) result_.faults[f].detected = now;
  }
}

SloResult SloTracker::finish(Time now) {
  advance(now);
  return result_;
}

}  // namespace models
