// Per-window time series of a run (for --timeseries files and warm-up
// detection). Windows cover the whole run from time 0, warm-up included, and
// rows stream to a sink as each window closes, so memory does not grow with
// the run's length.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "models/request.hpp"

namespace models {

class Stack;

struct WindowRow {
  Time start = 0;
  Time end = 0;
  std::uint64_t offered = 0;    // requests sent in the window
  std::uint64_t succeeded = 0;  // requests that ended in the window, by outcome
  std::array<std::uint64_t, kFailureReasonCount> failed{};
  std::uint64_t latency_count = 0;  // successes ending in the window ...
  double latency_mean_ms = 0.0;     // ... their mean latency and quantiles (0 when none)
  double latency_p50_ms = 0.0;
  double latency_p99_ms = 0.0;
  std::uint64_t in_flight = 0;       // requests in the system at the window's end
  std::uint64_t retries = 0;         // retry attempts launched in the window
  std::vector<int> healthy;          // per tier: nodes answering at the window's end
  std::vector<double> cpu_utilization;  // per node, in node order: its host's CPU in the window
};

class WindowSink {
 public:
  virtual ~WindowSink() = default;
  // Called once before the first row, with the node names in column order
  // (the tier names, in chain order, head the `healthy` columns).
  virtual void begin(const std::vector<std::string>& node_names) = 0;
  virtual void tiers(const std::vector<std::string>&) {}
  virtual void row(const WindowRow& row) = 0;
};

class WindowRecorder {
 public:
  WindowRecorder(Stack& stack, Time window, WindowSink& sink);

  void start();
  // Closes the last, possibly partial, window at the end of the run.
  void finish();

  // A request sent at `sent`, which may be in a later window: clients create
  // requests ahead of their send time (Clients::on_open_arrival).
  void offered(Time sent) {
    if (sent < current_.start + window_) {
      ++current_.offered;
    } else {
      offered_ahead_.push_back(sent);
    }
  }
  void succeeded(Time latency) {
    ++current_.succeeded;
    latencies_.push_back(latency);
  }
  void failed(FailureReason reason) { ++current_.failed[static_cast<std::size_t>(reason)]; }
  void retried() { ++current_.retries; }
  // Whether times a and b (not before the recorder started) fall in the same window.
  bool same_window(Time a, Time b) const { return (a - origin_) / window_ == (b - origin_) / window_; }

  void on_window_end(std::uint64_t);

 private:
  void close(Time end);

  Stack& stack_;
  Time window_;
  Time origin_ = 0;  // start of the first window
  WindowSink& sink_;
  WindowRow current_;
  std::vector<Time> latencies_;  // exact per-window quantiles; cleared each window
  std::deque<Time> offered_ahead_;  // send times of requests offered in later windows
  std::vector<double> cpu_busy_at_start_;
};

}  // namespace models
