// Who is where, derived once from a ScenarioConfig: every node's name, its
// tier, its host, and which tier each tier calls. The stack builds its hosts
// and nodes from it; the analysis and the experiment layer name nodes and
// hosts through it rather than re-deriving them.
#pragma once

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
  // The tier that `tier`'s nodes call (the next in the chain); -1 for the last.
  int callee(int tier) const { return tier + 1 < tier_count() ? tier + 1 : -1; }

 private:
  std::vector<NodePlace> nodes_;
  std::vector<std::uint32_t> first_;  // per tier: its first node's id
};

}  // namespace models
