#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "sim/callback.hpp"
#include "sim/event_queue.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace sim {
namespace {

void noop(void*, std::uint64_t) {}

std::vector<std::uint64_t> drain(EventQueue& queue, std::vector<Time>* times = nullptr) {
  std::vector<std::uint64_t> args;
  FiredEvent event;
  while (queue.pop(kNever, event)) {
    args.push_back(event.arg);
    if (times) times->push_back(event.time);
  }
  return args;
}

TEST(EventQueue, SimultaneousEventsPopInInsertionOrder) {
  EventQueue queue;
  // Interleave other times so that the events at 42 reach the front through
  // different buckets.
  std::vector<std::uint64_t> expected_at_42;
  for (std::uint64_t i = 0; i < 300; ++i) {
    const Time t = i % 3 == 0 ? 42 : i % 3 == 1 ? 7 : 1'000'000;
    queue.push(t, noop, nullptr, i);
    if (t == 42) expected_at_42.push_back(i);
  }
  std::vector<Time> times;
  const auto args = drain(queue, &times);
  ASSERT_EQ(args.size(), 300u);
  std::vector<std::uint64_t> at_42;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(times[i - 1], times[i]);
      // Arguments were pushed in increasing order.
      if (times[i - 1] == times[i]) {
        EXPECT_LT(args[i - 1], args[i]);
      }
    }
    if (times[i] == 42) at_42.push_back(args[i]);
  }
  EXPECT_EQ(at_42, expected_at_42);
}

TEST(EventQueue, DrainsRandomPushesInStableSortedOrder) {
  RandomStream rng(17, 0, "event-queue-sorted");
  EventQueue queue;
  std::vector<std::pair<Time, std::uint64_t>> expected;
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    // Few distinct small times make ties; the rest spread over 40 bits.
    const Time t =
        static_cast<Time>(rng.below(2) ? rng.below(64) : rng.below(std::uint64_t{1} << 40));
    queue.push(t, noop, nullptr, i);
    expected.emplace_back(t, i);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Time> times;
  const auto args = drain(queue, &times);
  ASSERT_EQ(args.size(), expected.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    ASSERT_EQ(times[i], expected[i].first) << i;
    ASSERT_EQ(args[i], expected[i].second) << i;
  }
}

TEST(EventQueue, EventsPushedAtTheCurrentTimeGoAfterThoseAlreadyThere) {
  EventQueue queue;
  queue.push(10, noop, nullptr, 1);
  queue.push(10, noop, nullptr, 2);
  queue.push(20, noop, nullptr, 9);
  FiredEvent event;
  ASSERT_TRUE(queue.pop(kNever, event));
  EXPECT_EQ(event.arg, 1u);
  queue.push(10, noop, nullptr, 3);  // at "now", as a handler would
  EXPECT_EQ(drain(queue), (std::vector<std::uint64_t>{2, 3, 9}));
}

TEST(EventQueue, ManySimultaneousEventsAtTheCurrentTimeKeepTheirOrderCheaply) {
  // A million users starting at once: events pushed at the current time.
  // Were each inserted past every earlier tie, as before a fuzzer found it,
  // this would move 5e11 entries, well past the suite's 300-s limit even in
  // a release build; it takes under a second. Ties already in the front
  // (pushed before the clock got there) go first.
  constexpr std::uint64_t kUsers = 1'000'000;
  EventQueue queue;
  queue.push(5, noop, nullptr, 0);
  for (std::uint64_t i = 1; i <= 3; ++i) queue.push(7, noop, nullptr, i);
  queue.push(9, noop, nullptr, kUsers + 10);
  FiredEvent event;
  ASSERT_TRUE(queue.pop(kNever, event));
  ASSERT_EQ(event.time, 5);
  ASSERT_TRUE(queue.pop(kNever, event));  // the clock reaches 7
  ASSERT_EQ(event.arg, 1u);
  for (std::uint64_t i = 4; i < kUsers; ++i) queue.push(7, noop, nullptr, i);
  EXPECT_EQ(queue.peek_time(), 7);
  std::vector<Time> times;
  const auto order = drain(queue, &times);
  ASSERT_EQ(order.size(), kUsers - 1);
  for (std::uint64_t i = 0; i + 1 < order.size(); ++i) {
    ASSERT_EQ(order[i], i + 2) << i;
    ASSERT_EQ(times[i], 7) << i;
  }
  EXPECT_EQ(order.back(), kUsers + 10);
}

TEST(EventQueue, PopRespectsTheLimitAndPeekReportsTheNextTime) {
  EventQueue queue;
  EXPECT_EQ(queue.peek_time(), kNever);
  queue.push(10, noop, nullptr, 1);
  queue.push(30, noop, nullptr, 2);
  EXPECT_EQ(queue.peek_time(), 10);
  FiredEvent event;
  EXPECT_FALSE(queue.pop(9, event));
  ASSERT_TRUE(queue.pop(10, event));
  EXPECT_EQ(event.time, 10);
  EXPECT_FALSE(queue.pop(20, event));
  EXPECT_EQ(queue.size(), 1u);
  // The queue did not move past the limit, so 25 (>= 20) may still be scheduled.
  queue.push(25, noop, nullptr, 3);
  EXPECT_EQ(queue.peek_time(), 25);
  std::vector<Time> times;
  EXPECT_EQ(drain(queue, &times), (std::vector<std::uint64_t>{3, 2}));
  EXPECT_EQ(times, (std::vector<Time>{25, 30}));
}

TEST(EventQueue, PopCarriesTheCallbackData) {
  EventQueue queue;
  int target = 0;
  queue.push(5, noop, &target, 77);
  FiredEvent event;
  ASSERT_TRUE(queue.pop(kNever, event));
  EXPECT_EQ(event.time, 5);
  EXPECT_EQ(event.fn, &noop);
  EXPECT_EQ(event.target, &target);
  EXPECT_EQ(event.arg, 77u);
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, CancelledEventsNeverPop) {
  EventQueue queue;
  std::vector<EventHandle> handles;
  for (std::uint64_t i = 0; i < 10; ++i)
    handles.push_back(queue.push(100 + i % 3, noop, nullptr, i));
  for (std::uint64_t i = 0; i < 10; i += 2) EXPECT_TRUE(queue.cancel(handles[i]));
  EXPECT_EQ(queue.size(), 5u);
  // Left: time 100: 3, 9; time 101: 1, 7; time 102: 5.
  EXPECT_EQ(drain(queue), (std::vector<std::uint64_t>{3, 9, 1, 7, 5}));
}

TEST(EventQueue, CancelFailsWhenNullFiredOrAlreadyCancelled) {
  EventQueue queue;
  EventHandle null_handle;
  EXPECT_TRUE(null_handle.is_null());
  EXPECT_FALSE(queue.cancel(null_handle));

  EventHandle first = queue.push(10, noop, nullptr, 1);
  const EventHandle first_copy = first;  // handles are values
  EXPECT_TRUE(queue.is_pending(first));
  EXPECT_TRUE(queue.cancel(first));
  EXPECT_TRUE(first.is_null());
  EXPECT_FALSE(queue.cancel(first));
  EventHandle copy = first_copy;
  EXPECT_FALSE(queue.is_pending(copy));
  EXPECT_FALSE(queue.cancel(copy));

  // The freed slot is reused; the stale copy must not reach the new event.
  EventHandle second = queue.push(10, noop, nullptr, 2);
  copy = first_copy;
  EXPECT_FALSE(queue.cancel(copy));
  EXPECT_TRUE(queue.is_pending(second));

  FiredEvent event;
  ASSERT_TRUE(queue.pop(kNever, event));
  EXPECT_EQ(event.arg, 2u);
  EXPECT_FALSE(queue.is_pending(second));
  EXPECT_FALSE(queue.cancel(second));
  EXPECT_EQ(queue.size(), 0u);
}

TEST(EventQueue, HandlesTimesNearTheTopOfTheRange) {
  EventQueue queue;
  const Time top = kNever - 1;
  queue.push(top, noop, nullptr, 1);
  queue.push(Time{1} << 62, noop, nullptr, 2);
  queue.push(0, noop, nullptr, 3);
  queue.push(top, noop, nullptr, 4);
  queue.push((Time{1} << 62) + 1, noop, nullptr, 5);
  std::vector<Time> times;
  EXPECT_EQ(drain(queue, &times), (std::vector<std::uint64_t>{3, 2, 5, 1, 4}));
  EXPECT_EQ(times.back(), top);
}

// Interleaved pushes, pops (with and without limits), peeks and cancels,
// checked step by step against a std::multimap, which keeps equal keys in
// insertion order: exactly the (time, sequence) order the queue promises.
// `delay` draws how far ahead of the clock a push goes; `push_percent` of
// the operations push (15% cancel, 5% peek, the rest pop).
template <class Delay>
void check_against_reference(const char* stream, Delay delay, std::uint64_t push_percent) {
  using Reference = std::multimap<Time, std::uint64_t>;
  RandomStream rng(2024, 0, stream);
  EventQueue queue;
  Reference reference;
  std::vector<EventHandle> handles;                         // by event id
  std::vector<std::optional<Reference::iterator>> pending;  // by event id; empty once gone
  Time now = 0;
  std::uint64_t pops = 0, cancels = 0, refused_cancels = 0;
  for (int step = 0; step < 400'000; ++step) {
    const auto op = rng.below(100);
    if (op < push_percent) {
      const Time t = now + delay(rng);
      const std::uint64_t id = handles.size();
      handles.push_back(queue.push(t, noop, nullptr, id));
      pending.push_back(reference.emplace(t, id));
    } else if (op < push_percent + 15 && !handles.empty()) {
      const auto id = rng.below(handles.size());
      EventHandle copy = handles[id];
      const bool expected = pending[id].has_value();
      ASSERT_EQ(queue.is_pending(copy), expected) << "step " << step;
      ASSERT_EQ(queue.cancel(copy), expected) << "step " << step;
      if (expected) {
        reference.erase(*pending[id]);
        pending[id].reset();
        ++cancels;
      } else {
        ++refused_cancels;
      }
    } else if (op < push_percent + 20) {
      ASSERT_EQ(queue.peek_time(), reference.empty() ? kNever : reference.begin()->first)
          << "step " << step;
    } else {
      const Time limit = rng.below(3) == 0 ? kNever : now + delay(rng);
      FiredEvent event;
      const bool expected = !reference.empty() && reference.begin()->first <= limit;
      ASSERT_EQ(queue.pop(limit, event), expected) << "step " << step;
      if (expected) {
        ASSERT_EQ(event.time, reference.begin()->first) << "step " << step;
        ASSERT_EQ(event.arg, reference.begin()->second) << "step " << step;
        pending[event.arg].reset();
        reference.erase(reference.begin());
        now = event.time;
        ++pops;
      } else if (limit != kNever) {
        now = limit;  // like Simulation::run_until, move the clock to the limit
      }
    }
    ASSERT_EQ(queue.size(), reference.size()) << "step " << step;
  }
  std::vector<Time> times;
  const auto rest = drain(queue, &times);
  ASSERT_EQ(rest.size(), reference.size());
  auto it = reference.begin();
  for (std::size_t i = 0; i < rest.size(); ++i, ++it) {
    ASSERT_EQ(times[i], it->first);
    ASSERT_EQ(rest[i], it->second);
  }
  // The mix really exercised every operation.
  EXPECT_GT(pops, 50'000u);
  EXPECT_GT(cancels, 5'000u);
  EXPECT_GT(refused_cancels, 10'000u);
}

TEST(EventQueue, MatchesAReferenceUnderRandomOperations) {
  // Zero delays make ties; the others exercise low, middle and high buckets.
  // Pushes outnumber pops, so tens of thousands of events end up pending.
  check_against_reference(
      "event-queue-reference",
      [](RandomStream& rng) -> Time {
        switch (rng.below(4)) {
          case 0:
            return 0;
          case 1:
            return static_cast<Time>(rng.below(16));
          case 2:
            return static_cast<Time>(rng.below(1'000'000));
          default:
            return static_cast<Time>(rng.below(std::uint64_t{1} << (1 + rng.below(44))));
        }
      },
      45);
}

TEST(EventQueue, MatchesAReferenceWhenMostEventsAreDueSoon) {
  // Pushes and pops balance, so few events are pending and most pushes land
  // among the next few to fire, within the sorted front's range; with many
  // ties.
  check_against_reference(
      "event-queue-reference-near",
      [](RandomStream& rng) -> Time {
        if (rng.below(100) == 0) return static_cast<Time>(rng.below(std::uint64_t{1} << 40));
        return static_cast<Time>(rng.below(rng.below(2) == 0 ? 8 : 200'000));
      },
      40);
}

TEST(EventQueue, KeepsOrderWhenBurstsOverflowTheFront) {
  // After the first pop the front covers [64, 128): a burst of pushes into
  // that range overflows it several times over, ties included.
  EventQueue queue;
  std::multimap<Time, std::uint64_t> reference;
  RandomStream rng(7, 0, "event-queue-burst");
  std::uint64_t id = 0;
  queue.push(100, noop, nullptr, id);
  FiredEvent event;
  ASSERT_TRUE(queue.pop(kNever, event));
  for (id = 1; id <= 2000; ++id) {
    const Time t = id % 50 == 0 ? 100 + static_cast<Time>(rng.below(1'000'000)) : 100 + static_cast<Time>(rng.below(28));
    queue.push(t, noop, nullptr, id);
    reference.emplace(t, id);
  }
  std::vector<Time> times;
  const auto order = drain(queue, &times);
  ASSERT_EQ(order.size(), reference.size());
  auto it = reference.begin();
  for (std::size_t i = 0; i < order.size(); ++i, ++it) {
    ASSERT_EQ(times[i], it->first) << i;
    ASSERT_EQ(order[i], it->second) << i;
  }
}

struct Recorder {
  Simulation* sim;
  std::vector<std::pair<Time, std::uint64_t>> fired;
  void on_event(std::uint64_t arg) { fired.emplace_back(sim->now(), arg); }
  void stop_here(std::uint64_t arg) {
    on_event(arg);
    sim->stop();
  }
  // Schedules arg + 1 at the current time, once.
  void echo(std::uint64_t arg) {
    on_event(arg);
    if (arg % 2 == 0) sim->schedule_in<&Recorder::echo>(0, this, arg + 1);
  }
};

using Trace = std::vector<std::pair<Time, std::uint64_t>>;

TEST(Simulation, SimultaneousEventsFireInSchedulingOrder) {
  Simulation sim;
  Recorder r{&sim, {}};
  for (std::uint64_t i = 0; i < 50; ++i) {
    sim.schedule_at<&Recorder::on_event>(i % 2 ? 100 : 60, &r, i);
  }
  sim.run_until(1000);
  ASSERT_EQ(r.fired.size(), 50u);
  for (std::size_t i = 0; i < 25; ++i) {
    EXPECT_EQ(r.fired[i], (std::pair<Time, std::uint64_t>{60, 2 * i}));
    EXPECT_EQ(r.fired[25 + i], (std::pair<Time, std::uint64_t>{100, 2 * i + 1}));
  }
}

TEST(Simulation, RunUntilFiresEventsAtExactlyEndAndStopsTheClockThere) {
  Simulation sim;
  Recorder r{&sim, {}};
  sim.schedule_at<&Recorder::on_event>(99, &r, 1);
  sim.schedule_at<&Recorder::on_event>(100, &r, 2);
  sim.schedule_at<&Recorder::on_event>(101, &r, 3);
  sim.run_until(100);
  EXPECT_EQ(r.fired, (Trace{{99, 1}, {100, 2}}));
  EXPECT_EQ(sim.now(), 100);
  EXPECT_EQ(sim.pending_events(), 1u);
  EXPECT_EQ(sim.next_event_time(), 101);
  EXPECT_EQ(sim.events_fired(), 2u);
  sim.run_until(500);
  EXPECT_EQ(r.fired.back(), (std::pair<Time, std::uint64_t>{101, 3}));
  EXPECT_EQ(sim.now(), 500);
  sim.run_until(700);  // nothing pending: the clock still advances
  EXPECT_EQ(sim.now(), 700);
}

TEST(Simulation, EventsScheduledAtEndDuringTheRunStillFire) {
  Simulation sim;
  Recorder r{&sim, {}};
  sim.schedule_at<&Recorder::echo>(100, &r, 0);
  sim.schedule_at<&Recorder::on_event>(100, &r, 7);
  sim.run_until(100);
  // The echo (1) was scheduled after 7, so it fires after 7.
  EXPECT_EQ(r.fired, (Trace{{100, 0}, {100, 7}, {100, 1}}));
}

TEST(Simulation, SchedulingAfterRunUntilStartsFromTheEndTime) {
  Simulation sim;
  Recorder r{&sim, {}};
  sim.schedule_at<&Recorder::on_event>(40, &r, 1);
  sim.schedule_at<&Recorder::on_event>(1000, &r, 2);
  sim.run_until(100);
  EXPECT_EQ(sim.now(), 100);
  sim.schedule_in<&Recorder::on_event>(0, &r, 3);
  sim.schedule_at<&Recorder::on_event>(150, &r, 4);
  sim.schedule_at<&Recorder::on_event>(10, &r, 5);  // in the past: clamped to now
  sim.run_until(100);
  EXPECT_EQ(r.fired, (Trace{{40, 1}, {100, 3}, {100, 5}}));
  sim.run_until(2000);
  EXPECT_EQ(r.fired, (Trace{{40, 1}, {100, 3}, {100, 5}, {150, 4}, {1000, 2}}));
}

TEST(Simulation, StopReturnsEarlyWithTheClockAtTheStoppingEvent) {
  Simulation sim;
  Recorder r{&sim, {}};
  sim.schedule_at<&Recorder::on_event>(10, &r, 1);
  sim.schedule_at<&Recorder::stop_here>(50, &r, 2);
  sim.schedule_at<&Recorder::on_event>(50, &r, 3);
  sim.run_until(100);
  EXPECT_TRUE(sim.stopped());
  EXPECT_EQ(sim.now(), 50);
  EXPECT_EQ(r.fired, (Trace{{10, 1}, {50, 2}}));
  sim.run_until(100);  // resumes
  EXPECT_FALSE(sim.stopped());
  EXPECT_EQ(r.fired.back(), (std::pair<Time, std::uint64_t>{50, 3}));
  EXPECT_EQ(sim.now(), 100);
}

TEST(Simulation, CancelledEventsNeverFire) {
  Simulation sim;
  Recorder r{&sim, {}};
  EventHandle keep = sim.schedule_at<&Recorder::on_event>(10, &r, 1);
  EventHandle drop = sim.schedule_in<&Recorder::on_event>(20, &r, 2);
  const EventHandle drop_copy = drop;
  EXPECT_TRUE(sim.is_pending(drop));
  EXPECT_TRUE(sim.cancel(drop));
  EXPECT_FALSE(sim.cancel(drop));
  EventHandle again = drop_copy;
  EXPECT_FALSE(sim.cancel(again));
  sim.run_until(100);
  EXPECT_EQ(r.fired, (Trace{{10, 1}}));
  EXPECT_FALSE(sim.cancel(keep));  // already fired
}

TEST(Simulation, CallbacksScheduleLikeMemberFunctions) {
  Simulation sim;
  Recorder r{&sim, {}};
  sim.schedule_at(30, Callback::to<&Recorder::on_event>(&r, 5));
  sim.run_until(30);
  EXPECT_EQ(r.fired, (Trace{{30, 5}}));
}

// Three sources, each drawing exponential gaps from its own named stream, on one clock.
struct Sources {
  Simulation& sim;
  std::vector<RandomStream> streams;
  Trace trace;
  explicit Sources(Simulation& s) : sim(s) {
    for (const char* name : {"web", "db", "cache"}) streams.push_back(sim.stream(name));
    for (std::uint64_t source = 0; source < streams.size(); ++source) next(source);
  }
  void next(std::uint64_t source) {
    const Time gap = to_time(streams[source].exponential(1e6));
    sim.schedule_in<&Sources::fire>(gap, this, source);
  }
  void fire(std::uint64_t source) {
    trace.emplace_back(sim.now(), source);
    next(source);
  }
};

Trace run_sources(std::uint64_t seed) {
  Simulation sim(seed);
  Sources sources(sim);
  sim.run_until(1'000'000'000);
  return sources.trace;
}

TEST(Simulation, SameSeedGivesTheSameTrace) {
  const Trace first = run_sources(5);
  EXPECT_GT(first.size(), 2500u);  // about 3000 events: 3 sources at one per ms for 1 s
  EXPECT_EQ(first, run_sources(5));
  EXPECT_NE(first, run_sources(6));
}

}  // namespace
}  // namespace sim
