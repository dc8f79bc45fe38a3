// Replicated summaries of the SLO metrics and of the percentiles over all
// finished requests, on hand-built runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "experiment/summary.hpp"
#include "experiment/text_table.hpp"
#include "report/json_report.hpp"
#include "report/metric_table.hpp"

namespace {

// 100 finished requests: successes of 1..(100 - failures) ms, then failures.
models::RunResult run_with_failures(std::uint64_t failures) {
  models::RunResult r;
  r.scenario = "hand-built";
  r.duration = 12 * sim::kSecond;
  r.warmup = 2 * sim::kSecond;
  r.slo.latency = 50 * sim::kMillisecond;
  r.totals.offered = 100;
  r.totals.succeeded = 100 - failures;
  r.totals.failed[0] = failures;
  for (std::uint64_t i = 1; i <= r.totals.succeeded; ++i) {
    r.latency.record(static_cast<sim::Time>(i) * sim::kMillisecond);
  }
  r.totals.good = std::min<std::uint64_t>(50, r.totals.succeeded);
  return r;
}

const experiment::MetricEstimate& find(const std::vector<experiment::MetricEstimate>& metrics, const std::string& name) {
  const auto it = std::find_if(metrics.begin(), metrics.end(), [&](const auto& m) { return m.metric.name == name; });
  EXPECT_NE(it, metrics.end()) << name;
  return *it;
}

// One replication whose p99 falls among its failures makes the replicated
// p99 "fail": that replication's value is beyond every success, so no mean
// over the replications is finite. Percentiles all of them place among the
// successes keep their estimates.
TEST(SloSummary, APercentileIsFailWhenAnyReplicationFailsThere) {
  const std::vector<models::RunResult> runs{run_with_failures(0), run_with_failures(2), run_with_failures(0)};
  const auto metrics = experiment::summarize(runs);
  const auto& p99 = find(metrics, "latency_all_ms.p99");
  EXPECT_TRUE(p99.metric.among_failures);
  EXPECT_FALSE(p99.estimate.has_value());
  EXPECT_EQ(experiment::format_estimate(p99.metric, p99.estimate), "fail");
  const auto& p90 = find(metrics, "latency_all_ms.p90");
  EXPECT_FALSE(p90.metric.among_failures);
  ASSERT_TRUE(p90.estimate.has_value());
  EXPECT_NEAR(p90.estimate->value, 90.0, 90.0 / 128.0);
  // Over the successes only, every replication has a p99.
  EXPECT_TRUE(find(metrics, "latency_ms.p99").estimate.has_value());

  const std::vector<models::RunResult> clean{run_with_failures(0), run_with_failures(0)};
  EXPECT_FALSE(find(experiment::summarize(clean), "latency_all_ms.p99").metric.among_failures);
}

// With a latency objective, attainment and goodput lead the metrics, and
// have intervals like any other.
TEST(SloSummary, AttainmentAndGoodputLeadWithAnObjective) {
  const std::vector<models::RunResult> runs{run_with_failures(0), run_with_failures(60)};
  const auto metrics = experiment::summarize(runs);
  ASSERT_GE(metrics.size(), 2u);
  EXPECT_EQ(metrics[0].metric.name, "slo.attainment");
  EXPECT_EQ(metrics[1].metric.name, "goodput_rps");
  // 50 of 100, then 40 of 100 good.
  ASSERT_TRUE(metrics[0].estimate && metrics[0].estimate->lo);
  EXPECT_DOUBLE_EQ(metrics[0].estimate->value, 0.45);
  EXPECT_DOUBLE_EQ(metrics[1].estimate->value, 4.5);
  models::RunResult plain = run_with_failures(0);
  plain.slo.latency.reset();
  const auto names = experiment::headline_metrics(plain);
  EXPECT_EQ(names[0].name, "latency_ms.mean");
  EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const auto& m) { return m.name == "slo.attainment"; }));
}

// The JSON of replicated runs: null where any replication's percentile is a failure.
TEST(SloSummary, ReplicatedJsonIsNullWhereAnyReplicationFails) {
  experiment::Experiment e;
  e.runs = {run_with_failures(0), run_with_failures(2)};
  const auto json = experiment::experiment_json(e);
  EXPECT_TRUE(json["latency_all_ms"]["p99"]["value"].is_null()) << json["latency_all_ms"];
  EXPECT_TRUE(json["latency_all_ms"]["p50"]["value"].is_number()) << json["latency_all_ms"];
  EXPECT_TRUE(json["slo"]["attainment"]["ci95"].is_array()) << json["slo"];
}

// The metric table is the one list: each headline metric's name is the
// path of the same value in the run's JSON (null there when it has none),
// and the JSON's leaves are the table's paths, in its order.
TEST(MetricTable, HeadlineNamesAreJsonPathsOfTheSameValues) {
  models::RunResult r = run_with_failures(2);
  r.nodes.push_back(models::NodeResult{"web1", "web", "web1", 0.25, 0.5, 0.125, 1.5});
  const auto json = report::run_result_json(r);
  const auto metrics = experiment::headline_metrics(r);
  ASSERT_EQ(metrics.size(), 14u + 3u);
  for (const auto& m : metrics) {
    const nlohmann::ordered_json* at = &json;
    std::string path = m.name;
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.')) {
      // Node names may hold no dot here: "nodes.web1.cpu_utilization".
      ASSERT_TRUE(at->contains(path.substr(0, dot))) << m.name;
      at = &(*at)[path.substr(0, dot)];
      path.erase(0, dot + 1);
    }
    ASSERT_TRUE(at->contains(path)) << m.name;
    if (m.value) {
      EXPECT_EQ((*at)[path].get<double>(), *m.value) << m.name;
    } else {
      EXPECT_TRUE((*at)[path].is_null()) << m.name;
    }
  }
  std::vector<std::string> top;
  for (const auto& [key, value] : json.items()) top.push_back(key);
  std::vector<std::string> from_table;
  for (const auto& f : report::run_fields()) {
    const std::string key(f.path.substr(0, f.path.find('.')));
    if (from_table.empty() || from_table.back() != key) from_table.push_back(key);
  }
  EXPECT_EQ(top, from_table);
  EXPECT_EQ(report::across_of("seed"), report::Across::kSame);
  EXPECT_EQ(report::across_of("latency_ms"), report::Across::kEstimate);
}

}  // namespace
