// The collectors of the models' events (models/events.hpp): the results'
// metrics, the SLO view, the time series (when recorded) and the fault
// timeline (when traced). The list is fixed here, at compile time: emit()
// hands an event straight to each collector that has an on() for its type,
// with no virtual call and no lookup, since request events fire several times
// per request. A new collector is a class with on() overloads (and horizon()
// where it keeps counts per time window) plus one line in emit() and
// horizon().
#pragma once

#include <algorithm>
#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "models/config.hpp"
#include "models/events.hpp"
#include "models/metrics.hpp"
#include "models/slo.hpp"
#include "models/timeseries.hpp"

namespace models {

// Writes the timeline's events as lines to a sink (--trace-faults).
class TraceCollector {
 public:
  using Sink = std::function<void(Time, const std::string&)>;
  void set_sink(Sink sink) { sink_ = std::move(sink); }
  void on(const TimelineEvent& e) {
    if (sink_) sink_(e.at, e.text);
  }

 private:
  Sink sink_;
};

class Observers {
 public:
  explicit Observers(const ScenarioConfig& config)
      : metrics_(config.workload.classes.size(), config.tiers.size(), config.slo.latency),
        slo_(config.slo, config.run.warmup) {}

  template <class E>
  void emit(const E& e) {
    deliver(metrics_, e);
    deliver(slo_, e);
    if (windows_) deliver(*windows_, e);
    deliver(trace_, e);
  }

  // Until when an event of type E emitted at `now` may be stamped ahead of
  // it without landing elsewhere than at its own time: the earliest window
  // boundary after `now` among the collectors that count E per window
  // (kNever when none does). Open-loop clients send ahead and responses are
  // settled early only up to there.
  template <class E>
  Time horizon(Time now) const {
    Time h = sim::kNever;
    bound<E>(metrics_, now, h);
    bound<E>(slo_, now, h);
    if (windows_) bound<E>(*windows_, now, h);
    return h;
  }

  const Metrics& metrics() const { return metrics_; }
  const SloTracker& slo() const { return slo_; }
  WindowRecorder* windows() { return windows_.get(); }
  void record_windows(std::unique_ptr<WindowRecorder> windows) { windows_ = std::move(windows); }
  void set_trace(TraceCollector::Sink sink) { trace_.set_sink(std::move(sink)); }

 private:
  template <class C, class E>
  static void deliver(C& collector, const E& e) {
    if constexpr (requires { collector.on(e); }) collector.on(e);
  }
  template <class E, class C>
  static void bound(const C& collector, Time now, Time& h) {
    if constexpr (requires { { collector.horizon(std::type_identity<E>{}, now) } -> std::same_as<Time>; }) {
      h = std::min(h, collector.horizon(std::type_identity<E>{}, now));
    }
  }

  Metrics metrics_;
  SloTracker slo_;
  std::unique_ptr<WindowRecorder> windows_;
  TraceCollector trace_;
};

}  // namespace models
