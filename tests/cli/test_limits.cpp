// The inputs of issue 12 that crashed, hung or ran away, each run through the
// tiersim binary as a user would: bad input exits 2 with a message, an
// overloaded run exits 3, the rest run to the end. docs/reliability.md
// documents the limits. A hang shows as meson's test timeout.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/tiersim_process.hpp"

namespace {

namespace fs = std::filesystem;
using test_support::Outcome;
using test_support::read_file;

// One server tier under an open workload; `run`, `arrivals`, `web` (the
// class's demand at the tier) and `extra` (more top-level keys) vary.
std::string scenario(const std::string& run, const std::string& arrivals, const std::string& web,
                     const std::string& extra = "", const std::string& client = "") {
  return "name: limits\n"
         "run: " + run + "\n"
         "machines:\n"
         "  box: { cores: 2, nic: 1Gbps }\n"
         "tiers:\n"
         "  web: { kind: server, machine: box, workers: 4 }\n"
         "workload:\n"
         "  arrivals: " + arrivals + "\n" +
         (client.empty() ? "" : "  client: " + client + "\n") +
         "  classes:\n"
         "    get:\n"
         "      web: " + web + "\n" + extra;
}

// Whether text is well-formed UTF-8, decoded independently of the code
// under test: every sequence decodes to a scalar value in its shortest form.
bool valid_utf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size() + (extra == 0 ? 1 : 0)) return false;
    std::uint32_t value = extra == 0 ? c : c & (0x3fu >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xc0) != 0x80) return false;
      value = (value << 6) | (next & 0x3f);
    }
    static constexpr std::uint32_t kShortest[] = {0, 0x80, 0x800, 0x10000};
    if (value < kShortest[extra] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("TIERSIM_BIN");
    ASSERT_NE(bin, nullptr) << "TIERSIM_BIN is not set (run through meson test)";
    bin_ = bin;
  }

  Outcome tiersim(const std::vector<std::string>& args) {
    const fs::path out = dir_.path() / "stdout", err = dir_.path() / "stderr";
    return test_support::finish_process(test_support::start_process(bin_, args, out, err), out, err);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path file = dir_.path() / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  // check and run both refuse the file with exit status 2 and a message
  // holding every needle.
  void expect_refused(const fs::path& file, const std::vector<std::string>& needles) {
    for (const char* command : {"check", "run"}) {
      SCOPED_TRACE(command);
      const Outcome o = tiersim({command, file.string()});
      EXPECT_EQ(o.status, 2) << o.err;
      EXPECT_EQ(o.err.rfind("tiersim: error: ", 0), 0u) << o.err;
      for (const auto& needle : needles) EXPECT_NE(o.err.find(needle), std::string::npos) << needle << " in " << o.err;
      EXPECT_EQ(o.out, "");
    }
  }

  // run finishes with exit status 0 and a JSON report.
  void expect_runs(const fs::path& file, const std::vector<std::string>& extra_args = {}) {
    std::vector<std::string> args{"run", file.string(), "--format", "json", "--quiet"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const Outcome o = tiersim(args);
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_NE(o.out.find("\"latency_ms\""), std::string::npos) << o.out;
  }

  test_support::TempDir dir_{"tiersim-limits"};
  fs::path bin_;
};

TEST_F(LimitsTest, SelfReferentialAliasIsAnErrorWithItsPosition) {
  const fs::path file = write("alias.yaml", "name: alias\n"
                                            "machines:\n"
                                            "  m: &a { cores: 2, nic: *a }\n");
  expect_refused(file, {"alias.yaml:3:26: ", "alias"});
}

TEST_F(LimitsTest, DurationsPastTheHorizonAreRefused) {
  expect_refused(write("duration.yaml", scenario("{ duration: 292y }", "poisson(1/s)", "{ cpu: 1ms }")),
                 {"run.duration", "at most 30y", "292y"});
  expect_refused(write("timeout.yaml", scenario("{ duration: 1m }", "poisson(1/s)", "{ cpu: 1ms }", "",
                                                "{ timeout: 250y }")),
                 {"workload.client.timeout", "at most 30y"});
  expect_refused(write("window.yaml", scenario("{ duration: 1m }", "poisson(1/s)", "{ cpu: 1ms }",
                                               "slo: { window: 200y }\n")),
                 {"slo.window", "at most 30y"});
  const Outcome flag = tiersim({"run", write("ok.yaml", scenario("{ duration: 1s }", "poisson(1/s)", "{ cpu: 1ms }"))
                                           .string(),
                                "--duration", "292y"});
  EXPECT_EQ(flag.status, 2) << flag.err;
  EXPECT_NE(flag.err.find("--duration: a duration of at most 30y"), std::string::npos) << flag.err;
}

TEST_F(LimitsTest, ARunToTheHorizonPlusDelaysDoesNotOverflow) {
  // Users think for 29 years, past the end of a 30-year run, behind a
  // 20-year client latency: every sum of now and a delay stays in range.
  const std::string text = "name: horizon\n"
                           "run: { duration: 30y }\n"
                           "machines:\n"
                           "  box: { cores: 1 }\n"
                           "network: { client_latency: 20y }\n"
                           "tiers:\n"
                           "  web: { kind: server, machine: box }\n"
                           "workload:\n"
                           "  arrivals: { users: 2, think: exp(29y) }\n"
                           "  client: { timeout: 30y }\n"
                           "  classes:\n"
                           "    get:\n"
                           "      web: { cpu: 30y }\n";
  expect_runs(write("horizon.yaml", text));
}

TEST_F(LimitsTest, HeavyTailedSamplesMeanNeverInsteadOfOverflowing) {
  // Pareto with alpha 0.05 draws values beyond 2^63 ns about one time in
  // eight: repairs, failures, CPU demands and think times past the horizon.
  const std::string fault = "faults:\n  - { target: web1, mttf: pareto(0.05, 1s), mttr: pareto(0.05, 1s) }\n";
  expect_runs(write("heavy.yaml", scenario("{ duration: 10m }", "poisson(20/s)", "{ cpu: pareto(0.05, 1ms) }", fault)));
  // A CPU demand of 200 years, at FCFS: each job's finish lies past the end.
  std::string fcfs = scenario("{ duration: 10s }", "poisson(50/s)", "{ cpu: 200y }");
  fcfs.replace(fcfs.find("{ cores: 2"), 10, "{ cores: 2, scheduling: fcfs");
  expect_runs(write("fcfs.yaml", fcfs));
  expect_runs(write("ps.yaml", scenario("{ duration: 10s }", "poisson(50/s)", "{ cpu: 200y }")));
}

TEST_F(LimitsTest, ARateTooSmallForTheHorizonEndsTheArrivals) {
  // The first gap is past the end of time: no arrival, and the run ends.
  expect_runs(write("slow.yaml", scenario("{ duration: 1h }", "poisson(1e-12/s)", "{ cpu: 1ms }")));
  expect_runs(write("slow-schedule.yaml",
                    scenario("{ duration: 1h }", "{ schedule: [{ at: 0s, rate: 5/s }, { at: 10m, rate: 1e-15/s }] }",
                             "{ cpu: 1ms }")));
}

TEST_F(LimitsTest, RatesAboveOnePerNanosecondAreRefused) {
  for (const char* rate : {"1e300/s", "1e12/s"}) {
    SCOPED_TRACE(rate);
    expect_refused(write("fast.yaml", scenario("{ duration: 1s }", std::string("poisson(") + rate + ")", "{ cpu: 1ms }")),
                   {"workload.arrivals", "1e9/s", "1 ns resolution"});
  }
  expect_refused(write("fast-schedule.yaml",
                       scenario("{ duration: 1s }", "{ schedule: [{ at: 0s, rate: 2e9/s }] }", "{ cpu: 1ms }")),
                 {"workload.arrivals.schedule.0.rate", "1 ns resolution"});
}

TEST_F(LimitsTest, AnOverloadedRunStopsWithStatus3NamingTheBottleneck) {
  // 1e9/s is accepted, and far beyond what 2 cores at 1 ms per request serve.
  const fs::path file =
      write("overload.yaml", scenario("{ duration: 10s, max_in_flight: 20000 }", "poisson(1e9/s)", "{ cpu: 1ms }"));
  const Outcome o = tiersim({"run", file.string(), "--quiet"});
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_EQ(o.out, "");
  for (const char* needle : {"tiersim: error: run stopped at ", "simulated: 20000 requests in flight",
                             "run.max_in_flight (20000)", "node web1 (tier web) holds the most", "overloaded"}) {
    EXPECT_NE(o.err.find(needle), std::string::npos) << needle << " in " << o.err;
  }
  // At FCFS every request waiting for the CPU holds its completion event.
  std::string fcfs = scenario("{ duration: 10s, max_pending_events: 5000 }", "poisson(1e6/s)", "{ cpu: 1ms }");
  fcfs.replace(fcfs.find("{ cores: 2"), 10, "{ cores: 2, scheduling: fcfs");
  fcfs.replace(fcfs.find(", workers: 4"), 12, "");
  const fs::path events = write("events.yaml", fcfs);
  const Outcome e = tiersim({"run", events.string(), "--quiet", "--replications", "2"});
  EXPECT_EQ(e.status, 3) << e.err;
  EXPECT_NE(e.err.find("events pending, the limit run.max_pending_events (5000)"), std::string::npos) << e.err;
  // The same load under a limit it does not reach runs to the end.
  expect_runs(events, {"--duration", "1ms"});
}

// Found by fuzz_scenario (tests/fuzz/regressions/scenario/): users who
// think for 0 s on a path that takes no time sent requests forever at t = 0.
TEST_F(LimitsTest, AClockThatCannotAdvanceStopsWithStatus3) {
  const std::string zeno = scenario("{ duration: 10s }", "{ users: 50, think: 0s }", "{ }");
  const Outcome o = tiersim({"run", write("zeno.yaml", zeno).string(), "--quiet"});
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_EQ(o.out, "");
  for (const char* needle : {"tiersim: error: run stopped at 0s simulated: 100051 requests sent at that instant",
                             "the simulated clock does not advance", "Give the users a think time"}) {
    EXPECT_NE(o.err.find(needle), std::string::npos) << needle << " in " << o.err;
  }
  // Any time on the path lets the clock advance: the same users run to the end.
  expect_runs(write("cpu.yaml", scenario("{ duration: 1s }", "{ users: 50, think: 0s }", "{ cpu: 1us }")));
  // A path with demand stalls all the same when the server refuses the users
  // at once; the message then names the refusal, not a path without demand.
  const std::string refused =
      "name: refused\n"
      "run: { duration: 10s }\n"
      "machines:\n"
      "  box: { cores: 2 }\n"
      "tiers:\n"
      "  app: { kind: app, machine: box, workers: 1, backlog: 0 }\n"
      "workload:\n"
      "  arrivals: { users: 50, think: 0s }\n"
      "  classes:\n"
      "    get: { app: { cpu: 5ms } }\n";
  const Outcome r = tiersim({"run", write("refused.yaml", refused).string(), "--quiet"});
  EXPECT_EQ(r.status, 3) << r.err;
  for (const char* needle : {"requests sent at that instant", "users who think for 0s see their requests fail at once "
                             "(the last with app_backlog) and send again", "Give the users a think time"}) {
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << " in " << r.err;
  }
  EXPECT_EQ(r.err.find("a path that takes no time"), std::string::npos) << r.err;
}

TEST_F(LimitsTest, SizesBeyondWhatTheArithmeticCarriesAreRefused) {
  for (const char* size : {"6018446744073709551616KiB", "1e300B", "1025TiB"}) {
    SCOPED_TRACE(size);
    std::string text = scenario("{ duration: 1s }", "poisson(10/s)", "{ cpu: 1ms }");
    text.replace(text.find("    get:\n"), 9, std::string("    get:\n      response: ") + size + "\n");
    expect_refused(write("size.yaml", text), {"workload.classes.get.response", "at most 1024TiB"});
  }
  // The largest size runs: its transmission lasts about 104 days, past the end.
  std::string text = scenario("{ duration: 1s }", "poisson(10/s)", "{ cpu: 1ms }");
  text.replace(text.find("    get:\n"), 9, "    get:\n      response: 1024TiB\n");
  expect_runs(write("huge.yaml", text));
}

TEST_F(LimitsTest, OnlyRegularFilesAreRead) {
  const Outcome zero = tiersim({"check", "/dev/zero"});
  EXPECT_EQ(zero.status, 2) << zero.err;
  EXPECT_NE(zero.err.find("/dev/zero: cannot read the scenario: it is not a regular file"), std::string::npos)
      << zero.err;
  // A FIFO without a writer: opening it must not wait.
  const fs::path fifo = dir_.path() / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const Outcome f = tiersim({"check", fifo.string()});
  EXPECT_EQ(f.status, 2) << f.err;
  EXPECT_NE(f.err.find("not a regular file"), std::string::npos) << f.err;
  expect_refused(write("device.yaml", scenario("{ duration: 1s }", "poisson(10/s)", "{ cpu: empirical(/dev/zero) }")),
                 {"workload.classes.get.web.cpu", "/dev/zero", "not a regular file"});
  // Larger than the limit: refused by its size, unread.
  const fs::path big = dir_.path() / "big.csv";
  fs::resize_file(write("big.csv", "1ms\n"), (std::uintmax_t{64} << 20) + 1);
  expect_refused(write("big.yaml", scenario("{ duration: 1s }", "poisson(10/s)",
                                            "{ cpu: \"empirical(" + big.string() + ")\" }")),
                 {"at most 64 MiB"});
}

TEST_F(LimitsTest, MessagesEscapeBytesThatAreNotPrintableUtf8) {
  // A key of invalid UTF-8 and control bytes, and a valid non-ASCII one.
  std::string text = scenario("{ duration: 1s }", "poisson(10/s)", "{ cpu: 1ms }");
  text.replace(text.find("name: limits"), 12, "name: limits\n\"caf\xc3\xa9\xff\xfe\x01\\x1b[31m\": 1");
  const Outcome o = tiersim({"check", write("binary.yaml", text).string()});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_TRUE(valid_utf8(o.err)) << o.err;
  EXPECT_NE(o.err.find("caf\xc3\xa9\\xff\\xfe\\x01\\x1b[31m"), std::string::npos) << o.err;
  // Raw bytes in a value quoted by a message, and in a file name.
  const Outcome value = tiersim({"check", write("value.yaml", scenario("{ duration: \"\xff\xfe\" }", "poisson(10/s)",
                                                                       "{ cpu: 1ms }"))
                                              .string()});
  EXPECT_EQ(value.status, 2) << value.err;
  EXPECT_TRUE(valid_utf8(value.err)) << value.err;
  const Outcome name = tiersim({"check", (dir_.path() / "missing\xff.yaml").string()});
  EXPECT_EQ(name.status, 2) << name.err;
  EXPECT_TRUE(valid_utf8(name.err)) << name.err;
  EXPECT_NE(name.err.find("missing\\xff.yaml"), std::string::npos) << name.err;
}

TEST_F(LimitsTest, AResumedSweepMustHaveTheSameSettings) {
  const fs::path file = write("sweep.yaml", scenario("{ duration: 1s }", "poisson(10/s)", "{ cpu: 1ms }"));
  const fs::path csv = dir_.path() / "sweep.csv";
  const std::vector<std::string> sweep{"sweep", file.string(), "--vary", "machines.box.cores=1,2",
                                       "--output", csv.string(), "--quiet"};
  ASSERT_EQ(tiersim(sweep).status, 0);
  // Keep the first row only, as an interrupted sweep would.
  const std::string whole = read_file(csv);
  const std::string first = whole.substr(0, whole.find('\n', whole.find('\n') + 1) + 1);
  std::ofstream(csv, std::ios::binary | std::ios::trunc) << first;
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = sweep;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const struct {
    std::vector<std::string> extra;
    const char* differ;
  } changes[] = {
      {{"--duration", "2s"}, "--set, --seed or --duration"},
      {{"--set", "run.seed=5"}, "--set, --seed or --duration"},
      {{"--seed", "5"}, "--set, --seed or --duration"},
      {{"--replications", "3"}, "--replications, --precision or --max-replications"},
  };
  for (const auto& change : changes) {
    SCOPED_TRACE(change.extra.front());
    const Outcome o = tiersim(with(change.extra));
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_NE(o.err.find("row 1 was made with other settings (these differ: " + std::string(change.differ)),
              std::string::npos)
        << o.err;
    EXPECT_EQ(read_file(csv), first);
  }
  // The scenario file's content is part of the settings.
  std::ofstream(file, std::ios::app) << "# edited\n";
  const Outcome edited = tiersim(sweep);
  EXPECT_EQ(edited.status, 2) << edited.err;
  EXPECT_NE(edited.err.find("the scenario file's content"), std::string::npos) << edited.err;
  // The same command resumes, and ends with the whole file.
  std::ofstream(file, std::ios::trunc) << scenario("{ duration: 1s }", "poisson(10/s)", "{ cpu: 1ms }");
  ASSERT_EQ(tiersim(sweep).status, 0);
  EXPECT_EQ(read_file(csv), whole);
}

}  // namespace
