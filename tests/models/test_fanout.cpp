// Parallel fan-out in call graphs (models/lifecycle.hpp, models/node.cpp):
// a group's calls are sent at once and the caller waits for the slowest; a
// failing call fails the request once and its siblings release everything
// they hold; a crash of the caller with calls outstanding loses the request
// cleanly; the same seed gives the same run.
#include <gtest/gtest.h>

#include <string>

#include "loader/scenario_loader.hpp"
#include "models/node.hpp"
#include "models/run.hpp"
#include "scenario_fixture.hpp"

namespace {

using models::FailureReason;
using sim::Time;
using test_support::FaultRun;
using test_support::scheduled;

models::ScenarioConfig from_text(const std::string& yaml) { return loader::load_scenario_text(yaml, "fanout.yaml", "."); }

const models::TierResult& tier(const models::RunResult& run, const std::string& name) {
  for (const auto& t : run.tiers) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no tier " + name);
}

std::uint64_t failed(const models::RunResult& run, FailureReason reason) {
  return run.totals.failed[static_cast<std::size_t>(reason)];
}

// Constant demands, no latency, a host per node and a load of 5 requests/s
// against visits of 14 ms at most: no request meets another at a CPU, so
// every visit takes exactly its demands.
std::string constant_calls(const std::string& parallel) {
  return R"(name: fanout-constant
run: { duration: 20s, warmup: 0s, seed: 3 }
machines:
  box: { cores: 4 }
tiers:
  app: { kind: server, machine: box }
  a: { kind: server, machine: box }
  b: { kind: server, machine: box }
workload:
  arrivals: poisson(5/s)
  classes:
    page:
      app: { cpu: 1ms, calls: [ { to: a, parallel: )" +
         parallel + R"( }, { to: b, parallel: )" + parallel + R"( } ] }
      a: { cpu: 5ms }
      b: { cpu: 8ms }
)";
}

// The caller's visit is its own 1 ms and then the slower call, 8 ms; made
// one after another, the calls add up to 13 ms.
TEST(FanOut, VisitWaitsForTheSlowestCallNotTheSum) {
  const models::ScenarioConfig config = from_text(constant_calls("true"));
  const auto& steps = *config.workload.classes[0].demands[0]->call_list;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_TRUE(steps[0].parallel && steps[1].parallel);
  const models::ScenarioConfig one_by_one = from_text(constant_calls("false"));
  EXPECT_FALSE((*one_by_one.workload.classes[0].demands[0]->call_list)[0].parallel);
  const models::RunResult parallel = models::run_scenario(from_text(constant_calls("true")));
  const models::RunResult sequential = models::run_scenario(from_text(constant_calls("false")));
  ASSERT_GT(parallel.totals.succeeded, 50u);
  EXPECT_EQ(parallel.totals.failed_total(), 0u);
  for (const auto* run : {&parallel, &sequential}) {
    EXPECT_EQ(tier(*run, "a").sojourn.count(), run->totals.succeeded);
    EXPECT_EQ(tier(*run, "b").sojourn.count(), run->totals.succeeded);
  }
  const auto& app = tier(parallel, "app").sojourn;
  EXPECT_EQ(app.min(), 9 * sim::kMillisecond);
  EXPECT_EQ(app.max(), 9 * sim::kMillisecond);
  EXPECT_EQ(tier(sequential, "app").sojourn.min(), 14 * sim::kMillisecond);
  EXPECT_EQ(tier(sequential, "app").sojourn.max(), 14 * sim::kMillisecond);
  // Both the client requests and their branches are done at the end.
  EXPECT_EQ(parallel.totals.in_flight(), 0u);
}

// A lone parallel step with a count sends that many calls at once: three
// 8 ms calls take 8 ms, not 24 (with 16 cores, requests that overlap do not
// slow each other down either).
TEST(FanOut, LoneStepWithACountSendsItsCallsAtOnce) {
  std::string yaml = constant_calls("true");
  yaml.replace(yaml.find("cores: 4"), 8, "cores: 16");
  const std::string group = "calls: [ { to: a, parallel: true }, { to: b, parallel: true } ]";
  yaml.replace(yaml.find(group), group.size(), "calls: [ { to: b, count: 3, parallel: true }, { to: a } ]");
  yaml.replace(yaml.find("a: { cpu: 5ms }"), 15, "a: { cpu: 2ms }");
  const models::RunResult run = models::run_scenario(from_text(yaml));
  ASSERT_GT(run.totals.succeeded, 50u);
  EXPECT_EQ(tier(run, "b").sojourn.count(), 3 * run.totals.succeeded);
  EXPECT_EQ(tier(run, "app").sojourn.min(), 11 * sim::kMillisecond);  // 1 + 8 + 2
  EXPECT_EQ(tier(run, "app").sojourn.max(), 11 * sim::kMillisecond);
}

// An app calling a slow tier (50 ms) and a dead one at once, with one pooled
// connection to each and one worker at the slow tier. The dead tier's host
// is down for the first 3 s: each call to it times out connecting after
// 20 ms, the app gives up on it and the request fails; the slow call still
// out is cancelled. Had that call kept its pooled connection or the slow
// tier's worker, the requests after the repair would wait for them forever
// (failing by pool_timeout) instead of succeeding.
std::string with_dead_callee(const std::string& slow_cpu) {
  return R"(name: fanout-failing
run: { duration: 6s, warmup: 0s, seed: 5 }
machines:
  box: { cores: 4 }
tiers:
  app: { kind: app, machine: box, workers: 8, pool: 1, pool_timeout: 200ms, connect_timeout: 20ms }
  slow: { kind: server, machine: box, workers: 1 }
  dead: { kind: server, machine: box }
workload:
  arrivals: poisson(10/s)
  classes:
    page:
      app: { cpu: 1ms, calls: [ { to: slow, parallel: true }, { to: dead, parallel: true } ] }
      slow: { cpu: )" + slow_cpu + R"( }
      dead: { cpu: 1ms }
)";
}

const Time kRepair = 3 * sim::kSecond;

// With the slow call still out when the dead one fails.
TEST(FanOut, FailingCallFailsTheRequestOnceAndFreesItsSiblings) {
  models::ScenarioConfig config = from_text(with_dead_callee("50ms"));
  config.faults = {scheduled(models::HostCrash{}, "dead1", 1, kRepair - 1)};
  FaultRun run(config);
  run.sim.run_until(kRepair - 1);
  const models::RunResult down = run.stack.results();
  ASSERT_GT(down.totals.offered, 15u);
  // Every request so far failed, once, for its dead call.
  EXPECT_EQ(down.totals.succeeded, 0u);
  EXPECT_EQ(failed(down, FailureReason::kDbUnavailable), down.totals.failed_total());
  EXPECT_GE(down.totals.failed_total() + 1, down.totals.offered);  // the last may still be out
  run.sim.run_until(config.run.duration);
  const models::RunResult result = run.stack.results();
  // After the repair every request succeeds: nothing leaked.
  EXPECT_EQ(failed(result, FailureReason::kDbUnavailable), result.totals.failed_total());
  EXPECT_GT(result.totals.succeeded, 15u);
  EXPECT_LE(result.totals.in_flight(), 1u);
  EXPECT_LE(run.stack.requests().live_branches(), 2u);
}

// The same when the slow call has answered before the dead one fails.
TEST(FanOut, FailureAfterASiblingJoinedFailsOnce) {
  models::ScenarioConfig config = from_text(with_dead_callee("5ms"));
  config.faults = {scheduled(models::HostCrash{}, "dead1", 1, kRepair - 1)};
  const models::RunResult result = models::run_scenario(config);
  EXPECT_EQ(failed(result, FailureReason::kDbUnavailable), result.totals.failed_total());
  EXPECT_GT(result.totals.failed_total(), 15u);
  EXPECT_GT(result.totals.succeeded, 15u);
  EXPECT_LE(result.totals.in_flight(), 1u);
}

// Two slow callees, many requests with calls outstanding at any time.
std::string two_slow_callees() {
  return R"(name: fanout-crash
run: { duration: 6s, warmup: 0s, seed: 11 }
machines:
  box: { cores: 8 }
tiers:
  app: { kind: app, machine: box, workers: 64, pool: 64 }
  left: { kind: server, machine: box }
  right: { kind: server, machine: box }
workload:
  arrivals: poisson(50/s)
  classes:
    page:
      app: { cpu: 1ms, calls: [ { to: left, count: 2, parallel: true }, { to: right, parallel: true }, { to: left } ] }
      left: { cpu: exp(30ms) }
      right: { cpu: exp(30ms) }
)";
}

// The caller's process dies with calls outstanding: the requests it served
// are lost (their clients see the reset), their calls are cancelled at once
// and release the callees; nothing stale acts later, and requests succeed
// again once the process is back.
TEST(FanOut, CallerCrashWithCallsOutstandingLosesTheRequestCleanly) {
  for (const bool host : {false, true}) {
    SCOPED_TRACE(host ? "host crash" : "process crash");
    models::ScenarioConfig config = from_text(two_slow_callees());
    const Time crash = 2 * sim::kSecond;
    if (host) {
      config.faults = {scheduled(models::HostCrash{}, "app1", crash, sim::kSecond)};
    } else {
      config.faults = {scheduled(models::ProcessCrash{}, "app1", crash, sim::kSecond)};
    }
    FaultRun run(config);
    run.sim.run_until(crash - 1);
    ASSERT_GT(run.stack.requests().live_branches(), 2u);
    run.sim.run_until(crash);
    EXPECT_EQ(run.stack.requests().live_branches(), 0u);
    EXPECT_EQ(run.stack.node_named("left1")->requests_present(), 0.0);
    EXPECT_EQ(run.stack.node_named("right1")->requests_present(), 0.0);
    run.sim.run_until(config.run.duration);
    const models::RunResult result = run.stack.results();
    EXPECT_GT(result.totals.succeeded, 200u);
    if (!host) {
      EXPECT_GT(failed(result, FailureReason::kConnectionLost), 0u);
    }
  }
}

// A callee's process dies with calls outstanding: the app's calls to it are
// refused (reset), each fails its request once and cancels its siblings.
TEST(FanOut, CalleeCrashFailsTheRequestsAndCancelsTheSiblings) {
  models::ScenarioConfig config = from_text(two_slow_callees());
  const Time crash = 2 * sim::kSecond;
  config.faults = {scheduled(models::ProcessCrash{}, "right1", crash, sim::kSecond)};
  FaultRun run(config);
  run.sim.run_until(crash + sim::kMillisecond);
  run.sim.run_until(crash + sim::kSecond - 1);
  // While right is down every request fails at its fan-out: only those between
  // a group and their last call to left are in flight.
  EXPECT_LE(run.stack.node_named("right1")->requests_present(), 0.0);
  run.sim.run_until(config.run.duration);
  const models::RunResult result = run.stack.results();
  EXPECT_GT(failed(result, FailureReason::kDbUnavailable), 30u);
  EXPECT_EQ(result.totals.failed_total(), failed(result, FailureReason::kDbUnavailable));
  EXPECT_GT(result.totals.succeeded, 200u);
}

// Cache-aside with the gets sent at once (a multi-get): each get's answer
// comes back with its branch and counts for the visit, so the database still
// sees exactly the misses (as tests/models/test_cache.cpp checks for gets
// one after another; the same tolerance, four standard deviations).
TEST(FanOut, ParallelGetsCountTheirMissesForTheVisit) {
  const models::ScenarioConfig config = test_support::load(
      "4-cached", {"workload.classes.static.weight=0", "workload.classes.checkout.weight=0", "run.duration=1m",
                   "run.warmup=0s",
                   "workload.classes.page.app.calls=[{to: cache, count: 3, parallel: true}, {to: db, on: miss}, "
                   "{to: cache, op: set, on: miss}]"});
  ASSERT_TRUE((*config.workload.classes[1].demands[2]->call_list)[0].parallel);
  const models::RunResult run = models::run_scenario(config);
  const double db = static_cast<double>(tier(run, "db").sojourn.count());
  const double cache = static_cast<double>(tier(run, "cache").sojourn.count());
  const double pages = static_cast<double>(run.classes.at(1).counts.succeeded);
  ASSERT_GT(pages, 30000.0);
  const double gets = cache - db;
  EXPECT_NEAR(gets / pages, 3.0, 0.001);
  EXPECT_NEAR(db / gets, 1.0 - 0.8, 0.005);
  EXPECT_EQ(run.totals.failed_total(), 0u);
}

// Everything at once (tests/data/fanout-stress.yaml): nested groups,
// parallel cache gets, client timeouts and retries, and every fault kind on
// callers and callees, so faulted that most requests fail. The run reaches
// its end (the sanitizer build checks that nothing acts on freed state),
// still serves requests, and repeats event for event.
TEST(FanOut, EveryFaultAtOnceRunsCleanlyAndRepeats) {
  const models::ScenarioConfig config =
      loader::load_scenario_file(test_support::source_root() / "tests" / "data" / "fanout-stress.yaml");
  const models::RunResult a = models::run_scenario(config);
  const models::RunResult b = models::run_scenario(config);
  EXPECT_GT(a.totals.succeeded, 2000u);
  EXPECT_GT(a.totals.failed_total(), 1000u);
  EXPECT_LT(a.totals.in_flight(), 100u);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.totals.succeeded, b.totals.succeeded);
  EXPECT_EQ(a.latency.mean(), b.latency.mean());
}

// Common random numbers: the same seed gives the same run, event for event.
TEST(FanOut, SameSeedSameRun) {
  const models::ScenarioConfig config = from_text(two_slow_callees());
  const models::RunResult a = models::run_scenario(config);
  const models::RunResult b = models::run_scenario(config);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.totals.succeeded, b.totals.succeeded);
  EXPECT_EQ(a.latency.mean(), b.latency.mean());
  EXPECT_EQ(tier(a, "left").sojourn.mean(), tier(b, "left").sojourn.mean());
}

}  // namespace
