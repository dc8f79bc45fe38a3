// One simulation run: its clock, pending events and random streams. No global
// state: independent Simulation objects may run on different threads.
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/callback.hpp"
#include "sim/event_queue.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace sim {

class Simulation {
 public:
  explicit Simulation(std::uint64_t seed = 1, std::uint64_t replication = 0)
      : seed_(seed), replication_(replication) {}
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Time now() const { return now_; }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t replication() const { return replication_; }

  // The stream for a named component: the same name, seed and replication
  // give the same draws, whatever else exists in the run.
  RandomStream stream(std::string_view name) const { return RandomStream(seed_, replication_, name); }

  // Schedules (object->*Method)(arg) after delay (>= 0) or at time t (>= now).
  // Method is a member function taking std::uint64_t; no allocation happens.
  template <auto Method, class T>
  EventHandle schedule_in(Time delay, T* object, std::uint64_t arg = 0) {
    return queue_.push(now_ + delay, &trampoline<Method, T>, object, arg);
  }
  template <auto Method, class T>
  EventHandle schedule_at(Time t, T* object, std::uint64_t arg = 0) {
    return queue_.push(t < now_ ? now_ : t, &trampoline<Method, T>, object, arg);
  }

  EventHandle schedule_at(Time t, const Callback& callback) {
    return queue_.push(t < now_ ? now_ : t, callback.fn, callback.target, callback.arg);
  }

  bool cancel(EventHandle& handle) { return queue_.cancel(handle); }
  bool is_pending(const EventHandle& handle) const { return queue_.is_pending(handle); }

  // Fires every event with time <= end in (time, sequence) order, then sets
  // the clock to end. Returns early, clock at the last event, if stop() is called.
  void run_until(Time end);
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  std::uint64_t events_fired() const { return events_fired_; }
  std::size_t pending_events() const { return queue_.size(); }
  Time next_event_time() { return queue_.peek_time(); }

 private:
  template <auto Method, class T>
  static void trampoline(void* object, std::uint64_t arg) {
    (static_cast<T*>(object)->*Method)(arg);
  }

  EventQueue queue_;
  Time now_ = 0;
  std::uint64_t events_fired_ = 0;
  std::uint64_t seed_;
  std::uint64_t replication_;
  bool stopped_ = false;
};

}  // namespace sim
