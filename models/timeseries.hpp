// Per-window time series of a run (for --timeseries files and warm-up
// detection). Windows cover the whole run from time 0, warm-up included, and
// rows stream to a sink as each window closes, so memory does not grow with
// the run's length.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>
#include <vector>

#include "models/events.hpp"
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

  // A collector of request events (models/events.hpp), measured or not.
  // A request is offered as of its send time, which may be in a later
  // window: clients create requests ahead of it (Clients::on_open_arrival).
  void on(const RequestOffered& e) {
    if (e.sent < current_.start + window_) {
      ++current_.offered;
    } else {
      offered_ahead_.push_back(e.sent);
    }
  }
  void on(const AttemptLaunched& e) {
    if (e.retry) ++current_.retries;
  }
  void on(const RequestEnded& e) {
    if (e.failure) {
      ++current_.failed[static_cast<std::size_t>(*e.failure)];
      return;
    }
    ++current_.succeeded;
    latencies_.push_back(e.latency);
  }
  // Outcomes land in the window that is open when they are emitted: they may
  // be stamped ahead of the present up to its end.
  Time horizon(std::type_identity<RequestEnded>, Time now) const {
    return origin_ + ((now - origin_) / window_ + 1) * window_;
  }

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
