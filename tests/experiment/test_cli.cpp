// tiersim run --replications, compare and sweep as a user runs them:
// results independent of --jobs, zero differences between identical
// scenarios, resumed sweeps identical to uninterrupted ones, bad input
// refused before anything runs. TIERSIM_BIN comes from tests/meson.build.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/files.hpp"
#include "support/tiersim_process.hpp"

namespace {

namespace fs = std::filesystem;
using test_support::Outcome;
using test_support::read_file;
using test_support::without_wall_time;
using ::testing::HasSubstr;

const fs::path kRoot = TIERSIM_SOURCE_ROOT;

std::size_t lines_in(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

class ExperimentCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("TIERSIM_BIN");
    ASSERT_NE(bin, nullptr) << "TIERSIM_BIN is not set (run through meson test)";
    bin_ = bin;
    dir_ = temp_.path();
  }

  pid_t start(const std::vector<std::string>& args) {
    return test_support::start_process(bin_, args, dir_ / "stdout", dir_ / "stderr");
  }
  Outcome finish(pid_t pid) { return test_support::finish_process(pid, dir_ / "stdout", dir_ / "stderr"); }
  Outcome tiersim(const std::vector<std::string>& args) { return finish(start(args)); }

  static std::string scenario(const std::string& name) { return (kRoot / "scenarios" / name).string(); }

  test_support::TempDir temp_{"tiersim-experiment"};
  fs::path bin_, dir_;
};

TEST_F(ExperimentCli, ReplicatedRunsGiveTheSameBytesOnAnyNumberOfThreads) {
  const std::vector<std::string> args{"run", scenario("2-secured-monitored.yaml"), "--duration", "8s", "--set",
                                      "run.warmup=auto", "--replications", "8", "--format", "json"};
  auto one = args, four = args;
  one.insert(one.end(), {"--jobs", "1"});
  four.insert(four.end(), {"--jobs", "4"});
  const Outcome a = tiersim(one), b = tiersim(four);
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(without_wall_time(a.out).dump(2), without_wall_time(b.out).dump(2));
  const auto json = nlohmann::ordered_json::parse(a.out);
  EXPECT_EQ(json["replications"], 8);
  const auto& p99 = json["latency_ms"]["p99"];
  ASSERT_TRUE(p99["ci95"].is_array()) << p99;
  EXPECT_LT(p99["ci95"][0].get<double>(), p99["value"].get<double>());
  EXPECT_GT(p99["ci95"][1].get<double>(), p99["value"].get<double>());
  EXPECT_TRUE(json["warmup_detection"]["cut_s"].is_number());
  EXPECT_EQ(json["warmup_s"], json["warmup_detection"]["cut_s"]);
}

TEST_F(ExperimentCli, OneReplicationKeepsThePlainJson) {
  const Outcome o = tiersim({"run", scenario("mm1.yaml"), "--duration", "3s", "--set", "run.warmup=1s", "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto json = nlohmann::ordered_json::parse(o.out);
  EXPECT_TRUE(json["latency_ms"]["p99"].is_number());
  EXPECT_EQ(json["replication"], 0);
  EXPECT_FALSE(json.contains("warmup_detection"));
}

TEST_F(ExperimentCli, TwoCopiesOfAScenarioDifferByExactlyZero) {
  const Outcome o = tiersim({"compare", scenario("1-distributed.yaml"), scenario("1-distributed.yaml"), "--duration",
                             "5s", "--set", "run.warmup=1s", "--replications", "4", "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto json = nlohmann::ordered_json::parse(o.out);
  ASSERT_EQ(json["scenarios"].size(), 2u);
  EXPECT_TRUE(json["scenarios"][0]["difference"].is_null());
  const auto& differences = json["scenarios"][1]["difference"];
  EXPECT_GE(differences.size(), 7u);  // the global metrics and every node's
  for (const auto& [name, d] : differences.items()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(d["value"].get<double>(), 0.0);
    EXPECT_FALSE(d["significant"].get<bool>());
  }
  // Exactly zero intervals where no histogram resolution widens them.
  EXPECT_EQ(differences["latency_ms.mean"]["ci95"], nlohmann::ordered_json::array({0.0, 0.0}));
  EXPECT_EQ(differences["throughput_rps"]["ci95"], nlohmann::ordered_json::array({0.0, 0.0}));
  // A percentile's is the resolution of the two equal values, 2 x 1/128 of each.
  const double p99 = json["scenarios"][1]["metrics"]["latency_ms.p99"]["value"].get<double>();
  const auto& p99_interval = differences["latency_ms.p99"]["ci95"];
  EXPECT_NEAR(p99_interval[0].get<double>(), -2.0 / 128 * p99, 1e-9 * p99);
  EXPECT_NEAR(p99_interval[1].get<double>(), 2.0 / 128 * p99, 1e-9 * p99);
}

TEST_F(ExperimentCli, CompareTablesAndCsvListEveryScenario) {
  const std::vector<std::string> args{"compare", scenario("0-simple-web-stack.yaml"), scenario("3-scale-up.yaml"),
                                      "--duration", "4s", "--set", "run.warmup=1s", "--replications", "3"};
  const Outcome table = tiersim(args);
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("difference vs 0-simple-web-stack"));
  EXPECT_THAT(table.out, HasSubstr("3-scale-up"));
  auto csv_args = args;
  csv_args.insert(csv_args.end(), {"--format", "csv"});
  const Outcome csv = tiersim(csv_args);
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("scenario,file,metric,value,lo,hi,difference,difference_lo,difference_hi,significant\n", 0), 0u);
  EXPECT_THAT(csv.out, HasSubstr("3-scale-up," + scenario("3-scale-up.yaml") + ",latency_ms.p99,"));
}

// The new user: stage 0 past its knee shows a fine p50 over its
// successes while fewer than two in three requests succeed. The percentiles
// over all finished requests, the attainment and compare's ordering say so.
TEST_F(ExperimentCli, AFailingDesignDoesNotLookFast) {
  const std::vector<std::string> overload{"run", scenario("0-simple-web-stack.yaml"), "--set",
                                          "workload.arrivals=poisson(2400/s)", "--set",
                                          "tiers.web.worker_connections=100", "--duration", "6s", "--set",
                                          "run.warmup=1s", "--replications", "2"};
  auto json_args = overload;
  json_args.insert(json_args.end(), {"--format", "json"});
  const Outcome o = tiersim(json_args);
  ASSERT_EQ(o.status, 0) << o.err;
  const auto json = nlohmann::ordered_json::parse(o.out);
  EXPECT_LT(json["availability"]["value"].get<double>(), 0.67);
  EXPECT_LT(json["latency_ms"]["p50"]["value"].get<double>(), 50.0);  // successes only: looks fast
  // Every replication failed at p99: the estimate is null as a whole.
  EXPECT_TRUE(json["latency_all_ms"]["p99"].is_null()) << json["latency_all_ms"];
  EXPECT_GT(json["latency_all_ms"]["p50"]["value"].get<double>(), json["latency_ms"]["p50"]["value"].get<double>());
  EXPECT_LT(json["slo"]["attainment"]["value"].get<double>(), json["availability"]["value"].get<double>());
  EXPECT_TRUE(json["slo"]["attainment"]["ci95"].is_array());
  const Outcome table = tiersim(overload);
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_THAT(table.out, ::testing::ContainsRegex("all finished p99 \\(ms\\) +fail"));

  const std::vector<std::string> compare{"compare", scenario("0-simple-web-stack.yaml"), scenario("3-scale-up.yaml"),
                                         "--set", "workload.arrivals=poisson(1800/s)", "--duration", "8s", "--set",
                                         "run.warmup=2s", "--replications", "2"};
  const Outcome c = tiersim(compare);
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("objective      a request is good when it succeeds within 300ms"));
  // The table leads with attainment, and the scaled-up design wins it.
  EXPECT_THAT(c.out, ::testing::ContainsRegex("\n\nmetric +scenario[^\n]*\nSLO attainment +0-simple-web-stack"));
  auto csv_args = compare;
  csv_args.insert(csv_args.end(), {"--format", "csv"});
  const Outcome csv = tiersim(csv_args);
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_THAT(csv.out, ::testing::ContainsRegex("\n3-scale-up,[^,]*,slo.attainment,[^\n]*,true\n"));
  EXPECT_THAT(csv.out, HasSubstr(",goodput_rps,"));
}

class SweepCli : public ExperimentCli {
 protected:
  // 12 points of a few hundredths of a second each.
  std::vector<std::string> sweep(const fs::path& output, const std::string& format = "csv") {
    return {"sweep", scenario("mm1.yaml"), "--set", "run.duration=60s", "--set", "run.warmup=1s",
            "--vary", "workload.arrivals=poisson({300:800:100}/s)", "--vary", "machines.single.cores=1,2",
            "--replications", "2", "--jobs", "2", "--output", output.string(), "--format", format};
  }
};

TEST_F(SweepCli, AResumedSweepIsByteIdenticalToAnUninterruptedOne) {
  for (const std::string format : {"csv", "jsonl"}) {
    SCOPED_TRACE(format);
    const fs::path whole = dir_ / ("whole." + format), cut = dir_ / ("cut." + format);
    const Outcome o = tiersim(sweep(whole, format));
    ASSERT_EQ(o.status, 0) << o.err;
    const std::string expected = read_file(whole);
    ASSERT_EQ(lines_in(expected), format == "csv" ? 13u : 12u);
    // Cut mid-row (as a kill during a write would), mid-header, and at a row's end.
    for (const std::size_t keep : {expected.size() / 2, std::size_t{10}, expected.find('\n', expected.size() / 3) + 1}) {
      SCOPED_TRACE(keep);
      std::ofstream(cut, std::ios::binary | std::ios::trunc) << expected.substr(0, keep);
      const Outcome resumed = tiersim(sweep(cut, format));
      ASSERT_EQ(resumed.status, 0) << resumed.err;
      EXPECT_EQ(read_file(cut), expected);
    }
  }
}

// A sweep of a scenario with a latency objective: attainment and goodput
// lead the metric columns, each with its interval, and the percentiles over
// all finished requests follow those over successes.
TEST_F(SweepCli, SweepsCarryAttainmentGoodputAndAllRequestPercentiles) {
  const fs::path output = dir_ / "stage0.csv";
  const Outcome o = tiersim({"sweep", scenario("0-simple-web-stack.yaml"), "--duration", "3s", "--set",
                             "run.warmup=1s", "--vary", "workload.arrivals=poisson({300,600}/s)", "--replications",
                             "2", "--output", output.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string text = read_file(output);
  EXPECT_EQ(text.rfind("workload.arrivals,replications,warmup_s,slo.attainment,slo.attainment_lo,slo.attainment_hi,"
                       "goodput_rps,goodput_rps_lo,goodput_rps_hi,latency_ms.mean,",
                       0),
            0u)
      << text;
  EXPECT_THAT(text, HasSubstr(",latency_ms.p999_hi,latency_all_ms.p50,latency_all_ms.p50_lo,latency_all_ms.p50_hi,"));
  EXPECT_EQ(lines_in(text), 3u);
}

TEST_F(SweepCli, AKilledSweepResumesToTheSameFile) {
  const fs::path whole = dir_ / "whole.csv", killed = dir_ / "killed.csv";
  ASSERT_EQ(tiersim(sweep(whole)).status, 0);
  const pid_t pid = start(sweep(killed));
  // Kill once two rows are out: ten points remain, far more than a poll's delay.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lines_in(read_file(killed)) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  EXPECT_EQ(finish(pid).status, -1);
  const std::string partial = read_file(killed);
  ASSERT_LT(lines_in(partial), 13u) << "the sweep ended before the kill";
  const Outcome resumed = tiersim(sweep(killed));
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("points are already in"));
  EXPECT_EQ(read_file(killed), read_file(whole));
}

TEST_F(SweepCli, BadInputIsRefusedBeforeAnyPointRuns) {
  const fs::path out = dir_ / "out.csv";
  const auto refused = [&](std::vector<std::string> args, const std::string& needle) {
    SCOPED_TRACE(needle);
    const Outcome o = tiersim(args);
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_THAT(o.err, HasSubstr(needle));
    EXPECT_FALSE(fs::exists(out)) << "a refused sweep wrote its output";
  };
  const std::string mm1 = scenario("mm1.yaml");
  refused({"sweep", mm1, "--vary", "tiers.server.workers=1,2,-3", "--output", out.string()}, "sweep point 3 of 3");
  refused({"sweep", mm1, "--vary", "tiers.nosuch.count=1,2", "--output", out.string()}, "tiers.nosuch");
  refused({"sweep", mm1, "--vary", "run.seed=9:1:1", "--output", out.string()}, "stop is below start");
  refused({"sweep", mm1, "--vary", "run.seed", "--output", out.string()}, "KEY.PATH=SPEC");
  refused({"sweep", mm1, "--output", out.string()}, "--vary");
  refused({"sweep", mm1, "--vary", "run.seed=1,2"}, "--output");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--format", "xml"}, "--format");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", (dir_ / "no" / "dir.csv").string()}, "cannot write");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--replications", "0"}, "--replications");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--jobs", "x"}, "--jobs");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--precision", "150%"}, "--precision");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--precision", "0.5%"}, "--precision");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--max-replications", "5"},
          "--max-replications needs --precision");
  refused({"sweep", mm1, "--vary", "run.seed=1,2", "--output", out.string(), "--precision", "5%", "--replications",
           "20", "--max-replications", "10"},
          "--max-replications");
}

TEST_F(ExperimentCli, CompareAndRunRefuseBadInput) {
  const std::string mm1 = scenario("mm1.yaml");
  const auto refused = [&](std::vector<std::string> args, const std::string& needle) {
    SCOPED_TRACE(needle);
    const Outcome o = tiersim(args);
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_THAT(o.err, HasSubstr(needle));
    EXPECT_EQ(o.out, "");
  };
  refused({"compare", mm1}, "at least two scenarios");
  refused({"compare", mm1, scenario("0-simple-web-stack.yaml")}, "paired comparison needs one seed");
  refused({"compare", mm1, mm1, "--format", "xml"}, "--format");
  refused({"compare", mm1, (dir_ / "missing.yaml").string()}, "missing.yaml");
  refused({"run", mm1, "--replications", "-1"}, "--replications");
  refused({"run", mm1, "--precision", "5%", "--replications", "1"}, "--replications");
  refused({"run", mm1, "--set", "run.warmup=sometime"}, "run.warmup");
}

}  // namespace
