// Validation against queueing theory. Every run uses a fixed seed, so each
// test is deterministic; tolerances are derived in the comments from the run
// length, so that a correct model fails them with negligible probability
// while a modelling error of a few percent is caught.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "scenario_fixture.hpp"

namespace {

using test_support::load;
using test_support::ms;

// Erlang's C formula: probability that an arrival waits in M/M/c.
double erlang_c(int c, double offered_load) {
  double sum = 0.0;
  double term = 1.0;  // a^k / k!
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= offered_load / (k + 1);
  }
  const double rho = offered_load / c;
  const double top = term / (1.0 - rho);
  return top / (sum + top);
}

// M/M/1 at rho = 0.8 (800/s, mean service 1 ms) for 30 simulated minutes.
// Whitt (1989, "Planning queueing simulations", Management Science 35(11))
// gives the asymptotic variance of the time-average number in system of
// M/M/1 as 2 rho (1 + rho) / (1 - rho)^4 in units of the mean service time:
// 1800 here. Over t = 1.74e6 service times (29 measured minutes) the
// standard error of L = 4 is sqrt(1800 / 1.74e6) = 0.032, i.e. 0.8%; by
// Little's law the mean sojourn time has the same relative error (measured
// over seeds 1-20: 0.88%). 4% is 4.5 standard errors.
TEST(Validation, MM1FcfsMeanAndPercentiles) {
  const auto config = load("mm1", {"workload.arrivals=poisson(800/s)"});
  const auto r = models::run_scenario(config);
  const double expected_mean_ms = 1.0 / (1000.0 - 800.0) * 1e3;  // 5 ms
  EXPECT_NEAR(ms(r.latency.mean()), expected_mean_ms, 0.04 * expected_mean_ms);
  // The sojourn time is exponential with rate mu - lambda: p = -ln(1 - q) / (mu - lambda).
  // Quantiles carry the histogram's bucket error (< 0.8%) on top of their
  // sampling error, measured over seeds 1-20 at 0.62% (p50) and 1.8% (p99);
  // 4% and 8% leave more than 4 standard errors.
  EXPECT_NEAR(ms(r.latency.quantile(0.5)), expected_mean_ms * std::log(2.0), 0.04 * expected_mean_ms * std::log(2.0));
  EXPECT_NEAR(ms(r.latency.quantile(0.99)), expected_mean_ms * std::log(100.0),
              0.08 * expected_mean_ms * std::log(100.0));
  // Utilization law: U = lambda / mu. Its error is that of the arrival count
  // and mean service (Poisson, n = 1.39e6: 0.1%).
  EXPECT_NEAR(r.nodes.at(0).cpu_utilization, 0.8, 0.005);
  // Little's law at the node: L = lambda W.
  EXPECT_NEAR(r.nodes.at(0).queue_mean, 800.0 * r.latency.mean() / 1e9, 0.01 * r.nodes.at(0).queue_mean);
}

// SLO attainment is the sojourn time's distribution function at the
// objective: with L = ln(10) / (mu - lambda) = 11.513 ms, P(T <= L) = 0.9.
// Over 20 replications of this run length one run's attainment had a
// standard deviation of 0.0017 (mean 0.9001); 0.01 is about six of them.
TEST(Validation, MM1AttainmentIsTheSojournDistribution) {
  const auto config = load("mm1", {"workload.arrivals=poisson(800/s)", "slo={latency: 11513us}"});
  const auto r = models::run_scenario(config);
  ASSERT_EQ(r.totals.failed_total(), 0u);
  EXPECT_NEAR(r.attainment(), 0.9, 0.01);
  // Without failures, goodput is the good share of the throughput.
  EXPECT_NEAR(r.goodput(), r.attainment() * r.throughput(), 1e-9 * r.throughput());
}

// Processor sharing: the M/M/1-PS mean sojourn equals the FCFS one, 1/(mu - lambda).
// Same run length and hence the same 4% tolerance as above.
TEST(Validation, MM1ProcessorSharingMean) {
  const auto config = load("mm1", {"workload.arrivals=poisson(800/s)", "machines.single.scheduling=ps"});
  const auto r = models::run_scenario(config);
  EXPECT_NEAR(ms(r.latency.mean()), 5.0, 0.04 * 5.0);
  // Under PS the sojourn is not exponential: its median is well below the FCFS one.
  EXPECT_LT(ms(r.latency.quantile(0.5)), 0.9 * 5.0 * std::log(2.0));
}

// M/M/4 at rho = 0.8 for 9.5 measured minutes (1.8e6 customers). Erlang C
// gives P(wait) = 0.596 and a mean wait of 0.745 ms. The standard error of
// the mean wait was measured at 1.15% over seeds 1-20 of this run length;
// 5% is more than 4 of them.
TEST(Validation, MMcMeanWaitErlangC) {
  const auto config = load("mmc");
  const auto r = models::run_scenario(config);
  const double lambda = 3200.0, mu = 1000.0;
  const int c = 4;
  const double expected_wait_ms = erlang_c(c, lambda / mu) / (c * mu - lambda) * 1e3;
  const double measured_wait_ms = ms(r.latency.mean()) - 1.0;  // minus the mean service time
  EXPECT_NEAR(measured_wait_ms, expected_wait_ms, 0.05 * expected_wait_ms);
  EXPECT_NEAR(r.nodes.at(0).cpu_utilization, 0.8, 0.005);
}

// M/D/1 at rho = 0.8: Pollaczek-Khinchine mean wait rho / (2 mu (1 - rho))
// = 2 ms, sojourn 3 ms. Over seeds 1-20 of this run length the mean's
// standard error was 0.29%; 2% is almost 7 of them.
TEST(Validation, MD1MeanPollaczekKhinchine) {
  const auto config = load("md1");
  const auto r = models::run_scenario(config);
  EXPECT_NEAR(ms(r.latency.mean()), 3.0, 0.02 * 3.0);
  EXPECT_EQ(r.latency.min(), 1'000'000);  // nobody is served faster than 1 ms
}

// Open tandem of three M/M/1 stations (Jackson): the mean sojourn is the sum
// 1/(1200-900) + 1/(1100-900) + 1/(1000-900) s = 18.33 ms. The last station
// (rho = 0.9) dominates the variance: by Whitt's formula its standard
// error over 29 minutes is 1.1% of its 10 ms, 0.6% of the total; measured
// over seeds 1-20: 0.79%. 4% is 5 standard errors.
TEST(Validation, TandemJacksonMean) {
  const auto config = load("tandem");
  const auto r = models::run_scenario(config);
  const double expected_ms = 1e3 * (1.0 / 300.0 + 1.0 / 200.0 + 1.0 / 100.0);
  EXPECT_NEAR(ms(r.latency.mean()), expected_ms, 0.04 * expected_ms);
  // Each station's sojourn (arrival at the node to response sent) includes
  // the stations after it, since calls are nested: s3's alone is 1/(1000-900).
  EXPECT_NEAR(ms(r.tiers.at(2).sojourn.mean()), 10.0, 0.04 * 10.0);
}

// Closed network: exact single-class MVA (Reiser & Lavenberg 1980) for two
// FCFS exponential stations and a think time.
struct MvaResult {
  double throughput;  // per second
  double response;    // seconds
};
MvaResult exact_mva(int users, double think, const std::vector<double>& demands) {
  std::vector<double> queue(demands.size(), 0.0);
  MvaResult out{0.0, 0.0};
  for (int n = 1; n <= users; ++n) {
    double response = 0.0;
    std::vector<double> residence(demands.size());
    for (std::size_t k = 0; k < demands.size(); ++k) {
      residence[k] = demands[k] * (1.0 + queue[k]);
      response += residence[k];
    }
    const double throughput = n / (think + response);
    for (std::size_t k = 0; k < demands.size(); ++k) queue[k] = throughput * residence[k];
    out = MvaResult{throughput, response};
  }
  return out;
}

// 15 users, think 1 s, demands 40 ms and 30 ms, two measured hours: about
// 94,000 requests. The standard errors measured over seeds 1-20 were 0.43%
// (mean response time) and 0.31% (throughput); tolerances of 3% and 1.5%
// are more than 4.5 of them.
TEST(Validation, ClosedNetworkAgainstExactMva) {
  const auto config = load("closed");
  const auto r = models::run_scenario(config);
  const auto mva = exact_mva(15, 1.0, {0.040, 0.030});
  EXPECT_NEAR(r.latency.mean() / 1e9, mva.response, 0.03 * mva.response);
  EXPECT_NEAR(r.throughput(), mva.throughput, 0.015 * mva.throughput);
}

}  // namespace
