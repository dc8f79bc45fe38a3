// Resources requests wait for: servers with known service times (FCFS CPU
// cores, NIC directions, disk channels), processor-sharing CPUs, and counted
// slots (workers, connections, maxconn) with FIFO waiting.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "models/request.hpp"
#include "sim/callback.hpp"
#include "sim/simulation.hpp"
#include "sim/statistics.hpp"

namespace models {

// c identical FCFS servers whose service times are known on arrival. Jobs are
// assigned, in arrival order, to the server that frees up first (Lindley's
// recursion), which is exactly a FCFS queue in front of c servers; so the
// completion time is known at once and a job costs one event, not three.
class FcfsStation {
 public:
  explicit FcfsStation(int servers = 1);

  struct Slot {
    Time start;
    Time finish;
  };
  // A job that may start no earlier than `earliest` and needs `service`.
  Slot reserve(Time earliest, Time service);

  int servers() const { return static_cast<int>(free_at_.size()); }
  // Utilization since the last reset, over [reset time, now].
  double utilization(Time now) const;
  void reset(Time now);
  // Server-time spent serving over [0, now], whatever the resets.
  double busy_time(Time now) const { return busy_total_ - committed_after(now); }
  // Drops all work not done by now (the machine died).
  void clear(Time now);

 private:
  double committed_after(Time now) const;

  std::vector<Time> free_at_;
  double busy_ = 0.0;        // service time committed since the reset
  double busy_total_ = 0.0;  // service time committed since the start
  Time window_start_ = 0;
};

// A CPU: `cores` cores at relative `speed`. Work is given in nanoseconds of
// CPU time at speed 1.0; `done` runs when the job has received all of it.
class Cpu {
 public:
  virtual ~Cpu() = default;
  virtual void submit(double work, sim::Callback done) = 0;
  virtual double utilization(Time now) const = 0;
  virtual void reset(Time now) = 0;
  // Core-time spent busy over [0, now], whatever the resets (time series).
  virtual double busy_core_time(Time now) const = 0;
  virtual int cores() const = 0;
  // Gray failure: the CPU runs `factor` times slower (1 = normal).
  virtual void set_slowdown(double factor) = 0;
  // The machine died: all work in progress is dropped.
  virtual void clear() = 0;
};

class FcfsCpu final : public Cpu {
 public:
  FcfsCpu(sim::Simulation& sim, int cores, double speed);
  void submit(double work, sim::Callback done) override;
  double utilization(Time now) const override { return station_.utilization(now); }
  void reset(Time now) override { station_.reset(now); }
  double busy_core_time(Time now) const override { return station_.busy_time(now); }
  int cores() const override { return station_.servers(); }
  // Jobs already started keep their completion time.
  void set_slowdown(double factor) override { effective_speed_ = speed_ / factor; }
  void clear() override;

 private:
  sim::Simulation& sim_;
  FcfsStation station_;
  double speed_;
  double effective_speed_;
};

// Processor sharing over all cores, as an OS time-shares: with n jobs present
// each progresses at speed * min(1, cores / n). Tracked with a virtual clock
// (work received by every job so far), so a change in n costs O(log n) and
// only the earliest completion is ever scheduled.
class PsCpu final : public Cpu {
 public:
  PsCpu(sim::Simulation& sim, int cores, double speed);
  void submit(double work, sim::Callback done) override;
  double utilization(Time now) const override;
  void reset(Time now) override { busy_cores_.reset(now); }
  double busy_core_time(Time now) const override { return busy_cores_since_start_.integral(now); }
  int cores() const override { return cores_; }
  void set_slowdown(double factor) override;
  void clear() override;

  void on_completion(std::uint64_t);

 private:
  struct Job {
    double finish;  // virtual time at which the job is done
    std::uint64_t seq;
    sim::Callback done;
  };
  struct Later {
    bool operator()(const Job& a, const Job& b) const {
      return a.finish != b.finish ? a.finish > b.finish : a.seq > b.seq;
    }
  };
  double rate() const;  // work (ns at speed 1.0) each job receives per ns now
  void advance();
  void reschedule();
  void set_busy_cores();

  sim::Simulation& sim_;
  int cores_;
  double base_speed_;
  double speed_;
  std::vector<Job> jobs_;  // min-heap on (finish, seq)
  double virtual_now_ = 0.0;
  Time last_update_ = 0;
  std::uint64_t next_seq_ = 0;
  sim::EventHandle completion_;
  Time completion_time_ = 0;
  sim::TimeWeighted busy_cores_;             // reset at the warm-up
  sim::TimeWeighted busy_cores_since_start_;  // never reset
  std::vector<sim::Callback> finished_scratch_;  // reused: no allocation per completion
};

// Counted slots with a FIFO queue: workers, connection pools, maxconn. A
// waiter that times out leaves the queue (lazily: its token no longer
// matches). Grants run the owner's continuation synchronously.
class SlotPool {
 public:
  struct Config {
    int capacity = 0;       // 0 = unlimited
    int queue_limit = -1;   // -1 = unlimited, 0 = no queue
    Time timeout = 0;       // in queue; 0 = wait forever
  };
  SlotPool() = default;
  SlotPool(sim::Simulation& sim, RequestPool& requests, Config config,
           sim::Callback on_grant, sim::Callback on_timeout);

  enum class Result { kGranted, kQueued, kRejected };
  // on_grant/on_timeout are called with the request id as argument.
  Result acquire(RequestId id, int units = 1);
  void release(int units = 1);
  // The request leaves the queue without a slot (it failed elsewhere).
  void abandon(RequestId id);

  void on_timeout(std::uint64_t id);

  int in_use() const { return in_use_; }
  int waiting() const { return waiting_; }
  bool unlimited() const { return config_.capacity == 0; }
  const Config& config() const { return config_; }

 private:
  struct Waiter {
    RequestId id;
    std::uint32_t token;
    int units;
  };
  bool has_room(int units) const { return config_.capacity == 0 || in_use_ + units <= config_.capacity; }
  void grant_waiters();

  sim::Simulation* sim_ = nullptr;
  RequestPool* requests_ = nullptr;
  Config config_;
  sim::Callback on_grant_;
  sim::Callback on_timeout_;
  int in_use_ = 0;
  int waiting_ = 0;
  std::uint32_t next_token_ = 0;
  std::deque<Waiter> queue_;
};

}  // namespace models
