#include "analysis/availability.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace analysis {

double nines_of(double unavailability) {
  if (unavailability <= 0.0) return std::numeric_limits<double>::infinity();
  return -std::log10(unavailability);
}

RedundancyGroup k_of_n(std::string name, int n, int k, sim::Time mttf, sim::Time mttr, int repair_crews,
                       sim::Time failover_gap) {
  RedundancyGroup g;
  g.name = std::move(name);
  g.nodes = n;
  g.needed = k;
  g.modes.push_back(FailureMode{"failure", mttf, mttr, repair_crews, failover_gap, true, true});
  return g;
}

namespace {

void check(const RedundancyGroup& g) {
  bool ok = g.nodes >= 1 && g.needed >= 0 && g.needed <= g.nodes && !g.modes.empty();
  for (const FailureMode& m : g.modes) {
    ok = ok && m.mttf > 0 && m.mttr > 0 && m.repair_crews >= 0 && m.failover_gap >= 0;
  }
  if (!ok) {
    throw std::invalid_argument("redundancy group " + g.name +
                                ": need 0 <= k <= n, at least one failure mode, MTTF and MTTR > 0, crews >= 0 and "
                                "a gap >= 0");
  }
}

// C(n + m, m): the chain's states, as a double so that it cannot overflow.
double state_count(int n, std::size_t m) {
  double count = 1.0;
  for (std::size_t j = 1; j <= m; ++j) count = count * static_cast<double>(n + static_cast<int>(j)) / static_cast<double>(j);
  return count;
}

// One mode with the summed failure rate, the rate-weighted repair time and
// gap, and the crews of all modes together.
FailureMode merged(const std::vector<FailureMode>& modes) {
  double rate = 0.0, repair = 0.0, gap = 0.0;
  int crews = 0;
  bool unlimited = false;
  for (const FailureMode& m : modes) {
    const double r = 1.0 / sim::to_seconds(m.mttf);
    rate += r;
    repair += r * sim::to_seconds(m.mttr);
    gap += r * sim::to_seconds(m.failover_gap);
    unlimited = unlimited || m.repair_crews == 0;
    crews += m.repair_crews;
  }
  return FailureMode{"all modes", sim::to_time_unbounded(1e9 / rate), sim::to_time(1e9 * repair / rate), unlimited ? 0 : crews,
                     sim::to_time_unbounded(1e9 * gap / rate), false, false};
}

// Every (i_1 .. i_m) with sum <= n, ordered by sum: each state with units
// down has a repair leading to a state before it, as GTH needs.
std::vector<std::vector<int>> states_of(int n, std::size_t m) {
  std::vector<int> current(m, 0);
  std::vector<std::vector<int>> all;
  const auto fill = [&](auto& self, std::size_t j, int left) -> void {
    if (j == m) {
      all.push_back(current);
      return;
    }
    for (int i = 0; i <= left; ++i) {
      current[j] = i;
      self(self, j + 1, left - i);
    }
    current[j] = 0;
  };
  fill(fill, 0, n);
  const auto sum = [](const std::vector<int>& s) {
    int t = 0;
    for (int i : s) t += i;
    return t;
  };
  std::stable_sort(all.begin(), all.end(), [&](const auto& a, const auto& b) { return sum(a) < sum(b); });
  return all;
}

// Stationary distribution of the chain with off-diagonal rates q (q(i, j):
// i to j), by GTH: states are removed from the last down, each one's rates
// redistributed over the rest; only sums of non-negative terms.
Eigen::VectorXd stationary_gth(Eigen::MatrixXd q) {
  const auto size = q.rows();
  for (Eigen::Index n = size - 1; n >= 1; --n) {
    double out = 0.0;  // rate from n to the states before it
    for (Eigen::Index j = 0; j < n; ++j) out += q(n, j);
    std::vector<Eigen::Index> from, to;
    for (Eigen::Index i = 0; i < n; ++i) {
      q(i, n) /= out;
      if (q(i, n) > 0.0) from.push_back(i);
      if (q(n, i) > 0.0) to.push_back(i);
    }
    for (Eigen::Index i : from) {
      for (Eigen::Index j : to) {
        if (i != j) q(i, j) += q(i, n) * q(n, j);
      }
    }
  }
  Eigen::VectorXd pi = Eigen::VectorXd::Zero(size);
  pi(0) = 1.0;
  for (Eigen::Index n = 1; n < size; ++n) {
    for (Eigen::Index i = 0; i < n; ++i) pi(n) += pi(i) * q(i, n);
  }
  return pi / pi.sum();
}

}  // namespace

GroupAvailability group_availability(const RedundancyGroup& g) {
  check(g);
  GroupAvailability r;
  r.name = g.name;
  r.group = g;
  std::vector<FailureMode> modes = g.modes;
  if (state_count(g.nodes, modes.size()) > kMaxChainStates) {
    modes = {merged(modes)};
    r.merged_modes = true;
  }
  const int n = g.nodes;
  const std::size_t m = modes.size();
  const std::vector<std::vector<int>> states = states_of(n, m);
  std::map<std::vector<int>, Eigen::Index> index;
  for (std::size_t s = 0; s < states.size(); ++s) index.emplace(states[s], static_cast<Eigen::Index>(s));
  std::vector<double> failure(m), repair(m);
  for (std::size_t j = 0; j < m; ++j) {
    failure[j] = 1.0 / sim::to_seconds(modes[j].mttf);
    repair[j] = 1.0 / sim::to_seconds(modes[j].mttr);
  }
  const auto size = static_cast<Eigen::Index>(states.size());
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(size, size);
  std::vector<int> down_of(states.size());
  for (std::size_t s = 0; s < states.size(); ++s) {
    const std::vector<int>& state = states[s];
    int down = 0;
    for (int i : state) down += i;
    down_of[s] = down;
    for (std::size_t j = 0; j < m; ++j) {
      std::vector<int> next = state;
      if (down < n) {
        ++next[j];
        q(static_cast<Eigen::Index>(s), index.at(next)) = (n - down) * failure[j];
        --next[j];
      }
      if (state[j] > 0) {
        --next[j];
        const int crews = modes[j].repair_crews == 0 ? state[j] : std::min(state[j], modes[j].repair_crews);
        q(static_cast<Eigen::Index>(s), index.at(next)) = crews * repair[j];
      }
    }
  }
  const Eigen::VectorXd pi = stationary_gth(std::move(q));
  r.state_probabilities = Eigen::VectorXd::Zero(n + 1);
  const int tolerated = n - g.needed;
  // Summed over the down states rather than as 1 - P(up): high availabilities
  // would lose their digits to cancellation.
  double down = 0.0;
  double gap_rate = 0.0;  // seconds of gap per second: survived failures x their gaps
  for (std::size_t s = 0; s < states.size(); ++s) {
    const auto p = pi(static_cast<Eigen::Index>(s));
    const int d = down_of[s];
    r.state_probabilities(d) += p;
    if (d > tolerated) down += p;
    if (d == n) continue;
    for (std::size_t j = 0; j < m; ++j) {
      const double rate = p * (n - d) * failure[j];
      r.failures_per_year += rate * kSecondsPerYear;
      if (d < tolerated) gap_rate += rate * sim::to_seconds(modes[j].failover_gap);
      if (d == tolerated) r.outages_per_year += rate * kSecondsPerYear;
    }
  }
  // Units repaired independently are independent alternating renewal
  // processes, whose steady state depends only on the mean up and down times
  // (several modes compete for a unit that is up: exact when their times to
  // failure are exponential, whatever the repairs).
  const bool independent =
      std::all_of(modes.begin(), modes.end(), [n](const auto& md) { return md.repair_crews == 0 || md.repair_crews >= n; }) &&
      (m == 1 || std::all_of(modes.begin(), modes.end(), [](const auto& md) { return md.exponential_failures; }));
  r.exact = !r.merged_modes &&
            (independent || std::all_of(modes.begin(), modes.end(), [](const auto& md) {
              return md.exponential_failures && md.exponential_repairs;
            }));
  r.gap_unavailability = gap_rate;
  r.unavailability = std::min(1.0, down + gap_rate);
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
    p.exact = p.exact && p.groups.back().exact;
    log_up += std::log1p(-p.groups.back().unavailability);
  }
  p.unavailability = -std::expm1(log_up);
  p.availability = 1.0 - p.unavailability;
  p.nines = nines_of(p.unavailability);
  p.downtime_per_year = p.unavailability * kSecondsPerYear;
  return p;
}

}  // namespace analysis
