// Database replication lag: a read answered by a replica that has not yet
// applied the same client's earlier writes is a stale read.
#include <gtest/gtest.h>

#include <string>

#include "loader/scenario_loader.hpp"
#include "models/run.hpp"

namespace {

// 50 closed-loop users thinking a constant 100 ms; a request is a write (on
// the primary) with probability 0.2, else a read (on the replica). With
// constant demands and no queueing, a user's next query reaches the database
// about 104 ms after the previous one committed (think time plus the trip).
std::string scenario(const std::string& db_extra, const std::string& arrivals = "{ users: 50, think: 100ms }") {
  return R"(
name: read-your-writes
run: { duration: 2m, warmup: 10s, seed: 7 }
machines:
  std: { cores: 8, disk: { iops: 5000, bandwidth: 200MB/s, depth: 8 } }
network: { latency: 100us, client_latency: 1ms }
workload:
  arrivals: )" + arrivals + R"(
  classes:
    read:  { weight: 80, app: { cpu: 1ms }, db: { cpu: 200us, reads: 1, cache_hit: 0.9 } }
    write: { weight: 20, app: { cpu: 1ms }, db: { cpu: 200us, writes: 1, cache_hit: 0.9 } }
tiers:
  app: { kind: app, machine: std, workers: 64 }
  db:  { kind: database, machine: std, replicas: 1)" + db_extra + R"( }
)";
}

models::RunResult run(const std::string& yaml) {
  return models::run_scenario(loader::load_scenario_text(yaml, "test", "."));
}

// A constant 150 ms lag: the read right after a user's write (104 ms later)
// is stale, the one after that (over 200 ms later) is not. So the stale share
// of replica reads is the chance that the previous request was a write, 0.2.
// About 45000 replica reads: the share's sd is about sqrt(0.16 / 45000) =
// 0.002; the tolerance is 5 sd.
TEST(Replication, ConstantLagMakesTheReadAfterAWriteStale) {
  const auto r = run(scenario(", replication_lag: 150ms"));
  ASSERT_TRUE(r.stale_reads.has_value());
  EXPECT_GT(r.stale_reads->replica_reads, 40000u);
  const double share =
      static_cast<double>(r.stale_reads->count) / static_cast<double>(r.stale_reads->replica_reads);
  EXPECT_NEAR(share, 0.2, 0.01);
  // Writes go to the primary: no replica reads, nothing stale.
  ASSERT_EQ(r.classes.at(1).name, "write");
  EXPECT_EQ(r.classes.at(1).stale_reads->replica_reads, 0u);
  EXPECT_EQ(r.classes.at(0).stale_reads->count, r.stale_reads->count);
}

// A lag shorter than the gap between a user's requests never shows; neither
// does any lag when reads go to the primary.
TEST(Replication, ShortLagOrPrimaryReadsAreNeverStale) {
  const auto short_lag = run(scenario(", replication_lag: 50ms"));
  EXPECT_GT(short_lag.stale_reads->replica_reads, 40000u);
  EXPECT_EQ(short_lag.stale_reads->count, 0u);
  const auto primary = run(scenario(", replication_lag: 150ms, reads: primary"));
  EXPECT_EQ(primary.stale_reads->replica_reads, 0u);
  EXPECT_EQ(primary.stale_reads->count, 0u);
}

// Open arrivals come from a new client each time: nobody reads their own
// write, so nothing is stale. Without replication_lag nothing is counted.
TEST(Replication, OpenArrivalsHaveNoSessionsAndNoLagCountsNothing) {
  const auto open = run(scenario(", replication_lag: 10s", "poisson(400/s)"));
  EXPECT_GT(open.stale_reads->replica_reads, 30000u);
  EXPECT_EQ(open.stale_reads->count, 0u);
  const auto without = run(scenario(""));
  EXPECT_FALSE(without.stale_reads.has_value());
  EXPECT_FALSE(without.classes.at(0).stale_reads.has_value());
}

}  // namespace
