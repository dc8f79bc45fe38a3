#include "models/topology.hpp"

namespace models {

Topology::Topology(const ScenarioConfig& config) {
  for (std::size_t t = 0; t < config.tiers.size(); ++t) {
    const TierConfig& tier = config.tiers[t];
    first_.push_back(static_cast<std::uint32_t>(nodes_.size()));
    for (int i = 0; i < tier.count; ++i) {
      const auto k = static_cast<std::size_t>(i);
      NodePlace n;
      // The loader always names the nodes; configs built by hand may not.
      n.name = tier.node_names.empty() ? tier.name + std::to_string(i + 1) : tier.node_names[k];
      n.tier = static_cast<int>(t);
      n.index = i;
      n.own_host = tier.on.empty();
      n.host = n.own_host ? n.name : tier.on[k];
      nodes_.push_back(std::move(n));
    }
  }
}

}  // namespace models
