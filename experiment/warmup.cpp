#include "experiment/warmup.hpp"

#include <algorithm>
#include <vector>

#include "models/run.hpp"

namespace experiment {

namespace {

constexpr std::size_t kBatch = 5;
// 1000 windows make up to 200 batches: enough for the statistic to settle,
// and each batch still averages many requests at realistic rates.
constexpr sim::Time kWindowsPerRun = 1000;

class MeanLatencySink : public models::WindowSink {
 public:
  void begin(const std::vector<std::string>&) override {}
  void row(const models::WindowRow& row) override {
    windows.push_back({row.start, row.latency_mean_ms, row.latency_count});
  }
  std::vector<WindowMean> windows;
};

}  // namespace

MserCut mser5(std::span<const WindowMean> windows) {
  struct Batch {
    sim::Time start;
    double value;
  };
  std::vector<Batch> batches;
  for (std::size_t first = 0; first + kBatch <= windows.size(); first += kBatch) {
    double sum = 0.0;
    std::uint64_t count = 0;
    for (std::size_t i = first; i < first + kBatch; ++i) {
      sum += windows[i].mean * static_cast<double>(windows[i].count);
      count += windows[i].count;
    }
    if (count > 0) batches.push_back({windows[first].start, sum / static_cast<double>(count)});
  }
  MserCut result;
  result.batches = batches.size();
  if (batches.size() < 2) {
    result.at_limit = true;
    return result;
  }
  // Welford's update from the back gives every suffix's sum of squared
  // deviations in one stable pass.
  const std::size_t n = batches.size();
  const std::size_t last_d = n / 2;
  std::vector<double> score(last_d + 1);
  double mean = 0.0, squares = 0.0;
  for (std::size_t i = n; i-- > 0;) {
    const double kept = static_cast<double>(n - i);
    const double delta = batches[i].value - mean;
    mean += delta / kept;
    squares += delta * (batches[i].value - mean);
    if (i <= last_d) score[i] = squares / (kept * kept);
  }
  const auto best = std::min_element(score.begin(), score.end());  // the first minimum
  result.cut_batches = static_cast<std::size_t>(best - score.begin());
  result.cut = batches[result.cut_batches].start;
  result.at_limit = result.cut_batches == last_d;
  return result;
}

WarmupDetection detect_warmup(const models::ScenarioConfig& config,
                              const std::function<void(sim::Time, std::uint64_t)>& progress) {
  models::ScenarioConfig pilot = config;
  pilot.run.warmup = 0;
  MeanLatencySink sink;
  models::RunOptions options;
  options.replication = 0;
  options.progress = progress;
  options.windows = &sink;
  options.window = std::max<sim::Time>(1, config.run.duration / kWindowsPerRun);
  models::run_scenario(pilot, options);
  return {options.window, mser5(sink.windows)};
}

}  // namespace experiment
