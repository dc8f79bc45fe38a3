// tiersim sweep over MPI ranks (docs/statistics.md, "Scaling over MPI ranks").
//
//   BM_SweepOnRanks/R  wall time of a 40-unit sweep (scenarios/mm1.yaml at 8
//                      arrival rates, 200/s to 900/s, x 5 replications of
//                      1000 simulated seconds: units of unequal cost) run by
//                      `mpirun -np R tiersim sweep ... --jobs 1`; R = 0 is
//                      tiersim alone (no mpirun), R = 1 mpirun with one
//                      process (no MPI is started for one). Real time, one
//                      iteration per repetition: run with
//                      --benchmark_repetitions=3 for medians.
//   BM_ResultCodec     encoding and decoding one of those units' results,
//                      rank 0's main cost per unit beside MPI itself.
//   BM_ScheduleModel/R/U  no measurement: a replay of rank 0's dynamic
//                      schedule (experiment/study.cpp, cluster_mpi.cpp) for R
//                      ranks of one thread on U units whose durations are the
//                      40 measured here, cycled (U = 40: this sweep; U = 2400:
//                      4 designs x 20 loads x 30 replications). One
//                      coordinator handles one message at a time, each
//                      costing the measured codec time plus kMessageSeconds;
//                      each worker holds a spare unit, as rank 0 hands them;
//                      a message waits up to the 1 ms poll of the receiver,
//                      counted as 0.5 ms on each side. Counters: makespan_s,
//                      speedup (work / makespan) and efficiency (speedup / R).
//
// Run (mpirun must be on PATH; TIERSIM_BIN names the tiersim to run):
//   TIERSIM_BIN=build/cli/tiersim build/bench/mpi_bench --benchmark_repetitions=3
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiment/study.hpp"
#include "experiment/wire.hpp"
#include "loader/scenario_loader.hpp"

#ifndef TIERSIM_SOURCE_ROOT
#error "TIERSIM_SOURCE_ROOT must name the source tree (see bench/meson.build)"
#endif

namespace {

namespace fs = std::filesystem;

constexpr const char* kRates = "200,300,400,500,600,700,800,900";
constexpr int kReplications = 5;
constexpr const char* kDuration = "1000s";
// One small MPI message between nodes of a cluster network, either way
// (an assumption: shared memory is ~1 us, InfiniBand a few us).
constexpr double kMessageSeconds = 20e-6;
constexpr double kPollSeconds = 0.5e-3;

fs::path scenario() { return fs::path(TIERSIM_SOURCE_ROOT) / "scenarios" / "mm1.yaml"; }

std::string tiersim() {
  const char* bin = std::getenv("TIERSIM_BIN");
  return bin ? bin : "tiersim";
}

void BM_SweepOnRanks(benchmark::State& state) {
  const auto ranks = state.range(0);
  const fs::path out = fs::temp_directory_path() / fmt::format("tiersim-mpi-bench-{}.csv", ::getpid());
  const std::string launcher =
      ranks == 0 ? "" : fmt::format("mpirun --allow-run-as-root --oversubscribe -np {} ", ranks);
  const std::string command =
      fmt::format("{}{} sweep {} --duration {} --warmup 1s --vary 'workload.arrivals=poisson({{{}}}/s)' "
                  "--replications {} --jobs 1 -q -o {}",
                  launcher, tiersim(), scenario().string(), kDuration, kRates, kReplications, out.string());
  for (auto _ : state) {
    fs::remove(out);
    if (std::system(command.c_str()) != 0) state.SkipWithError(("failed: " + command).c_str());
  }
  fs::remove(out);
  state.counters["units"] = 8 * kReplications;
}
BENCHMARK(BM_SweepOnRanks)->Arg(0)->Arg(1)->Arg(2)->Arg(4)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

struct Measured {
  std::vector<double> seconds;  // each unit's duration, in sweep order
  std::vector<std::pair<experiment::WorkUnit, experiment::UnitResult>> results;
};

// The 40 units, run once each on this thread.
const Measured& measured() {
  static const Measured m = [] {
    Measured out;
    std::size_t group = 0;
    for (const int rate : {200, 300, 400, 500, 600, 700, 800, 900}) {
      const auto config = loader::load_scenario_file(
          scenario(), {{"run.duration", kDuration}, {"run.warmup", "1s"},
                       {"workload.arrivals", fmt::format("poisson({}/s)", rate)}});
      for (int r = 0; r < kReplications; ++r) {
        experiment::WorkUnit unit;
        unit.group = group;
        unit.replication = static_cast<std::uint64_t>(r);
        unit.warmup = config.run.warmup;
        const auto start = std::chrono::steady_clock::now();
        auto result = experiment::run_unit(config, unit);
        out.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        out.results.emplace_back(unit, std::move(result));
      }
      ++group;
    }
    return out;
  }();
  return m;
}

double codec_seconds = 0.0;  // set by BM_ResultCodec, read by the model

void BM_ResultCodec(benchmark::State& state) {
  const auto& units = measured().results;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const auto& [unit, result] = units[i++ % units.size()];
    const std::string encoded = experiment::wire::encode(unit, result);
    bytes += encoded.size();
    benchmark::DoNotOptimize(experiment::wire::decode_result(encoded));
  }
  state.counters["bytes_per_result"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ResultCodec)->Unit(benchmark::kMicrosecond);

// Rank 0's loop as a discrete-event replay: each of R workers (one thread)
// holds a unit and a spare, as cluster_mpi.cpp hands them out; when one
// finishes, the worker starts its spare and the result waits for the
// coordinator, which handles messages one at a time (decode the result,
// encode and send the next unit).
double makespan(const std::vector<double>& units, std::int64_t ranks, double per_message) {
  using Event = std::pair<double, std::int64_t>;  // a worker's finishing time
  std::priority_queue<Event, std::vector<Event>, std::greater<>> finishing;
  std::vector<std::vector<double>> spare(static_cast<std::size_t>(ranks));  // arrival times of queued units
  std::vector<double> durations(static_cast<std::size_t>(ranks));
  double coordinator = 0.0, end = 0.0;
  std::size_t next = 0;
  // The coordinator sends worker w a unit, received after the poll.
  const auto send = [&](double now, std::int64_t w) {
    coordinator = std::max(coordinator, now) + per_message;
    if (next == units.size()) return false;
    spare[static_cast<std::size_t>(w)].push_back(coordinator + kPollSeconds);
    durations[static_cast<std::size_t>(w)] = units[next++];
    return true;
  };
  std::vector<std::deque<double>> queue(static_cast<std::size_t>(ranks));  // durations of units held
  const auto give = [&](double now, std::int64_t w) {
    if (!send(now, w)) return;
    queue[static_cast<std::size_t>(w)].push_back(durations[static_cast<std::size_t>(w)]);
  };
  for (std::int64_t w = 0; w < ranks; ++w) give(0.0, w);
  for (std::int64_t w = 0; w < ranks; ++w) give(0.0, w);
  // Each worker starts its first unit when it arrives.
  for (std::int64_t w = 0; w < ranks; ++w) {
    auto& q = queue[static_cast<std::size_t>(w)];
    if (q.empty()) continue;
    finishing.emplace(spare[static_cast<std::size_t>(w)].front() + q.front(), w);
    spare[static_cast<std::size_t>(w)].erase(spare[static_cast<std::size_t>(w)].begin());
    q.pop_front();
  }
  while (!finishing.empty()) {
    const auto [done, w] = finishing.top();
    finishing.pop();
    end = std::max(end, done);
    auto& q = queue[static_cast<std::size_t>(w)];
    auto& arrivals = spare[static_cast<std::size_t>(w)];
    if (!q.empty()) {  // the spare, once it has arrived
      finishing.emplace(std::max(done, arrivals.front()) + q.front(), w);
      arrivals.erase(arrivals.begin());
      q.pop_front();
    }
    give(done + kPollSeconds, w);  // the result reaches rank 0 after its poll
  }
  return std::max(end, coordinator);
}

void BM_ScheduleModel(benchmark::State& state) {
  const auto ranks = state.range(0);
  const auto count = static_cast<std::size_t>(state.range(1));
  std::vector<double> units;
  for (std::size_t i = 0; i < count; ++i) units.push_back(measured().seconds[i % measured().seconds.size()]);
  double work = 0.0;
  for (const double u : units) work += u;
  // The codec cost measured above, else a conservative 1 ms.
  const double per_message = (codec_seconds > 0.0 ? codec_seconds : 1e-3) + 2 * kMessageSeconds;
  double span = 0.0;
  for (auto _ : state) benchmark::DoNotOptimize(span = makespan(units, ranks, per_message));
  state.counters["makespan_s"] = span;
  state.counters["work_s"] = work;
  state.counters["speedup"] = work / span;
  state.counters["efficiency"] = work / span / static_cast<double>(ranks);
  state.counters["per_message_us"] = per_message * 1e6;
}
BENCHMARK(BM_ScheduleModel)
    ->ArgsProduct({{1, 2, 4, 64, 1024}, {40, 2400}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The model uses the codec time: measure it first, on its own.
  {
    const auto& units = measured().results;
    const auto start = std::chrono::steady_clock::now();
    constexpr int kRounds = 200;
    for (int i = 0; i < kRounds; ++i) {
      const auto& [unit, result] = units[static_cast<std::size_t>(i) % units.size()];
      benchmark::DoNotOptimize(experiment::wire::decode_result(experiment::wire::encode(unit, result)));
    }
    codec_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / kRounds;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
