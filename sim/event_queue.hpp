// The pending-event set.
//
// Order: events fire by (time, insertion sequence): two events at the same
// nanosecond fire in the order they were scheduled. This total order is what
// makes runs deterministic.
//
// Structure: a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan, 1990) over the
// 64-bit time, exploiting that simulated time never goes backwards: an event is
// never scheduled before the last one popped. This one uses 6-bit digits
// instead of single bits: relative to a reference time "last" (<= every
// queued time), an event whose time differs from last first in digit l goes
// to bucket (l, its digit l), so bucket order is time order. Each bucket also
// tracks its earliest time (cancelled entries included), so a refill is a
// single pass.
//
// In front of the buckets sits a short sorted array, the front: it holds every
// event earlier than front_limit, the end of the time range of the bucket it
// was last refilled from, so everything in it precedes everything in the
// buckets. Popping takes its earliest entry; an event pushed into its range
// is inserted in order, found by scanning from the earliest end. Most events
// a model schedules are among the next few to fire (in 3-scale-up 82% of
// pushes have at most 3 pending events before them), so that insertion moves
// a handful of entries, and most events never touch a bucket. A refill takes
// the lowest bucket whole into the front when it holds at most kFrontFill
// entries; a fuller one is first split into lower buckets, as in the plain
// radix heap; a lone entry pops straight from its bucket, leaving the rest
// of the bucket's range to the front. When pushes grow the front past
// kFrontMax, its later half goes back into buckets (lowering front_limit), so
// no insertion moves more than kFrontMax entries however many are pending.
// Events pushed for the current time (last_) cannot spill, so they bypass the
// front: they queue in arrival order in `now_`, which pops after the front's
// entries at that time (pushed earlier) and before anything later. Thousands
// of simultaneous events (closed-loop users starting together, say) then
// cost O(1) each instead of a scan past every earlier tie.
//
// Bucket entries carry the event itself (fn, target, arg), so popping reads
// no side table while no cancelled entry is queued. A bucket holds its first
// entry inline (with few events pending, most buckets hold just one) and the
// rest in a linked list of fixed-size chunks from one free list, so memory
// stays proportional to the queued entries and a refill writes into chunks it
// has just freed, which are still in cache.
// See bench/event_queue_bench.cpp for measurements against binary and 4-ary
// heaps.
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
      slot = static_cast<std::uint32_t>(slot_seq_.size());
      slot_seq_.emplace_back();
    }
    const std::uint64_t seq = ++next_seq_;
    slot_seq_[slot] = seq;
    insert(Entry{t, seq, fn, target, arg, slot});
    ++live_;
    return EventHandle(slot, seq);
  }

  // Cancels a pending event. Returns false (and does nothing) when the handle is
  // null, already fired or already cancelled.
  bool cancel(EventHandle& handle) {
    if (!is_pending(handle)) return false;
    release(handle.slot_);
    --live_;
    ++stale_;
    handle = EventHandle();
    return true;
  }

  bool is_pending(const EventHandle& handle) const {
    return handle.seq_ != 0 && handle.slot_ < slot_seq_.size() && slot_seq_[handle.slot_] == handle.seq_;
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
    EventFn fn;
    void* target;
    std::uint64_t arg;
    std::uint32_t slot;
  };

  static constexpr int kDigitBits = 6;  // 11 levels of 64 buckets: one occupancy word per level
  static constexpr int kDigits = 1 << kDigitBits;
  static constexpr int kLevels = (64 + kDigitBits - 1) / kDigitBits;
  static constexpr int kBuckets = kLevels * kDigits;  // plus the front bucket
  static constexpr int kWords = (kBuckets + 63) / 64;

  // A refill takes a bucket of at most kFrontFill entries whole into the
  // front; the front spills its later half back when it exceeds kFrontMax.
  static constexpr std::size_t kFrontFill = 32;
  static constexpr std::size_t kFrontMax = 64;

  static constexpr std::uint32_t kNoChunk = 0xffffffffu;
  static constexpr std::uint32_t kChunkEntries = 64;
  struct Chunk {
    Entry entries[kChunkEntries];
    std::uint32_t next;
  };
  // A bucket keeps its first entry inline: with few events pending most
  // buckets hold one, which then costs no chunk and one cache line. Further
  // entries go to a list of chunks, all but the tail full (none while size < 2).
  struct alignas(64) Bucket {
    Entry first;
    std::uint32_t head = kNoChunk;
    std::uint32_t tail = kNoChunk;
    std::uint32_t tail_size = 0;
    std::uint32_t size = 0;  // entries, the inline one included
  };

  // Bucket of t != last: level = highest differing digit, then t's digit there.
  static int bucket_of(Time t, Time last) {
    const auto diff = static_cast<std::uint64_t>(t) ^ static_cast<std::uint64_t>(last);
    const int level = (63 - __builtin_clzll(diff)) / kDigitBits;
    const int digit = static_cast<int>((static_cast<std::uint64_t>(t) >> (level * kDigitBits)) & (kDigits - 1));
    return level * kDigits + digit;
  }
  void insert(const Entry& e) {
    if (e.time < front_limit_) {
      if (e.time != last_) [[likely]] {
        insert_front(e);
      } else {
        push_now(e);
      }
      return;
    }
    insert_bucket(e);
  }
  // Inserts in (time, sequence) order: e carries the highest sequence so far,
  // so it goes before (nearer the back than) no entry with a time <= its own.
  void insert_front(const Entry& e) {
    std::size_t i = front_.size();
    front_.push_back(e);
    while (i > 0 && front_[i - 1].time <= e.time) {
      front_[i] = front_[i - 1];
      --i;
    }
    front_[i] = e;
    if (front_.size() > kFrontMax) spill_front();
  }
  [[gnu::always_inline]] void insert_bucket(const Entry& e) {
    const int b = bucket_of(e.time, last_);
    Bucket& bucket = buckets_[b];
    if (bucket.size++ == 0) {
      bucket.first = e;
      bucket_min_[b] = e.time;
      occupied_[b / 64] |= std::uint64_t{1} << (b % 64);
      return;
    }
    if (bucket.tail_size == kChunkEntries || bucket.tail == kNoChunk) add_chunk(bucket);
    chunks_[bucket.tail].entries[bucket.tail_size++] = e;
    if (e.time < bucket_min_[b]) bucket_min_[b] = e.time;
  }
  void release(std::uint32_t slot) {
    slot_seq_[slot] = 0;
    free_slots_.push_back(slot);
  }
  // True when the entry's event was cancelled (its slot no longer holds its sequence).
  bool is_stale(const Entry& e) const { return stale_ != 0 && slot_seq_[e.slot] != e.seq; }
  // (time, sequence) order.
  static bool earlier(const Entry& a, const Entry& b) { return a.time != b.time ? a.time < b.time : a.seq < b.seq; }

  // Bucket b holds nothing any more (its entries were taken out).
  void mark_empty(int b) {
    bucket_min_[b] = kNever;
    occupied_[b / 64] &= ~(std::uint64_t{1} << (b % 64));
  }
  // Hands a popped entry's event to out; false (the entry is dropped) when
  // the event was cancelled.
  bool take(const Entry& e, FiredEvent& out);
  // Appends an empty chunk to the bucket's list.
  void add_chunk(Bucket& bucket);
  // Calls f(entry) for each entry of the bucket, in no particular order.
  template <class F>
  void for_each_entry(const Bucket& bucket, F&& f) const {
    if (bucket.size == 0) return;
    f(bucket.first);
    for (std::uint32_t c = bucket.head; c != kNoChunk; c = chunks_[c].next) {
      const std::uint32_t n = c == bucket.tail ? bucket.tail_size : kChunkEntries;
      for (std::uint32_t i = 0; i < n; ++i) f(chunks_[c].entries[i]);
    }
  }
  int lowest_occupied() const;
  // The end (exclusive) of bucket b's time range, given a time t in it: the
  // aligned block of 64^level values that holds t. Everything in higher
  // buckets comes after it.
  static Time bucket_end(int b, Time t) {
    const int shift = (b / kDigits) * kDigitBits;
    const auto end = ((static_cast<std::uint64_t>(t) >> shift) + 1) << shift;
    return end > static_cast<std::uint64_t>(kNever) ? kNever : static_cast<Time>(end);
  }
  // Makes the front non-empty by refilling it from the lowest non-empty
  // bucket, provided that bucket's earliest entry is <= limit; false otherwise.
  bool refill_front(Time limit);
  // Queues an event pushed at last_ in now_ (out of line: most pushes are later).
  [[gnu::noinline]] void push_now(const Entry& e);
  // Moves the front's later entries back into buckets and lowers front_limit_.
  void spill_front();
  // Empties bucket b, calling f(entry) for each entry it held. Each chunk goes
  // back to the free list once read, so entries f puts in buckets mostly land
  // in chunks still in cache; f gets a copy, as it may grow chunks_.
  template <class F>
  void take_bucket(int b, F&& f) {
    const Bucket source = buckets_[b];
    buckets_[b] = Bucket{};
    mark_empty(b);
    f(Entry(source.first));
    for (std::uint32_t c = source.head; c != kNoChunk;) {
      const std::uint32_t n = c == source.tail ? source.tail_size : kChunkEntries;
      for (std::uint32_t i = 0; i < n; ++i) f(Entry(chunks_[c].entries[i]));
      const std::uint32_t next = chunks_[c].next;
      chunks_[c].next = free_chunk_;
      free_chunk_ = c;
      c = next;
    }
  }

  // Every event earlier than front_limit_, latest first: the back is next.
  std::vector<Entry> front_;
  Time front_limit_ = 1;  // > last_ always: pushes at last_ go to now_, not the front
  // Events pushed at time last_, in push order from now_head_; cleared once
  // drained (so non-empty means something waits), and always when the clock
  // moves on.
  std::vector<Entry> now_;
  std::size_t now_head_ = 0;
  std::array<Bucket, kBuckets> buckets_;
  std::array<Time, kBuckets> bucket_min_;  // earliest time queued in each bucket; kNever: empty
  std::array<std::uint64_t, kWords> occupied_{};  // bit per non-empty bucket
  std::vector<Chunk> chunks_;
  std::uint32_t free_chunk_ = kNoChunk;  // free list through Chunk::next
  Time last_ = 0;
  std::uint64_t next_seq_ = 0;
  std::size_t live_ = 0;
  std::size_t stale_ = 0;  // cancelled entries still queued
  std::vector<std::uint64_t> slot_seq_;  // sequence of the pending event in each slot; 0: free
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace sim
