#include "experiment/replications.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "experiment/input_error.hpp"
#include "experiment/summary.hpp"
#include "models/run.hpp"

namespace experiment {

namespace {

// Sums the progress of runs on several threads and passes it on.
class Tracker {
 public:
  explicit Tracker(const Progress& progress) : progress_(progress) {}

  bool active() const { return static_cast<bool>(progress_); }
  void plan(double runs) { advance(0.0, 0, runs); }
  void advance(double runs, std::uint64_t events, double planned = 0.0) {
    if (!progress_) return;
    const std::lock_guard lock(mutex_);
    done_ += runs;
    events_ += events;
    planned_ += planned;
    progress_(done_, planned_, events_);
  }

  // A models::RunOptions::progress hook for one run. run_scenario calls it
  // last at the run's end, so a finished run counts as exactly one.
  class Run {
   public:
    Run(Tracker& tracker, sim::Time duration) : tracker_(tracker), duration_(duration) {}
    std::function<void(sim::Time, std::uint64_t)> hook() {
      if (!tracker_.active()) return {};
      return [this](sim::Time now, std::uint64_t events) {
        const double fraction = static_cast<double>(now) / static_cast<double>(duration_);
        tracker_.advance(fraction - fraction_, events - events_);
        fraction_ = fraction;
        events_ = events;
      };
    }

   private:
    Tracker& tracker_;
    sim::Time duration_;
    double fraction_ = 0.0;
    std::uint64_t events_ = 0;
  };

 private:
  const Progress& progress_;
  std::mutex mutex_;
  double done_ = 0.0;
  double planned_ = 0.0;
  std::uint64_t events_ = 0;
};

// Calls job(0) .. job(count - 1) on up to `jobs` threads (this one included).
// The first exception stops the handing out of jobs and is rethrown.
void run_parallel(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) {
      try {
        job(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next.store(count);
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    const std::size_t extra = std::min<std::size_t>(jobs, count) - 1;
    for (std::size_t t = 0; t < extra; ++t) threads.emplace_back(worker);
    worker();
  }
  if (error) std::rethrow_exception(error);
}

std::string warmup_text(const models::RunConfig& run) {
  return run.auto_warmup ? "auto" : sim::format_duration(run.warmup);
}

void check_pairable(std::span<const models::ScenarioConfig> configs) {
  const models::RunConfig& first = configs.front().run;
  for (const auto& c : configs.subspan(1)) {
    const auto mismatch = [&](std::string_view what, std::string_view a, std::string_view b, std::string_view flag) {
      throw InputError(fmt::format(
          "{} has {} {} but {} has {} {}: paired comparison needs one {}; {}", configs.front().name, what, a, c.name,
          what, b, what, flag));
    };
    if (c.run.seed != first.seed) {
      mismatch("seed", std::to_string(first.seed), std::to_string(c.run.seed), "pass --seed");
    }
    if (c.run.duration != first.duration) {
      mismatch("duration", sim::format_duration(first.duration), sim::format_duration(c.run.duration),
               "pass --duration");
    }
    if (c.run.auto_warmup != first.auto_warmup || (!first.auto_warmup && c.run.warmup != first.warmup)) {
      mismatch("warm-up", warmup_text(first), warmup_text(c.run), "pass --warmup VALUE");
    }
  }
}

// The worst relative half-width of mean and p99 latency, per experiment.
Stopping stopping_of(const Experiment& e, double target) {
  Stopping s;
  s.target = target;
  s.mean_latency = s.p99_latency = std::numeric_limits<double>::infinity();
  for (const auto& m : summarize(e.runs)) {
    if (!m.estimate) continue;
    if (m.metric.name == "latency_ms.mean") s.mean_latency = m.estimate->relative_half_width();
    if (m.metric.name == "latency_ms.p99") s.p99_latency = m.estimate->relative_half_width();
  }
  s.reached = s.mean_latency <= target && s.p99_latency <= target;
  return s;
}

}  // namespace

std::vector<Experiment> run_paired(std::span<const models::ScenarioConfig> configs, const Options& options,
                                   const Progress& progress) {
  assert(!configs.empty() && options.replications >= 1 && options.jobs >= 1);
  assert(!options.precision || (options.replications >= 2 && options.max_replications >= options.replications));
  check_pairable(configs);
  const auto start = std::chrono::steady_clock::now();
  Tracker tracker(progress);
  std::vector<Experiment> experiments(configs.size());
  for (std::size_t s = 0; s < configs.size(); ++s) experiments[s].config = configs[s];

  if (configs.front().run.auto_warmup) {
    tracker.plan(static_cast<double>(configs.size()));
    run_parallel(configs.size(), options.jobs, [&](std::size_t s) {
      Tracker::Run run(tracker, configs[s].run.duration);
      experiments[s].warmup = detect_warmup(configs[s], run.hook());
    });
    sim::Time cut = 0;
    for (const auto& e : experiments) cut = std::max(cut, e.warmup->mser.cut);
    for (auto& e : experiments) e.config.run.warmup = cut;
  }

  // Replications [from, to) of every scenario, replication-major so that
  // the threads share out scenarios of different cost evenly.
  const auto add = [&](std::size_t from, std::size_t to) {
    for (auto& e : experiments) e.runs.resize(to);
    const std::size_t count = (to - from) * configs.size();
    tracker.plan(static_cast<double>(count));
    run_parallel(count, options.jobs, [&](std::size_t i) {
      Experiment& e = experiments[i % configs.size()];
      models::RunOptions run_options;
      run_options.replication = from + i / configs.size();
      Tracker::Run run(tracker, e.config.run.duration);
      run_options.progress = run.hook();
      e.runs[run_options.replication] = models::run_scenario(e.config, run_options);
    });
  };

  std::size_t n = options.replications;
  add(0, n);
  if (options.precision) {
    const double target = *options.precision;
    for (;;) {
      double worst = 0.0;
      for (auto& e : experiments) {
        e.stopping = stopping_of(e, target);
        worst = std::max({worst, e.stopping->mean_latency, e.stopping->p99_latency});
      }
      const bool reached = worst <= target;
      if (reached || n >= options.max_replications) {
        for (auto& e : experiments) e.stopping->reached = reached;
        break;
      }
      // The half-width shrinks as 1/sqrt(n): aim at the n that would meet the
      // target, but at most double n per batch, since the projection from a
      // few replications is itself noisy. Only results decide the batches,
      // never the number of threads.
      const double projected = std::ceil(static_cast<double>(n) * (worst / target) * (worst / target));
      const double capped = std::clamp(projected, static_cast<double>(n + 1), static_cast<double>(2 * n));
      const std::size_t next = std::min(options.max_replications, static_cast<std::size_t>(capped));
      add(n, next);
      n = next;
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto& e : experiments) e.wall_seconds = wall;
  return experiments;
}

Experiment run_experiment(const models::ScenarioConfig& config, const Options& options, const Progress& progress) {
  return std::move(run_paired(std::span(&config, 1), options, progress).front());
}

}  // namespace experiment
