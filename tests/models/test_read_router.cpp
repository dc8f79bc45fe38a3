// Read routing through ProxySQL's monitor (models/read_router.*): exact
// detection times on the ping grid, what happens to reads before and after a
// replica is shunned, when every replica is gone, and after a failover.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/stack.hpp"
#include "scenario_fixture.hpp"

namespace {

using models::ScenarioConfig;
using sim::Time;
using test_support::FaultRun;
using test_support::load;
using test_support::scheduled;

constexpr int kApp = 2;
constexpr int kDb = 3;

// 3-scale-up with a second replica (db2, db3 behind primary db1), and app
// timeouts short enough that a dead replica's calls fail quickly.
ScenarioConfig two_replicas(const std::vector<std::string>& sets = {}) {
  std::vector<std::string> all = {"run.duration=2m", "run.warmup=0s", "tiers.db.count=3", "tiers.db.replicas=2",
                                  "tiers.app.connect_timeout=200ms", "tiers.app.call_timeout=2s"};
  all.insert(all.end(), sets.begin(), sets.end());
  return load("3-scale-up", all);
}

std::size_t class_index(const models::RunResult& r, const std::string& name) {
  for (std::size_t c = 0; c < r.classes.size(); ++c) {
    if (r.classes[c].name == name) return c;
  }
  throw std::runtime_error("no class " + name);
}

// Failed page requests (reads) once the run reaches `t`.
std::uint64_t page_failures_by(FaultRun& run, Time t) {
  run.sim.run_until(t);
  const auto r = run.stack.results();
  return r.classes[class_index(r, "page")].counts.failed_total();
}

// Calls of the app tier in flight to `db`.
int calls_to(FaultRun& run, const std::string& db) {
  const std::uint32_t id = run.stack.node_named(db)->id();
  int n = 0;
  run.stack.requests().for_each_live([&](models::RequestId, const models::Request& r) {
    const models::Frame& f = r.frames[kApp];
    if (r.depth >= kApp && f.holds_call && f.downstream == id) ++n;
  });
  return n;
}

const Time kCrash = 30 * sim::kSecond + 500 * sim::kMillisecond;

// Pings at 8, 16, 24, 32, 40, 48 s: the crash at 30.5 s fails those of 32,
// 40 and 48 s, each after ping_timeout (1 s): shunned at 49 s by both app
// servers' routers. Reads failed before; after, they all go to db3.
TEST(ReadRouter, CrashedReplicaIsShunnedAfterThreeTimedOutPings) {
  ScenarioConfig config = two_replicas();
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 0)};
  FaultRun run(config);
  const std::uint64_t during_gap = page_failures_by(run, 55 * sim::kSecond);
  EXPECT_EQ(run.first_trace("app1's router shuns db2"), 49 * sim::kSecond);
  EXPECT_EQ(run.first_trace("app2's router shuns db2"), 49 * sim::kSecond);
  EXPECT_GT(during_gap, 100u);
  EXPECT_EQ(page_failures_by(run, config.run.duration), during_gap);
}

// Without the router (a driver given the hosts) the reads keep failing.
TEST(ReadRouter, WithoutTheRouterADeadReplicaKeepsItsShareOfReads) {
  ScenarioConfig config = two_replicas({"tiers.db.router=false"});
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 0)};
  FaultRun run(config);
  const std::uint64_t by_55s = page_failures_by(run, 55 * sim::kSecond);
  EXPECT_GT(page_failures_by(run, config.run.duration), by_55s + 1000);
  EXPECT_EQ(run.first_trace("router"), -1);
}

// A killed mysqld refuses the pings: the third fails after a round trip
// (2 x 100 us) at 48 s.
TEST(ReadRouter, KilledReplicaIsShunnedAfterThreeRefusedPings) {
  ScenarioConfig config = two_replicas();
  config.faults = {scheduled(models::ProcessCrash{}, "db3", kCrash, 0)};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  EXPECT_EQ(run.first_trace("app1's router shuns db3"), 48 * sim::kSecond + 200 * sim::kMicrosecond);
}

// ProxySQL's ping_interval, ping_timeout and ping_max_failures set the grid.
TEST(ReadRouter, DetectionFollowsTheSettings) {
  ScenarioConfig config = two_replicas({"tiers.db.router={ping_interval: 2s, ping_timeout: 300ms, ping_max_failures: 2}"});
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 0)};
  FaultRun run(config);
  run.sim.run_until(config.run.duration);
  // Pings at 32 and 34 s fail; the second ends 300 ms later.
  EXPECT_EQ(run.first_trace("app1's router shuns db2"), 34 * sim::kSecond + 300 * sim::kMillisecond);
}

// shun_and_killall: calls hung on the crashed host fail at the shun.
TEST(ReadRouter, ShunningKillsTheCallsInFlight) {
  ScenarioConfig config = two_replicas({"tiers.app.call_timeout=0s"});
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 0)};
  FaultRun run(config);
  run.sim.run_until(49 * sim::kSecond - 1);
  EXPECT_GT(calls_to(run, "db2"), 0);
  run.sim.run_until(49 * sim::kSecond);
  EXPECT_EQ(calls_to(run, "db2"), 0);
}

// Repaired at 70.5 s, db2 answers the ping of 72 s and is back online then.
TEST(ReadRouter, ARepairedReplicaIsBackAtItsFirstGoodPing) {
  ScenarioConfig config = two_replicas();
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 40 * sim::kSecond)};
  FaultRun run(config);
  run.sim.run_until(71 * sim::kSecond);
  const int before = calls_to(run, "db2");
  run.sim.run_until(config.run.duration);
  EXPECT_EQ(run.first_trace("app1 puts db2 back online"), 72 * sim::kSecond);
  EXPECT_EQ(before, 0);
}

// Every replica dead: ProxySQL's reader hostgroup is empty and reads fail
// (after connect_timeout_max) until a replica is back...
TEST(ReadRouter, WithEveryReplicaDeadReadsFail) {
  ScenarioConfig config = two_replicas();
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 0),
                   scheduled(models::HostCrash{}, "db3", kCrash, 0)};
  FaultRun run(config);
  const std::uint64_t by_60s = page_failures_by(run, 60 * sim::kSecond);
  EXPECT_GT(page_failures_by(run, config.run.duration), by_60s + 1000);
}

// ... unless the primary is in the reader hostgroup as the fallback.
TEST(ReadRouter, FallbackToPrimaryServesReadsOnceTheReplicasAreShunned) {
  ScenarioConfig config = two_replicas({"tiers.db.router={fallback_to_primary: true}"});
  config.faults = {scheduled(models::HostCrash{}, "db2", kCrash, 0),
                   scheduled(models::HostCrash{}, "db3", kCrash, 0)};
  FaultRun run(config);
  const std::uint64_t by_60s = page_failures_by(run, 60 * sim::kSecond);
  EXPECT_GT(by_60s, 100u);
  EXPECT_EQ(page_failures_by(run, config.run.duration), by_60s);
}

// One replica: after its promotion it is the writer, and with
// writer_is_also_reader (ProxySQL's default) still a reader, so the reads go
// on; without it the reader hostgroup is empty and they fail.
ScenarioConfig primary_crash(const std::vector<std::string>& sets) {
  std::vector<std::string> all = {"run.duration=2m", "run.warmup=0s", "tiers.db.failover={detection: 10s, promotion: 5s}", "tiers.app.connect_timeout=200ms",
                                  "tiers.app.call_timeout=2s"};
  all.insert(all.end(), sets.begin(), sets.end());
  ScenarioConfig config = load("3-scale-up", all);
  config.faults = {scheduled(models::HostCrash{}, "db1", 30 * sim::kSecond, 0)};
  return config;
}

TEST(ReadRouter, PromotedPrimaryStaysAReader) {
  FaultRun run(primary_crash({}));
  EXPECT_EQ(page_failures_by(run, 2 * sim::kMinute), 0u);
  EXPECT_EQ(run.stack.replication(kDb).primary().name(), "db2");
}

TEST(ReadRouter, WithoutWriterIsAlsoReaderReadsFailAfterThePromotion) {
  FaultRun run(primary_crash({"tiers.db.router={writer_is_also_reader: false}"}));
  const std::uint64_t by_45s = page_failures_by(run, 45 * sim::kSecond);
  EXPECT_EQ(by_45s, 0u);
  EXPECT_GT(page_failures_by(run, 2 * sim::kMinute), 1000u);
}

}  // namespace
