// k-of-n availability with repair against closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/binomial.hpp>

#include "analysis/availability.hpp"

namespace {

using analysis::RedundancyGroup;

constexpr sim::Time kHour = sim::kHour;

RedundancyGroup group(int n, int k, double mttf_hours, double mttr_hours, int crews) {
  return analysis::k_of_n("g", n, k, static_cast<sim::Time>(mttf_hours * kHour),
                          static_cast<sim::Time>(mttr_hours * kHour), crews);
}

// 1-of-2 with one repair crew, rho = MTTR / MTTF. Balance of the chain on
// nodes down: pi1 = (2 lambda / mu) pi0 = 2 rho pi0 and, with one crew,
// pi2 = (lambda / mu) pi1 = 2 rho^2 pi0; the pair is down only in state 2:
// A = 1 - 2 rho^2 / (1 + 2 rho + 2 rho^2)
// (e.g. Trivedi, "Probability and Statistics with Reliability, Queuing, and
// Computer Science Applications", 2nd ed. (2002), ch. 8, two-unit parallel
// system with a single repair facility).
TEST(Availability, OneOfTwoOneCrew) {
  for (const double rho : {0.5, 0.01, 1e-4}) {
    SCOPED_TRACE(rho);
    const auto a = analysis::group_availability(group(2, 1, 1000.0, 1000.0 * rho, 1));
    const double unavailable = 2 * rho * rho / (1 + 2 * rho + 2 * rho * rho);
    EXPECT_NEAR(a.unavailability, unavailable, 1e-9 * unavailable);
    EXPECT_NEAR(a.availability, 1.0 - unavailable, 1e-12);
    EXPECT_NEAR(a.state_probabilities.sum(), 1.0, 1e-12);
  }
}

// With a crew per node the nodes are independent, each up with probability
// a = MTTF / (MTTF + MTTR): A = P(Binomial(n, a) >= k).
TEST(Availability, IndependentRepairIsBinomial) {
  const double a = 500.0 / (500.0 + 4.0);
  for (const auto& [n, k] : {std::pair{3, 2}, std::pair{5, 3}, std::pair{4, 4}, std::pair{3, 1}}) {
    SCOPED_TRACE(n * 10 + k);
    const auto g = analysis::group_availability(group(n, k, 500.0, 4.0, n));
    const boost::math::binomial_distribution<double> up(n, a);
    const double unavailable = boost::math::cdf(up, k - 1.0);  // fewer than k up
    EXPECT_NEAR(g.unavailability, unavailable, 1e-9 * unavailable);
  }
}

// 2-of-3 with one crew: pi1 = 3 rho pi0, pi2 = 2 rho pi1 = 6 rho^2 pi0,
// pi3 = rho pi2 = 6 rho^3 pi0; up in states 0 and 1:
// A = (1 + 3 rho) / (1 + 3 rho + 6 rho^2 + 6 rho^3). Shared repair costs
// availability against a crew per node.
TEST(Availability, TwoOfThreeSharedCrew) {
  const double rho = 0.01;
  const auto g = analysis::group_availability(group(3, 2, 100.0, 1.0, 1));
  EXPECT_NEAR(g.availability, (1 + 3 * rho) / (1 + 3 * rho + 6 * rho * rho + 6 * rho * rho * rho), 1e-12);
  EXPECT_LT(g.availability, analysis::group_availability(group(3, 2, 100.0, 1.0, 3)).availability);
}

// Unavailabilities near 1e-15 keep their digits (1 - P(up) would keep none):
// three independent nodes with rho = 1e-5, U = (rho / (1 + rho))^3. The
// dense solve leaves a relative error near 1e-6 here; 1e-4 is ample for nines.
TEST(Availability, ManyNinesKeepPrecision) {
  const auto g = analysis::group_availability(group(3, 1, 1e5, 1.0, 3));
  const double u = std::pow(1e-5 / (1.0 + 1e-5), 3);
  EXPECT_NEAR(g.unavailability, u, 1e-4 * u);
  EXPECT_NEAR(g.nines, -std::log10(u), 1e-4);
}

// A single node: A = MTTF / (MTTF + MTTR); 999 h up, 1 h down: three nines,
// 8.766 h of downtime in a 365.25-day year, 8.766 failures a year.
TEST(Availability, SingleNodeNinesAndDowntime) {
  const auto g = analysis::group_availability(group(1, 1, 999.0, 1.0, 1));
  EXPECT_NEAR(g.availability, 0.999, 1e-12);
  EXPECT_NEAR(g.nines, 3.0, 1e-9);
  EXPECT_NEAR(g.downtime_per_year, 8.766 * 3600.0, 1e-6);
  EXPECT_NEAR(g.failures_per_year, 0.999 * 8766.0 / 999.0, 1e-9);
  EXPECT_NEAR(g.outages_per_year, g.failures_per_year, 1e-9);
}

// The failover gap is charged once per failure the group survives:
// 1-of-2, both up with pi0, failures leave state 0 at 2 pi0 / MTTF.
TEST(Availability, FailoverGapPerSurvivedFailure) {
  RedundancyGroup with_gap = group(2, 1, 1000.0, 10.0, 1);
  with_gap.modes[0].failover_gap = 30 * sim::kSecond;
  const auto base = analysis::group_availability(group(2, 1, 1000.0, 10.0, 1));
  const auto gapped = analysis::group_availability(with_gap);
  const double survived_per_second = base.state_probabilities(0) * 2.0 / (1000.0 * 3600.0);
  EXPECT_NEAR(gapped.unavailability - base.unavailability, survived_per_second * 30.0, 1e-15);
}

// In series, every tier must be up: A = product.
TEST(Availability, SeriesComposition) {
  const std::vector<RedundancyGroup> tiers{group(2, 1, 1000.0, 10.0, 1), group(1, 1, 2000.0, 2.0, 1),
                                           group(3, 2, 500.0, 5.0, 1)};
  const auto path = analysis::series_availability(tiers);
  double product = 1.0;
  for (const auto& t : tiers) product *= analysis::group_availability(t).availability;
  EXPECT_NEAR(path.availability, product, 1e-14);
  EXPECT_NEAR(path.downtime_per_year, (1.0 - product) * analysis::kSecondsPerYear, 1e-6);
  ASSERT_EQ(path.groups.size(), 3u);
}

// Units that fail in two ways, each repaired by a crew of its own (crews 0):
// the units are independent, each down with u = r / (1 + r), r = sum of
// lambda_j / mu_j (a unit up fails at lambda_1 + lambda_2; a repair takes the
// mean of its mode), so 1-of-2 is down with u^2.
TEST(Availability, TwoModesIndependentUnits) {
  RedundancyGroup g = group(2, 1, 4320.0, 4.0, 0);  // host crashes: 180 d, 4 h
  g.modes.push_back(analysis::FailureMode{"kill", 720 * kHour, 2 * sim::kMinute, 0, 0, true});  // 30 d, 2 min
  const double r = 4.0 / 4320.0 + (2.0 / 60.0) / 720.0;
  const double u = r / (1 + r);
  const auto a = analysis::group_availability(g);
  EXPECT_NEAR(a.unavailability, u * u, 1e-9 * u * u);
  EXPECT_NEAR(a.state_probabilities(1), 2 * u * (1 - u), 1e-9);
  EXPECT_TRUE(a.exact);
  EXPECT_NEAR(a.failures_per_year, 2 * (1 - u) * (1 / 4320.0 + 1 / 720.0) * 8766.0, 1e-6);
}

// Two modes with the same repair and a crew per unit are one mode with the
// summed rate; past kMaxChainStates the solver merges modes that way.
TEST(Availability, ModesWithTheSameRepairMergeExactly) {
  for (const int n : {3, 60}) {
    SCOPED_TRACE(n);
    RedundancyGroup split = group(n, n - 2, 300.0, 5.0, 0);
    split.modes.push_back(split.modes[0]);
    split.modes.push_back(split.modes[0]);
    const auto three = analysis::group_availability(split);
    const auto one = analysis::group_availability(group(n, n - 2, 100.0, 5.0, 0));
    EXPECT_NEAR(three.unavailability, one.unavailability, 1e-9 * one.unavailability);
    EXPECT_EQ(three.merged_modes, n == 60);  // C(63, 3) states
    EXPECT_EQ(three.exact, n != 60);
  }
}

// k = 0: the path survives every failure of the group and pays only gaps:
// one unit up with P = MTTF / (MTTF + MTTR) fails at 1 / MTTF.
TEST(Availability, NothingNeededCostsOnlyGaps) {
  RedundancyGroup domain = group(1, 0, 1000.0, 10.0, 0);
  domain.modes[0].failover_gap = 60 * sim::kSecond;
  const auto a = analysis::group_availability(domain);
  EXPECT_NEAR(a.unavailability, 1000.0 / 1010.0 / (1000.0 * 3600.0) * 60.0, 1e-15);
  EXPECT_EQ(a.outages_per_year, 0.0);
}

TEST(Availability, RejectsNonsense) {
  EXPECT_THROW(analysis::group_availability(group(2, 3, 10.0, 1.0, 1)), std::invalid_argument);
  EXPECT_THROW(analysis::group_availability(group(2, 1, 10.0, 1.0, -1)), std::invalid_argument);
  RedundancyGroup no_modes = group(2, 1, 10.0, 1.0, 1);
  no_modes.modes.clear();
  EXPECT_THROW(analysis::group_availability(no_modes), std::invalid_argument);
  EXPECT_THROW(analysis::group_availability(group(2, 1, 0.0, 1.0, 1)), std::invalid_argument);
}

}  // namespace
