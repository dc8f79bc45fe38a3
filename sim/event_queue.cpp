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
  const auto latest_first = [](const Entry& x, const Entry& y) { return earlier(y, x); };
  for (;;) {
    const int b = lowest_occupied();
    if (b < 0) return false;
    const Time min_time = bucket_min_[b];
    if (min_time > limit) return false;
    // Every queued time is >= min_time: it becomes the buckets' reference.
    last_ = min_time;
    const int level = b / kDigits;
    if (level == 0 || buckets_[b].size <= kFrontFill) {
      front_limit_ = bucket_end(b, min_time);
      take_bucket(b, [this](const Entry& e) { front_.push_back(e); });
      std::sort(front_.begin(), front_.end(), latest_first);
      return true;
    }
    // Too full to sort into the front: split it into lower buckets, keeping
    // the entries at min_time (at least one) for the front.
    front_limit_ = last_ + 1;
    take_bucket(b, [this](const Entry& e) {
      if (e.time == last_) {
        front_.push_back(e);
      } else {
        insert_bucket(e);
      }
    });
    std::sort(front_.begin(), front_.end(), latest_first);
    return true;
  }
}

void EventQueue::push_now(const Entry& e) { now_.push_back(e); }

void EventQueue::spill_front() {
  // Entries at or after the middle entry's time go back (ties stay together);
  // those at last_ cannot, as buckets hold only times after it.
  const Time split = std::max(front_[front_.size() / 2].time, last_ + 1);
  std::size_t n = 0;  // front_ is latest first: the spilled entries lead
  while (n < front_.size() && front_[n].time >= split) ++n;
  if (n == 0) return;
  for (std::size_t i = 0; i < n; ++i) insert_bucket(front_[i]);
  front_.erase(front_.begin(), front_.begin() + static_cast<std::ptrdiff_t>(n));
  front_limit_ = split;
}

Time EventQueue::peek_time() {
  // Anything pending is at or after last_, the time of now_'s entries.
  for (; now_head_ != now_.size(); ++now_head_) {
    if (!is_stale(now_[now_head_])) return last_;
    --stale_;
  }
  now_.clear();
  now_head_ = 0;
  while (!front_.empty()) {
    if (!is_stale(front_.back())) return front_.back().time;
    front_.pop_back();  // stale: its event was cancelled
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
  for (;;) {
    // now_'s entries follow the front's at last_, which were pushed before them.
    if (!now_.empty() && (front_.empty() || front_.back().time != last_)) [[unlikely]] {
      if (last_ > limit) return false;
      const Entry e = now_[now_head_++];
      if (now_head_ == now_.size()) {
        now_.clear();
        now_head_ = 0;
      }
      if (take(e, out)) return true;
      continue;
    }
    if (front_.empty()) {
      // A lone entry in the lowest bucket pops straight from it; the front
      // then covers what is left of that bucket's range.
      const int b = lowest_occupied();
      if (b < 0) return false;
      Bucket& bucket = buckets_[b];
      if (bucket.size == 1) {
        const Entry& e = bucket.first;
        if (e.time > limit) return false;
        last_ = e.time;
        front_limit_ = bucket_end(b, e.time);
        bucket.size = 0;  // a lone entry has no chunks
        mark_empty(b);
        if (take(e, out)) return true;
        continue;
      }
      if (!refill_front(limit)) return false;
    }
    const Entry e = front_.back();
    // Stale entries go whatever the limit.
    if (!is_stale(e) && e.time > limit) return false;
    front_.pop_back();
    if (take(e, out)) return true;
  }
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
