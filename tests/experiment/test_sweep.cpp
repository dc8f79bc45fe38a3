// --vary specs, sweep plans and sweep files, through the library.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "experiment/input_error.hpp"
#include "experiment/sweep.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;
using experiment::expand_spec;
using experiment::InputError;
using experiment::parse_vary;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test_support::read_file;

const fs::path kRoot = TIERSIM_SOURCE_ROOT;

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

TEST(Spec, RangesIncludeStopAndPrintAsWritten) {
  EXPECT_THAT(expand_spec("100:900:200"), ElementsAre("100", "300", "500", "700", "900"));
  EXPECT_THAT(expand_spec("0.1:0.3:0.1"), ElementsAre("0.1", "0.2", "0.3"));
  EXPECT_THAT(expand_spec("1:2:0.25"), ElementsAre("1.00", "1.25", "1.50", "1.75", "2.00"));
  EXPECT_THAT(expand_spec("5:6:2"), ElementsAre("5"));
}

TEST(Spec, LogRangesSpanTheEndsEvenlyInLogScale) {
  EXPECT_THAT(expand_spec("log:10:1000:3"), ElementsAre("10", "100", "1000"));
  EXPECT_THAT(expand_spec("log:10:1000:5"), ElementsAre("10", "31.6228", "100", "316.228", "1000"));
  EXPECT_THAT(expand_spec("log:1:1000000:2"), ElementsAre("1", "1000000"));
}

TEST(Spec, ListsSplitOnlyAtTopLevelCommas) {
  EXPECT_THAT(expand_spec("poisson(40/s),lognormal(8ms, cv=2)"), ElementsAre("poisson(40/s)", "lognormal(8ms, cv=2)"));
  EXPECT_THAT(expand_spec("[1, 2], [3]"), ElementsAre("[1, 2]", "[3]"));
  EXPECT_THAT(expand_spec("{iops: 1, bandwidth: 1MB/s},{iops: 2, bandwidth: 1MB/s}"),
              ElementsAre("{iops: 1, bandwidth: 1MB/s}", "{iops: 2, bandwidth: 1MB/s}"));
  EXPECT_THAT(expand_spec(" 8 , 16,32 "), ElementsAre("8", "16", "32"));
  EXPECT_THAT(expand_spec("roundrobin"), ElementsAre("roundrobin"));
}

TEST(Spec, NonsenseIsAnInputErrorThatQuotesIt) {
  EXPECT_THAT(error_of([] { expand_spec("9:1:1"); }), HasSubstr("stop is below start"));
  EXPECT_THAT(error_of([] { expand_spec("1:9:0"); }), HasSubstr("step must be above 0"));
  EXPECT_THAT(error_of([] { expand_spec("10s:60s:10s"); }), HasSubstr("plain number"));
  EXPECT_THAT(error_of([] { expand_spec("1:1000000000:1"); }), HasSubstr("at most"));
  EXPECT_THAT(error_of([] { expand_spec("log:0:10:3"); }), HasSubstr("above 0"));
  EXPECT_THAT(error_of([] { expand_spec("log:1:10:1.5"); }), HasSubstr("integer"));
  EXPECT_THAT(error_of([] { expand_spec("log:1:10"); }), HasSubstr("log:start:stop:n"));
  EXPECT_THAT(error_of([] { expand_spec("a,,b"); }), HasSubstr("empty value"));
  EXPECT_THAT(error_of([] { expand_spec("f(1,2"); }), HasSubstr("never closed"));
  EXPECT_THAT(error_of([] { expand_spec("f(1]"); }), HasSubstr("unbalanced"));
  EXPECT_THAT(error_of([] { expand_spec(""); }), HasSubstr("empty SPEC"));
}

TEST(Vary, TemplatesVaryPartOfAValue) {
  const auto v = parse_vary("workload.arrivals=poisson({100,200,400}/s)");
  EXPECT_EQ(v.key, "workload.arrivals");
  EXPECT_THAT(v.values, ElementsAre("poisson(100/s)", "poisson(200/s)", "poisson(400/s)"));
  EXPECT_THAT(v.cells, ElementsAre("100", "200", "400"));
  EXPECT_THAT(parse_vary("run.warmup={1:3:1}s").values, ElementsAre("1s", "2s", "3s"));
  EXPECT_THAT(parse_vary("workload.arrivals=poisson({log:10:1000:3}/s)").cells, ElementsAre("10", "100", "1000"));
}

TEST(Vary, PlainSpecsAndYamlMapsAreNotTemplates) {
  const auto v = parse_vary("tiers.app.workers=8,16");
  EXPECT_THAT(v.values, ElementsAre("8", "16"));
  EXPECT_EQ(v.values, v.cells);
  const auto maps = parse_vary("machines.box.disk={iops: 1, bandwidth: 1MB/s},{iops: 2, bandwidth: 1MB/s}");
  EXPECT_EQ(maps.values.size(), 2u);
}

TEST(Vary, BadKeysAndSpecsNameTheVary) {
  EXPECT_THAT(error_of([] { parse_vary("tiers.app.workers"); }), HasSubstr("KEY.PATH=SPEC"));
  EXPECT_THAT(error_of([] { parse_vary("tiers..workers=1"); }), HasSubstr("KEY.PATH=SPEC"));
  EXPECT_THAT(error_of([] { parse_vary("tiers.app.workers=9:1:1"); }), HasSubstr("--vary tiers.app.workers"));
  EXPECT_THAT(error_of([] { parse_vary("workload.arrivals=poisson({1,2}/s){3}"); }), HasSubstr("one {SPEC}"));
}

class SweepPlanTest : public ::testing::Test {
 protected:

  experiment::SweepPlan plan(const std::vector<std::string>& varies) {
    std::vector<experiment::Vary> parsed;
    for (const auto& v : varies) parsed.push_back(parse_vary(v));
    return experiment::plan_sweep(kRoot / "scenarios" / "mm1.yaml",
                                  {{"run.duration", "2s"}, {"run.warmup", "200ms"}}, parsed);
  }

  test_support::TempDir temp_{"tiersim-sweep"};
  const fs::path& dir_ = temp_.path();
};

TEST_F(SweepPlanTest, TheGridTurnsTheLastKeyFastest) {
  const auto p = plan({"workload.arrivals=poisson({100,200}/s)", "machines.single.cores=1:3:1"});
  ASSERT_EQ(p.points.size(), 6u);
  EXPECT_THAT(p.points[0].cells, ElementsAre("100", "1"));
  EXPECT_THAT(p.points[1].cells, ElementsAre("100", "2"));
  EXPECT_THAT(p.points[5].cells, ElementsAre("200", "3"));
  EXPECT_EQ(p.points[5].config.machines.at("single").cores, 3);
  const auto columns = p.columns();
  EXPECT_THAT(std::vector<std::string>(columns.begin(), columns.begin() + 7),
              ElementsAre("workload.arrivals", "machines.single.cores", "replications", "warmup_s", "latency_ms.mean",
                          "latency_ms.mean_lo", "latency_ms.mean_hi"));
  EXPECT_EQ(columns.back(), "nodes.server1.disk_utilization_hi");
}

TEST_F(SweepPlanTest, EveryPointIsCheckedBeforeAnythingRuns) {
  // The third point is bad; the error names it.
  const std::string message = error_of([&] { plan({"tiers.server.workers=1,2,-3"}); });
  EXPECT_THAT(message, HasSubstr("sweep point 3 of 3 (tiers.server.workers=-3)"));
  EXPECT_THAT(error_of([&] { plan({"tiers.nosuch.count=1"}); }), HasSubstr("tiers.nosuch"));
  EXPECT_THAT(error_of([&] { plan({"run.seed=1,2", "run.seed=3"}); }), HasSubstr("given twice"));
}

TEST_F(SweepPlanTest, AFileOfAnotherSweepIsRefusedAndLeftAlone) {
  const auto a = plan({"run.seed=1,2"});
  const fs::path file = dir_ / "a.csv";
  {
    experiment::SweepFile created(file, experiment::SweepFormat::kCsv, a);
    EXPECT_EQ(created.done(), 0u);
  }
  const std::string header = read_file(file);
  EXPECT_EQ(header.rfind("run.seed,replications,warmup_s,latency_ms.mean,", 0), 0u) << header;
  // Another varied key: another header.
  const auto b = plan({"run.warmup=100ms,200ms"});
  EXPECT_THAT(error_of([&] { experiment::SweepFile(file, experiment::SweepFormat::kCsv, b); }),
              HasSubstr("other columns"));
  // Same columns, other values: the finished row is not this sweep's point.
  std::ofstream(file, std::ios::app) << "1,1,0.2,partial";
  std::ofstream(file, std::ios::app) << "\n7,1,0.2\n";
  EXPECT_THAT(error_of([&] { experiment::SweepFile(file, experiment::SweepFormat::kCsv, a); }),
              HasSubstr("row 2 is not point 2 (run.seed=2)"));
  EXPECT_THAT(error_of([&] { experiment::SweepFile(file, experiment::SweepFormat::kCsv, plan({"run.seed=1"})); }),
              HasSubstr("more than this sweep's 1 points"));
  EXPECT_EQ(read_file(file), header + "1,1,0.2,partial\n7,1,0.2\n");
}

}  // namespace
