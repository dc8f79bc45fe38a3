// Runs the tiersim binary as a user would and checks exit statuses, messages
// and outputs. TIERSIM_BIN and TIERSIM_SOURCE_ROOT come from tests/meson.build.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;  // exit status; -1 when killed by a signal
  std::string out;
  std::string err;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> sorted_entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A small valid scenario: one server tier, open Poisson arrivals, 3s simulated.
constexpr const char* kTinyScenario = R"(name: tiny
run: { duration: 3s, warmup: 500ms, seed: 7 }
machines:
  box: { cores: 2 }
tiers:
  web: { kind: server, machine: box, workers: 4, queue: 16 }
workload:
  arrivals: poisson(300/s)
  classes:
    get:
      web: { cpu: exp(2ms) }
)";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("TIERSIM_BIN");
    const char* root = std::getenv("TIERSIM_SOURCE_ROOT");
    ASSERT_NE(bin, nullptr) << "TIERSIM_BIN is not set (run through meson test)";
    ASSERT_NE(root, nullptr) << "TIERSIM_SOURCE_ROOT is not set (run through meson test)";
    bin_ = bin;
    source_root_ = root;
    std::string pattern = (fs::temp_directory_path() / "tiersim-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    scratch_ = dir_ / "scratch";
    work_ = dir_ / "work";
    fs::create_directory(scratch_);
    fs::create_directory(work_);
    tiny_ = work_ / "tiny.yaml";
    std::ofstream(tiny_) << kTinyScenario;
  }

  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs tiersim with stdin from /dev/null and stdout, stderr to files, so
  // stderr is never a terminal.
  Outcome tiersim(const std::vector<std::string>& args) {
    const fs::path out = scratch_ / "stdout", err = scratch_ / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_strings{bin_.string()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    Outcome outcome;
    if (spawned != 0) {
      ADD_FAILURE() << "cannot start " << bin_ << ": " << std::strerror(spawned);
      return outcome;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.out = read_file(out);
    outcome.err = read_file(err);
    return outcome;
  }

  // JSON output with the wall-clock time, the one varying value, removed.
  static nlohmann::ordered_json without_wall_time(const std::string& text) {
    auto json = nlohmann::ordered_json::parse(text);
    json["engine"].erase("wall_s");
    return json;
  }

  fs::path bin_, source_root_, dir_, scratch_, work_, tiny_;
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

TEST_F(CliTest, RunHelpMentionsEveryFlag) {
  const Outcome o = tiersim({"run", "--help"});
  EXPECT_EQ(o.status, 0);
  for (const char* flag : {"SCENARIO", "--set", "--seed", "--duration", "--format", "--output", "--quiet", "--help"}) {
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
  EXPECT_NO_THROW((void)nlohmann::ordered_json::parse(json.out));
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
  for (const char* text : {"tiny", "seed 7", "end to end", "req/s", "success ratio", "failures", "get", "server",
                           "web1"}) {
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

TEST_F(CliTest, FailingOutputExits1AndLeavesNoFile) {
  const fs::path missing_dir = work_ / "missing" / "result.json";
  const Outcome o = tiersim({"run", tiny_.string(), "--output", missing_dir.string()});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_NE(o.err.find("tiersim: error: cannot write"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(work_ / "missing"));

  // The directory exists but the target cannot be replaced: the temporary
  // file must not be left behind.
  fs::create_directory(work_ / "taken");
  const Outcome onto_dir = tiersim({"run", tiny_.string(), "--output", (work_ / "taken").string()});
  EXPECT_EQ(onto_dir.status, 1) << onto_dir.err;
  EXPECT_EQ(sorted_entries(work_), (std::vector<std::string>{"taken", "tiny.yaml"}));
  EXPECT_TRUE(fs::is_empty(work_ / "taken"));
}

}  // namespace
