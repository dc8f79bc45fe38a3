// HAProxy's optional server behaviours: slowstart after a recovery, and
// passive health checks (observe, error_limit, on_error). Each test runs
// 3-scale-up at 200 requests/s with a fixed seed; lb1 (the VRRP master)
// carries the traffic and balances it over web1 and web2.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "models/haproxy.hpp"
#include "models/stack.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using models::FaultConfig;
using models::ScenarioConfig;
using sim::Time;
using test_support::FaultRun;
using test_support::load;
using test_support::scheduled;

models::HaproxyNode& lb1(FaultRun& run) {
  return dynamic_cast<models::HaproxyNode&>(*run.stack.tier_nodes(0).front());
}

models::HaproxyConfig& haproxy(ScenarioConfig& config) { return std::get<models::HaproxyConfig>(config.tiers.at(0).kind); }

ScenarioConfig checked(Time duration) {
  ScenarioConfig config = load("3-scale-up", {"run.warmup=0s", "workload.arrivals=poisson(200/s)"});
  config.run.duration = duration;
  haproxy(config).health_check = models::HealthCheckConfig{};  // inter 2 s, rise 2, fall 3
  // Unlimited, so that weights alone shape the shares (slowstart also ramps
  // maxconn: see ServerMaxconnRampsWithTheFirstAlgorithm).
  haproxy(config).server_maxconn = 0;
  return config;
}

// ---------------------------------------------------------------- slowstart

constexpr Time kSlowstart = 30 * sim::kSecond;
constexpr Time kWarmupStep = kSlowstart / 20;  // HAProxy's warmup task: max(1 s, slowstart / 20)

// web1's process is killed at 20 s and restarted at 30 s; checks mark it UP
// again soon after. Returns, for each warmup step from then on, how many new
// connections went to web1 and to web2.
std::vector<std::pair<std::uint64_t, std::uint64_t>> picks_per_step(ScenarioConfig config, int steps) {
  config.faults = {scheduled(models::ProcessCrash{}, "web1", 20 * sim::kSecond, 10 * sim::kSecond)};
  FaultRun run(config);
  Time up = -1;
  for (Time t = 30 * sim::kSecond; up < 0 && t < 40 * sim::kSecond; t += sim::kMillisecond) {
    run.sim.run_until(t);
    up = run.first_trace("lb1 marks web1 UP");
  }
  EXPECT_GT(up, 0) << "web1 never came back";
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  std::uint64_t web1 = lb1(run).server_connections(0), web2 = lb1(run).server_connections(1);
  for (int k = 1; k <= steps; ++k) {
    run.sim.run_until(up + k * kWarmupStep);
    out.emplace_back(lb1(run).server_connections(0) - web1, lb1(run).server_connections(1) - web2);
    web1 = lb1(run).server_connections(0);
    web2 = lb1(run).server_connections(1);
  }
  return out;
}

// roundrobin follows weights at once: during warmup step k (of 20) web1 weighs
// 1 + floor(16 k / 20) sixteenths of web2's, so its share of new connections
// is that over itself plus 16, growing linearly from 6% to 49%, then 50%.
// Smooth weighted round robin hands out picks exactly in proportion, give or
// take the credit carried over (at most a couple of picks); about 300
// connections a step, so 3 picks is a 1% tolerance.
TEST(Slowstart, RecoveredServerShareGrowsLinearlyOverTheRamp) {
  ScenarioConfig config = checked(75 * sim::kSecond);
  haproxy(config).slowstart = kSlowstart;
  const auto steps = picks_per_step(config, 24);
  for (int k = 0; k < 24; ++k) {
    SCOPED_TRACE("warmup step " + std::to_string(k));
    const auto [web1, web2] = steps[static_cast<std::size_t>(k)];
    const double weight = k < 20 ? 1.0 + (16 * k) / 20 : 16.0;
    const double expected = weight / (weight + 16.0) * static_cast<double>(web1 + web2);
    EXPECT_GT(web1 + web2, 200u);
    EXPECT_NEAR(static_cast<double>(web1), expected, 3.0);
  }
  // The first step gets a sixteenth of the weight; the last a full share.
  EXPECT_LT(steps.front().first * 10, steps.front().second);
  EXPECT_NEAR(static_cast<double>(steps.back().first), static_cast<double>(steps.back().second), 3.0);
}

// static-rr keeps its weights: the recovered server gets its full share from
// the first step, and so does every server without slowstart.
TEST(Slowstart, StaticRoundRobinAndNoSlowstartReinsertAtOnce) {
  for (const bool static_rr : {true, false}) {
    SCOPED_TRACE(static_rr ? "static-rr with slowstart" : "roundrobin without slowstart");
    ScenarioConfig config = checked(50 * sim::kSecond);
    if (static_rr) {
      haproxy(config).slowstart = kSlowstart;
      haproxy(config).balance = models::Balance::kStaticRoundRobin;
    }
    const auto steps = picks_per_step(config, 2);
    for (const auto& [web1, web2] : steps) EXPECT_NEAR(static_cast<double>(web1), static_cast<double>(web2), 3.0);
  }
}

// maxconn ramps for every algorithm: with `first`, which fills web1 up to its
// maxconn before using web2, web1 never holds more connections than
// max(1, maxconn x whole percents of the ramp), and it does reach that limit.
TEST(Slowstart, ServerMaxconnRampsWithTheFirstAlgorithm) {
  ScenarioConfig config = checked(60 * sim::kSecond);
  config.workload.arrivals = models::OpenArrivals{{models::RatePiece{0, 600.0, 0}}};
  auto& lb = haproxy(config);
  lb.slowstart = kSlowstart;
  lb.balance = models::Balance::kFirst;
  lb.server_maxconn = 20;
  config.faults = {scheduled(models::ProcessCrash{}, "web1", 20 * sim::kSecond, 10 * sim::kSecond)};
  FaultRun run(config);
  Time up = -1;
  int at_limit = 0;
  for (Time t = 30 * sim::kSecond; t < config.run.duration; t += sim::kMillisecond) {
    run.sim.run_until(t);
    if (up < 0) up = run.first_trace("lb1 marks web1 UP");
    if (up < 0 || t - up >= kSlowstart) continue;
    const long long percent = 100 * (t - up) / kSlowstart;
    const int limit = std::max(1, static_cast<int>(20 * percent / 100));
    const int held = lb1(run).server_load(0);
    ASSERT_LE(held, limit) << "at " << sim::format_duration(t - up) << " into the ramp";
    if (held == limit) ++at_limit;
  }
  ASSERT_GT(up, 0);
  EXPECT_GT(at_limit, 1000);  // of the 30000 samples: the limit binds
}

// ---------------------------------------------------------------- observe

struct Detection {
  Time after = -1;  // from the fault to "lb1 marks web1 DOWN"; -1 = never
  std::uint64_t connect_failed = 0;
};

Detection detect(ScenarioConfig config, const FaultConfig& fault) {
  config.faults = {fault};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  const Time down = run.first_trace("lb1 marks web1 DOWN");
  const auto r = run.stack.results();
  return {down < 0 ? -1 : down - *fault.at,
          r.totals.failed[static_cast<std::size_t>(models::FailureReason::kConnectFailed)]};
}

ScenarioConfig observing(models::Observe observe, models::OnError on_error) {
  ScenarioConfig config = checked(45 * sim::kSecond);
  auto& hc = *haproxy(config).health_check;
  hc.fastinter = 500 * sim::kMillisecond;
  hc.observe = observe;
  hc.on_error = on_error;
  return config;
}

// web1's process dies: every connection to it is refused after a round trip.
// web1 gets about 100 new requests/s (plus their retries), so the 10th error
// in a row comes about 0.1 s after the crash (Gamma(10, 100/s): sd 0.03 s).
//   mark-down:    10 errors mark it DOWN               (~0.1 s)
//   sudden-death: 10 errors leave one check to go, 10 more fail it (~0.2 s)
//   fail-check:   every 10 errors are one of the fall=3 failed checks (~0.3 s)
//   fastinter:    10 errors bring the next probe to 0.5 s away, then fall=3
//                 probes 0.5 s apart                   (~0.1 + 1.5 s)
//   active only:  lb1 checks web1 every 2.0002 s from 0 (inter after each
//                 check's round trip); the kill, at 30.1 s, comes 0.097 s
//                 after one, so the next starts 1.9 s later, then 2
//                 fastinters: 2.9 s.
// Bounds are 5 sd of the error arrivals (0.03 s per 10 errors) wide.
TEST(PassiveChecks, EachOnErrorModeTakesARefusingServerOutFasterThanActiveChecks) {
  using models::Observe;
  using models::OnError;
  const FaultConfig kill = scheduled(models::ProcessCrash{}, "web1", 30 * sim::kSecond + 100 * sim::kMillisecond, 0);
  const Detection active = detect(observing(Observe::kOff, OnError::kFailCheck), kill);
  const Detection fastinter = detect(observing(Observe::kLayer4, OnError::kFastinter), kill);
  const Detection fail_check = detect(observing(Observe::kLayer4, OnError::kFailCheck), kill);
  const Detection sudden_death = detect(observing(Observe::kLayer4, OnError::kSuddenDeath), kill);
  const Detection mark_down = detect(observing(Observe::kLayer4, OnError::kMarkDown), kill);
  const Time ms = sim::kMillisecond;
  EXPECT_GE(active.after, 2800 * ms);
  EXPECT_LE(active.after, 3000 * ms);
  EXPECT_GE(fastinter.after, 1500 * ms);
  EXPECT_LE(fastinter.after, 1750 * ms);
  EXPECT_GE(fail_check.after, 150 * ms);
  EXPECT_LE(fail_check.after, 550 * ms);
  EXPECT_GE(sudden_death.after, 100 * ms);
  EXPECT_LE(sudden_death.after, 400 * ms);
  EXPECT_GE(mark_down.after, 30 * ms);
  EXPECT_LE(mark_down.after, 250 * ms);
  EXPECT_LT(mark_down.after, sudden_death.after);
  EXPECT_LT(sudden_death.after, fail_check.after);
  EXPECT_LT(fail_check.after, fastinter.after);
  // Without redispatch, requests sent to web1 before it is marked down fail:
  // the sooner, the fewer.
  EXPECT_LT(mark_down.connect_failed, fail_check.connect_failed);
  EXPECT_LT(fail_check.connect_failed, fastinter.connect_failed);
  EXPECT_LT(fastinter.connect_failed, active.connect_failed);
}

// A gray failure: web1 answers probes (they ignore the link fault here) but
// its links gain 2 s of latency, so live requests hit `timeout server` (1 s,
// a 504). layer7 counts those: 30 of them (fail-check, fall 3) mark web1 DOWN
// about 1.3 s after the fault. layer4 sees connections succeed, and active
// checks see a live process: neither ever marks it down.
TEST(PassiveChecks, Layer7CatchesAGrayFailureThatLayer4AndActiveChecksMiss) {
  using models::Observe;
  using models::OnError;
  FaultConfig slow_links = scheduled(models::NetworkFault{.added_latency = 2 * sim::kSecond}, "web1", 30 * sim::kSecond, 0);
  const auto with = [&](Observe observe) {
    ScenarioConfig config = observing(observe, OnError::kFailCheck);
    haproxy(config).timeout_server = sim::kSecond;
    return detect(config, slow_links);
  };
  const Detection layer7 = with(Observe::kLayer7);
  EXPECT_GE(layer7.after, 1100 * sim::kMillisecond);
  EXPECT_LE(layer7.after, 1600 * sim::kMillisecond);
  EXPECT_EQ(with(Observe::kLayer4).after, -1);
  EXPECT_EQ(with(Observe::kOff).after, -1);
}

}  // namespace
