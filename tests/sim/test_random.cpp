#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace sim {
namespace {

std::vector<std::uint64_t> draws(RandomStream stream, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(stream.next_u64());
  return out;
}

// Positions where two sequences agree; for independent 64-bit streams the
// chance of even one is about n / 2^64.
int agreements(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  int same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return same;
}

TEST(RandomStream, SameSeedReplicationAndNameGiveTheSameSequence) {
  EXPECT_EQ(draws(RandomStream(7, 2, "arrivals"), 1000),
            draws(RandomStream(7, 2, "arrivals"), 1000));
}

TEST(RandomStream, AnyDifferenceInSeedReplicationOrNameGivesAnotherSequence) {
  const auto base = draws(RandomStream(7, 2, "arrivals"), 1000);
  EXPECT_EQ(agreements(base, draws(RandomStream(7, 2, "arrival"), 1000)), 0);
  EXPECT_EQ(agreements(base, draws(RandomStream(7, 2, "service"), 1000)), 0);
  EXPECT_EQ(agreements(base, draws(RandomStream(7, 3, "arrivals"), 1000)), 0);
  EXPECT_EQ(agreements(base, draws(RandomStream(8, 2, "arrivals"), 1000)), 0);
  EXPECT_EQ(agreements(base, draws(RandomStream(7, 2, ""), 1000)), 0);
}

// Pins the streams: a change here silently changes every published result, so
// it must be deliberate (update these values and say so in the change log).
TEST(RandomStream, SequencesAreStableAcrossVersions) {
  EXPECT_EQ(draws(RandomStream(1, 0, "arrivals"), 3),
            (std::vector<std::uint64_t>{0x0de3584533a6d5e2ULL, 0x77ee229db2acbd17ULL,
                                        0x9bd245e6ec441151ULL}));
  EXPECT_EQ(draws(RandomStream(42, 3, "db"), 3),
            (std::vector<std::uint64_t>{0x16ef992ad20b8bffULL, 0xe95f59ebbb996f7cULL,
                                        0x65ec4589f707bef1ULL}));
}

TEST(RandomStream, SimulationStreamsDependOnlyOnSeedReplicationAndName) {
  const Simulation sim(9, 4);
  EXPECT_EQ(draws(sim.stream("web"), 100), draws(RandomStream(9, 4, "web"), 100));
}

constexpr int kDraws = 1'000'000;

TEST(RandomStream, UniformsStayInRangeAndAverageOneHalf) {
  RandomStream rng(3, 0, "uniform");
  double sum = 0.0, open_sum = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    const double v = rng.uniform_open0();
    ASSERT_GT(v, 0.0);
    ASSERT_LE(v, 1.0);
    open_sum += v;
  }
  // Standard error of the mean of n uniforms: sqrt(1/12 / n) = 2.9e-4 for n = 1e6;
  // allow 5 of them.
  const double tolerance = 5.0 * std::sqrt(1.0 / 12.0 / kDraws);
  EXPECT_NEAR(sum / kDraws, 0.5, tolerance);
  EXPECT_NEAR(open_sum / kDraws, 0.5, tolerance);
}

TEST(RandomStream, BelowIsInRangeAndEvenlySpread) {
  RandomStream rng(3, 0, "below");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(rng.below(1), 0u);
  constexpr int kBins = 10;
  std::vector<int> counts(kBins, 0);
  for (int i = 0; i < kDraws; ++i) {
    const auto k = rng.below(kBins);
    ASSERT_LT(k, static_cast<std::uint64_t>(kBins));
    ++counts[k];
  }
  // Each count is binomial(n, 1/10): standard deviation sqrt(n * 0.1 * 0.9) = 300
  // for n = 1e6; allow 5 of them.
  const double tolerance = 5.0 * std::sqrt(kDraws * 0.1 * 0.9);
  for (int c : counts) EXPECT_NEAR(c, kDraws / kBins, tolerance);
}

TEST(RandomStream, ExponentialHasTheRequestedMean) {
  RandomStream rng(3, 0, "exponential");
  double sum = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = rng.exponential(2.5);
    ASSERT_GE(x, 0.0);
    sum += x;
  }
  // The standard deviation equals the mean: standard error 2.5 / sqrt(1e6) = 0.0025.
  EXPECT_NEAR(sum / kDraws, 2.5, 5.0 * 2.5 / std::sqrt(kDraws));
}

TEST(RandomStream, StandardNormalHasMeanZeroAndVarianceOne) {
  RandomStream rng(3, 0, "normal");
  double sum = 0.0, squares = 0.0;
  int beyond_3 = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double z = rng.standard_normal();
    sum += z;
    squares += z * z;
    beyond_3 += std::abs(z) > 3.0;
  }
  // Standard errors for n = 1e6: mean 1/sqrt(n) = 0.001; mean of z^2 (variance 2)
  // sqrt(2/n) = 0.0014; count beyond 3 sigma, binomial with p = 0.0027,
  // sqrt(n p (1 - p)) = 52. Allow 5 of each.
  EXPECT_NEAR(sum / kDraws, 0.0, 5.0 / std::sqrt(kDraws));
  EXPECT_NEAR(squares / kDraws, 1.0, 5.0 * std::sqrt(2.0 / kDraws));
  const double p = 0.0026998;  // P(|Z| > 3)
  EXPECT_NEAR(beyond_3, p * kDraws, 5.0 * std::sqrt(kDraws * p * (1 - p)));
}

}  // namespace
}  // namespace sim
