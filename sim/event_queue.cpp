#include "sim/event_queue.hpp"

#include <algorithm>

namespace sim {

EventQueue::EventQueue() {
  bucket_min_.fill(kNever);
  slot_seq_.reserve(1024);
  free_slots_.reserve(1024);
}

void EventQueue::add_chunk(Bucket& bucket) {
  std::uint32_t c = free_chunk_;
  if (c != kNoChunk) {
    free_chunk_ = chunks_[c].next;
  } else {
    c = static_cast<std::uint32_t>(chunks_.size());
    chunks_.emplace_back();
  }
  chunks_[c].next = kNoChunk;
  if (bucket.tail == kNoChunk) {
    bucket.head = c;
  } else {
    chunks_[bucket.tail].next = c;
  }
  bucket.tail = c;
  bucket.tail_size = 0;
}

int EventQueue::lowest_occupied() const {
  for (int w = 0; w < kWords; ++w) {
    if (occupied_[w] != 0) return w * 64 + __builtin_ctzll(occupied_[w]);
  }
  return -1;
}

bool EventQueue::refill_front(Time limit) {
  if (front_head_ < front_.size()) return true;
  front_.clear();
  front_head_ = 0;
  const int b = lowest_occupied();
  if (b < 0) return false;
  const Time min_time = bucket_min_[b];
  if (min_time > limit) return false;
  last_ = min_time;
  const Bucket source = buckets_[b];
  buckets_[b] = Bucket{};
  mark_empty(b);
  // Every entry moves to a lower bucket or the front (at least one does). Each
  // source chunk goes back to the free list as soon as it is read, so the
  // moves mostly write into chunks still in cache. Entries are copied out
  // before insert(), which may grow chunks_.
  insert(source.first);
  for (std::uint32_t c = source.head; c != kNoChunk;) {
    const std::uint32_t n = c == source.tail ? source.tail_size : kChunkEntries;
    for (std::uint32_t i = 0; i < n; ++i) {
      const Entry e = chunks_[c].entries[i];
      insert(e);
    }
    const std::uint32_t next = chunks_[c].next;
    chunks_[c].next = free_chunk_;
    free_chunk_ = c;
    c = next;
  }
  // Entries reaching the front together may come from different insertion
  // paths; restore the (time, sequence) order among them.
  if (front_.size() > 1) {
    std::sort(front_.begin(), front_.end(), [](const Entry& x, const Entry& y) { return x.seq < y.seq; });
  }
  return true;
}

Time EventQueue::peek_time() {
  while (front_head_ < front_.size()) {
    if (!is_stale(front_[front_head_])) return front_[front_head_].time;
    ++front_head_;  // stale: its event was cancelled
    --stale_;
  }
  // Buckets are ordered: every time in a bucket precedes every time in the next.
  for (int w = 0; w < kWords; ++w) {
    for (std::uint64_t mask = occupied_[w]; mask != 0; mask &= mask - 1) {
      Time best = kNever;
      for_each_entry(buckets_[w * 64 + __builtin_ctzll(mask)], [&](const Entry& e) {
        if (e.time < best && !is_stale(e)) best = e.time;
      });
      if (best != kNever) return best;
    }
  }
  return kNever;
}

bool EventQueue::pop(Time limit, FiredEvent& out) {
  // With nothing pending, do not let stale entries move last_ past the
  // caller's clock (which, after pop(kNever) fails, has not moved).
  if (live_ == 0) return false;
  // With few events pending, most buckets hold one entry: pop it straight
  // from its bucket instead of moving it through the front bucket.
  while (front_head_ == front_.size()) {
    const int b = lowest_occupied();
    Bucket& bucket = buckets_[b];
    if (bucket.size != 1) break;
    const Entry& e = bucket.first;
    if (e.time > limit) return false;
    last_ = e.time;
    bucket.size = 0;  // a lone entry has no chunks
    mark_empty(b);
    if (take(e, out)) return true;
  }
  while (refill_front(limit)) {
    const Entry& e = front_[front_head_];
    // Front entries have time == last_, set under an earlier limit.
    if (!is_stale(e) && e.time > limit) return false;
    ++front_head_;
    if (take(e, out)) return true;
  }
  return false;
}

bool EventQueue::take(const Entry& e, FiredEvent& out) {
  if (is_stale(e)) {  // its event was cancelled
    --stale_;
    return false;
  }
  out = FiredEvent{e.time, e.fn, e.target, e.arg};
  release(e.slot);
  --live_;
  return true;
}

}  // namespace sim
