// The availability model of a scenario: its stochastic faults turned into the
// redundancy groups of the request path (analysis/availability.hpp), each
// with its units, the units it needs, failure modes and failover gaps, as the
// simulator's mechanisms give them.
//
//  - Units: hosts. A tier on hosts of its own has one unit per node; tiers
//    that share hosts (`on:`) form one group of those hosts, so that a host
//    crash is one failure that downs every tier on it. A group needs enough
//    hosts for its neediest tier.
//  - Modes: one per stochastic fault (crash, kill, stop) that hits the group:
//    a crash fails the hosts of its nodes, a kill or stop the node itself.
//    Rates come from the means of mttf and mttr (exact for the steady state
//    of units repaired on their own; approximate with shared crews, whose
//    chain assumes exponential times). `together` (a failure domain) is
//    a group of its own: one unit whose failure is an outage when it takes
//    down more nodes of a tier than the tier can lose, else a gap.
//  - Whether a failure is routed around, and the gap until it is, follow the
//    caller of the failed node: HAProxy health checks, keepalived/VRRP for
//    the entry pair, nginx's passive checks, database failover. A node whose
//    callers cannot notice its death (no health checks, reads sent to a dead
//    replica) keeps failing its share of requests until repaired: such nodes
//    are needed, each one, in a group of their own (e.g. "db replicas").
//  - k as used (the headline): the larger of the redundancy k and the
//    capacity k, the fewest units that carry the group's load below 100%
//    utilization at the scenario's load (operational analysis). A survivor
//    pushed past saturation fails requests by timeouts as surely as a dead
//    node; at loads one node can carry, the two coincide.
//
// Scheduled faults (one-off, no steady state) and gray failures (slow,
// network: slower, not down) are listed as ignored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/availability.hpp"
#include "analysis/demands.hpp"
#include "models/config.hpp"

namespace analysis {

struct PathGroup {
  RedundancyGroup group;               // k as the headline uses it
  std::vector<std::string> units;      // the hosts or nodes (or the domain) that fail
  int needed_for_redundancy = 1;       // k from redundancy and failure detection alone
  std::optional<int> needed_for_capacity;  // where the group's load moves to its survivors
  std::string why;                     // how k and the gaps follow from the scenario
};

struct AvailabilityModel {
  std::vector<PathGroup> groups;     // in request-path order
  std::vector<std::string> ignored;  // faults outside the model, and why
  std::vector<std::string> notes;    // approximations worth knowing

  std::vector<RedundancyGroup> headline() const;
  std::vector<RedundancyGroup> redundancy_only() const;  // the same groups, load ignored
  bool capacity_matters() const;     // some group needs more units for its load than for redundancy
};

// For a scenario as the loader produces it; `operational` (at the scenario's
// load) gives the capacity k. No stochastic crash, kill or stop: no groups.
AvailabilityModel availability_model(const models::ScenarioConfig& config, const OperationalAnalysis& operational);

}  // namespace analysis
