#include "experiment/study.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "experiment/cluster.hpp"
#include "experiment/summary.hpp"
#include "models/run.hpp"

namespace experiment {

namespace {

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

UnitResult run_unit(const models::ScenarioConfig& config, const WorkUnit& unit,
                    const std::function<void(sim::Time, std::uint64_t)>& progress) {
  UnitResult result;
  if (unit.pilot) {
    result.pilot = detect_warmup(config, progress);
    return result;
  }
  models::ScenarioConfig with_cut = config;
  with_cut.run.warmup = unit.warmup;
  models::RunOptions options;
  options.replication = unit.replication;
  options.progress = progress;
  result.run = models::run_scenario(with_cut, options);
  return result;
}

Study::Study(Configs configs, std::size_t first, std::size_t end, const Options& options, Finished finished,
             Progress progress, bool per_group)
    : configs_(std::move(configs)),
      end_(end),
      options_(options),
      finished_(std::move(finished)),
      progress_(std::move(progress)),
      per_group_(per_group),
      next_group_(first),
      groups_done_(first) {
  assert(options.replications >= 1 && options.jobs >= 1);
  assert(!options.precision || (options.replications >= 2 && options.max_replications >= options.replications));
}

void Study::start(Group& g) {
  const auto configs = configs_(g.index);
  g.start = std::chrono::steady_clock::now();
  g.experiments.resize(configs.size());
  for (std::size_t s = 0; s < configs.size(); ++s) g.experiments[s].config = configs[s];
  if (configs.front().run.auto_warmup) {
    begin_batch(g, true, 0, 0);
  } else {
    begin_batch(g, false, 0, options_.replications);
  }
}

void Study::begin_batch(Group& g, bool pilots, std::size_t from, std::size_t to) {
  g.pilots = pilots;
  g.from = from;
  g.to = to;
  g.count = pilots ? g.experiments.size() : (to - from) * g.experiments.size();
  g.handed = g.returned = 0;
  if (!pilots) {
    for (auto& e : g.experiments) e.runs.resize(to);
  }
  g.runs_planned += static_cast<double>(g.count);
  if (!per_group_) report();
}

// Replication-major, so that workers share out scenarios of different cost evenly.
WorkUnit Study::unit_at(const Group& g, std::size_t i) const {
  WorkUnit u;
  u.group = g.index;
  if (g.pilots) {
    u.scenario = i;
    u.pilot = true;
    return u;
  }
  const std::size_t k = g.experiments.size();
  u.scenario = i % k;
  u.replication = g.from + i / k;
  u.warmup = g.experiments[u.scenario].config.run.warmup;
  return u;
}

std::optional<WorkUnit> Study::next() {
  for (auto& g : active_) {
    if (!g.complete && g.handed < g.count) return unit_at(g, g.handed++);
  }
  if (next_group_ == end_) return std::nullopt;
  Group& g = active_.emplace_back();
  g.index = next_group_++;
  start(g);
  return unit_at(g, g.handed++);
}

void Study::advance(const WorkUnit& unit, double runs, std::uint64_t events) {
  events_ += events;
  for (auto& g : active_) {
    if (g.index == unit.group) g.runs_done += runs;
  }
  report();
}

void Study::report() {
  if (!progress_) return;
  if (!per_group_) {
    const Group& g = active_.front();
    progress_(g.runs_done, g.runs_planned, events_);
    return;
  }
  double done = static_cast<double>(groups_done_);
  for (const auto& g : active_) done += g.complete ? 1.0 : g.runs_done / g.runs_planned;
  progress_(done, static_cast<double>(end_), events_);
}

void Study::done(const WorkUnit& unit, UnitResult&& result) {
  const auto g = std::find_if(active_.begin(), active_.end(), [&](const Group& x) { return x.index == unit.group; });
  assert(g != active_.end() && !g->complete);
  Experiment& e = g->experiments[unit.scenario];
  if (unit.pilot) {
    e.warmup = result.pilot;
  } else {
    e.runs[unit.replication] = std::move(result.run);
  }
  if (++g->returned == g->count) end_batch(*g);
  // Finished groups leave in order; a finished one behind a running one waits.
  while (!active_.empty() && active_.front().complete) {
    Group& front = active_.front();
    ++groups_done_;
    const std::size_t index = front.index;
    std::vector<Experiment> experiments = std::move(front.experiments);
    active_.pop_front();
    finished_(index, std::move(experiments));
  }
}

void Study::end_batch(Group& g) {
  if (g.pilots) {
    // Every scenario's pilot runs and all use the latest cut, so that all
    // measure the same requests.
    sim::Time cut = 0;
    for (const auto& e : g.experiments) cut = std::max(cut, e.warmup->mser.cut);
    for (auto& e : g.experiments) e.config.run.warmup = cut;
    begin_batch(g, false, 0, options_.replications);
    return;
  }
  const std::size_t n = g.to;
  if (options_.precision) {
    const double target = *options_.precision;
    double worst = 0.0;
    for (auto& e : g.experiments) {
      e.stopping = stopping_of(e, target);
      worst = std::max({worst, e.stopping->mean_latency, e.stopping->p99_latency});
    }
    const bool reached = worst <= target;
    if (!reached && n < options_.max_replications) {
      // The half-width shrinks as 1/sqrt(n): aim at the n that would meet the
      // target, but at most double n per batch, since the projection from a
      // few replications is itself noisy. Only results decide the batches,
      // never the number of threads or processes.
      const double projected = std::ceil(static_cast<double>(n) * (worst / target) * (worst / target));
      const double capped = std::clamp(projected, static_cast<double>(n + 1), static_cast<double>(2 * n));
      begin_batch(g, false, n, std::min(options_.max_replications, static_cast<std::size_t>(capped)));
      return;
    }
    for (auto& e : g.experiments) e.stopping->reached = reached;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - g.start).count();
  for (auto& e : g.experiments) e.wall_seconds = wall;
  g.complete = true;
}

void execute_on_threads(Study& study, unsigned jobs) {
  std::mutex mutex;
  std::condition_variable changed;
  std::exception_ptr error;
  std::size_t running = 0;
  const auto worker = [&] {
    std::unique_lock lock(mutex);
    while (!error && !study.finished()) {
      const std::optional<WorkUnit> unit = study.next();
      if (!unit) {
        // Every ready unit is out; another's result brings more or the end.
        assert(running > 0);
        changed.wait(lock);
        continue;
      }
      ++running;
      lock.unlock();
      double fraction = 0.0;
      std::uint64_t events = 0;
      const sim::Time duration = study.config(*unit).run.duration;
      // run_scenario calls the hook last at the run's end, so a finished run counts as exactly one.
      const auto hook = [&](sim::Time now, std::uint64_t now_events) {
        const double f = static_cast<double>(now) / static_cast<double>(duration);
        const std::lock_guard progress_lock(mutex);
        study.advance(*unit, f - fraction, now_events - events);
        fraction = f;
        events = now_events;
      };
      std::exception_ptr failed;
      std::optional<UnitResult> result;
      try {
        result = run_unit(study.config(*unit), *unit, hook);
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      --running;
      if (!failed) {
        try {
          study.done(*unit, std::move(*result));
        } catch (...) {
          failed = std::current_exception();
        }
      }
      if (failed && !error) error = failed;
      changed.notify_all();
    }
  };
  {
    std::vector<std::jthread> threads;
    for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(worker);
    worker();
  }
  if (error) std::rethrow_exception(error);
}

void execute(Study& study, unsigned jobs) {
  if (!cluster::distribute(study, jobs)) execute_on_threads(study, jobs);
}

}  // namespace experiment
