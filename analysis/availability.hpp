// Steady-state availability of redundancy groups and of a request path.
//
// A group of n identical units (nodes, or hosts where tiers share hosts)
// needs k of them up. A unit fails in one of several modes (a host crash, a
// process crash, ...), each with its own mean time to failure, mean time to
// repair and repair crews: at most r repairs of that mode at once, the rest
// wait. Failure and repair times are exponential; the state is the number of
// units down in each mode, (i_1 .. i_m) with sum <= n: mode j fails units at
// (n - sum i) / MTTF_j and repairs them at min(i_j, r_j) / MTTR_j. A unit
// that is down does not fail again until repaired. With one mode this is the
// k-of-n birth-death chain. We solve pi Q = 0 for the chain's generator Q by
// GTH state reduction (Grassmann, Taksar and Heyman, Operations Research
// 33(5), 1985), which subtracts nothing, so probabilities near 1e-15 keep
// their digits. The group is available while at most n - k units are down.
//
// A failure the group survives can still cost a gap (health-check detection,
// VRRP or database failover) during which requests fail: `failover_gap` is
// charged once per failure of that mode that leaves the group up. This is a
// first-order correction, valid while the gap is short next to MTTF.
//
// Steady-state availability of an alternating renewal process depends only
// on the mean up and down times, so units with a crew each (independent
// alternating renewal processes) get the exact answer from the means whatever
// the repair distributions (and the failure distribution, with one mode);
// otherwise the chain assumes exponential times, and a mode whose times are
// not exponential makes the answer approximate (GroupAvailability::exact).
//
// Groups compose in series: every request crosses every group, so the path is
// up only when all are (independent groups: the product).
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "sim/time.hpp"

namespace analysis {

struct FailureMode {
  std::string name;            // e.g. "host crash"
  sim::Time mttf = 0;          // mean time to failure of one unit in this mode (> 0)
  sim::Time mttr = 0;          // mean time to repair (> 0)
  int repair_crews = 0;        // repairs of this mode in progress at once; 0 = one per unit
  sim::Time failover_gap = 0;  // extra downtime per survived failure of this mode
  bool exponential_failures = true;  // times to failure exponential
  bool exponential_repairs = true;   // repair times exponential
};

struct RedundancyGroup {
  std::string name;
  int nodes = 1;   // n
  int needed = 1;  // k: up with at least k units up; 0: every failure is survived (only gaps count)
  std::vector<FailureMode> modes;
};

// A group with a single failure mode, as the textbook k-of-n system.
RedundancyGroup k_of_n(std::string name, int n, int k, sim::Time mttf, sim::Time mttr, int repair_crews = 0,
                       sim::Time failover_gap = 0);

// A Julian year, the usual base of "downtime per year".
inline constexpr double kSecondsPerYear = 365.25 * 24 * 3600;

// Above this many chain states, a group's modes are merged into one (see
// GroupAvailability::merged_modes) to keep the solve small.
inline constexpr int kMaxChainStates = 1500;

struct GroupAvailability {
  std::string name;
  RedundancyGroup group;
  Eigen::VectorXd state_probabilities;  // P(i units down), i = 0..n
  double availability = 1.0;            // including failover gaps
  double unavailability = 0.0;          // 1 - A, computed directly (keeps its digits)
  double gap_unavailability = 0.0;      // the failover gaps' part of it
  double nines = 0.0;                   // -log10(1 - A); +inf when A = 1
  double downtime_per_year = 0.0;       // s
  double failures_per_year = 0.0;       // unit failures, all modes
  double outages_per_year = 0.0;        // group going down (a failure at n - k down)
  bool exact = true;                    // the chain is exact for these means (see the top); gaps aside
  bool merged_modes = false;            // too many states: solved as one mode with the summed rate
};

struct PathAvailability {
  std::vector<GroupAvailability> groups;
  double availability = 1.0;
  double unavailability = 0.0;
  double nines = 0.0;
  double downtime_per_year = 0.0;  // s
  bool exact = true;               // every group exact
};

// Throws std::invalid_argument on nonsense (k > n, no modes, non-positive times, ...).
GroupAvailability group_availability(const RedundancyGroup& group);
PathAvailability series_availability(const std::vector<RedundancyGroup>& groups);

// -log10(unavailability), +inf for 0.
double nines_of(double unavailability);

}  // namespace analysis
