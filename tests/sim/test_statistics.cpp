#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/random.hpp"
#include "sim/statistics.hpp"

namespace sim {
namespace {

using H = LatencyHistogram;

// Nearest rank of q = per_mille / 1000 among n values, in integers so that the
// reference does not share the histogram's floating-point rounding.
std::size_t nearest_rank(int per_mille, std::size_t n) {
  const std::size_t rank = (static_cast<std::size_t>(per_mille) * n + 999) / 1000;
  return std::max<std::size_t>(rank, 1);
}

// Log-uniform over [1 ns, 5 days]: every power of two in that range gets values.
std::vector<Time> log_uniform_values(std::uint64_t seed, int n) {
  RandomStream rng(seed, 0, "histogram-values");
  const double log_max = std::log(5.0 * kDay);
  std::vector<Time> values;
  for (int i = 0; i < n; ++i) values.push_back(std::llround(std::exp(log_max * rng.uniform01())));
  return values;
}

TEST(LatencyHistogram, BucketBoundsAreContiguousAndConsistentOverTheWholeRange) {
  EXPECT_EQ(H::bucket_lower(0), 0);
  EXPECT_EQ(H::bucket_index(0), 0);
  EXPECT_EQ(H::bucket_index(kNever), H::kBucketCount - 1);
  EXPECT_EQ(H::bucket_upper(H::kBucketCount - 1), kNever);  // 2^63 saturates
  for (int i = 0; i < H::kBucketCount; ++i) {
    const Time lower = H::bucket_lower(i), upper = H::bucket_upper(i);
    ASSERT_LT(lower, upper) << i;
    ASSERT_EQ(H::bucket_index(lower), i);
    ASSERT_EQ(H::bucket_index(upper - 1), i);
    if (i + 1 < H::kBucketCount) {
      ASSERT_EQ(upper, H::bucket_lower(i + 1)) << i;
    }
    // Exact below 128; above, no wider than 1/64 of the lower bound.
    if (lower < 128) {
      ASSERT_EQ(upper - lower, 1) << i;
    } else {
      ASSERT_LE(upper - lower, lower / 64) << i;
    }
  }
}

TEST(LatencyHistogram, BucketIndexIsMonotone) {
  RandomStream rng(21, 0, "monotone");
  std::vector<Time> values = {0, 1, 63, 64, 127, 128, 129, kNever - 1, kNever};
  for (int shift = 0; shift < 63; ++shift) {
    const Time p = Time{1} << shift;
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  for (int i = 0; i < 100'000; ++i)
    values.push_back(static_cast<Time>(rng.next_u64() >> (1 + rng.below(63))));
  std::sort(values.begin(), values.end());
  for (std::size_t i = 1; i < values.size(); ++i) {
    ASSERT_LE(H::bucket_index(values[i - 1]), H::bucket_index(values[i])) << values[i];
    const int index = H::bucket_index(values[i]);
    ASSERT_GE(values[i], H::bucket_lower(index));
    // upper is exclusive except in the last bucket, which also holds kNever.
    if (index + 1 < H::kBucketCount) {
      ASSERT_LT(values[i], H::bucket_upper(index));
    }
  }
}

TEST(LatencyHistogram, QuantilesWithinOnePercentOfExactSampleQuantiles) {
  constexpr int n = 200'000;
  std::vector<Time> values = log_uniform_values(1, n);
  H histogram;
  for (Time v : values) histogram.record(v);
  std::sort(values.begin(), values.end());
  ASSERT_EQ(values.front(), 1);  // the range really starts at 1 ns
  for (int per_mille : {0, 1, 10, 100, 250, 500, 750, 900, 990, 999, 1000}) {
    const double exact = static_cast<double>(values[nearest_rank(per_mille, n) - 1]);
    const double reported = histogram.quantile(per_mille / 1000.0);
    EXPECT_LE(std::abs(reported - exact), 0.01 * exact) << "q = " << per_mille / 1000.0;
  }
  EXPECT_EQ(histogram.quantile(0.0), 1.0);                                 // clamped to min
  EXPECT_EQ(histogram.quantile(1.0), static_cast<double>(values.back()));  // clamped to max
  EXPECT_GT(histogram.max(), 4 * kDay);  // and really reaches days
}

TEST(LatencyHistogram, QuantilesAreExactForSmallValues) {
  H histogram;
  for (Time v = 100; v >= 1; --v) histogram.record(v);  // order does not matter
  EXPECT_EQ(histogram.quantile(0.5), 50.0);
  EXPECT_EQ(histogram.quantile(0.07), 7.0);  // 0.07 * 100 is 7.000000000000001 in doubles
  EXPECT_EQ(histogram.quantile(0.071), 8.0);
  EXPECT_EQ(histogram.quantile(0.99), 99.0);
  EXPECT_EQ(histogram.quantile(1.0), 100.0);
  EXPECT_EQ(histogram.quantile(0.0), 1.0);
}

TEST(LatencyHistogram, CountMeanMinMaxAreExact) {
  H histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.max(), 0);
  EXPECT_EQ(histogram.quantile(0.5), 0.0);
  for (Time v = 1; v <= 1000; ++v) histogram.record(v * 1'000'003);
  EXPECT_EQ(histogram.count(), 1000u);
  EXPECT_DOUBLE_EQ(histogram.mean(), 500.5 * 1'000'003);
  EXPECT_EQ(histogram.min(), 1'000'003);
  EXPECT_EQ(histogram.max(), 1000 * 1'000'003);
}

TEST(LatencyHistogram, NegativeValuesCountAsZero) {
  H histogram;
  histogram.record(-5);
  histogram.record(10);
  EXPECT_EQ(histogram.count(), 2u);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.mean(), 5.0);
  EXPECT_EQ(histogram.quantile(0.5), 0.0);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  constexpr int n = 20'000;
  const std::vector<Time> values = log_uniform_values(2, n);
  H all, first, second;
  for (std::size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    (i % 3 == 0 ? first : second).record(values[i]);
  }
  H merged;
  merged.merge(first);  // into an empty histogram
  merged.merge(second);
  merged.merge(H());  // an empty one changes nothing
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_DOUBLE_EQ(merged.mean(), all.mean());
  // Equal answers at every rank 1..n mean equal counts in every bucket.
  for (int rank = 1; rank <= n; ++rank) {
    ASSERT_EQ(merged.quantile(static_cast<double>(rank) / n),
              all.quantile(static_cast<double>(rank) / n))
        << rank;
  }
}

TEST(LatencyHistogram, ResetForgetsEverything) {
  H histogram;
  for (Time v : {5, 500, 5'000'000}) histogram.record(v);
  histogram.reset();
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.max(), 0);
  EXPECT_EQ(histogram.quantile(1.0), 0.0);
  histogram.record(70);
  EXPECT_EQ(histogram.min(), 70);
  EXPECT_EQ(histogram.max(), 70);
  EXPECT_EQ(histogram.quantile(0.0), 70.0);
  EXPECT_EQ(histogram.quantile(1.0), 70.0);
}

TEST(TimeWeighted, AveragesOverTime) {
  TimeWeighted queue_length(100);
  EXPECT_EQ(queue_length.mean(100), 0.0);
  queue_length.set(100, 2);
  EXPECT_EQ(queue_length.mean(100), 2.0);  // no time passed: the current value
  queue_length.set(110, 4);                // 2 for 10 ns
  queue_length.add(140, -4);               // 4 for 30 ns
  EXPECT_EQ(queue_length.value(), 0.0);
  // (2 * 10 + 4 * 30 + 0 * 60) / 100
  EXPECT_DOUBLE_EQ(queue_length.mean(200), 1.4);
  EXPECT_DOUBLE_EQ(queue_length.mean(140), 3.5);  // (20 + 120) / 40
}

TEST(TimeWeighted, ResetRestartsTheAverageWithTheCurrentValue) {
  TimeWeighted busy(0);
  busy.set(0, 8);
  busy.set(50, 1);
  busy.reset(100);
  EXPECT_EQ(busy.value(), 1.0);
  EXPECT_EQ(busy.mean(100), 1.0);
  busy.set(150, 3);
  EXPECT_DOUBLE_EQ(busy.mean(200), 2.0);  // (1 * 50 + 3 * 50) / 100
}

}  // namespace
}  // namespace sim
