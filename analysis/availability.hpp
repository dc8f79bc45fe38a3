// Steady-state availability of redundancy groups and of a request path.
//
// A group of n identical nodes needs k of them up. Nodes fail independently
// (exponential, mean MTTF, whether or not the group is up) and are repaired by
// r crews shared by the group (exponential, mean MTTR; at most r repairs at
// once). The number of failed nodes is then a birth-death CTMC on 0..n:
// failure rate (n - i) / MTTF, repair rate min(i, r) / MTTR. We build its
// generator Q and solve pi Q = 0 with sum(pi) = 1; the group is available
// while at most n - k nodes are down.
//
// A failure the group survives can still cost a gap (health-check detection,
// VRRP or DNS failover) during which requests fail: `failover_gap` is charged
// once per node failure that leaves the group up. This is a first-order
// correction, valid while the gap is short next to MTTF.
//
// Tiers compose in series: every request crosses every tier, so the path is up
// only when all are (independent groups: the product).
//
// Standalone for now: scenario files get a fault configuration later.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

#include "sim/time.hpp"

namespace analysis {

struct RedundancyGroup {
  std::string name;
  int nodes = 1;         // n
  int needed = 1;        // k: the group works with at least k nodes up
  sim::Time mttf = 0;    // mean time to failure of one node (> 0)
  sim::Time mttr = 0;    // mean time to repair one node (> 0)
  int repair_crews = 1;  // r: repairs in progress at once
  sim::Time failover_gap = 0;  // extra downtime per survived node failure
};

// A Julian year, the usual base of "downtime per year".
inline constexpr double kSecondsPerYear = 365.25 * 24 * 3600;

struct GroupAvailability {
  std::string name;
  Eigen::VectorXd state_probabilities;  // P(i nodes down), i = 0..n
  double availability = 1.0;            // including failover gaps
  double unavailability = 0.0;          // 1 - A, computed directly (keeps its digits)
  double nines = 0.0;                   // -log10(1 - A); +inf when A = 1
  double downtime_per_year = 0.0;       // s
  double failures_per_year = 0.0;       // node failures
  double outages_per_year = 0.0;        // group going down (a failure at n - k down)
};

struct PathAvailability {
  std::vector<GroupAvailability> groups;
  double availability = 1.0;
  double unavailability = 0.0;
  double nines = 0.0;
  double downtime_per_year = 0.0;  // s
};

// Throws std::invalid_argument on nonsense (k > n, non-positive times, ...).
GroupAvailability group_availability(const RedundancyGroup& group);
PathAvailability series_availability(const std::vector<RedundancyGroup>& groups);

// -log10(unavailability), +inf for 0.
double nines_of(double unavailability);

}  // namespace analysis
