// The collectors of typed events (models/observers.hpp): which events reach
// the SLO view and the results' counts, and the horizon up to which the
// clients may stamp events ahead of the present.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/observers.hpp"
#include "models/stack.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using models::Observers;
using sim::kSecond;
using sim::Time;

class NoRows : public models::WindowSink {
 public:
  void begin(const std::vector<std::string>&) override {}
  void row(const models::WindowRow&) override {}
};

// Warm-up 60 s, SLO windows of 10 s from there.
models::ScenarioConfig config() { return test_support::load("mm1", {"run.warmup=60s", "slo.window=10s"}); }

TEST(Observers, HorizonIsTheSloWindowsEndWithoutTimeSeries) {
  const auto c = config();
  const Observers observers(c);
  // Before the measurement: one window, up to the warm-up's end.
  EXPECT_EQ(observers.horizon<models::RequestEnded>(30 * kSecond), 60 * kSecond);
  EXPECT_EQ(observers.horizon<models::RequestOffered>(60 * kSecond - 1), 60 * kSecond);
  EXPECT_EQ(observers.horizon<models::RequestEnded>(60 * kSecond), 70 * kSecond);
  EXPECT_EQ(observers.horizon<models::RequestOffered>(79 * kSecond), 80 * kSecond);
  // Nobody counts tier visits per window.
  EXPECT_EQ(observers.horizon<models::TierVisited>(65 * kSecond), sim::kNever);
}

TEST(Observers, TimeSeriesWindowsBoundOutcomesButNotOffers) {
  const auto c = config();
  sim::Simulation sim(c.run.seed);
  models::Stack stack(c, sim);
  NoRows rows;
  stack.record_windows(3 * kSecond, rows);
  stack.start();
  const Observers& observers = stack.observers();
  // Time-series windows of 3 s from 0: at 61 s the next ends at 63 s, before the SLO window's 70 s.
  EXPECT_EQ(observers.horizon<models::RequestEnded>(61 * kSecond), 63 * kSecond);
  // The time series takes offers ahead of their window (it queues them).
  EXPECT_EQ(observers.horizon<models::RequestOffered>(61 * kSecond), 70 * kSecond);
}

models::FaultBegan fault_at(Time at) {
  models::FaultBegan e;
  e.at = at;
  e.text = "fault: host crash web1";
  e.fault = "host crash web1";
  return e;
}

TEST(Observers, OnlyDetectionsByTrafficCarriersAndFailoversDetectFaults) {
  const auto c = config();
  Observers observers(c);
  std::vector<std::string> lines;
  observers.set_trace([&](Time, const std::string& text) { lines.push_back(text); });
  observers.emit(fault_at(61 * kSecond));
  models::Detection backup;
  backup.at = 62 * kSecond;
  backup.text = "detect: lb2 marks web1 DOWN";
  backup.carries_traffic = false;
  observers.emit(backup);
  models::Recovery recovery;
  recovery.at = 63 * kSecond;
  recovery.text = "detect: lb1 marks web1 UP";
  observers.emit(recovery);
  models::SloTracker slo = observers.slo();  // finish() closes windows: on a copy
  const auto undetected = slo.finish(70 * kSecond).faults;
  ASSERT_EQ(undetected.size(), 1u);
  EXPECT_FALSE(undetected.front().detected);

  models::Detection active = backup;
  active.at = 64 * kSecond;
  active.carries_traffic = true;
  observers.emit(active);
  slo = observers.slo();
  EXPECT_EQ(slo.finish(70 * kSecond).faults.front().detected, 64 * kSecond);

  // A failover detects a fault that nothing detected yet.
  observers.emit(fault_at(65 * kSecond));
  models::Failover vrrp;
  vrrp.at = 66 * kSecond;
  vrrp.text = "vrrp: lb2 takes address 1 from lb1";
  observers.emit(vrrp);
  slo = observers.slo();
  const auto faults = slo.finish(70 * kSecond).faults;
  EXPECT_EQ(faults.at(0).detected, 64 * kSecond);
  EXPECT_EQ(faults.at(1).detected, 66 * kSecond);
  // The trace has every timeline event's line, in order.
  EXPECT_EQ(lines, (std::vector<std::string>{"fault: host crash web1", "detect: lb2 marks web1 DOWN",
                                             "detect: lb1 marks web1 UP", "detect: lb2 marks web1 DOWN",
                                             "fault: host crash web1", "vrrp: lb2 takes address 1 from lb1"}));
}

TEST(Observers, MetricsCountMeasuredOutcomesOnly) {
  const auto c = config();
  Observers observers(c);
  observers.emit(models::RequestOffered{0, 10 * kSecond, false});
  observers.emit(models::RequestOffered{0, 61 * kSecond, true});
  observers.emit(models::AttemptLaunched{false, true});
  observers.emit(models::AttemptLaunched{true, true});
  observers.emit(models::AttemptLaunched{true, false});
  observers.emit(models::RequestEnded{0, 11 * kSecond, kSecond, std::nullopt, false});
  observers.emit(models::RequestEnded{0, 62 * kSecond, kSecond, std::nullopt, true});
  observers.emit(models::RequestEnded{0, 63 * kSecond, 0, models::FailureReason::kClientTimeout, true});
  const auto& counts = observers.metrics().classes().at(0).counts;
  EXPECT_EQ(counts.offered, 1u);
  EXPECT_EQ(counts.succeeded, 1u);
  EXPECT_EQ(counts.failed_total(), 1u);
  EXPECT_EQ(observers.metrics().attempts(), 2u);
  EXPECT_EQ(observers.metrics().retries(), 1u);
}

}  // namespace
