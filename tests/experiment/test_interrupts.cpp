// SIGINT and SIGTERM sent to a running tiersim (docs/reliability.md): every
// output file is whole or absent, no temporary file is left beside it, a
// sweep resumes to the same file as an uninterrupted one, and tiersim ends
// by the signal. TIERSIM_BIN comes from tests/meson.build.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/files.hpp"
#include "support/tiersim_process.hpp"

namespace {

namespace fs = std::filesystem;
using test_support::Outcome;
using test_support::read_file;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const fs::path kRoot = TIERSIM_SOURCE_ROOT;

std::size_t lines_in(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

class Interrupts : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("TIERSIM_BIN");
    ASSERT_NE(bin, nullptr) << "TIERSIM_BIN is not set (run through meson test)";
    bin_ = bin;
    fs::create_directory(out_);
  }

  // stdout and stderr go beside, not into, the folder of outputs.
  pid_t start(const std::vector<std::string>& args) {
    return test_support::start_process(bin_, args, temp_.path() / "stdout", temp_.path() / "stderr");
  }
  Outcome finish(pid_t pid) { return test_support::finish_process(pid, temp_.path() / "stdout", temp_.path() / "stderr"); }
  Outcome tiersim(const std::vector<std::string>& args) { return finish(start(args)); }

  // Polls until `ready` (or 60 s): the moment to send the signal.
  static void wait_until(const std::function<bool()>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!ready() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  std::vector<std::string> files_in_output_folder() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(out_)) names.push_back(entry.path().filename().string());
    return names;
  }

  static std::string scenario(const std::string& name) { return (kRoot / "scenarios" / name).string(); }

  test_support::TempDir temp_{"tiersim-interrupts"};
  fs::path bin_;
  fs::path out_ = temp_.path() / "out";
};

// A run far longer than the test: it is always interrupted mid-simulation,
// with the time series streaming to its temporary file.
TEST_F(Interrupts, ARunLeavesNeitherItsOutputsNorTheirTemporaryFiles) {
  for (const int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(strsignal(signal));
    const pid_t pid = start({"run", scenario("3-scale-up.yaml"), "--duration", "1000h", "--output",
                             (out_ / "result.json").string(), "--format", "json", "--timeseries",
                             (out_ / "series.csv").string()});
    wait_until([&] { return !files_in_output_folder().empty(); });
    ASSERT_FALSE(files_in_output_folder().empty()) << "the time series never started";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(pid, signal);
    const Outcome o = finish(pid);
    EXPECT_EQ(o.signal, signal) << "exit status " << o.status << "\n" << o.err;
    EXPECT_THAT(o.err, HasSubstr("interrupted"));
    EXPECT_THAT(files_in_output_folder(), UnorderedElementsAre());
  }
}

TEST_F(Interrupts, CompareLeavesNoOutput) {
  const pid_t pid = start({"compare", scenario("0-simple-web-stack.yaml"), scenario("3-scale-up.yaml"), "--duration",
                           "1000h", "--replications", "2", "--output", (out_ / "compare.txt").string()});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGINT);
  const Outcome o = finish(pid);
  EXPECT_EQ(o.signal, SIGINT) << "exit status " << o.status << "\n" << o.err;
  EXPECT_THAT(files_in_output_folder(), UnorderedElementsAre());
}

class InterruptedSweep : public Interrupts {
 protected:
  // 12 points of a few hundredths of a second each (as in test_cli.cpp).
  std::vector<std::string> sweep(const fs::path& output) {
    return {"sweep", scenario("mm1.yaml"), "--set", "run.duration=60s", "--set", "run.warmup=1s",
            "--vary", "workload.arrivals=poisson({300:800:100}/s)", "--vary", "machines.single.cores=1,2",
            "--replications", "2", "--jobs", "2", "--output", output.string()};
  }
};

TEST_F(InterruptedSweep, EndsOnAWholeRowAndResumesToTheSameFile) {
  const fs::path whole = temp_.path() / "whole.csv";
  ASSERT_EQ(tiersim(sweep(whole)).status, 0);
  const std::string expected = read_file(whole);
  for (const int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(strsignal(signal));
    const fs::path cut = out_ / "sweep.csv";
    fs::remove(cut);
    const pid_t pid = start(sweep(cut));
    // Two rows out, ten points to go: the signal lands while points run and
    // rows are written.
    wait_until([&] { return lines_in(read_file(cut)) >= 3; });
    ::kill(pid, signal);
    const Outcome o = finish(pid);
    EXPECT_EQ(o.signal, signal) << "exit status " << o.status << "\n" << o.err;
    const std::string partial = read_file(cut);
    ASSERT_LT(lines_in(partial), lines_in(expected)) << "the sweep ended before the signal";
    EXPECT_EQ(partial, expected.substr(0, partial.size())) << "not a prefix of the whole sweep";
    EXPECT_EQ(partial.back(), '\n') << "the file ends in a partial row";
    EXPECT_THAT(files_in_output_folder(), UnorderedElementsAre("sweep.csv"));
    const Outcome resumed = tiersim(sweep(cut));
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_EQ(read_file(cut), expected);
  }
}

}  // namespace
