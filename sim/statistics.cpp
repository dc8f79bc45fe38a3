#include "sim/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sim {

// Index layout: a value v >= 2^k, k >= kSubBucketBits, keeps its top
// kSubBucketBits + 1 bits, m = v >> (k - kSubBucketBits) in [64, 128), and
// lands in (k - kSubBucketBits) * 64 + m. Forcing bit 6 on before counting
// zeros gives shift 0 below 128, where the index is the value itself; so
// values below 128, not just below 64, have a bucket each.
int LatencyHistogram::bucket_index(Time value) {
  const auto v = static_cast<std::uint64_t>(value < 0 ? 0 : value);
  const int shift = (63 - kSubBucketBits) - __builtin_clzll(v | kSubBuckets);
  return (shift << kSubBucketBits) + static_cast<int>(v >> shift);
}

Time LatencyHistogram::bucket_lower(int index) {
  const int shift = std::max(0, (index >> kSubBucketBits) - 1);
  const auto mantissa = static_cast<std::uint64_t>(index - (shift << kSubBucketBits));
  return static_cast<Time>(mantissa << shift);
}

// The last bucket would end at 2^63, which is not a Time: its bound saturates
// at kNever, so that bucket alone also holds its upper bound.
Time LatencyHistogram::bucket_upper(int index) {
  return index + 1 < kBucketCount ? bucket_lower(index + 1) : kNever;
}

void LatencyHistogram::record(Time value) {
  if (value < 0) value = 0;
  ++counts_[static_cast<std::size_t>(bucket_index(value))];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;  // max_ starts at 0, below or equal to any value
  ++count_;
  sum_ += static_cast<std::uint64_t>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = 0;
  max_ = 0;
}

double LatencyHistogram::mean() const {
  return count_ ? static_cast<double>(static_cast<long double>(sum_) / static_cast<long double>(count_)) : 0.0;
}

double LatencyHistogram::quantile(double q) const { return at_rank(nearest_rank(q, count_)); }

std::uint64_t LatencyHistogram::nearest_rank(double q, std::uint64_t count) {
  if (count == 0) return 0;
  // A decimal q is rarely exact in binary (0.07 * 100 gives 7.000000000000001);
  // shaving a few ulps keeps such products from rounding up to the next rank.
  const double n = static_cast<double>(count);
  const double r = std::ceil(q * n * (1.0 - 4.0 * std::numeric_limits<double>::epsilon()));
  return !(r >= 1.0) ? 1 : r >= n ? count : static_cast<std::uint64_t>(r);
}

double LatencyHistogram::at_rank(std::uint64_t rank) const {
  if (count_ == 0) return 0.0;
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  int index = 0;
  while (seen + counts_[static_cast<std::size_t>(index)] < rank) {
    seen += counts_[static_cast<std::size_t>(index)];
    ++index;
  }
  // The midpoint of the integers the bucket holds: exact for one-value buckets.
  const Time lower = bucket_lower(index);
  const double middle =
      static_cast<double>(lower) + static_cast<double>(bucket_upper(index) - 1 - lower) / 2.0;
  return std::clamp(middle, static_cast<double>(min_), static_cast<double>(max_));
}

double TimeWeighted::mean(Time now) const {
  const Time elapsed = now - start_;
  if (elapsed <= 0) return value_;
  return integral(now) / static_cast<double>(elapsed);
}

}  // namespace sim
