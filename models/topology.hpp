// Who is where, derived once from a ScenarioConfig: every node's name, its
// tier, its host, and which tier each tier calls. The stack builds its hosts
// and nodes from it; the analysis and the experiment layer name nodes and
// hosts through it rather than re-deriving them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/config.hpp"

namespace models {

struct NodePlace {
  std::string name;
  int tier = 0;
  int index = 0;          // in its tier
  std::string host;       // the host's name
  bool own_host = false;  // its tier has no `on`: the host is the node's own, named after it
};

class Topology {
 public:
  explicit Topology(const ScenarioConfig& config);

  // By node id: the tiers' nodes in chain order.
  const std::vector<NodePlace>& nodes() const { return nodes_; }
  const NodePlace& node(std::uint32_t id) const { return nodes_[id]; }
  int tier_count() const { return static_cast<int>(first_.size()); }
  // The id of node i of `tier`.
  std::uint32_t id(int tier, int i) const { return first_[static_cast<std::size_t>(tier)] + static_cast<std::uint32_t>(i); }
  // The calls a visit of class c to `tier` makes, in order; empty when the
  // visit calls nothing.
  const std::vector<CallStep>& calls(std::size_t c, int tier) const {
    return calls_[c * first_.size() + static_cast<std::size_t>(tier)];
  }
  // Whether some class's visits to `tier` call `target`.
  bool calls_tier(int tier, int target) const;
  // The tiers some class's visits to `tier` call, in tier order.
  std::vector<int> callees(int tier) const;

 private:
  std::vector<NodePlace> nodes_;
  std::vector<std::uint32_t> first_;  // per tier: its first node's id
  std::vector<std::vector<CallStep>> calls_;  // class x tier
};

// Each class's calls at each tier (class x tier), the two forms of `calls:`
// combined. A demand with a call list makes exactly those calls. The chain
// shorthand covers the rest: the class's chain ends at its first tier with a
// call list, or else at its deepest tier with a demand; every tier before the
// chain's end calls the next tier `calls` times (1 when unset), as does a
// tier that states `calls: N`. A class visits the tiers these calls reach
// from tier 0. Every shipped scenario before call lists is a chain.
std::vector<std::vector<CallStep>> resolve_calls(const ScenarioConfig& config);

// The calls a step makes given the visit's cache gets so far.
inline int calls_of(const CallStep& step, int hits, int misses) {
  if (step.on == CallCondition::kMiss) return step.count * misses;
  if (step.on == CallCondition::kHit) return step.count * hits;
  return step.count;
}

// One past the last step of the fan-out group that starts at step `s`
// (adjacent steps with `parallel`), or s + 1 for a sequential step. Inline:
// every call a visit makes asks it.
inline std::size_t group_end(const std::vector<CallStep>& steps, std::size_t s) {
  if (!steps[s].parallel) return s + 1;
  std::size_t e = s + 1;
  while (e < steps.size() && steps[e].parallel) ++e;
  return e;
}

// The first step (or fan-out group) from `from` on that has calls to make,
// and how many: the group's calls; calls 0 when none is left.
struct PlannedStep {
  std::uint8_t step = 0;
  std::uint8_t tier = 0;   // the tier a sequential step calls
  bool group = false;      // a fan-out group
  std::uint16_t calls = 0;
};
inline PlannedStep plan_step(const std::vector<CallStep>& steps, std::size_t from, int hits, int misses) {
  for (std::size_t s = from; s < steps.size();) {
    const std::size_t end = group_end(steps, s);
    int n = 0;
    for (std::size_t g = s; g < end; ++g) n += calls_of(steps[g], hits, misses);
    if (n > 0) {
      return {static_cast<std::uint8_t>(s), static_cast<std::uint8_t>(steps[s].tier), steps[s].parallel,
              static_cast<std::uint16_t>(n)};
    }
    s = end;
  }
  return {};
}

}  // namespace models
