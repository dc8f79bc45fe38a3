// Automatic warm-up (`run.warmup: auto`): MSER-5 (White 1997; White, Cobb and
// Spratt 2000) on the per-window mean latency of a pilot run. docs/statistics.md
// says which series and why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "models/config.hpp"

namespace experiment {

// One window of the series: when it starts, the mean of its samples and how many.
struct WindowMean {
  sim::Time start = 0;
  double mean = 0.0;
  std::uint64_t count = 0;
};

struct MserCut {
  std::size_t batches = 0;      // batches of 5 windows that hold samples
  std::size_t cut_batches = 0;  // the truncation d: batches dropped from the front
  sim::Time cut = 0;            // start of the first batch kept
  // The minimum lies at the end of the search range (the first half), or
  // there are too few batches to search: the transient may outlast the cut.
  bool at_limit = false;
};

// Groups the windows five at a time (a trailing partial batch is dropped;
// a batch's value is the sample-weighted mean of its windows; batches without
// samples are skipped) and returns the d in [0, batches / 2] minimising
//   MSER(d) = sum_{i > d} (Y_i - mean_{i > d} Y)^2 / (batches - d)^2,
// the smallest such d on ties.
MserCut mser5(std::span<const WindowMean> windows);

struct WarmupDetection {
  sim::Time window = 0;  // the pilot's window length
  MserCut mser;
};

// The pilot: replication 0 of `config` measured from time 0 with windows of
// duration / 1000, then MSER-5 on the windows' mean latency of successful
// requests. `progress` is as models::RunOptions::progress.
WarmupDetection detect_warmup(const models::ScenarioConfig& config,
                              const std::function<void(sim::Time, std::uint64_t)>& progress);

}  // namespace experiment
