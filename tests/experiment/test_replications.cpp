// Replications through the library: interval coverage against queueing
// theory, sequential stopping, and common random numbers across topologies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "experiment/compare.hpp"
#include "experiment/input_error.hpp"
#include "experiment/replications.hpp"
#include "experiment/summary.hpp"
#include "loader/scenario_loader.hpp"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kRoot = TIERSIM_SOURCE_ROOT;

models::ScenarioConfig load(const std::string& name, std::vector<loader::Override> overrides) {
  return loader::load_scenario_file(kRoot / "scenarios" / name, overrides);
}

experiment::Estimate estimate(const std::vector<experiment::MetricEstimate>& metrics, const std::string& name) {
  for (const auto& m : metrics) {
    if (m.metric.name == name) return *m.estimate;
  }
  throw std::logic_error("no metric " + name);
}

TEST(Coverage, TheMeanIntervalCoversTheTrueMM1SojournNinetyFivePercentOfTheTime) {
  // M/M/1 with lambda = 500/s and mu = 1000/s (FCFS): mean sojourn
  // 1/(mu - lambda) = 2 ms. Each experiment is 5 replications of 5 s after a
  // 0.5 s warm-up (the transient from empty decays in ~12 ms at rho = 0.5),
  // about 2500 requests each, so a replication's mean is close to normal.
  constexpr int kExperiments = 400;
  constexpr double kTrueMean = 2.0;
  // t(0.975, 4) and z(0.975): the same data with a normal quantile must
  // undercover (about 88%), which shows the test can tell them apart.
  constexpr double kT = 2.776445105;
  constexpr double kZ = 1.959963985;
  int covered = 0, covered_normal = 0;
  experiment::Options options;
  options.replications = 5;
  options.jobs = 2;
  for (int k = 0; k < kExperiments; ++k) {
    const auto config = load("mm1.yaml", {{"workload.arrivals", "poisson(500/s)"},
                                          {"run.duration", "5500ms"},
                                          {"run.warmup", "500ms"},
                                          {"run.seed", std::to_string(1000 + k)}});
    const auto e = experiment::run_experiment(config, options);
    const auto mean = estimate(experiment::summarize(e.runs), "latency_ms.mean");
    covered += *mean.lo <= kTrueMean && kTrueMean <= *mean.hi;
    const double normal_half_width = mean.half_width() * kZ / kT;
    covered_normal += std::abs(mean.value - kTrueMean) <= normal_half_width;
  }
  // 400 independent experiments: if the coverage is 95%, the count is
  // binomial with sd sqrt(400 * 0.95 * 0.05) = 4.4 (1.1%), so 92-98% is
  // +-2.75 sd (a 0.6% chance of falling outside). The seeds are fixed, so
  // the outcome is deterministic; the bounds say why these seeds are not luck.
  const double coverage = 100.0 * covered / kExperiments;
  EXPECT_GE(coverage, 92.0);
  EXPECT_LE(coverage, 98.0);
  EXPECT_LT(100.0 * covered_normal / kExperiments, 92.0) << "the test cannot tell a t from a normal interval";
}

TEST(AutoWarmup, TheLoaderAcceptsAutoAndTheCutReplacesIt) {
  const auto config = load("mm1.yaml", {{"run.duration", "4s"}, {"run.warmup", "auto"}});
  EXPECT_TRUE(config.run.auto_warmup);
  EXPECT_EQ(config.run.warmup, 0);
  EXPECT_FALSE(load("mm1.yaml", {}).run.auto_warmup);
  EXPECT_THROW(load("mm1.yaml", {{"run.warmup", "automatic"}}), loader::ScenarioError);
  experiment::Options options;
  options.replications = 2;
  const auto e = experiment::run_experiment(config, options);
  ASSERT_TRUE(e.warmup.has_value());
  EXPECT_EQ(e.config.run.warmup, e.warmup->mser.cut);
  for (const auto& run : e.runs) EXPECT_EQ(run.warmup, e.warmup->mser.cut);
  EXPECT_EQ(e.warmup->window, 4 * sim::kMillisecond);  // duration / 1000
  EXPECT_EQ(e.warmup->mser.batches, 200u);
}

models::ScenarioConfig short_mm1() {
  return load("mm1.yaml", {{"workload.arrivals", "poisson(500/s)"}, {"run.duration", "10s"}, {"run.warmup", "auto"}});
}

TEST(Sequential, StopsAtTheTargetWithBatchesThatDoNotDependOnThreads) {
  experiment::Options options;
  options.replications = 3;
  options.precision = 0.05;
  options.max_replications = 60;
  options.jobs = 1;
  const auto one = experiment::run_experiment(short_mm1(), options);
  options.jobs = 3;
  const auto three = experiment::run_experiment(short_mm1(), options);
  ASSERT_TRUE(one.stopping && three.stopping);
  EXPECT_TRUE(one.stopping->reached);
  EXPECT_GT(one.runs.size(), 3u) << "the first batch already met the target: the test shows nothing";
  EXPECT_LE(one.stopping->mean_latency, 0.05);
  EXPECT_LE(one.stopping->p99_latency, 0.05);
  auto a = experiment::experiment_json(one), b = experiment::experiment_json(three);
  a["engine"].erase("wall_s");
  b["engine"].erase("wall_s");
  EXPECT_EQ(a.dump(), b.dump());
}

TEST(Sequential, ReportsATargetNotReached) {
  experiment::Options options;
  options.replications = 2;
  options.precision = 0.001;  // below the percentiles' 1/128 resolution: unreachable
  options.max_replications = 4;
  const auto e = experiment::run_experiment(short_mm1(), options);
  EXPECT_EQ(e.runs.size(), 4u);
  EXPECT_FALSE(e.stopping->reached);
  EXPECT_EQ(experiment::experiment_json(e)["sequential"]["reached"], false);
}

TEST(CommonRandomNumbers, EveryTopologySeesTheSameRequests) {
  const std::vector<loader::Override> overrides{{"run.duration", "4s"}, {"run.warmup", "1s"}};
  const std::vector<models::ScenarioConfig> configs{load("0-simple-web-stack.yaml", overrides),
                                                    load("3-scale-up.yaml", overrides)};
  experiment::Options options;
  options.replications = 3;
  options.jobs = 2;
  const auto e = experiment::run_paired(configs, options);
  for (std::size_t r = 0; r < 3; ++r) {
    SCOPED_TRACE(r);
    ASSERT_EQ(e[0].runs[r].classes.size(), e[1].runs[r].classes.size());
    for (std::size_t c = 0; c < e[0].runs[r].classes.size(); ++c) {
      EXPECT_EQ(e[0].runs[r].classes[c].counts.offered, e[1].runs[r].classes[c].counts.offered);
    }
    // Different replications are different samples.
    if (r > 0) {
      EXPECT_NE(e[0].runs[r].totals.offered, e[0].runs[r - 1].totals.offered);
    }
  }
}

// Service 0.5% longer at light load: under common random numbers every
// replication's p99 and mean move by about 0.5%, so both intervals exclude 0,
// but a p99 difference below the histogram's resolution (0.78% of each
// value) is not significant: its interval, widened by that resolution,
// includes 0. The exact mean's is.
TEST(CompareSignificance, APercentileDifferenceMustExceedTheResolution) {
  const std::vector<loader::Override> base{{"run.duration", "20s"}, {"run.warmup", "1s"},
                                           {"workload.arrivals", "poisson(100/s)"}};
  auto longer = base;
  longer.push_back({"workload.classes.job.server.cpu", "exp(1005us)"});
  const std::vector<models::ScenarioConfig> configs{load("mm1.yaml", base), load("mm1.yaml", longer)};
  experiment::Options options;
  options.replications = 5;
  options.jobs = 2;
  const auto e = experiment::run_paired(configs, options);
  const std::vector<std::string> files{"a", "b"};
  const auto compared = experiment::compare(e, files);
  const auto metric = [&](const std::string& name) {
    for (const auto& m : compared[1].metrics) {
      if (m.own.metric.name == name) return m;
    }
    throw std::logic_error("no metric " + name);
  };
  const auto mean = metric("latency_ms.mean");
  ASSERT_TRUE(mean.difference);
  EXPECT_TRUE(mean.difference->excludes_zero());
  EXPECT_TRUE(mean.significant);
  const auto p99 = metric("latency_ms.p99");
  ASSERT_TRUE(p99.difference && p99.own.estimate);
  EXPECT_GT(p99.difference->value, 0.0);
  EXPECT_LT(p99.difference->value, 0.0156 * p99.own.estimate->value);
  EXPECT_FALSE(p99.difference->excludes_zero());
  EXPECT_FALSE(p99.significant);
}

TEST(CommonRandomNumbers, ScenariosThatCannotBePairedAreRefusedBeforeRunning) {
  const auto a = load("mm1.yaml", {{"run.seed", "1"}});
  const auto b = load("mm1.yaml", {{"run.seed", "2"}});
  const auto c = load("mm1.yaml", {{"run.warmup", "auto"}});
  const auto d = load("mm1.yaml", {{"run.duration", "31m"}});
  const auto error = [](const models::ScenarioConfig& x, const models::ScenarioConfig& y) -> std::string {
    const std::vector<models::ScenarioConfig> configs{x, y};
    try {
      experiment::run_paired(configs, experiment::Options{});
    } catch (const experiment::InputError& e) {
      return e.what();
    }
    return "no InputError";
  };
  EXPECT_THAT(error(a, b), HasSubstr("mm1 has seed 1 but mm1 has seed 2"));
  EXPECT_THAT(error(a, c), HasSubstr("warm-up 1m but mm1 has warm-up auto"));
  EXPECT_THAT(error(a, d), HasSubstr("--duration"));
}

}  // namespace
