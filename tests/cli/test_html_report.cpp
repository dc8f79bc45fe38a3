// The HTML report without a browser: what the page carries (the command's
// own JSON, nothing fetched), the time series' merging, and `tiersim report`
// on bad input. tests/html/ opens the pages in chromium.
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/html_report.hpp"
#include "support/files.hpp"
#include "support/tiersim_process.hpp"
#include "support/tiersim_test.hpp"

namespace {

namespace fs = std::filesystem;
using test_support::Outcome;
using test_support::read_file;

// The shared fixture (support/tiersim_test.hpp); the scenario's name would
// close the page's script element if it were not escaped.
class HtmlReportTest : public test_support::TiersimTest {
 protected:
  HtmlReportTest() : TiersimTest("tiersim-html", test_support::tiny_scenario(R"("tiny </script><b>")")) {}

  void expect_refused(const std::vector<std::string>& inputs, const std::string& needle) {
    const fs::path page = write("page.html", "old");
    std::vector<std::string> args = {"report"};
    args.insert(args.end(), inputs.begin(), inputs.end());
    args.insert(args.end(), {"--html", page.string()});
    const Outcome o = tiersim(args);
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_THAT(o.err, ::testing::StartsWith("tiersim: error: report: "));
    EXPECT_THAT(o.err, ::testing::HasSubstr(needle));
    EXPECT_EQ(read_file(page), "old") << "a refused report must leave the page as it was";
  }
};

// The JSON inside the page's data element.
nlohmann::json page_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto begin = html.find(open);
  EXPECT_NE(begin, std::string::npos);
  const auto end = html.find("</script>", begin);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

TEST_F(HtmlReportTest, RunPageCarriesTheCommandsJsonAndNothingFromOutside) {
  const fs::path page = work_ / "run.html";
  const Outcome o = tiersim({"run", tiny_.string(), "--format", "json", "--html", page.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string html = read_file(page);
  EXPECT_THAT(html, ::testing::StartsWith("<!DOCTYPE html>"));
  // Self-contained: no element loads anything.
  for (const char* outside : {" src=", "<link", "@import", "url(http", "fetch("}) {
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
  }
  EXPECT_NE(html.find("uPlot"), std::string::npos);
  EXPECT_NE(html.find("Copyright (c) 2022 Leon Sorokin"), std::string::npos) << "uPlot's MIT notice";
  // The scenario's name holds "</script>": the data element still ends where it should.
  nlohmann::json data = page_data(html);
  nlohmann::json printed = nlohmann::json::parse(o.out);
  data["run"]["engine"].erase("wall_s");
  printed["engine"].erase("wall_s");
  EXPECT_EQ(data["kind"], "run");
  EXPECT_EQ(data["run"], printed);
  EXPECT_EQ(data["run"]["scenario"], "tiny </script><b>");
  // The time series has a row per 1 s window of the 3 s run.
  ASSERT_TRUE(data["timeseries"].is_object());
  EXPECT_EQ(data["timeseries"]["data"][0], nlohmann::json::array({0, 1, 2}));
  EXPECT_TRUE(data["trace"].is_array());
}

TEST_F(HtmlReportTest, UnwritablePageIsRefusedBeforeRunning) {
  const Outcome o = tiersim({"run", tiny_.string(), "--html", (work_ / "missing" / "run.html").string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, ::testing::HasSubstr("does not exist"));
  EXPECT_EQ(o.out, "");
}

TEST_F(HtmlReportTest, ReportRefusesBadInputsNamingFileAndLine) {
  expect_refused({(work_ / "absent.json").string()}, "absent.json: cannot read it");
  const fs::path broken = write("broken.json", "{\n  \"scenario\": \"x\",\n}\n");
  expect_refused({broken.string()}, "broken.json:3:1: expected JSON as tiersim writes it, found a syntax error");
  const fs::path other = write("other.json", "{\"name\": 1}");
  expect_refused({other.string()}, "other.json: expected the JSON of tiersim run or tiersim compare (--format json), "
                                   "found an object with keys name");
  const fs::path csv = write("notes.csv", "name,value\na,1\n");
  expect_refused({csv.string()}, "notes.csv:1: expected the header of a tiersim compare, sweep or --timeseries CSV, "
                                 "found \"name,value\"");
  const fs::path ts = write("ts.csv", "time_s,offered,succeeded\n0,1,1\n1,2,x\n");
  expect_refused({ts.string()}, "ts.csv:3: column succeeded: expected a number, found \"x\"");
  const fs::path ragged = write("ragged.csv", "time_s,offered,succeeded\n0,1\n");
  expect_refused({ragged.string()}, "ragged.csv:2: expected 3 cells as in the header, found 2");
  const fs::path quote = write("quote.csv", "time_s,offered,succeeded\n0,\"1,1\n");
  expect_refused({quote.string()}, "quote.csv:2: expected CSV as tiersim writes it");
  const fs::path trace = write("trace.txt", "      1.000s  fault: host crash web1\nhello\n");
  expect_refused({trace.string()}, "trace.txt:2: expected a line of tiersim run --trace-faults");
  // A timeline alone has no run to belong to.
  const fs::path good_trace = write("good.txt", "tiersim: warning: a scenario warning\n      1.000s  fault: host crash web1\n");
  expect_refused({good_trace.string()}, "expected one run JSON");
  // The first bad file is named.
  expect_refused({csv.string(), ts.string()}, "notes.csv:1:");
}

TEST_F(HtmlReportTest, ReportRefusesMixedKinds) {
  const fs::path cmp = write("cmp.csv", "scenario,file,metric,value,lo,hi,difference,difference_lo,difference_hi,significant\n"
                                        "a,a.yaml,throughput_rps,10,9,11,,,,\n");
  const fs::path sweep = write("sweep.csv", "rate,replications,warmup_s,throughput_rps,throughput_rps_lo,throughput_rps_hi\n"
                                            "1,2,0,10,9,11\n");
  expect_refused({cmp.string(), sweep.string()},
                 "found " + cmp.string() + " (a comparison), " + sweep.string() + " (a sweep)");
  const fs::path other_keys = write("other.csv", "load,replications,warmup_s,throughput_rps,throughput_rps_lo,throughput_rps_hi\n"
                                                 "1,2,0,10,9,11\n");
  expect_refused({sweep.string(), other_keys.string()}, "other.csv: expected a sweep over the keys of");
}

TEST_F(HtmlReportTest, ReportWritesSweepAndComparisonPagesFromCsv) {
  const fs::path sweep = write("load.csv", "rate,replications,warmup_s,latency_ms.p99,latency_ms.p99_lo,latency_ms.p99_hi\n"
                                           "100,2,0,12.5,12,13\n200,2,0,,,\n");
  const fs::path page = work_ / "sweep.html";
  ASSERT_EQ(tiersim({"report", sweep.string(), "--html", page.string()}).status, 0);
  const nlohmann::json data = page_data(read_file(page));
  EXPECT_EQ(data["kind"], "sweep");
  EXPECT_EQ(data["sweeps"][0]["name"], "load");
  EXPECT_EQ(data["sweeps"][0]["rows"][0], nlohmann::json::array({100, 2, 0, 12.5, 12, 13}));
  EXPECT_EQ(data["sweeps"][0]["rows"][1][3], nullptr);
}

TEST(TemplateLabel, NamesTheVariedPartX) {
  EXPECT_EQ(report::template_label("workload.arrivals", {"poisson(100/s)", "poisson(200/s)"}, {"100", "200"}),
            "workload.arrivals = poisson(x/s)");
  // "1" occurs twice in the first value; only the second split fits both.
  EXPECT_EQ(report::template_label("k", {"r1(1/s)", "r1(2/s)"}, {"1", "2"}), "k = r1(x/s)");
  EXPECT_EQ(report::template_label("tiers.app.count", {"2", "4"}, {"2", "4"}), std::nullopt);
}

// A long run's rows merge pairwise: counts add up, maxima stay maxima, and
// the page never holds more than kMaxRows rows.
TEST(TimeseriesTable, MergesPairsBeyondTheLimitKeepingTotalsAndPeaks) {
  report::TimeseriesTable table;
  table.set_columns({"time_s", "offered", "p99_ms", "healthy_web"});
  const std::size_t windows = 3 * report::TimeseriesTable::kMaxRows + 5;
  for (std::size_t i = 0; i < windows; ++i) {
    table.add_row({static_cast<double>(i), 2.0, i == 7777 ? 500.0 : 10.0, i == 12345 ? 1.0 : 2.0});
  }
  const nlohmann::json j = table.json();
  EXPECT_EQ(j["merged"], 4);
  const auto& data = j["data"];
  EXPECT_LE(data[0].size(), report::TimeseriesTable::kMaxRows);
  EXPECT_EQ(data[0].size(), (windows + 3) / 4);
  double offered = 0, peak = 0, fewest = 2;
  for (const auto& v : data[1]) offered += v.get<double>();
  for (const auto& v : data[2]) peak = std::max(peak, v.get<double>());
  for (const auto& v : data[3]) fewest = std::min(fewest, v.get<double>());
  EXPECT_EQ(offered, 2.0 * static_cast<double>(windows));
  EXPECT_EQ(peak, 500.0);
  EXPECT_EQ(fewest, 1.0);
  EXPECT_EQ(data[0][1], 4.0);  // the second row starts at the fifth window
}

}  // namespace
