// Runs the tiersim binary as a user would and checks exit statuses, messages
// and outputs. TIERSIM_BIN and TIERSIM_SOURCE_ROOT come from tests/meson.build.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/files.hpp"
#include "support/tiersim_process.hpp"
#include "support/tiersim_test.hpp"

namespace {

namespace fs = std::filesystem;
using test_support::Outcome;
using test_support::read_file;
using test_support::without_wall_time;

std::vector<std::string> sorted_entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The shared fixture (support/tiersim_test.hpp) with the source tree, for
// the scenarios and the bad inputs in it.
class CliTest : public test_support::TiersimTest {
 protected:
  CliTest() : TiersimTest("tiersim-cli", test_support::tiny_scenario()) {}

  void SetUp() override {
    TiersimTest::SetUp();
    if (HasFatalFailure()) return;
    const char* root = std::getenv("TIERSIM_SOURCE_ROOT");
    ASSERT_NE(root, nullptr) << "TIERSIM_SOURCE_ROOT is not set (run through meson test)";
    source_root_ = root;
  }

  fs::path source_root_;
};

void expect_bad_input(const Outcome& o, const std::string& needle) {
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(o.err.rfind("tiersim: error: ", 0), 0u) << o.err;
  EXPECT_NE(o.err.find(needle), std::string::npos) << "stderr lacks \"" << needle << "\": " << o.err;
  EXPECT_EQ(o.out, "");
}

TEST_F(CliTest, TopLevelHelpListsCommandsAndFlags) {
  const Outcome o = tiersim({"--help"});
  EXPECT_EQ(o.status, 0);
  for (const char* word : {"run", "check", "--help", "--version"}) {
    EXPECT_NE(o.out.find(word), std::string::npos) << word << " missing from:\n" << o.out;
  }
  const Outcome version = tiersim({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("tiersim ", 0), 0u) << version.out;
}

// The command list of --help and the unknown-command message both come from
// the command table: each names every command, in the same order, and each
// listed command has its own --help.
TEST_F(CliTest, CommandListsComeFromOneTable) {
  const Outcome help = tiersim({"--help"});
  ASSERT_EQ(help.status, 0);
  const auto begin = help.out.find("Commands:\n");
  ASSERT_NE(begin, std::string::npos) << help.out;
  std::istringstream lines(help.out.substr(begin + 10, help.out.find("\n\n", begin) - begin - 10));
  std::vector<std::string> listed;
  std::size_t summary_column = 0;
  for (std::string line; std::getline(lines, line);) {
    ASSERT_EQ(line.rfind("  ", 0), 0u) << line;
    const auto end = line.find(' ', 2);
    listed.push_back(line.substr(2, end - 2));
    const auto summary = line.find_first_not_of(' ', end);
    if (summary_column == 0) summary_column = summary;
    EXPECT_EQ(summary, summary_column) << "summaries are aligned: " << line;
    EXPECT_GT(line.size(), summary + 10) << "a one-line summary: " << line;
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"run", "compare", "sweep", "analyze", "check", "import", "report"}));

  std::string names;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    names += (i == 0 ? "" : i + 1 == listed.size() ? " and " : ", ") + listed[i];
    const Outcome own = tiersim({listed[i], "--help"});
    EXPECT_EQ(own.status, 0) << listed[i] << ": " << own.err;
    EXPECT_EQ(own.out.rfind("Usage: tiersim " + listed[i], 0), 0u) << own.out;
    EXPECT_NE(own.out.find("  -h [ --help ]"), std::string::npos) << own.out;
  }
  expect_bad_input(tiersim({"bogus"}), "unknown command \"bogus\"; the commands are " + names +
                                           " (see 'tiersim --help')");
}

TEST_F(CliTest, RunHelpMentionsEveryFlag) {
  const Outcome o = tiersim({"run", "--help"});
  EXPECT_EQ(o.status, 0);
  for (const char* flag :
       {"SCENARIO", "--set", "--seed", "--duration", "--warmup", "--format", "--output", "--quiet", "--help"}) {
    EXPECT_NE(o.out.find(flag), std::string::npos) << flag << " missing from:\n" << o.out;
  }
}

TEST_F(CliTest, CheckHelpMentionsEveryFlag) {
  const Outcome o = tiersim({"check", "--help"});
  EXPECT_EQ(o.status, 0);
  for (const char* flag : {"SCENARIO", "--set", "--help"}) {
    EXPECT_NE(o.out.find(flag), std::string::npos) << flag << " missing from:\n" << o.out;
  }
}

TEST_F(CliTest, AnalyzeGivesTheAnalyticAnswer) {
  const Outcome help = tiersim({"analyze", "--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* flag : {"SCENARIO", "--set", "--format", "--help"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag << " missing from:\n" << help.out;
  }
  const Outcome table = tiersim({"analyze", tiny_.string()});
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("Bottleneck"), std::string::npos) << table.out;
  const Outcome json = tiersim({"analyze", tiny_.string(), "--format", "json"});
  EXPECT_EQ(json.status, 0) << json.err;
  EXPECT_TRUE(nlohmann::ordered_json::accept(json.out)) << json.out;
  expect_bad_input(tiersim({"analyze", tiny_.string(), "--format", "xml"}), "--format");
  expect_bad_input(tiersim({"analyze"}), "SCENARIO");
}

TEST_F(CliTest, UnknownFlagsAndCommandsAreBadInput) {
  expect_bad_input(tiersim({"--bogus"}), "--bogus");
  expect_bad_input(tiersim({"run", tiny_.string(), "--bogus"}), "--bogus");
  expect_bad_input(tiersim({"check", tiny_.string(), "--bogus"}), "--bogus");
  // No abbreviations: --out is not --output.
  expect_bad_input(tiersim({"run", tiny_.string(), "--out", "x.json"}), "--out");
  expect_bad_input(tiersim({"simulate"}), "simulate");
  expect_bad_input(tiersim({}), "no command");
  expect_bad_input(tiersim({"check"}), "SCENARIO");
}

TEST_F(CliTest, BadFlagValuesNameTheFlag) {
  for (const char* seed : {"abc", "-1", "1.5", "", "99999999999999999999"}) {
    SCOPED_TRACE(seed);
    expect_bad_input(tiersim({"run", tiny_.string(), "--seed", seed}), "--seed");
  }
  for (const char* duration : {"30", "0", "-5s", "soon"}) {
    SCOPED_TRACE(duration);
    expect_bad_input(tiersim({"run", tiny_.string(), "--duration", duration}), "--duration");
  }
  expect_bad_input(tiersim({"run", tiny_.string(), "--format", "xml"}), "--format");
}

TEST_F(CliTest, CheckPointsAtTheProblemInEveryBadScenario) {
  const fs::path bad = source_root_ / "tests" / "data" / "bad";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(bad)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no scenarios in " << bad;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::ifstream in(file);
    std::string first_line;
    std::getline(in, first_line);
    // "# expect: LINE:COLUMN KEY.PATH"
    std::istringstream expect(first_line);
    std::string hash, tag, position, key_path;
    expect >> hash >> tag >> position >> key_path;
    ASSERT_EQ(hash + " " + tag, "# expect:") << first_line;
    ASSERT_NE(position.find(':'), std::string::npos) << first_line;
    const Outcome o = tiersim({"check", file.string()});
    expect_bad_input(o, ":" + position + ":");
    EXPECT_NE(o.err.find(key_path), std::string::npos) << "stderr lacks " << key_path << ": " << o.err;
  }
}

TEST_F(CliTest, CheckSummarisesAValidScenario) {
  const Outcome o = tiersim({"check", tiny_.string()});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "ok: tiny (1 tier, 1 node)\n");
  EXPECT_EQ(o.err, "");
}

TEST_F(CliTest, SetWithAPathNotInTheScenarioIsBadInput) {
  expect_bad_input(tiersim({"run", tiny_.string(), "--set", "tiers.nope.workers=3"}), "tiers.nope");
  expect_bad_input(tiersim({"run", tiny_.string(), "--set", "run.bogus=1"}), "run.bogus");
  expect_bad_input(tiersim({"check", tiny_.string(), "--set", "tiers.web.wrokers=3"}), "tiers.web.wrokers");
  expect_bad_input(tiersim({"check", tiny_.string(), "--set", "no-equals-sign"}), "no-equals-sign");
}

// Fan-out draws each call's demands from a stream of its own, keyed by the
// request: the same seed gives the same JSON, a different one another.
TEST_F(CliTest, FanOutRunsAreReproducible) {
  const std::string scenario = (source_root_ / "tests" / "data" / "fanout.yaml").string();
  const auto run = [&](const std::string& seed) {
    const Outcome o = tiersim({"run", scenario, "--format", "json", "--set", "run.duration=2m", "--set", "run.seed=" + seed});
    EXPECT_EQ(o.status, 0) << o.err;
    return without_wall_time(o.out).dump();
  };
  const std::string first = run("7");
  EXPECT_EQ(first, run("7"));
  EXPECT_NE(first, run("8"));
}

TEST_F(CliTest, JsonRunsAreReproducible) {
  const Outcome first = tiersim({"run", tiny_.string(), "--format", "json"});
  const Outcome second = tiersim({"run", tiny_.string(), "--format", "json"});
  ASSERT_EQ(first.status, 0) << first.err;
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(first.err, "");  // stderr is not a terminal: no progress line
  EXPECT_EQ(without_wall_time(first.out).dump(), without_wall_time(second.out).dump());

  const auto json = nlohmann::ordered_json::parse(first.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  const std::vector<std::string> stable{"scenario", "seed",    "replication", "duration_s", "warmup_s",
                                        "requests", "throughput_rps", "availability", "latency_ms", "classes",
                                        "tiers",    "nodes",   "engine"};
  ASSERT_GE(keys.size(), stable.size());
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + static_cast<long>(stable.size())), stable);
  EXPECT_EQ(json["scenario"], "tiny");
  EXPECT_GT(json["requests"]["offered"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(json["nodes"].contains("web1"));
}

TEST_F(CliTest, FlagsOverrideTheScenarioAfterSet) {
  const Outcome o = tiersim({"run", tiny_.string(), "--format", "json", "--set", "run.seed=5", "--seed", "9",
                             "--set", "run.duration=10s", "--duration", "2s"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto json = nlohmann::ordered_json::parse(o.out);
  EXPECT_EQ(json["seed"], 9);
  EXPECT_EQ(json["duration_s"], 2.0);

  const Outcome set_only = tiersim({"run", tiny_.string(), "--format=json", "--set=run.seed=5"});
  ASSERT_EQ(set_only.status, 0) << set_only.err;
  EXPECT_EQ(nlohmann::ordered_json::parse(set_only.out)["seed"], 5);
}

TEST_F(CliTest, TableRunShowsEverySection) {
  const Outcome o = tiersim({"run", tiny_.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* text : {"tiny", "seed 7", "successes", "all finished", "req/s", "success ratio", "failures", "get",
                           "server", "web1"}) {
    EXPECT_NE(o.out.find(text), std::string::npos) << text << " missing from:\n" << o.out;
  }
  std::istringstream lines(o.out);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
}

TEST_F(CliTest, OutputWritesTheWholeFile) {
  const fs::path file = work_ / "result.json";
  const Outcome o = tiersim({"run", tiny_.string(), "--format", "json", "--output", file.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "");
  const Outcome to_stdout = tiersim({"run", tiny_.string(), "--format", "json"});
  EXPECT_EQ(without_wall_time(read_file(file)).dump(), without_wall_time(to_stdout.out).dump());
  EXPECT_EQ(sorted_entries(work_), (std::vector<std::string>{"result.json", "tiny.yaml"}));  // no temp file left
}

TEST_F(CliTest, UnwritableOutputExits2WithTheRealReasonInEveryCommand) {
  const fs::path missing_dir = work_ / "missing" / "result.json";
  const Outcome o = tiersim({"run", tiny_.string(), "--output", missing_dir.string()});
  expect_bad_input(o, "the directory " + (work_ / "missing").string() + " does not exist");
  EXPECT_FALSE(fs::exists(work_ / "missing"));

  // The directory exists but the target cannot be replaced: the temporary
  // file must not be left behind.
  fs::create_directory(work_ / "taken");
  const Outcome onto_dir = tiersim({"run", tiny_.string(), "--output", (work_ / "taken").string()});
  expect_bad_input(onto_dir, "it is a directory");
  EXPECT_EQ(sorted_entries(work_), (std::vector<std::string>{"taken", "tiny.yaml"}));
  EXPECT_TRUE(fs::is_empty(work_ / "taken"));

  // /proc takes no new files, whoever runs this; the file system's own word,
  // "No such file or directory", would mislead.
  const std::vector<std::vector<std::string>> commands{
      {"run", tiny_.string()},
      {"compare", tiny_.string(), tiny_.string(), "--replications", "2"},
      {"sweep", tiny_.string(), "--vary", "run.seed=1,2"},
      {"analyze", tiny_.string()},
      {"analyze", tiny_.string(), "--vary", "run.seed=1,2"}};
  for (auto args : commands) {
    for (const std::string& target : {std::string("/proc/version"), missing_dir.string()}) {
      auto with_output = args;
      with_output.insert(with_output.end(), {"-o", target});
      const Outcome bad = tiersim(with_output);
      expect_bad_input(bad, target == "/proc/version" ? "the directory /proc does not accept new files"
                                                      : "does not exist");
    }
  }
}

TEST_F(CliTest, DurationAndWarmupFlagsWorkWithoutARunSection) {
  const fs::path bare = work_ / "bare.yaml";
  std::string text = test_support::tiny_scenario();
  text.erase(text.find("run:"), text.find("machines:") - text.find("run:"));
  std::ofstream(bare) << text;
  const Outcome o = tiersim({"run", bare.string(), "--duration", "1m30s", "--warmup", "10s", "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["duration_s"], 90.0);
  EXPECT_EQ(j["warmup_s"], 10.0);
  // The warm-up must end before the run: the message says which flags fix it.
  const Outcome short_run = tiersim({"run", bare.string(), "--duration", "5s", "--warmup", "10s"});
  expect_bad_input(short_run, "must be shorter than the run's duration");
  EXPECT_NE(short_run.err.find("--duration"), std::string::npos) << short_run.err;
  EXPECT_NE(short_run.err.find("--warmup"), std::string::npos) << short_run.err;
  expect_bad_input(tiersim({"run", bare.string(), "--warmup", "soon"}), "--warmup");
}

TEST_F(CliTest, CompoundDurationsAreAcceptedEverywhere) {
  const Outcome o = tiersim({"run", tiny_.string(), "--duration", "1m30s", "--set", "run.warmup=1m0s", "--set",
                             "workload.classes.get.web.cpu=exp(1ms500us)", "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(nlohmann::json::parse(o.out)["duration_s"], 90.0);
  EXPECT_EQ(tiersim({"check", tiny_.string(), "--set", "run.duration=1h30m"}).status, 0);
  expect_bad_input(tiersim({"check", tiny_.string(), "--set", "run.duration=30m1h"}), "expected a duration");
}

TEST_F(CliTest, HugeDurationsAreOutOfRangeWithTheRange) {
  for (const auto& set : {std::string("run.duration=1e9y"), std::string("workload.classes.get.web.cpu=exp(99999999y)")}) {
    const Outcome o = tiersim({"check", tiny_.string(), "--set", set});
    expect_bad_input(o, "duration out of range");
    EXPECT_NE(o.err.find("0 to 106751d"), std::string::npos) << o.err;
  }
  expect_bad_input(tiersim({"run", tiny_.string(), "--duration", "999999y"}), "out of range");
}

TEST_F(CliTest, LegalButUnintendedSettingsWarnAndGoOn) {
  const std::string stage = (source_root_ / "scenarios" / "3-scale-up.yaml").string();
  // 3-scale-up sets server_maxconn: 256.
  const Outcome first = tiersim({"check", stage, "--set", "tiers.lb.balance=first", "--set", "tiers.lb.server_maxconn=0"});
  EXPECT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.err.find("tiersim: warning: tiers.lb: balance first without server_maxconn"), std::string::npos)
      << first.err;
  const Outcome bounded = tiersim({"check", stage, "--set", "tiers.lb.balance=first"});
  EXPECT_EQ(bounded.status, 0) << bounded.err;
  EXPECT_EQ(bounded.err, "");
  const Outcome queue =
      tiersim({"check", stage, "--set", "tiers.lb.maxqueue=5", "--set", "tiers.lb.server_maxconn=0"});
  EXPECT_NE(queue.err.find("maxqueue without server_maxconn"), std::string::npos) << queue.err;
}

TEST_F(CliTest, SetCreatesASectionTheScenarioLacks) {
  const Outcome o = tiersim({"run", tiny_.string(), "--set", "slo.target=90%", "--format", "json"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(nlohmann::json::parse(o.out)["slo"]["target"], 0.9);
  // A path the schema does not know is still an error naming it.
  expect_bad_input(tiersim({"check", tiny_.string(), "--set", "slx.target=0.9"}), "slx");
  expect_bad_input(tiersim({"check", tiny_.string(), "--set", "slo.targte=0.9"}), "slo.targte");
}

// The lines of `text`, and the comma-separated cells of a CSV line.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  return cells;
}

// The line of the comparison table whose row is `label`.
std::string row_line(const std::string& table, const std::string& label) {
  for (const auto& line : lines_of(table)) {
    if (line.size() > 3 && line.compare(3, label.size() + 1, label + " ") == 0) return line;
  }
  return {};
}

// tiny: web1's two cores serve exp(2ms) at 300/s, 30% busy; at 1100/s they
// would be 110% busy, so its queue of 16 rejects requests.
TEST_F(CliTest, RunAnalyzePutsTheAnalysisBesideTheSimulation) {
  const Outcome plain = tiersim({"run", tiny_.string()});
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(plain.out.find("analysis vs simulation"), std::string::npos);

  const Outcome light = tiersim({"run", tiny_.string(), "--analyze"});
  ASSERT_EQ(light.status, 0) << light.err;
  EXPECT_GT(light.out.find("analysis vs simulation"), light.out.find("mean queue")) << "after the run's report";
  for (const char* label : {"throughput (req/s)", "response (ms)", "  get", "web1.cpu", "time availability"}) {
    EXPECT_NE(row_line(light.out, label), "") << label << " missing from:\n" << light.out;
  }
  EXPECT_NE(row_line(light.out, "web1.cpu").find("30.00%"), std::string::npos) << light.out;
  EXPECT_EQ(row_line(light.out, "time availability").rfind("   ", 0), 0u) << "not highlighted:\n" << light.out;
  for (const auto& line : lines_of(light.out)) EXPECT_LE(line.size(), 100u) << line;

  const Outcome overload = tiersim({"run", tiny_.string(), "--analyze", "--set", "workload.arrivals=poisson(1100/s)"});
  ASSERT_EQ(overload.status, 0) << overload.err;
  // (Time availability stays 1 here: a 3 s run closes no 10 s SLO window.)
  for (const char* label : {"throughput (req/s)", "response (ms)", "web1.cpu"}) {
    EXPECT_EQ(row_line(overload.out, label).rfind("!  ", 0), 0u) << label << " not highlighted:\n" << overload.out;
  }
  for (const char* reason : {"likely reasons", "finite_pool", "server_queue", "saturation", "offered 110.0%"}) {
    EXPECT_NE(overload.out.find(reason), std::string::npos) << reason << " missing from:\n" << overload.out;
  }
}

TEST_F(CliTest, RunAnalyzeJsonHasAnAnalysisSection) {
  const Outcome plain = tiersim({"run", tiny_.string(), "--format", "json"});
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_FALSE(nlohmann::ordered_json::parse(plain.out).contains("analysis"));

  const Outcome o = tiersim({"run", tiny_.string(), "--format", "json", "--analyze", "--replications", "2",
                             "--set", "workload.arrivals=poisson(1100/s)"});
  ASSERT_EQ(o.status, 0) << o.err;
  const auto json = nlohmann::ordered_json::parse(o.out);
  ASSERT_TRUE(json.contains("analysis")) << o.out;
  const auto& analysis = json["analysis"];
  EXPECT_EQ(analysis["replications"], 2);
  EXPECT_EQ(analysis["thresholds"]["response_relative"], 0.1);
  std::map<std::string, nlohmann::ordered_json> rows;
  for (const auto& row : analysis["rows"]) rows[row["name"].get<std::string>()] = row;
  for (const char* name : {"throughput", "response", "response get", "web1.cpu", "time availability"}) {
    ASSERT_TRUE(rows.contains(name)) << name << " missing from " << analysis.dump(2);
  }
  const auto& cpu = rows["web1.cpu"];
  EXPECT_EQ(cpu["quantity"], "utilization");
  EXPECT_DOUBLE_EQ(cpu["analytic"].get<double>(), 1.1);
  EXPECT_TRUE(cpu["simulated"]["ci95"].is_array()) << "two replications give an interval";
  EXPECT_EQ(cpu["highlight"], true);
  std::vector<std::string> causes;
  for (const auto& r : rows["throughput"]["reasons"]) causes.push_back(r["cause"]);
  EXPECT_NE(std::find(causes.begin(), causes.end(), "finite_pool"), causes.end()) << rows["throughput"].dump(2);
  // Saturated: no analytic response, and that is a disagreement.
  EXPECT_TRUE(rows["response"]["analytic"].is_null());
  EXPECT_EQ(rows["response"]["unit"], "ms");
  EXPECT_EQ(rows["response"]["highlight"], true);
}

// The analytic sweep has sweep's columns, less those without an analytic
// value, plus the analysis's own three; a row per grid point.
TEST_F(CliTest, AnalyzeVaryWritesSweepColumns) {
  const std::vector<std::string> grid{"--vary", "workload.arrivals=poisson({100,200,300}/s)", "--vary",
                                      "machines.box.cores=1,2"};
  std::vector<std::string> sweep_args{"sweep", tiny_.string(), "--output", (work_ / "sweep.csv").string()};
  sweep_args.insert(sweep_args.end(), grid.begin(), grid.end());
  const Outcome sweep = tiersim(sweep_args);
  ASSERT_EQ(sweep.status, 0) << sweep.err;
  std::vector<std::string> analyze_args{"analyze", tiny_.string(), "--output", (work_ / "analytic.csv").string()};
  analyze_args.insert(analyze_args.end(), grid.begin(), grid.end());
  const Outcome analyze = tiersim(analyze_args);
  ASSERT_EQ(analyze.status, 0) << analyze.err;
  EXPECT_EQ(analyze.out, "");
  EXPECT_EQ(sorted_entries(work_), (std::vector<std::string>{"analytic.csv", "sweep.csv", "tiny.yaml"}))
      << "no temporary file left";

  const std::vector<std::string> lines = lines_of(read_file(work_ / "analytic.csv"));
  ASSERT_EQ(lines.size(), 1u + 3u * 2u);
  const std::vector<std::string> header = cells_of(lines.front());
  EXPECT_EQ(header, (std::vector<std::string>{"workload.arrivals", "machines.box.cores", "latency_ms.mean",
                                              "latency_ms.p50", "latency_ms.p90", "latency_ms.p99", "throughput_rps", "slo.time_availability", "nodes.web1.cpu_utilization",
                                              "nodes.web1.nic_utilization", "nodes.web1.disk_utilization",
                                              "operational.bottleneck", "operational.bottleneck_utilization",
                                              "operational.saturation_rate_per_s"}));
  // Every shared column has the name and the relative order it has in the sweep.
  const std::vector<std::string> sweep_header = cells_of(lines_of(read_file(work_ / "sweep.csv")).front());
  std::size_t last = 0;
  for (const auto& column : header) {
    if (column.rfind("operational.", 0) == 0) continue;
    const auto at = std::find(sweep_header.begin(), sweep_header.end(), column);
    ASSERT_NE(at, sweep_header.end()) << column << " is not a sweep column";
    EXPECT_GE(static_cast<std::size_t>(at - sweep_header.begin()), last) << column;
    last = static_cast<std::size_t>(at - sweep_header.begin());
  }
  // The first point: 100/s on one core, 2 ms each: 20% busy.
  const std::vector<std::string> first = cells_of(lines[1]);
  ASSERT_EQ(first.size(), header.size());
  EXPECT_EQ(first[0], "100");
  EXPECT_EQ(first[1], "1");
  EXPECT_EQ(first[6], "100");
  EXPECT_DOUBLE_EQ(std::stod(first[8]), 0.2);
  EXPECT_EQ(first[11], "web1.cpu");

  // Run again over a file: replaced whole, not appended to.
  const Outcome again = tiersim(analyze_args);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(lines_of(read_file(work_ / "analytic.csv")), lines);
}

// Past the load its 4 app workers carry (2289/s), 3-scale-up has no steady
// state: the point's mean latency is empty and the workers are the bottleneck.
TEST_F(CliTest, AnalyzeVaryPastAPoolsSaturation) {
  const fs::path file = work_ / "analytic.csv";
  const Outcome o = tiersim({"analyze", (source_root_ / "scenarios" / "3-scale-up.yaml").string(), "--set",
                             "tiers.app.workers=4", "--vary", "workload.arrivals=poisson({600,2200}/s)", "--output",
                             file.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  const std::vector<std::string> lines = lines_of(read_file(file));
  ASSERT_EQ(lines.size(), 3u);
  const std::vector<std::string> header = cells_of(lines[0]);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(column("latency_ms.mean"), header.size());
  EXPECT_NE(cells_of(lines[1]).at(column("latency_ms.mean")), "");
  EXPECT_EQ(cells_of(lines[2]).at(column("latency_ms.mean")), "");
  EXPECT_EQ(cells_of(lines[2]).at(column("operational.bottleneck")), "app1.workers");
}

TEST_F(CliTest, AnalyzeVaryRejectsBadInputAndKeepsTheFile) {
  const fs::path file = work_ / "analytic.csv";
  std::ofstream(file) << "kept\n";
  const auto analyze = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"analyze", tiny_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return tiersim(args);
  };
  expect_bad_input(analyze({"--vary", "cores", "--output", file.string()}), "KEY.PATH=SPEC");
  expect_bad_input(analyze({"--vary", "machines.box.cores=1:x:1", "--output", file.string()}), "plain number");
  expect_bad_input(analyze({"--vary", "machines.box.cores=2,zero", "--output", file.string()}),
                   "machines.box.cores");
  expect_bad_input(analyze({"--vary", "tiers.web.nope=1,2", "--output", file.string()}), "tiers.web.nope");
  expect_bad_input(analyze({"--vary", "machines.box.cores=1,2"}), "--output");
  expect_bad_input(analyze({"--vary", "machines.box.cores=1,2", "--format", "json", "--output", file.string()}),
                   "--format");
  EXPECT_EQ(read_file(file), "kept\n");
}

}  // namespace
