// Whole-model throughput: scenarios loaded with the real loader and run with
// models::run_scenario, exactly as `tiersim run` does (without the report).
//
//   BM_MM1         scenarios/mm1.yaml (Poisson 900/s, one FCFS exp(1ms) server)
//   BM_Tandem      scenarios/tandem.yaml (three FCFS exp stations in series)
//   BM_ScaleUp     scenarios/3-scale-up.yaml, the default scenario (TLS,
//                  firewalls, monitoring, two HAProxy nodes, web, app and db
//                  tiers; Poisson 600/s)
//
// Each scenario is loaded once, outside the timed region, with
// run.warmup=0s (so RunResult::totals.offered counts every simulated
// customer/request) and run.duration = (benchmark argument) / (the scenario's
// arrival rate), so one iteration simulates about that many arrivals (about
// 0.2-1 s of CPU each); only run_scenario is timed. Every iteration is a full
// run from time 0 with the scenario's seed, so all iterations do identical work.
//
// Counters (rates are per second of the benchmark thread's CPU time, which is
// what Google Benchmark divides by unless UseRealTime() is set; on a shared
// machine that is the fairer one-core figure):
//   items_per_second      simulated customers (requests) per second
//   events_per_s          simulation events fired per second
//   events_per_customer   events fired / customers offered (per run)
//   customers             customers offered per run
//
// Run:
//   models_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "loader/scenario_loader.hpp"
#include "models/config.hpp"
#include "models/run.hpp"

#ifndef TIERSIM_SOURCE_ROOT
#error "TIERSIM_SOURCE_ROOT must name the source tree (see bench/meson.build)"
#endif

namespace {

std::filesystem::path scenario_path(const char* name) {
  return std::filesystem::path(TIERSIM_SOURCE_ROOT) / "scenarios" / name;
}

// Loads `file` with warm-up off and a duration of `seconds` simulated seconds.
models::ScenarioConfig load(const char* file, std::int64_t seconds) {
  std::vector<loader::Override> overrides{
      loader::parse_override("run.warmup=0s"),
      loader::parse_override("run.duration=" + std::to_string(seconds) + "s"),
  };
  return loader::load_scenario_file(scenario_path(file), overrides);
}

void run_model(benchmark::State& state, const char* file, double arrival_rate) {
  // Arrivals per iteration; the duration follows from the scenario's rate.
  const auto arrivals = static_cast<double>(state.range(0));
  const auto seconds = static_cast<std::int64_t>(arrivals / arrival_rate + 0.5);
  models::ScenarioConfig config;
  try {
    config = load(file, seconds);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    for (auto _ : state) {
    }
    return;
  }

  std::uint64_t customers = 0;
  std::uint64_t events = 0;
  std::uint64_t per_run_customers = 0;
  std::uint64_t per_run_events = 0;
  for (auto _ : state) {
    models::RunResult result = models::run_scenario(config);
    per_run_customers = result.totals.offered;
    per_run_events = result.events;
    customers += per_run_customers;
    events += per_run_events;
    benchmark::DoNotOptimize(result.latency);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(customers));
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events_per_customer"] =
      per_run_customers == 0 ? 0.0 : static_cast<double>(per_run_events) / static_cast<double>(per_run_customers);
  state.counters["customers"] = static_cast<double>(per_run_customers);
}

// Arrivals per iteration, chosen so an iteration takes about 0.2-1 s.
constexpr std::int64_t kMM1Arrivals = 2'700'000;     // 3000 s at 900/s
constexpr std::int64_t kTandemArrivals = 1'200'000;  // 1333 s at 900/s
constexpr std::int64_t kScaleUpArrivals = 360'000;   // 600 s at 600/s

void BM_MM1(benchmark::State& state) { run_model(state, "mm1.yaml", 900.0); }
void BM_Tandem(benchmark::State& state) { run_model(state, "tandem.yaml", 900.0); }
void BM_ScaleUp(benchmark::State& state) { run_model(state, "3-scale-up.yaml", 600.0); }

BENCHMARK(BM_MM1)->Arg(kMM1Arrivals)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tandem)->Arg(kTandemArrivals)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScaleUp)->Arg(kScaleUpArrivals)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
