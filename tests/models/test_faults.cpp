// Faults, detection and failover. Each test builds its faults in C++ on top
// of a scenario file and runs with a fixed seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "models/stack.hpp"
#include "scenario_fixture.hpp"
#include "sim/simulation.hpp"

namespace {

using models::FaultConfig;
using models::ScenarioConfig;
using sim::Distribution;
using sim::Time;
using test_support::FaultRun;
using test_support::load;
using test_support::scheduled;

// Steps the clock 1 ms at a time until the entry address answers again.
Time address_back_after(FaultRun& run, Time from, Time limit) {
  for (Time t = from; t < limit; t += sim::kMillisecond) {
    run.sim.run_until(t);
    if (run.stack.clients().entry().node_at(0) != nullptr) return t;
  }
  return -1;
}

ScenarioConfig vrrp_scenario(Time arp_delay) {
  ScenarioConfig config = load("3-scale-up", {"run.duration=2m", "run.warmup=0s"});
  auto& lb = std::get<models::HaproxyConfig>(config.tiers.at(0).kind);
  lb.vrrp.advert_int = sim::kSecond;
  lb.vrrp.priority = {150, 100};
  lb.vrrp.arp_delay = arp_delay;
  return config;
}

// Master_Down_Interval for the backup at priority 100, VRRP v2:
// 3 x 1 s + (256 - 100) / 256 s = 3.609375 s after the last advert, which
// came within the second before the crash; then the ARP delay. (The exact
// instant is in test_vrrp.cpp.)
TEST(Vrrp, MasterHostCrashFailsOverAfterMasterDownInterval) {
  const Time arp = 100 * sim::kMillisecond;
  ScenarioConfig config = vrrp_scenario(arp);
  const Time crash = 30 * sim::kSecond;
  config.faults = {scheduled(models::HostCrash{}, "lb1", crash, 0)};
  FaultRun run(config);
  run.sim.run_until(crash - 1);
  ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
  ASSERT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb1");
  const Time back = address_back_after(run, crash + sim::kMillisecond, crash + 10 * sim::kSecond);
  ASSERT_GT(back, 0);
  const Time outage = back - crash;
  const Time master_down = 3 * sim::kSecond + sim::to_time(156.0 / 256.0 * 1e9);
  // Stepped by 1 ms.
  EXPECT_GE(outage, master_down - sim::kSecond + arp);
  EXPECT_LE(outage, master_down + arp + sim::kMillisecond);
  ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
  EXPECT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb2");
  // Requests flow again through lb2: the last minute succeeds.
  run.sim.run_until(config.run.duration);
  EXPECT_GT(run.stack.results().totals.succeeded, 0u);
}

// When lb1 comes back it preempts once its own Master_Down_Interval
// (3 x 1 s + 106/256 s) has run: a second, short gap of the ARP delay.
TEST(Vrrp, PreemptionCausesASecondShortGap) {
  const Time arp = 200 * sim::kMillisecond;
  ScenarioConfig config = vrrp_scenario(arp);
  const Time crash = 20 * sim::kSecond, repair = 40 * sim::kSecond;
  const Time preempt = repair + 3 * sim::kSecond + sim::to_time(106.0 / 256.0 * 1e9);
  config.faults = {scheduled(models::HostCrash{}, "lb1", crash, repair - crash)};
  FaultRun run(config);
  run.sim.run_until(preempt - sim::kMillisecond);
  ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
  ASSERT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb2");
  run.sim.run_until(preempt + sim::kMillisecond);
  EXPECT_EQ(run.stack.clients().entry().node_at(0), nullptr) << "address in ARP transit";
  const Time back = address_back_after(run, preempt + sim::kMillisecond, preempt + 5 * sim::kSecond);
  EXPECT_GE(back - preempt, arp);
  EXPECT_LE(back - preempt, arp + sim::kMillisecond);
  ASSERT_NE(run.stack.clients().entry().node_at(0), nullptr);
  EXPECT_EQ(run.stack.clients().entry().node_at(0)->name(), "lb1");
  // With nopreempt, lb2 keeps the address.
  ScenarioConfig keep = vrrp_scenario(arp);
  std::get<models::HaproxyConfig>(keep.tiers.at(0).kind).vrrp.preempt = false;
  keep.faults = config.faults;
  FaultRun run2(keep);
  run2.sim.run_until(repair + 10 * sim::kSecond);
  ASSERT_NE(run2.stack.clients().entry().node_at(0), nullptr);
  EXPECT_EQ(run2.stack.clients().entry().node_at(0)->name(), "lb2");
}

ScenarioConfig checked_scenario(bool redispatch) {
  ScenarioConfig config = load("3-scale-up", {"run.duration=90s", "run.warmup=0s", "workload.arrivals=poisson(200/s)"});
  auto& lb = std::get<models::HaproxyConfig>(config.tiers.at(0).kind);
  lb.health_check = models::HealthCheckConfig{};  // HAProxy defaults: inter 2 s, rise 2, fall 3
  lb.redispatch = redispatch;
  lb.retries = 3;
  return config;
}

// A silent host: each check runs into its timeout (inter, as `timeout
// check` is unset), the next starting inter after it ended, and three
// failures in a row mark the server down. The first failing check starts
// within one inter of the crash, so detection takes 3 x 2 s + 2 x 2 s plus
// up to 2 s (HAProxy 2.6 measured 10.26 to 11.31 s).
TEST(HealthChecks, HostCrashIsMarkedDownAfterFallFailedProbes) {
  ScenarioConfig config = checked_scenario(true);
  const Time crash = 30 * sim::kSecond;
  config.faults = {scheduled(models::HostCrash{}, "web1", crash, 0)};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  const Time detected = run.first_trace("lb1 marks web1 DOWN");
  ASSERT_GT(detected, 0);
  EXPECT_GE(detected - crash, 10 * sim::kSecond);
  EXPECT_LT(detected - crash, 12 * sim::kSecond);
}

// Until then requests still go to web1. Without redispatch, they retry the
// dead server and fail (503 after retries); with it (roundrobin, two
// servers UP), the first retry goes to web2 and they succeed, late.
TEST(HealthChecks, RequestsBeforeDetectionFailOrAreRedispatched) {
  const Time crash = 30 * sim::kSecond;
  ScenarioConfig plain = checked_scenario(false);
  plain.faults = {scheduled(models::HostCrash{}, "web1", crash, 0)};
  ScenarioConfig redispatch = checked_scenario(true);
  redispatch.faults = plain.faults;
  const auto without = models::run_scenario(plain);
  const auto with = models::run_scenario(redispatch);
  const auto connect_failed = static_cast<std::size_t>(models::FailureReason::kConnectFailed);
  EXPECT_GT(without.totals.failed[connect_failed], 100u);
  EXPECT_EQ(with.totals.failed[connect_failed], 0u);
  EXPECT_EQ(with.totals.failed_total(), 0u);
  // The redispatched ones waited out one connect timeout (5 s), no more.
  EXPECT_GE(with.latency.max(), 5 * sim::kSecond);
  EXPECT_LT(with.latency.max(), 6 * sim::kSecond);
}

// In stage 0 the one server is a single point of failure: while it is down
// every request fails, and service resumes after the repair.
TEST(Faults, SimpleStackServerCrashFailsEverythingUntilRepair) {
  ScenarioConfig config = load("0-simple-web-stack", {"run.duration=60s", "run.warmup=0s"});
  config.faults = {scheduled(models::HostCrash{}, "web1", 20 * sim::kSecond, 20 * sim::kSecond)};
  struct Sink : models::WindowSink {
    void begin(const std::vector<std::string>&) override {}
    void row(const models::WindowRow& r) override { rows.push_back(r); }
    std::vector<models::WindowRow> rows;
  } sink;
  models::RunOptions options;
  options.windows = &sink;
  const auto r = models::run_scenario(config, options);
  ASSERT_EQ(sink.rows.size(), 60u);
  // Requests sent during the outage fail after the client's connect timeout (3 s).
  for (int s = 24; s < 40; ++s) EXPECT_EQ(sink.rows[static_cast<std::size_t>(s)].succeeded, 0u) << s;
  for (int s = 45; s < 60; ++s) EXPECT_GT(sink.rows[static_cast<std::size_t>(s)].succeeded, 400u) << s;
  EXPECT_GT(r.totals.failed[static_cast<std::size_t>(models::FailureReason::kLbUnreachable)], 10000u);
}

// Alternating exponential up and down times: the fraction of time up
// converges to MTTF / (MTTF + MTTR) = 60 / 70. Over 3000 h there are about
// 2570 cycles; for exponential periods the standard error of the up
// fraction is about sqrt(2 / n) A (1 - A) = 0.0034; 0.015 is over 4 of them.
TEST(Faults, StochasticCrashesGiveTheExpectedAvailability) {
  ScenarioConfig config = load("mm1", {"run.duration=3000h", "run.warmup=0s", "workload.arrivals=poisson(1/h)"});
  FaultConfig f;
  f.effect = models::HostCrash{};
  f.target = "server*";
  f.nodes = {"server1"};
  f.mttf = Distribution::exponential(60.0 * 60e9);
  f.mttr = Distribution::exponential(10.0 * 60e9);
  config.faults = {f};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  Time down = 0, since = -1;
  int cycles = 0;
  for (const auto& [t, text] : run.trace) {
    if (text.rfind("fault: host crash", 0) == 0) {
      since = t;
      ++cycles;
    } else if (text.rfind("repair: host", 0) == 0 && since >= 0) {
      down += t - since;
      since = -1;
    }
  }
  if (since >= 0) down += config.run.duration - since;
  const double up_fraction = 1.0 - static_cast<double>(down) / static_cast<double>(config.run.duration);
  EXPECT_GT(cycles, 2000);
  EXPECT_NEAR(up_fraction, 60.0 / 70.0, 0.015);
}

// Requests in flight on crashed nodes are failed or retried, never lost
// from the counts: offered = succeeded + failed + still in flight, with
// every node crashing and recovering, clients timing out and retrying.
TEST(Faults, ConservationWithCrashesAndRetries) {
  ScenarioConfig config = load("3-scale-up", {"run.duration=5m", "run.warmup=10s"});
  config.workload.client.timeout = 2 * sim::kSecond;
  config.workload.client.retries = 2;
  auto& lb = std::get<models::HaproxyConfig>(config.tiers.at(0).kind);
  lb.health_check = models::HealthCheckConfig{};
  lb.timeout_server = 3 * sim::kSecond;
  FaultConfig hosts;
  hosts.effect = models::HostCrash{};
  hosts.target = "*";
  hosts.nodes = {"lb1", "lb2", "web1", "web2", "app1", "app2", "db1", "db2"};
  hosts.mttf = Distribution::exponential(40e9);
  hosts.mttr = Distribution::exponential(5e9);
  FaultConfig processes = hosts;
  processes.effect = models::ProcessCrash{};
  processes.mttf = Distribution::exponential(30e9);
  config.faults = {hosts, processes};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  const auto r = run.stack.results();
  std::uint64_t live = 0;
  run.stack.requests().for_each_live([&](models::RequestId, const models::Request& q) {
    live += (q.measured && !q.orphan) ? 1 : 0;
  });
  EXPECT_GT(r.totals.failed_total(), 100u);
  EXPECT_GT(r.totals.succeeded, 10000u);
  EXPECT_EQ(r.totals.offered, r.totals.succeeded + r.totals.failed_total() + live);
}

}  // namespace

namespace {

struct Rows : models::WindowSink {
  void begin(const std::vector<std::string>&) override {}
  void row(const models::WindowRow& r) override { rows.push_back(r); }
  std::vector<models::WindowRow> rows;
};

double success_ratio(const models::WindowRow& w) {
  std::uint64_t failed = 0;
  for (auto n : w.failed) failed += n;
  const auto ended = w.succeeded + failed;
  return ended == 0 ? 0.0 : static_cast<double>(w.succeeded) / static_cast<double>(ended);
}

// Metastability (Bronson et al., HotOS 2021): four FCFS cores serving 3000/s
// of exp(1 ms) work (75% busy) get a 10-second burst at 6000/s. Clients give
// up after 1 s and retry three times at once. Abandoned attempts stay queued
// (the servers still do their work) and every retry adds load, so once
// latency passes the timeout the offered load stays near four times the
// capacity: the overload outlives its trigger indefinitely. A 10% retry
// budget caps the amplification at 1.1, below capacity, so the backlog drains.
models::RunResult metastable_run(bool budget, Rows& rows) {
  ScenarioConfig config = load(
      "mmc", {"run.duration=5m", "run.warmup=0s",
              "workload.arrivals={schedule: [{at: 0s, rate: 3000/s}, {at: 60s, rate: 6000/s}, {at: 70s, rate: 3000/s}]}"});
  config.workload.client.timeout = sim::kSecond;
  config.workload.client.retries = 3;
  // Past the overload guard's default: a million in flight at 2.9 minutes.
  config.run.max_in_flight = 4'000'000;
  if (budget) config.workload.client.budget = models::RetryBudgetConfig{0.1, 10.0};
  models::RunOptions options;
  options.windows = &rows;
  options.window = 10 * sim::kSecond;
  return models::run_scenario(config, options);
}

TEST(Metastability, RetriesWithoutBudgetKeepTheOverloadAfterTheTrigger) {
  Rows rows;
  const auto r = metastable_run(false, rows);
  ASSERT_EQ(rows.rows.size(), 30u);
  // Before the burst all is well.
  EXPECT_GT(success_ratio(rows.rows[3]), 0.999);
  // Four minutes after the burst ended, most requests still fail.
  for (std::size_t w = 25; w < 30; ++w) EXPECT_LT(success_ratio(rows.rows[w]), 0.5) << w;
  EXPECT_GT(r.amplification(), 2.5);
}

TEST(Metastability, ARetryBudgetRecoversWithinTwoMinutes) {
  Rows rows;
  const auto r = metastable_run(true, rows);
  ASSERT_EQ(rows.rows.size(), 30u);
  // The burst ends at 70 s; by 190 s every window is healthy again.
  for (std::size_t w = 19; w < 30; ++w) EXPECT_GT(success_ratio(rows.rows[w]), 0.999) << w;
  EXPECT_LT(r.amplification(), 1.2);
}

// The database primary dies: writes fail until the replica is promoted after
// detection plus promotion; reads carry on at the replica throughout.
TEST(Faults, DatabaseFailoverPromotesTheReplica) {
  ScenarioConfig config = load("3-scale-up", {"run.duration=2m", "run.warmup=0s"});
  auto& db = std::get<models::DatabaseConfig>(config.tiers.at(3).kind);
  db.failover_detection = 10 * sim::kSecond;
  db.failover_promotion = 5 * sim::kSecond;
  // Short connect timeouts keep the dead primary from exhausting the app's
  // pool and workers (with the defaults it does, and page reads fail too:
  // see the db-primary drill).
  auto& app = std::get<models::AppConfig>(config.tiers.at(2).kind);
  app.connect_timeout = 200 * sim::kMillisecond;
  app.call_timeout = 2 * sim::kSecond;
  const Time crash = 30 * sim::kSecond;
  config.faults = {scheduled(models::HostCrash{}, "db1", crash, 0)};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  EXPECT_EQ(run.first_trace("failover: db2 promoted"), crash + 15 * sim::kSecond);
  EXPECT_EQ(run.stack.replication(3).primary().name(), "db2");
  const auto r = run.stack.results();
  std::size_t checkout = 0, page = 0;
  for (std::size_t c = 0; c < r.classes.size(); ++c) {
    if (r.classes[c].name == "checkout") checkout = c;
    if (r.classes[c].name == "page") page = c;
  }
  // Writes (checkout) failed during the gap; reads (page) did not.
  EXPECT_GT(r.classes[checkout].counts.failed_total(), 100u);
  EXPECT_EQ(r.classes[page].counts.failed_total(), 0u);
}

// A stochastic host crash on "*" fails each host once, however many nodes it
// carries: in 1-distributed, server1 carries web1, app1 and db1.
TEST(Faults, ColocatedNodesShareOneHostFailure) {
  ScenarioConfig config = load("1-distributed", {"run.duration=200h", "run.warmup=0s", "workload.arrivals=poisson(1/h)"});
  FaultConfig hosts;
  hosts.effect = models::HostCrash{};
  hosts.target = "*";
  hosts.nodes = {"lb1", "web1", "web2", "app1", "app2", "db1", "db2"};
  hosts.mttf = Distribution::exponential(10.0 * 3600e9);
  hosts.mttr = Distribution::exponential(3600e9);
  config.faults = {hosts};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  std::map<std::string, int> crashes;
  for (const auto& [t, text] : run.trace) {
    if (text.rfind("fault: host crash ", 0) == 0) ++crashes[text.substr(18)];
  }
  ASSERT_EQ(crashes.size(), 3u);
  // About 200 h / 11 h = 18 failures each; a host crashed by each of its
  // three nodes on its own would fail about three times as often.
  for (const char* unit : {"lb1", "web1,app1,db1", "web2,app2,db2"}) {
    EXPECT_GT(crashes[unit], 8) << unit;
    EXPECT_LT(crashes[unit], 32) << unit;
  }
}

// One repair crew and repairs of exactly 1 h: the crew finishes one repair
// at a time, so repairs end at least 1 h apart; with a crew per node, two
// nodes down at once are repaired side by side, and some end closer.
TEST(Faults, RepairCrewsRepairOneAtATime) {
  const auto repair_gaps = [](int crews) {
    ScenarioConfig config = load("mm1", {"tiers.server.count=3", "run.duration=2000h", "run.warmup=0s",
                                         "workload.arrivals=poisson(1/h)"});
    FaultConfig f;
    f.effect = models::HostCrash{};
    f.target = "server*";
    f.nodes = {"server1", "server2", "server3"};
    f.mttf = Distribution::exponential(3.0 * 3600e9);
    f.mttr = Distribution::constant(3600e9);
    f.repair_crews = crews;
    config.faults = {f};
    FaultRun run(config);
    run.sim.run_until(config.run.duration);
    std::vector<Time> gaps;
    Time last = -1;
    for (const auto& [t, text] : run.trace) {
      if (text.rfind("repair: host", 0) != 0) continue;
      if (last >= 0) gaps.push_back(t - last);
      last = t;
    }
    return gaps;
  };
  const std::vector<Time> one = repair_gaps(1);
  ASSERT_GT(one.size(), 300u);  // each node fails every 4 h or more: over 1000 repairs
  EXPECT_GE(*std::min_element(one.begin(), one.end()), sim::kHour);
  const std::vector<Time> many = repair_gaps(0);
  EXPECT_LT(*std::min_element(many.begin(), many.end()), sim::kHour);
}

}  // namespace
