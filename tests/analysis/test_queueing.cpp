// Single stations and open networks against textbook answers.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "analysis/demands.hpp"
#include "analysis/queueing.hpp"

namespace {

using analysis::Discipline;
using analysis::NetworkStation;
using analysis::OpenClass;

OpenClass one_class(double rate, std::vector<double> visits, std::vector<double> service, double scv = 1.0) {
  OpenClass c;
  c.arrival_rate = rate;
  c.visits = Eigen::Map<Eigen::VectorXd>(visits.data(), static_cast<Eigen::Index>(visits.size()));
  c.service = Eigen::Map<Eigen::VectorXd>(service.data(), static_cast<Eigen::Index>(service.size()));
  c.scv = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(visits.size()), scv);
  return c;
}

// Erlang B by hand for c = 2, a = 1: (a^2/2!) / (1 + a + a^2/2!) = 0.5 / 2.5.
TEST(ErlangFormulas, ErlangBHandComputed) {
  EXPECT_NEAR(analysis::erlang_b(2, 1.0), 0.2, 1e-12);
  EXPECT_NEAR(analysis::erlang_b(1, 1.0), 0.5, 1e-12);  // a / (1 + a)
  EXPECT_EQ(analysis::erlang_b(3, 0.0), 0.0);
}

// Erlang C by hand. c = 2, a = 1 (rho = 0.5): P0 = 1 / (1 + a + a^2/2! / (1 - rho)) = 1/3,
// C = a^2/2! / (1 - rho) * P0 = 1/3.
// c = 4, a = 3.2 (scenarios/mmc.yaml): sum_{k<4} a^k/k! = 1 + 3.2 + 5.12 + 5.461333 = 14.781333;
// a^4/4! / (1 - 0.8) = 4.369067 / 0.2 = 21.845333; C = 21.845333 / 36.626667 = 0.596432.
TEST(ErlangFormulas, ErlangCHandComputed) {
  EXPECT_NEAR(analysis::erlang_c(2, 1.0), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(analysis::erlang_c(4, 3.2), 0.596432, 1e-6);
  EXPECT_NEAR(analysis::erlang_c(1, 0.7), 0.7, 1e-12);  // M/M/1: P(wait) = rho
  EXPECT_EQ(analysis::erlang_c(4, 4.0), 1.0);
}

// M/M/1 at 900/s with 1 ms service: R = 1 / (mu - lambda) = 10 ms, for FCFS
// and for PS alike.
TEST(Station, MM1) {
  for (const Discipline d : {Discipline::kFcfs, Discipline::kProcessorSharing}) {
    const auto sol = analysis::solve_open({{"s", d, 1}}, {one_class(900.0, {1.0}, {1e-3})});
    ASSERT_TRUE(sol.stable);
    EXPECT_NEAR(sol.utilization(0), 0.9, 1e-12);
    EXPECT_NEAR(sol.response(0), 10e-3, 1e-12);
  }
}

// M/M/4 at 3200/s, 1 ms (scenarios/mmc.yaml): W = C S / (c (1 - rho)) =
// 0.596432 * 1 ms / 0.8 = 0.745540 ms, R = 1.745540 ms.
TEST(Station, MMcErlangC) {
  const auto sol = analysis::solve_open({{"s", Discipline::kFcfs, 4}}, {one_class(3200.0, {1.0}, {1e-3})});
  EXPECT_NEAR(sol.response(0), 1.745540e-3, 1e-9);
  EXPECT_NEAR(sol.responses[0].wait, 0.745540e-3, 1e-9);
}

// With exponential service the number present in c-core PS is that of M/M/c,
// so both disciplines have the same mean; at light load a job on a multi-core
// PS CPU runs at full speed (R -> S), which S / (1 - U) would miss.
TEST(Station, MultiCorePsMatchesMMcForExponential) {
  const auto fcfs = analysis::solve_open({{"s", Discipline::kFcfs, 2}}, {one_class(1.0, {1.0}, {1.0})});
  const auto ps = analysis::solve_open({{"s", Discipline::kProcessorSharing, 2}}, {one_class(1.0, {1.0}, {1.0})});
  // M/M/2, lambda = mu = 1: W = C / (c mu - lambda) = (1/3) / 1.
  EXPECT_NEAR(fcfs.response(0), 1.0 + 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(ps.response(0), fcfs.response(0), 1e-12);
  const auto light = analysis::solve_open({{"s", Discipline::kProcessorSharing, 8}}, {one_class(0.8, {1.0}, {1.0})});
  EXPECT_LT(light.response(0), 1.0 + 1e-6);  // U = 0.1 on 8 cores
}

// M/D/1 at 800/s with constant 1 ms (scenarios/md1.yaml): Pollaczek-Khinchine
// W = rho S / (2 (1 - rho)) = 0.8 ms / 0.4 = 2 ms, R = 3 ms; the cs^2 = 0
// correction is exact for one server.
TEST(Station, MD1PollaczekKhinchine) {
  const auto sol = analysis::solve_open({{"s", Discipline::kFcfs, 1}}, {one_class(800.0, {1.0}, {1e-3}, 0.0)});
  EXPECT_NEAR(sol.response(0), 3e-3, 1e-12);
}

// Two classes at one FCFS server: P-K with the mixture's second moment,
// W = sum(lambda_i E[S_i^2]) / (2 (1 - rho)). Class 1: 100/s exp(2 ms)
// (E[S^2] = 8e-6); class 2: 200/s constant 1 ms (E[S^2] = 1e-6); rho = 0.4;
// W = (100 * 8e-6 + 200 * 1e-6) / 1.2 = 0.8333 ms.
TEST(Station, MultiClassFcfsUsesTheMixture) {
  OpenClass a = one_class(100.0, {1.0}, {2e-3}, 1.0);
  OpenClass b = one_class(200.0, {1.0}, {1e-3}, 0.0);
  const auto sol = analysis::solve_open({{"s", Discipline::kFcfs, 1}}, {a, b});
  EXPECT_NEAR(sol.responses[0].wait, 1e-3 / 1.2, 1e-12);
  EXPECT_NEAR(sol.response(0), 2e-3 + 1e-3 / 1.2, 1e-12);
  EXPECT_NEAR(sol.response(1), 1e-3 + 1e-3 / 1.2, 1e-12);
}

TEST(Station, SaturatedIsUnstable) {
  const auto sol = analysis::solve_open({{"s", Discipline::kFcfs, 1}}, {one_class(1000.0, {1.0}, {1e-3})});
  EXPECT_FALSE(sol.stable);
  EXPECT_TRUE(std::isinf(sol.response(0)));
}

// Tandem Jackson network (scenarios/tandem.yaml): 900/s through rates 1200,
// 1100 and 1000/s; R = 1/300 + 1/200 + 1/100 s = 18.333 ms.
TEST(OpenNetwork, TandemJackson) {
  const std::vector<NetworkStation> stations{{"s1", Discipline::kFcfs, 1}, {"s2", Discipline::kFcfs, 1},
                                             {"s3", Discipline::kFcfs, 1}};
  const auto sol = analysis::solve_open(stations, {one_class(900.0, {1, 1, 1}, {1.0 / 1200, 1.0 / 1100, 1.0 / 1000})});
  EXPECT_NEAR(sol.response(0), 1.0 / 300 + 1.0 / 200 + 1.0 / 100, 1e-12);
}

// One station with feedback: after service a job returns with probability
// 1/2, so v = 1 / (1 - 1/2) = 2. With lambda = 1/s and S = 0.2 s the station
// sees 2/s (rho = 0.4) and R = v S / (1 - rho) = 0.4 / 0.6 s (Jackson).
TEST(OpenNetwork, FeedbackVisitRatioAboveOne) {
  Eigen::MatrixXd p(1, 1);
  p << 0.5;
  const Eigen::VectorXd v = analysis::solve_visit_ratios(p, Eigen::VectorXd::Ones(1));
  EXPECT_NEAR(v(0), 2.0, 1e-12);
  const auto sol = analysis::solve_open({{"s", Discipline::kFcfs, 1}}, {one_class(1.0, {v(0)}, {0.2})});
  EXPECT_NEAR(sol.utilization(0), 0.4, 1e-12);
  EXPECT_NEAR(sol.response(0), 0.4 / 0.6, 1e-12);
}

// Central server model: the CPU sends a job to disk 1 with probability 0.3,
// to disk 2 with 0.2, out with 0.5; the disks return it to the CPU. Traffic
// equations: v_cpu = 1 + v_1 + v_2, v_1 = 0.3 v_cpu, v_2 = 0.2 v_cpu, so
// v_cpu = 2, v_1 = 0.6, v_2 = 0.4.
TEST(OpenNetwork, CentralServerVisitRatios) {
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(3, 3);
  p(0, 1) = 0.3;
  p(0, 2) = 0.2;
  p(1, 0) = 1.0;
  p(2, 0) = 1.0;
  Eigen::VectorXd e = Eigen::VectorXd::Zero(3);
  e(0) = 1.0;
  const Eigen::VectorXd v = analysis::solve_visit_ratios(p, e);
  EXPECT_NEAR(v(0), 2.0, 1e-12);
  EXPECT_NEAR(v(1), 0.6, 1e-12);
  EXPECT_NEAR(v(2), 0.4, 1e-12);
}

// Calls as multiplicities: a front end calling the back end 3 times per
// visit (row sum 3) gives the back end 3 visits per request.
TEST(OpenNetwork, CallsMultiplyVisits) {
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(2, 2);
  p(0, 1) = 3.0;
  Eigen::VectorXd e = Eigen::VectorXd::Zero(2);
  e(0) = 1.0;
  const Eigen::VectorXd v = analysis::solve_visit_ratios(p, e);
  EXPECT_NEAR(v(1), 3.0, 1e-12);
}

TEST(OpenNetwork, NoExitIsAnError) {
  Eigen::MatrixXd loop(2, 2);
  loop << 0.0, 1.0, 1.0, 0.0;  // singular: I - P^T has rank 1
  EXPECT_THROW(analysis::solve_visit_ratios(loop, Eigen::Vector2d(1.0, 0.0)), std::invalid_argument);
  Eigen::MatrixXd gain(1, 1);
  gain << 2.0;  // invertible, but v = 1 / (1 - 2) < 0
  EXPECT_THROW(analysis::solve_visit_ratios(gain, Eigen::VectorXd::Ones(1)), std::invalid_argument);
}

}  // namespace
