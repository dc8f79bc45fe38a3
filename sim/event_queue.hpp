// The pending-event set.
//
// Order: events fire by (time, insertion sequence): two events at the same
// nanosecond fire in the order they were scheduled. This total order is what
// makes runs deterministic.
//
// Structure: a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan, 1990) over the
// 64-bit time, exploiting that simulated time never goes backwards: an event is
// never scheduled before the last one popped. Bucket b holds events whose time
// differs from the last popped time first at bit b-1; equal times always share
// a bucket, and within bucket 0 (time == now) events stay in sequence order.
// Push is O(1); pop is O(1) amortized plus at most 64 moves per event over its
// life. A binary or 4-ary heap was measured slower at 100k pending events (see
// bench/event_queue_bench.cpp and the README).
//
// Handles are values (slot, sequence). Cancellation is O(1): the slot is freed
// and its sequence cleared; the stale queue entry is dropped when it surfaces.
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace sim {

using EventFn = void (*)(void* target, std::uint64_t arg);

class EventHandle {
 public:
  EventHandle() = default;
  bool is_null() const { return seq_ == 0; }

 private:
  friend class EventQueue;
  EventHandle(std::uint32_t slot, std::uint64_t seq) : slot_(slot), seq_(seq) {}
  std::uint32_t slot_ = 0;
  std::uint64_t seq_ = 0;
};

struct FiredEvent {
  Time time;
  EventFn fn;
  void* target;
  std::uint64_t arg;
};

class EventQueue {
 public:
  EventQueue();

  // Schedules fn(target, arg) at time t; t must not precede the last popped time.
  EventHandle push(Time t, EventFn fn, void* target, std::uint64_t arg) {
    assert(t >= last_);
    std::uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(records_.size());
      records_.emplace_back();
    }
    const std::uint64_t seq = ++next_seq_;
    records_[slot] = Record{fn, target, arg, seq};
    insert(Entry{t, seq, slot});
    ++live_;
    return EventHandle(slot, seq);
  }

  // Cancels a pending event. Returns false (and does nothing) when the handle is
  // null, already fired or already cancelled.
  bool cancel(EventHandle& handle) {
    if (!is_pending(handle)) return false;
    release(handle.slot_);
    --live_;
    handle = EventHandle();
    return true;
  }

  bool is_pending(const EventHandle& handle) const {
    return handle.seq_ != 0 && handle.slot_ < records_.size() &&
           records_[handle.slot_].seq == handle.seq_;
  }

  // Number of pending (not cancelled) events.
  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Time of the next pending event, or kNever.
  Time peek_time();

  // Removes the next pending event into out if its time is <= limit; false
  // when none is pending that early. The queue never advances its notion of
  // "now" past limit, so events may then be scheduled at any time >= limit.
  bool pop(Time limit, FiredEvent& out);

 private:
  struct Entry {
    Time time;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Record {
    EventFn fn = nullptr;
    void* target = nullptr;
    std::uint64_t arg = 0;
    std::uint64_t seq = 0;  // 0: free
  };
  static constexpr int kBuckets = 65;

  static int bucket_of(Time t, Time last) {
    const auto diff = static_cast<std::uint64_t>(t) ^ static_cast<std::uint64_t>(last);
    return diff == 0 ? 0 : 64 - __builtin_clzll(diff);
  }
  void insert(const Entry& e) {
    const int b = bucket_of(e.time, last_);
    buckets_[b].push_back(e);
    if (b < lowest_nonempty_ || lowest_nonempty_ < 0) lowest_nonempty_ = b;
  }
  void release(std::uint32_t slot) {
    records_[slot].seq = 0;
    free_slots_.push_back(slot);
  }
  // Makes bucket 0 non-empty by refilling it from the lowest non-empty bucket,
  // provided that bucket's earliest entry is <= limit; false otherwise.
  bool refill_front(Time limit);

  std::array<std::vector<Entry>, kBuckets> buckets_;
  std::size_t front_head_ = 0;  // bucket 0 is consumed from here (FIFO)
  int lowest_nonempty_ = -1;    // hint: no bucket below it holds entries
  Time last_ = 0;
  std::uint64_t next_seq_ = 0;
  std::size_t live_ = 0;
  std::vector<Record> records_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace sim
