#include "models/resources.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace models {

// ---------------------------------------------------------------- FcfsStation

FcfsStation::FcfsStation(int servers) : free_at_(static_cast<std::size_t>(std::max(servers, 1)), 0) {}

FcfsStation::Slot FcfsStation::reserve(Time earliest, Time service) {
  auto it = free_at_.begin();
  if (free_at_.size() > 1) it = std::min_element(free_at_.begin(), free_at_.end());
  const Time start = std::max(earliest, *it);
  // Queued work accumulates past the horizon when the station is overloaded
  // with long jobs: saturate, as "never".
  const Time finish = sim::later(start, service);
  *it = finish;
  busy_ += static_cast<double>(service);
  busy_total_ += static_cast<double>(service);
  return Slot{start, finish};
}

double FcfsStation::committed_after(Time now) const {
  // A server's queued jobs run back to back, so the work it has committed
  // after `now` is exactly free_at - now.
  double future = 0.0;
  for (Time f : free_at_) future += static_cast<double>(std::max<Time>(0, f - now));
  return future;
}

void FcfsStation::clear(Time now) {
  const double dropped = committed_after(now);
  busy_ -= dropped;
  busy_total_ -= dropped;
  for (Time& f : free_at_) f = std::min(f, now);
}

double FcfsStation::utilization(Time now) const {
  if (now <= window_start_) return 0.0;
  return (busy_ - committed_after(now)) /
         (static_cast<double>(now - window_start_) * static_cast<double>(free_at_.size()));
}

void FcfsStation::reset(Time now) {
  busy_ = committed_after(now);
  window_start_ = now;
}

// ---------------------------------------------------------------- FcfsCpu

FcfsCpu::FcfsCpu(sim::Simulation& sim, int cores, double speed)
    : sim_(sim), station_(cores), speed_(speed), effective_speed_(speed) {}

void FcfsCpu::submit(double work, sim::Callback done) {
  const auto slot = station_.reserve(sim_.now(), sim::to_time(work / effective_speed_));
  sim_.schedule_at(slot.finish, done);
}

// Completions already scheduled still fire; the requests they belong to were
// re-keyed by the crash, so they find nothing to continue.
void FcfsCpu::clear() { station_.clear(sim_.now()); }

// ---------------------------------------------------------------- PsCpu

PsCpu::PsCpu(sim::Simulation& sim, int cores, double speed)
    : sim_(sim), cores_(cores), base_speed_(speed), speed_(speed), busy_cores_(sim.now()), busy_cores_since_start_(sim.now()) {}

double PsCpu::rate() const {
  const auto n = static_cast<double>(jobs_.size());
  return n <= cores_ ? speed_ : speed_ * cores_ / n;
}

void PsCpu::advance() {
  const Time now = sim_.now();
  if (!jobs_.empty()) virtual_now_ += rate() * static_cast<double>(now - last_update_);
  last_update_ = now;
}

void PsCpu::reschedule() {
  if (jobs_.empty()) {
    sim_.cancel(completion_);
    virtual_now_ = 0.0;  // keeps the virtual clock small, hence precise
    return;
  }
  const double remaining = std::max(0.0, jobs_.front().finish - virtual_now_);
  const Time when = sim_.now() + sim::to_time(std::ceil(remaining / rate()));
  if (sim_.is_pending(completion_)) {
    if (when == completion_time_) return;
    sim_.cancel(completion_);
  }
  completion_time_ = when;
  completion_ = sim_.schedule_at<&PsCpu::on_completion>(when, this);
}

void PsCpu::submit(double work, sim::Callback done) {
  advance();
  jobs_.push_back(Job{virtual_now_ + work, next_seq_++, done});
  std::push_heap(jobs_.begin(), jobs_.end(), Later{});
  set_busy_cores();
  reschedule();
}

void PsCpu::on_completion(std::uint64_t) {
  advance();
  // Jobs whose remaining work rounds to under a picosecond are done: the
  // event time was rounded up to a whole nanosecond.
  const double tolerance = 1e-3 * rate();
  // Collect first, then call back: a callback may submit new work here.
  auto& finished = finished_scratch_;
  finished.clear();
  while (!jobs_.empty() && jobs_.front().finish <= virtual_now_ + tolerance) {
    std::pop_heap(jobs_.begin(), jobs_.end(), Later{});
    finished.push_back(jobs_.back().done);
    jobs_.pop_back();
  }
  set_busy_cores();
  reschedule();
  for (const auto& done : finished) done();
}

void PsCpu::set_slowdown(double factor) {
  advance();
  speed_ = base_speed_ / factor;
  reschedule();
}

void PsCpu::clear() {
  advance();
  jobs_.clear();
  set_busy_cores();
  reschedule();
}

void PsCpu::set_busy_cores() {
  const double busy = std::min<double>(static_cast<double>(jobs_.size()), cores_);
  busy_cores_.set(sim_.now(), busy);
  busy_cores_since_start_.set(sim_.now(), busy);
}

double PsCpu::utilization(Time now) const { return busy_cores_.mean(now) / cores_; }

// ---------------------------------------------------------------- SlotPool

SlotPool::SlotPool(sim::Simulation& sim, RequestPool& requests, Config config, sim::Callback on_grant,
                   sim::Callback on_timeout)
    : sim_(&sim), requests_(&requests), config_(config), on_grant_(on_grant), on_timeout_(on_timeout) {}

SlotPool::Result SlotPool::acquire(RequestId id, int units) {
  if (waiting_ == 0 && has_room(units)) {
    in_use_ += units;
    return Result::kGranted;
  }
  if (config_.queue_limit >= 0 && waiting_ >= config_.queue_limit) return Result::kRejected;
  Request& r = requests_->get(id);
  r.wait_token = ++next_token_;
  queue_.push_back(Waiter{id, r.wait_token, units});
  ++waiting_;
  if (config_.timeout > 0) r.wait_timer = sim_->schedule_in<&SlotPool::on_timeout>(config_.timeout, this, id);
  return Result::kQueued;
}

void SlotPool::release(int units) {
  in_use_ -= units;
  assert(in_use_ >= 0);
  grant_waiters();
}

void SlotPool::grant_waiters() {
  while (!queue_.empty()) {
    const Waiter w = queue_.front();
    Request* r = requests_->find(w.id);
    if (r == nullptr || r->wait_token != w.token) {  // timed out or gone
      queue_.pop_front();
      continue;
    }
    if (!has_room(w.units)) return;
    queue_.pop_front();
    --waiting_;
    in_use_ += w.units;
    r->wait_token = 0;
    sim_->cancel(r->wait_timer);
    sim::Callback grant = on_grant_;
    grant.arg = w.id;
    grant();
  }
}

void SlotPool::abandon(RequestId id) {
  Request& r = requests_->get(id);
  if (r.wait_token == 0) return;
  r.wait_token = 0;  // its queue entry is now stale
  sim_->cancel(r.wait_timer);
  --waiting_;
}

void SlotPool::on_timeout(std::uint64_t id) {
  Request* r = requests_->find(id);
  if (r == nullptr || r->wait_token == 0) return;
  r->wait_token = 0;
  --waiting_;
  sim::Callback timeout = on_timeout_;
  timeout.arg = id;
  timeout();
}

}  // namespace models
