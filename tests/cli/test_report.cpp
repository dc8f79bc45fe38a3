// The JSON and table reports on hand-built results.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "models/request.hpp"
#include "report/json_report.hpp"
#include "report/metric_table.hpp"
#include "report/table_report.hpp"

namespace {

using nlohmann::ordered_json;

std::vector<std::string> keys(const ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [key, value] : j.items()) out.push_back(key);
  return out;
}

// Two classes, one of which completed nothing.
models::RunResult sample() {
  models::RunResult r;
  r.scenario = "sample";
  r.seed = 3;
  r.duration = 10 * sim::kSecond;
  r.warmup = 2 * sim::kSecond;
  models::ClassResult busy{"busy", {}, {}, {}};
  busy.counts.offered = 1000;
  busy.counts.succeeded = 990;
  busy.counts.failed[static_cast<std::size_t>(models::FailureReason::kServerQueue)] = 8;
  for (int i = 1; i <= 990; ++i) busy.latency.record(i * sim::kMicrosecond);
  models::ClassResult idle{"idle", {}, {}, {}};
  idle.counts.offered = 5;
  idle.counts.failed[static_cast<std::size_t>(models::FailureReason::kAppBacklog)] = 5;
  busy.counts.good = 990;  // no latency objective: every success is good
  for (const auto* c : {&busy, &idle}) {
    r.totals.offered += c->counts.offered;
    r.totals.succeeded += c->counts.succeeded;
    r.totals.good += c->counts.good;
    for (std::size_t k = 0; k < c->counts.failed.size(); ++k) r.totals.failed[k] += c->counts.failed[k];
    r.latency.merge(c->latency);
  }
  r.classes = {busy, idle};
  r.tiers = {models::TierResult{"web", "server", busy.latency}};
  r.nodes = {models::NodeResult{"web1", "web", "host-a", 0.5, 0.25, 0.0, 1.5}};
  r.events = 12345;
  r.wall_seconds = 0.5;
  return r;
}

TEST(JsonReport, HasTheStableKeysInOrder) {
  const ordered_json j = report::run_result_json(sample());
  EXPECT_EQ(keys(j), (std::vector<std::string>{"scenario", "seed", "replication", "duration_s", "warmup_s",
                                               "requests", "throughput_rps", "availability", "latency_ms",
                                               "classes", "tiers", "nodes", "engine", "resilience", "slo",
                                               "faults", "stale_reads", "goodput_rps", "latency_all_ms",
                                               "latency_resolution"}));
  EXPECT_EQ(keys(j["slo"]), (std::vector<std::string>{"target", "window_s", "windows", "time_availability",
                                                      "downtime_min", "nines", "error_budget_consumed", "latency_ms",
                                                      "attainment"}));
  EXPECT_EQ(keys(j["latency_all_ms"]), (std::vector<std::string>{"p50", "p90", "p99", "p999"}));
  EXPECT_EQ(keys(j["requests"]), (std::vector<std::string>{"offered", "succeeded", "failed", "in_flight"}));
  std::vector<std::string> reasons;
  for (int i = 0; i < models::kFailureReasonCount; ++i) {
    reasons.emplace_back(models::failure_reason_name(static_cast<models::FailureReason>(i)));
  }
  EXPECT_EQ(keys(j["requests"]["failed"]), reasons);
  const std::vector<std::string> latency{"mean", "p50", "p90", "p99", "p999", "max", "min"};
  EXPECT_EQ(keys(j["latency_ms"]), latency);
  EXPECT_EQ(keys(j["classes"]), (std::vector<std::string>{"busy", "idle"}));
  EXPECT_EQ(keys(j["classes"]["busy"]),
            (std::vector<std::string>{"requests", "availability", "throughput_rps", "latency_ms", "stale_reads",
                                      "slo_attainment", "goodput_rps", "latency_all_ms"}));
  EXPECT_EQ(keys(j["tiers"]["web"]), (std::vector<std::string>{"kind", "sojourn_ms"}));
  EXPECT_EQ(keys(j["tiers"]["web"]["sojourn_ms"]), latency);
  EXPECT_EQ(keys(j["nodes"]["web1"]), (std::vector<std::string>{"tier", "host", "cpu_utilization", "nic_utilization",
                                                                "disk_utilization", "queue_mean"}));
  EXPECT_EQ(keys(j["engine"]), (std::vector<std::string>{"events", "wall_s"}));
}

TEST(JsonReport, ReportsTheValues) {
  const ordered_json j = report::run_result_json(sample());
  EXPECT_EQ(j["duration_s"], 10.0);
  EXPECT_EQ(j["warmup_s"], 2.0);
  EXPECT_EQ(j["requests"]["offered"], 1005);
  EXPECT_EQ(j["requests"]["failed"]["server_queue"], 8);
  EXPECT_EQ(j["requests"]["failed"]["app_backlog"], 5);
  EXPECT_EQ(j["requests"]["failed"]["lb_maxconn"], 0);
  EXPECT_EQ(j["requests"]["in_flight"], 2);
  EXPECT_DOUBLE_EQ(j["throughput_rps"].get<double>(), 990.0 / 8.0);
  // Of the 1003 requests that ended; the 2 in flight count neither way.
  EXPECT_DOUBLE_EQ(j["availability"].get<double>(), 990.0 / 1003.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["mean"].get<double>(), 0.4955);  // mean of 1..990 us
  EXPECT_DOUBLE_EQ(j["latency_ms"]["max"].get<double>(), 0.99);
  EXPECT_NEAR(j["latency_ms"]["p50"].get<double>(), 0.495, 0.495 * 0.008);
  EXPECT_EQ(j["classes"]["idle"]["availability"], 0.0);
  EXPECT_EQ(j["nodes"]["web1"]["host"], "host-a");
  EXPECT_EQ(j["nodes"]["web1"]["queue_mean"], 1.5);
  EXPECT_EQ(j["engine"]["events"], 12345);
}

TEST(JsonReport, EmptyHistogramsGiveNullLatencies) {
  const ordered_json latency = report::run_result_json(sample())["classes"]["idle"]["latency_ms"];
  EXPECT_EQ(latency.size(), 7u);
  for (const auto& [key, value] : latency.items()) EXPECT_TRUE(value.is_null()) << key;
}

// null without replication lag; with it, the count and its denominator.
TEST(JsonReport, StaleReadsAreNullUnlessReplicationLagIsModelled) {
  EXPECT_TRUE(report::run_result_json(sample())["stale_reads"].is_null());
  EXPECT_TRUE(report::run_result_json(sample())["classes"]["busy"]["stale_reads"].is_null());
  models::RunResult r = sample();
  r.stale_reads = models::StaleReads{7, 400};
  r.classes[0].stale_reads = models::StaleReads{7, 400};
  r.classes[1].stale_reads = models::StaleReads{0, 0};
  const ordered_json j = report::run_result_json(r);
  EXPECT_EQ(keys(j["stale_reads"]), (std::vector<std::string>{"count", "replica_reads"}));
  EXPECT_EQ(j["stale_reads"]["count"], 7);
  EXPECT_EQ(j["stale_reads"]["replica_reads"], 400);
  EXPECT_EQ(j["classes"]["busy"]["stale_reads"]["count"], 7);
  EXPECT_EQ(j["classes"]["idle"]["stale_reads"]["replica_reads"], 0);
}

// The sample's 1003 finished requests are 990 successes of 1..990 us and 13
// failures ranked above them: the nearest rank ceil(q * 1003) is a success up
// to rank 990, so p50 and p90 are the successes' 502nd and 903rd values, and
// p99 (rank 993) and p99.9 (rank 1002) are failures.
TEST(JsonReport, LatencyOverAllFinishedRequestsRanksFailuresAboveEverySuccess) {
  const ordered_json j = report::run_result_json(sample());
  const ordered_json& all = j["latency_all_ms"];
  EXPECT_NEAR(all["p50"].get<double>(), 0.502, 0.502 / 128.0);
  EXPECT_NEAR(all["p90"].get<double>(), 0.903, 0.903 / 128.0);
  EXPECT_TRUE(all["p99"].is_null()) << all;
  EXPECT_TRUE(all["p999"].is_null()) << all;
  // Over the successes alone, as before: their own 99th percentile.
  EXPECT_NEAR(j["latency_ms"]["p99"].get<double>(), 0.981, 0.981 / 128.0);
  // The busy class alone: 998 finished, 8 failures; p99 is rank 989, a success.
  EXPECT_NEAR(j["classes"]["busy"]["latency_all_ms"]["p99"].get<double>(), 0.989, 0.989 / 128.0);
  EXPECT_TRUE(j["classes"]["busy"]["latency_all_ms"]["p999"].is_null());
  // Nothing of the idle class succeeded: every percentile is a failure.
  for (const auto& [key, value] : j["classes"]["idle"]["latency_all_ms"].items()) EXPECT_TRUE(value.is_null()) << key;
}

TEST(JsonReport, AttainmentAndGoodputCountGoodRequests) {
  models::RunResult r = sample();
  ordered_json j = report::run_result_json(r);
  // Without an objective every success is good.
  EXPECT_TRUE(j["slo"]["latency_ms"].is_null());
  EXPECT_DOUBLE_EQ(j["slo"]["attainment"].get<double>(), j["availability"].get<double>());
  EXPECT_DOUBLE_EQ(j["goodput_rps"].get<double>(), j["throughput_rps"].get<double>());
  r.slo.latency = 500 * sim::kMicrosecond;
  r.classes[0].counts.good = r.totals.good = 500;
  j = report::run_result_json(r);
  EXPECT_EQ(j["slo"]["latency_ms"], 0.5);
  EXPECT_DOUBLE_EQ(j["slo"]["attainment"].get<double>(), 500.0 / 1003.0);  // in flight excluded
  EXPECT_DOUBLE_EQ(j["goodput_rps"].get<double>(), 500.0 / 8.0);
  EXPECT_DOUBLE_EQ(j["classes"]["busy"]["slo_attainment"].get<double>(), 500.0 / 998.0);
  EXPECT_DOUBLE_EQ(j["classes"]["busy"]["goodput_rps"].get<double>(), 500.0 / 8.0);
  EXPECT_EQ(j["classes"]["idle"]["slo_attainment"], 0.0);
}

TEST(JsonReport, DumpsAreByteIdentical) {
  EXPECT_EQ(report::run_result_json(sample()).dump(2), report::run_result_json(sample()).dump(2));
}

TEST(TableReport, ShowsEverySectionWithinOneHundredColumns) {
  const std::string table = report::run_result_table(sample());
  for (const char* text : {"sample", "seed 3", "10s", "warm-up 2s", "12345 events", "successes", "all finished",
                           "123.75 req/s",
                           "98.703%", "app_backlog 5, server_queue 8", "busy", "idle", "web1", "host-a", "50.0",
                           "25.0", "1.50"}) {
    EXPECT_NE(table.find(text), std::string::npos) << text << " missing from:\n" << table;
  }
  std::size_t start = 0;
  for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
    EXPECT_LE(end - start, 100u) << table.substr(start, end - start);
  }
}

TEST(TableReport, PercentilesAmongTheFailuresReadFail) {
  const std::string table = report::run_result_table(sample());
  const auto row = table.find("all finished");
  ASSERT_NE(row, std::string::npos) << table;
  const std::string line = table.substr(row, table.find('\n', row) - row);
  // mean, p50, p90, p99, p99.9, max: no mean or max over failures.
  EXPECT_THAT(line, ::testing::MatchesRegex("all finished +- +0\\.50[0-9] +0\\.90[0-9] +fail +fail +-")) << line;
}

TEST(TableReport, AttainmentLinesAndColumnOnlyWithALatencyObjective) {
  EXPECT_EQ(report::run_result_table(sample()).find("attainment"), std::string::npos);
  models::RunResult r = sample();
  r.slo.latency = 500 * sim::kMicrosecond;
  r.classes[0].counts.good = r.totals.good = 500;
  const std::string table = report::run_result_table(r);
  EXPECT_NE(table.find("goodput        62.50 req/s within 500us\n"), std::string::npos) << table;
  EXPECT_NE(table.find("SLO attainment 49.850% (500 of 1003 finished requests succeeded within 500us)\n"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("attainment  mean ms"), std::string::npos) << table;
}

TEST(TableReport, AvailabilityNeverRoundsUpToOneHundredPercent) {
  models::RunResult r = sample();
  r.totals.offered = 1'000'000;
  r.totals.succeeded = 999'999;
  r.totals.failed = {};
  r.totals.failed[0] = 1;
  const std::string table = report::run_result_table(r);
  EXPECT_NE(table.find("99.999%"), std::string::npos) << table;
  r.totals.offered = 10'000;
  r.totals.succeeded = 9'999;
  EXPECT_NE(report::run_result_table(r).find("99.990%"), std::string::npos);
}

TEST(TableReport, StaleReadsLineOnlyWithReplicationLag) {
  EXPECT_EQ(report::run_result_table(sample()).find("stale reads"), std::string::npos);
  models::RunResult r = sample();
  r.stale_reads = models::StaleReads{7, 400};
  r.classes[0].stale_reads = models::StaleReads{7, 400};
  r.classes[1].stale_reads = models::StaleReads{0, 0};
  const std::string table = report::run_result_table(r);
  EXPECT_NE(table.find("stale reads    7 of 400 replica reads (1.75%): busy 7\n"), std::string::npos) << table;
}

// The cells of the line of `table` that starts with `start`: the texts
// between runs of two blanks or more.
std::vector<std::string> cells_of_line(const std::string& table, std::string_view start) {
  std::vector<std::string> cells;
  for (std::size_t from = 0, end; (end = table.find('\n', from)) != std::string::npos; from = end + 1) {
    const std::string line = table.substr(from, end - from);
    if (line.rfind(start, 0) != 0) continue;
    for (std::size_t at = 0; at != std::string::npos;) {
      const std::size_t gap = line.find("  ", at);
      cells.push_back(line.substr(at, gap - at));
      at = gap == std::string::npos ? gap : line.find_first_not_of(' ', gap);
    }
    break;
  }
  return cells;
}

// The latency table's columns are the metric table's: every headline entry
// under latency_ms (the successes' row) and latency_all_ms (all finished
// requests') has one, and each column shows its entry's value, so that a new
// quantile in metric_table.cpp needs no edit of table_report.cpp.
TEST(TableReport, LatencyColumnsComeFromTheMetricTable) {
  const models::RunResult r = sample();
  const std::string table = report::run_result_table(r);
  const std::vector<std::string> header = cells_of_line(table, "latency (ms)");
  const std::pair<std::string_view, std::string_view> rows[] = {{"successes", "latency_ms"},
                                                                 {"all finished", "latency_all_ms"}};
  int columns = 0;
  for (const auto& [label, object] : rows) {
    const std::vector<std::string> row = cells_of_line(table, label);
    ASSERT_EQ(row.size(), header.size()) << table;
    for (const report::RunField& f : report::run_fields()) {
      if (f.path.substr(0, f.path.find('.')) != object) continue;
      if (!f.headline.label.empty()) {
        EXPECT_FALSE(f.column.empty()) << f.path << " is a headline without a column";
      }
      if (f.column.empty()) continue;
      ++columns;
      const auto at = std::find(header.begin(), header.end(), f.column);
      ASSERT_NE(at, header.end()) << f.path << ": no column \"" << f.column << "\" in\n" << table;
      const report::MetricValue v = f.metric(r);
      EXPECT_EQ(row[static_cast<std::size_t>(at - header.begin())],
                v.value ? report::format_value(f.headline.unit, *v.value) : report::no_value(v.among_failures))
          << f.path << " in\n" << table;
    }
  }
  EXPECT_EQ(columns, 10);  // mean, p50, p90, p99, p99.9, max; p50 to p99.9 of all finished
}

// The node table's metric columns are the node fields that have a column,
// every headline node metric among them, in the table's order.
TEST(TableReport, NodeColumnsComeFromTheMetricTable) {
  const models::RunResult r = sample();
  const std::string table = report::run_result_table(r);
  std::vector<std::string> expected{"node", "tier", "host"};
  std::vector<std::string> values{"web1", "web", "host-a"};
  for (const report::NodeField& f : report::node_fields()) {
    if (!f.label.empty()) {
      EXPECT_FALSE(f.column.empty()) << f.key << " is a headline without a column";
    }
    if (f.column.empty()) continue;
    expected.emplace_back(f.column);
    const double v = f.metric(r.nodes.front());
    // Utilizations in percent with one decimal: the header says "%".
    values.push_back(f.unit == report::Unit::kUtilization ? fmt::format("{:.1f}", 100.0 * v)
                                                          : report::format_value(f.unit, v));
  }
  EXPECT_EQ(cells_of_line(table, "node "), expected) << table;
  EXPECT_EQ(cells_of_line(table, "web1 "), values) << table;
}

TEST(TableReport, SaysNoneWithoutFailures) {
  models::RunResult r = sample();
  r.totals.failed = {};
  EXPECT_NE(report::run_result_table(r).find("none"), std::string::npos);
}

}  // namespace
