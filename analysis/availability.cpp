#include "analysis/availability.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace analysis {

double nines_of(double unavailability) {
  if (unavailability <= 0.0) return std::numeric_limits<double>::infinity();
  return -std::log10(unavailability);
}

GroupAvailability group_availability(const RedundancyGroup& g) {
  if (g.nodes < 1 || g.needed < 1 || g.needed > g.nodes || g.repair_crews < 1 || g.mttf <= 0 || g.mttr <= 0 ||
      g.failover_gap < 0) {
    throw std::invalid_argument("redundancy group " + g.name +
                                ": need 1 <= k <= n, at least one repair crew, MTTF and MTTR > 0, a gap >= 0");
  }
  const int n = g.nodes;
  const double failure = 1.0 / sim::to_seconds(g.mttf);
  const double repair = 1.0 / sim::to_seconds(g.mttr);
  // State i: i nodes down.
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(n + 1, n + 1);
  for (int i = 0; i <= n; ++i) {
    if (i < n) q(i, i + 1) = (n - i) * failure;
    if (i > 0) q(i, i - 1) = std::min(i, g.repair_crews) * repair;
    q(i, i) = -q.row(i).sum();
  }
  // pi Q = 0 is Q^T pi^T = 0; one balance equation is redundant, so the
  // normalisation replaces it.
  Eigen::MatrixXd a = q.transpose();
  a.row(n).setOnes();
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n + 1);
  b(n) = 1.0;
  GroupAvailability r;
  r.name = g.name;
  r.state_probabilities = a.fullPivLu().solve(b);
  const int tolerated = n - g.needed;
  // Summed over the down states rather than as 1 - P(up): high availabilities
  // would lose their digits to cancellation.
  const double down = r.state_probabilities.tail(n - tolerated).sum();
  double survived = 0.0;  // node failures per second that leave the group up
  for (int i = 0; i <= n; ++i) {
    const double rate = r.state_probabilities(i) * (n - i) * failure;
    r.failures_per_year += rate * kSecondsPerYear;
    if (i < tolerated) survived += rate;
    if (i == tolerated) r.outages_per_year = rate * kSecondsPerYear;
  }
  r.unavailability = std::min(1.0, down + survived * sim::to_seconds(g.failover_gap));
  r.availability = 1.0 - r.unavailability;
  r.nines = nines_of(r.unavailability);
  r.downtime_per_year = r.unavailability * kSecondsPerYear;
  return r;
}

PathAvailability series_availability(const std::vector<RedundancyGroup>& groups) {
  PathAvailability p;
  // 1 - prod(1 - U_i), computed without forming the products near 1.
  double log_up = 0.0;
  for (const auto& g : groups) {
    p.groups.push_back(group_availability(g));
    log_up += std::log1p(-p.groups.back().unavailability);
  }
  p.unavailability = -std::expm1(log_up);
  p.availability = 1.0 - p.unavailability;
  p.nines = nines_of(p.unavailability);
  p.downtime_per_year = p.unavailability * kSecondsPerYear;
  return p;
}

}  // namespace analysis
