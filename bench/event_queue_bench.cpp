// Event-queue throughput: the classic hold model.
//
// Hold model: P events are pending; each time the earliest fires, one new event
// is scheduled at now + Exp(mean 1 s), so the pending count stays at P. Each
// benchmark reports items_processed = events fired, so Google Benchmark prints
// events/s ("items_per_second").
//
//   BM_SimHold/P        through sim::Simulation (schedule_in of a member
//                       function, run_until, sim::RandomStream::exponential,
//                       sim::to_time): what a model pays per event.
//   BM_QueueHold/P      the same loop directly on sim::EventQueue (push / pop
//                       with a no-op EventFn that is never called): queue + RNG
//                       cost only, without the Simulation trampoline.
//   BM_SimHoldCancel/P  cancellation-heavy: P processes; each completion cancels
//                       the timeout it armed (usually still pending), then
//                       schedules its next completion and a new timeout
//                       (two pushes, one cancel per completion). P = processes;
//                       about 2P events are live, plus the stale entries of
//                       cancelled timeouts still inside the queue.
//   BASELINE_*          reference structures, NOT used by the simulator (no
//                       cancellation, no callback data: a floor for a plain heap):
//     BASELINE_StdPriorityQueueHold  std::priority_queue of POD {time, seq},
//                       std::mt19937_64 + std::exponential_distribution.
//     BASELINE_FourAryHeapHold       4-ary implicit heap of 24-byte entries
//                       {time, seq, slot}, sim::RandomStream.
//
// Before timing, the queue is filled with P events and max(P, 500k) untimed
// warm-up events are fired (max(4P, 500k) for the cancellation variant, whose
// 3 s timeouts need about 3P events to reach steady state). Every timed
// iteration fires kBatch events.
//
// Run (whole binary well under 2 minutes on one core):
//   event_queue_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true --benchmark_min_time=0.2

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"
#include "sim/time.hpp"

namespace {

constexpr double kMeanNs = 1e9;  // mean hold time: 1 s in nanoseconds
constexpr std::int64_t kBatch = 4096;

void hold_sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t p : {10, 1000, 100000, 1000000}) b->Arg(p);
  b->Unit(benchmark::kMicrosecond);
}

// Untimed events fired after the pre-fill, so that timing starts near steady
// state (queue memory grown, event times spread as in a long run).
std::int64_t warmup_events(std::int64_t pending) { return std::max<std::int64_t>(pending, 500000); }

// ---------------------------------------------------------------------------
// Hold model through sim::Simulation.

class HoldModel {
 public:
  explicit HoldModel(sim::Simulation& s) : sim_(s), rng_(s.stream("hold")) {}

  void prefill(std::int64_t pending) {
    for (std::int64_t i = 0; i < pending; ++i) schedule_next();
  }
  // Fires exactly n events (each schedules one more).
  void run(std::int64_t n) {
    budget_ = n;
    sim_.run_until(sim::kNever - 1);
  }

  void fire(std::uint64_t) {
    schedule_next();
    if (--budget_ == 0) sim_.stop();
  }

 private:
  void schedule_next() {
    sim_.schedule_in<&HoldModel::fire>(sim::to_time(rng_.exponential(kMeanNs)), this);
  }
  sim::Simulation& sim_;
  sim::RandomStream rng_;
  std::int64_t budget_ = 0;
};

void BM_SimHold(benchmark::State& state) {
  const std::int64_t pending = state.range(0);
  sim::Simulation s(42);
  HoldModel model(s);
  model.prefill(pending);
  model.run(warmup_events(pending));
  const std::uint64_t fired0 = s.events_fired();
  for (auto _ : state) model.run(kBatch);
  if (s.pending_events() != static_cast<std::size_t>(pending)) state.SkipWithError("pending count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(s.events_fired() - fired0));
  state.counters["pending"] = static_cast<double>(s.pending_events());
}
BENCHMARK(BM_SimHold)->Apply(hold_sizes);

// ---------------------------------------------------------------------------
// Hold model directly on sim::EventQueue.

void noop_event(void*, std::uint64_t) {}

void BM_QueueHold(benchmark::State& state) {
  const std::int64_t pending = state.range(0);
  sim::EventQueue q;
  sim::RandomStream rng(42, 0, "hold");
  for (std::int64_t i = 0; i < pending; ++i)
    q.push(sim::to_time(rng.exponential(kMeanNs)), &noop_event, nullptr, 0);
  sim::FiredEvent ev{};
  auto hold = [&](std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      q.pop(sim::kNever, ev);
      q.push(ev.time + sim::to_time(rng.exponential(kMeanNs)), &noop_event, nullptr, 0);
    }
  };
  hold(warmup_events(pending));
  for (auto _ : state) hold(kBatch);
  benchmark::DoNotOptimize(ev);
  if (q.size() != static_cast<std::size_t>(pending)) state.SkipWithError("pending count drifted");
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_QueueHold)->Apply(hold_sizes);

// ---------------------------------------------------------------------------
// Cancellation-heavy hold model through sim::Simulation: a process completes a
// job after Exp(1 s) and guards each job with a 3 s timeout, which fires only
// when the job runs long (e^-3, about 5% of jobs) and is otherwise cancelled
// by the completion.

constexpr sim::Time kTimeout = 3 * sim::kSecond;

class CancelModel {
 public:
  CancelModel(sim::Simulation& s, std::int64_t processes)
      : sim_(s), rng_(s.stream("cancel")), timeouts_(static_cast<std::size_t>(processes)) {}

  void prefill() {
    for (std::size_t p = 0; p < timeouts_.size(); ++p) start_job(p);
  }
  void run(std::int64_t n) {
    budget_ = n;
    sim_.run_until(sim::kNever - 1);
  }

  void complete(std::uint64_t p) {
    sim_.cancel(timeouts_[p]);  // false when the timeout already fired
    start_job(p);
    count();
  }
  void timeout(std::uint64_t) {
    ++timeouts_fired_;
    count();
  }

  std::uint64_t timeouts_fired() const { return timeouts_fired_; }

 private:
  void start_job(std::uint64_t p) {
    sim_.schedule_in<&CancelModel::complete>(sim::to_time(rng_.exponential(kMeanNs)), this, p);
    timeouts_[p] = sim_.schedule_in<&CancelModel::timeout>(kTimeout, this, p);
  }
  void count() {
    if (--budget_ == 0) sim_.stop();
  }
  sim::Simulation& sim_;
  sim::RandomStream rng_;
  std::vector<sim::EventHandle> timeouts_;
  std::int64_t budget_ = 0;
  std::uint64_t timeouts_fired_ = 0;
};

void BM_SimHoldCancel(benchmark::State& state) {
  const std::int64_t processes = state.range(0);
  sim::Simulation s(42);
  CancelModel model(s, processes);
  model.prefill();
  model.run(std::max<std::int64_t>(4 * processes, 500000));  // warm-up
  const std::uint64_t fired0 = s.events_fired();
  const std::uint64_t timeouts0 = model.timeouts_fired();
  for (auto _ : state) model.run(kBatch);
  const auto fired = static_cast<double>(s.events_fired() - fired0);
  state.SetItemsProcessed(static_cast<std::int64_t>(fired));
  state.counters["live"] = static_cast<double>(s.pending_events());
  state.counters["timeout_frac"] = static_cast<double>(model.timeouts_fired() - timeouts0) / fired;
}
BENCHMARK(BM_SimHoldCancel)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------
// BASELINE (a): std::priority_queue of POD {time, seq}, std::mt19937_64 +
// std::exponential_distribution. Not used by the simulator.

struct PodEvent {
  std::int64_t time;
  std::uint64_t seq;
  friend bool operator>(const PodEvent& a, const PodEvent& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};

void BASELINE_StdPriorityQueueHold(benchmark::State& state) {
  const std::int64_t pending = state.range(0);
  std::priority_queue<PodEvent, std::vector<PodEvent>, std::greater<PodEvent>> q;
  std::mt19937_64 gen(42);
  std::exponential_distribution<double> exp_dist(1.0 / kMeanNs);
  std::uint64_t seq = 0;
  for (std::int64_t i = 0; i < pending; ++i) q.push(PodEvent{sim::to_time(exp_dist(gen)), ++seq});
  auto hold = [&](std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t now = q.top().time;
      q.pop();
      q.push(PodEvent{now + sim::to_time(exp_dist(gen)), ++seq});
    }
  };
  hold(warmup_events(pending));
  for (auto _ : state) hold(kBatch);
  benchmark::DoNotOptimize(q.top());
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BASELINE_StdPriorityQueueHold)->Apply(hold_sizes);

// ---------------------------------------------------------------------------
// BASELINE (b): 4-ary implicit min-heap of 24-byte {time, seq, slot} entries,
// sim::RandomStream. Not used by the simulator.

struct HeapEntry {
  std::int64_t time;
  std::uint64_t seq;
  std::uint32_t slot;
};
static_assert(sizeof(HeapEntry) == 24);

class FourAryHeap {
 public:
  bool empty() const { return h_.empty(); }
  const HeapEntry& top() const { return h_.front(); }
  void push(const HeapEntry& e) {
    std::size_t i = h_.size();
    h_.push_back(e);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 4;
      if (!less(e, h_[parent])) break;
      h_[i] = h_[parent];
      i = parent;
    }
    h_[i] = e;
  }
  void pop() {
    const HeapEntry last = h_.back();
    h_.pop_back();
    const std::size_t n = h_.size();
    if (n == 0) return;
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = 4 * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + 4 < n ? first + 4 : n;
      for (std::size_t c = first + 1; c < end; ++c)
        if (less(h_[c], h_[best])) best = c;
      if (!less(h_[best], last)) break;
      h_[i] = h_[best];
      i = best;
    }
    h_[i] = last;
  }

 private:
  static bool less(const HeapEntry& a, const HeapEntry& b) {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  }
  std::vector<HeapEntry> h_;
};

void BASELINE_FourAryHeapHold(benchmark::State& state) {
  const std::int64_t pending = state.range(0);
  FourAryHeap q;
  sim::RandomStream rng(42, 0, "hold");
  std::uint64_t seq = 0;
  for (std::int64_t i = 0; i < pending; ++i)
    q.push(HeapEntry{sim::to_time(rng.exponential(kMeanNs)), ++seq, static_cast<std::uint32_t>(i)});
  auto hold = [&](std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
      const HeapEntry e = q.top();
      q.pop();
      q.push(HeapEntry{e.time + sim::to_time(rng.exponential(kMeanNs)), ++seq, e.slot});
    }
  };
  hold(warmup_events(pending));
  for (auto _ : state) hold(kBatch);
  benchmark::DoNotOptimize(q.top());
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BASELINE_FourAryHeapHold)->Apply(hold_sizes);

}  // namespace

BENCHMARK_MAIN();
