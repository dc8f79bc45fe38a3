// Fan-out in the analysis (analysis/demands.cpp): a group's calls hold the
// caller for the expected slowest of them, E[max] of exponentials with the
// calls' mean response times, not for their sum; against the simulation of
// tests/data/fanout.yaml, whose demands are exponential.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "analysis/demands.hpp"
#include "analysis/queueing.hpp"
#include "loader/scenario_loader.hpp"
#include "models/run.hpp"

namespace {

namespace fs = std::filesystem;
using analysis::GroupCall;
using analysis::expected_max;

// Closed forms: E[max] of one exponential is its mean; of two with means a
// and b, a + b - 1 / (1/a + 1/b); of n with mean m, m times the n-th
// harmonic number (Renyi's representation of exponential order statistics).
TEST(FanOutAnalysis, ExpectedMaxOfExponentials) {
  EXPECT_NEAR(expected_max({{1.0, 0.004}}), 0.004, 1e-12);
  EXPECT_NEAR(expected_max({{1.0, 0.005}, {1.0, 0.008}}), 0.013 - 1.0 / (1.0 / 0.005 + 1.0 / 0.008), 1e-12);
  EXPECT_NEAR(expected_max({{3.0, 0.008}}), 0.008 * (1.0 + 1.0 / 2 + 1.0 / 3), 1e-12);
  EXPECT_NEAR(expected_max({{200.0, 1.0}}), 5.878030948121446, 1e-10);  // H_200
  EXPECT_EQ(expected_max({}), 0.0);
  EXPECT_EQ(expected_max({{2.0, 0.0}}), 0.0);
}

// 1 h at 20 requests/s, every station below 5% busy: the app's visit is its
// CPU (1 ms), the slower of search (5 ms) and profile (8 ms), then the
// database (0.5 ms): 1 + (5 + 8 - 40/13) + 0.5 = 11.423 ms, against 14.5 ms
// for the calls one after another. Over seeds 1-5 the simulated mean was
// 11.417-11.477 ms (mean +0.13%, standard deviation 0.22% of one run): 1%
// is about four and a half of them, and a sum-based holding time (+27%) is
// far outside.
TEST(FanOutAnalysis, HoldingIsTheExpectedSlowestCallAsSimulated) {
  const models::ScenarioConfig config = loader::load_scenario_file(
      fs::path(TIERSIM_SOURCE_ROOT) / "tests" / "data" / "fanout.yaml", {loader::parse_override("run.duration=1h")});
  const analysis::StackModel model = analysis::build_model(config);
  const analysis::QueueingAnalysis q = analysis::queueing_analysis(model);
  ASSERT_TRUE(q.stable);
  const double expected = 0.001 + (0.013 - 0.04 / 13.0) + 0.0005;
  EXPECT_NEAR(analysis::operational_analysis(model, q.throughput).unloaded_response.at(0), expected, 1e-9);
  EXPECT_NEAR(q.classes.at(0).overlap, 0.04 / 13.0, 1e-7);  // stations stretch calls by 0.01% at this load
  ASSERT_EQ(q.tiers.at(0).name, "app");
  const double analysed = q.tiers.at(0).visit_time;
  EXPECT_NEAR(analysed, expected, 0.002 * expected);  // at 20/s, barely any queueing
  EXPECT_NEAR(q.classes.at(0).response, analysed, 1e-12);  // no latency: the app's visit is the response

  const models::RunResult run = models::run_scenario(config);
  ASSERT_EQ(run.tiers.at(0).name, "app");
  const double simulated = run.tiers.at(0).sojourn.mean() * 1e-9;
  EXPECT_NEAR(simulated / analysed, 1.0, 0.01) << "simulated " << simulated * 1e3 << " ms, analysed "
                                                << analysed * 1e3 << " ms";
}

}  // namespace
