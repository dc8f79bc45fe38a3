#include "sim/event_queue.hpp"

#include <algorithm>

namespace sim {

EventQueue::EventQueue() {
  records_.reserve(1024);
  free_slots_.reserve(1024);
}

bool EventQueue::refill_front(Time limit) {
  auto& front = buckets_[0];
  if (front_head_ < front.size()) return true;
  front.clear();
  front_head_ = 0;
  int b = std::max(lowest_nonempty_, 1);
  while (b < kBuckets && buckets_[b].empty()) ++b;
  if (b >= kBuckets) {
    lowest_nonempty_ = -1;
    return false;
  }
  lowest_nonempty_ = b;
  auto& source = buckets_[b];
  Time min_time = source.front().time;
  for (const Entry& e : source) min_time = std::min(min_time, e.time);
  if (min_time > limit) return false;
  last_ = min_time;
  lowest_nonempty_ = 0;
  for (const Entry& e : source) buckets_[bucket_of(e.time, last_)].push_back(e);
  source.clear();
  // Entries reaching bucket 0 together may come from different insertion
  // paths; restore the (time, sequence) order among them.
  if (front.size() > 1) {
    std::sort(front.begin(), front.end(), [](const Entry& x, const Entry& y) { return x.seq < y.seq; });
  }
  return true;
}

Time EventQueue::peek_time() {
  auto& front = buckets_[0];
  while (front_head_ < front.size()) {
    const Entry& e = front[front_head_];
    if (records_[e.slot].seq == e.seq) return e.time;
    ++front_head_;  // stale: its event was cancelled
  }
  // Buckets are ordered: every time in bucket b precedes every time in b + 1.
  for (int b = 1; b < kBuckets; ++b) {
    Time best = kNever;
    for (const Entry& e : buckets_[b]) {
      if (records_[e.slot].seq == e.seq && e.time < best) best = e.time;
    }
    if (best != kNever) return best;
  }
  return kNever;
}

bool EventQueue::pop(Time limit, FiredEvent& out) {
  while (refill_front(limit)) {
    const Entry e = buckets_[0][front_head_++];
    Record& r = records_[e.slot];
    if (r.seq != e.seq) continue;  // stale: its event was cancelled
    if (e.time > limit) {          // only bucket 0 entries reach here; time == last_
      --front_head_;
      return false;
    }
    out = FiredEvent{e.time, r.fn, r.target, r.arg};
    release(e.slot);
    --live_;
    return true;
  }
  return false;
}

}  // namespace sim
