// Independent replications of scenarios on several threads, with sequential
// stopping and automatic warm-up. Replication r of a scenario is
// models::RunOptions::replication = r with the scenario's seed, whichever
// thread runs it, and results are kept by r: the outcome does not depend on
// the number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "experiment/warmup.hpp"
#include "models/config.hpp"
#include "models/results.hpp"

namespace experiment {

struct Options {
  std::size_t replications = 1;     // with precision: the first batch (at least 2)
  unsigned jobs = 1;                // threads
  std::optional<double> precision;  // target relative half-width of mean and p99 latency
  std::size_t max_replications = 100;
};

// Called with (runs done, runs planned, events so far); done is fractional
// while runs are under way and planned grows with each batch. Calls come from
// the worker threads, one at a time.
using Progress = std::function<void(double done, double planned, std::uint64_t events)>;

struct Stopping {
  double target = 0.0;
  bool reached = false;
  // 95% half-widths relative to the estimate when stopping.
  double mean_latency = 0.0;
  double p99_latency = 0.0;
};

struct Experiment {
  models::ScenarioConfig config;          // as run: run.warmup is the cut used
  std::optional<WarmupDetection> warmup;  // this scenario's pilot, with run.auto_warmup
  std::optional<Stopping> stopping;       // with Options::precision
  std::vector<models::RunResult> runs;    // replication r at index r
  double wall_seconds = 0.0;              // the whole experiment, pilots included
};

Experiment run_experiment(const models::ScenarioConfig& config, const Options& options,
                          const Progress& progress = {});

// The same replications of every config, for paired comparison under common
// random numbers. The configs must share seed, duration and warm-up (a fixed
// value or auto); with auto every scenario's pilot runs and all use the
// latest cut, so that all measure the same requests. With precision, batches
// are added to all until every scenario meets the target. Throws InputError
// when the configs cannot be paired, before running anything.
std::vector<Experiment> run_paired(std::span<const models::ScenarioConfig> configs, const Options& options,
                                   const Progress& progress = {});

}  // namespace experiment
