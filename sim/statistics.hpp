// Statistics collectors: latency histogram, time-weighted averages, counters.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace sim {

// Log-linear histogram of non-negative durations in nanoseconds.
//
// Values below 64 ns have a bucket each; above, every power of two is split
// into 64 equal sub-buckets, so a bucket is at most 1/64 of its lower bound
// wide and a quantile reported at the bucket midpoint is within 0.79% of the
// true sample quantile. Covers 0 to 2^63 ns (292 years) in 3,712 counters;
// record() is a count-leading-zeros, a shift and an increment.
//
// Hand-written (the idea is HdrHistogram's): Boost.Histogram's log axis would
// need a logarithm per record and float bucket edges; HdrHistogram has no
// Debian C++ package.
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 6;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kBucketCount = (64 - kSubBucketBits) * kSubBuckets;
  // How far a reported quantile may be from the exact sample quantile,
  // relative to it: half a bucket, buckets being at most 1/64 of their lower
  // bound wide.
  static constexpr double kRelativeResolution = 0.5 / kSubBuckets;

  void record(Time value);
  void merge(const LatencyHistogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  double mean() const;  // exact (from the running sum), 0 when empty
  Time min() const { return count_ ? min_ : 0; }
  Time max() const { return count_ ? max_ : 0; }
  // The q-quantile (0 <= q <= 1) by nearest rank: the smallest recorded
  // value v with at least ceil(q * count) values <= v, reported as its
  // bucket's midpoint clamped to [min, max]. 0 when empty.
  double quantile(double q) const;
  // The nearest rank of the q-quantile among `count` values, ceil(q * count)
  // within [1, count]: quantile(q) is at_rank(nearest_rank(q, count())).
  static std::uint64_t nearest_rank(double q, std::uint64_t count);
  // The rank-th smallest recorded value (1 <= rank <= count), reported as
  // quantile() does. 0 when empty.
  double at_rank(std::uint64_t rank) const;

  static int bucket_index(Time value);
  static Time bucket_lower(int index);
  static Time bucket_upper(int index);  // exclusive

  // Calls f with every member, for copying a histogram whole to another
  // process (experiment/wire.cpp); f may change them.
  template <class F>
  void visit_state(F&& f) {
    f(counts_, count_, sum_, min_, max_);
  }

 private:
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(kBucketCount, 0);
  std::uint64_t count_ = 0;
  // Exact: an integer add per record (long double went through the x87 unit),
  // and 2^128 ns is far beyond any run.
  unsigned __int128 sum_ = 0;
  Time min_ = 0;
  Time max_ = 0;
};

// Time average of a piecewise-constant quantity (queue length, busy cores).
class TimeWeighted {
 public:
  explicit TimeWeighted(Time start = 0) : start_(start), last_change_(start) {}
  // The quantity takes value at time now (now >= the previous change).
  void set(Time now, double value) {
    area_ += value_ * static_cast<double>(now - last_change_);
    last_change_ = now;
    value_ = value;
  }
  void add(Time now, double delta) { set(now, value_ + delta); }
  double value() const { return value_; }
  // Average over [start, now]; the current value when no time has passed.
  double mean(Time now) const;
  // The area under the quantity over [start, now].
  double integral(Time now) const { return area_ + value_ * static_cast<double>(now - last_change_); }
  // Forgets the past (warm-up): averaging restarts at now with the current value.
  void reset(Time now) {
    start_ = now;
    last_change_ = now;
    area_ = 0.0;
  }

 private:
  Time start_;
  Time last_change_;
  double value_ = 0.0;
  double area_ = 0.0;
};

}  // namespace sim
