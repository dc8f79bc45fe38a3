// The cache kind and call graphs (models/cache.*, models/app_server.cpp):
// the database sees the reads the cache misses; a dead cache sends them all
// to the database.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "models/run.hpp"
#include "scenario_fixture.hpp"

namespace {

using test_support::load;

// Tier visits of measured requests, by tier name.
std::uint64_t visits(const models::RunResult& run, const std::string& tier) {
  for (const auto& t : run.tiers) {
    if (t.name == tier) return t.sojourn.count();
  }
  ADD_FAILURE() << "no tier " << tier;
  return 0;
}

// Stage 4 with only its page class: three cache gets per request, a database
// read and a cache set per miss.
models::ScenarioConfig pages_only(const std::vector<std::string>& more = {}) {
  std::vector<std::string> sets = {"workload.classes.static.weight=0", "workload.classes.checkout.weight=0",
                                   "run.duration=1m", "run.warmup=0s"};
  sets.insert(sets.end(), more.begin(), more.end());
  return load("4-cached", sets);
}

// About 36,000 pages, so 108,000 gets: the miss ratio's standard deviation
// is sqrt(0.2 x 0.8 / 108000) = 0.0012, and 0.005 is four of them. Each
// miss is one database read and one set, so the database's visits are the
// misses and the cache's the gets plus the misses.
TEST(Cache, DatabaseSeesTheMissedReads) {
  const models::RunResult run = models::run_scenario(pages_only());
  const double db = static_cast<double>(visits(run, "db"));
  const double cache = static_cast<double>(visits(run, "cache"));
  const double pages = static_cast<double>(run.classes.at(1).counts.succeeded);
  ASSERT_GT(pages, 30000.0);
  const double gets = cache - db;
  EXPECT_NEAR(gets / pages, 3.0, 0.001);  // in-flight requests at the end are the only slack
  EXPECT_NEAR(db / gets, 1.0 - 0.8, 0.005);
  EXPECT_EQ(run.totals.failed_total(), 0u);
}

// Both cache processes killed from the start: every get is refused, counts
// as a miss, and the app reads the database instead, three queries per page
// (the sets are refused too). No request fails for it.
TEST(Cache, DeadCacheSendsEveryReadToTheDatabase) {
  models::ScenarioConfig config = pages_only();
  for (const std::string node : {"cache1", "cache2"}) {
    config.faults.push_back(test_support::scheduled(models::ProcessCrash{}, node, 1, 0));
  }
  const models::RunResult run = models::run_scenario(config);
  const double pages = static_cast<double>(run.classes.at(1).counts.succeeded);
  ASSERT_GT(pages, 30000.0);
  EXPECT_NEAR(static_cast<double>(visits(run, "db")) / pages, 3.0, 0.001);
  EXPECT_EQ(visits(run, "cache"), 0u);
  EXPECT_EQ(run.totals.failed_total(), 0u);
}

// A silent cache host: each get and each set waits out the client's timeout
// (2 s by default) before it counts as a miss, so one page takes six of them
// on top of its usual 50 ms, and still succeeds.
TEST(Cache, SilentCacheHostCostsTheClientTimeoutPerCall) {
  models::ScenarioConfig config = load("4-cached", {"workload.classes.static.weight=0",
                                                    "workload.classes.checkout.weight=0", "run.duration=2m",
                                                    "run.warmup=0s", "workload.arrivals=poisson(0.5/s)",
                                                    "tiers.cache.count=1"});
  config.faults.push_back(test_support::scheduled(models::HostCrash{}, "cache1", 1, 0));
  const models::RunResult run = models::run_scenario(config);
  const auto& page = run.classes.at(1);
  ASSERT_GT(page.counts.succeeded, 20u);
  EXPECT_EQ(run.totals.failed_total(), 0u);
  const double mean_ms = page.latency.mean() / 1e6;
  EXPECT_GT(mean_ms, 6 * 2000.0);
  EXPECT_LT(mean_ms, 6 * 2000.0 + 100.0);
}

}  // namespace
