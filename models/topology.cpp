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
  calls_ = resolve_calls(config);
}

bool Topology::calls_tier(int tier, int target) const {
  const std::size_t tiers = first_.size();
  for (std::size_t i = static_cast<std::size_t>(tier); i < calls_.size(); i += tiers) {
    for (const CallStep& step : calls_[i]) {
      if (step.tier == target) return true;
    }
  }
  return false;
}

std::vector<int> Topology::callees(int tier) const {
  std::vector<int> out;
  for (int t = 0; t < tier_count(); ++t) {
    if (calls_tier(tier, t)) out.push_back(t);
  }
  return out;
}

std::vector<std::vector<CallStep>> resolve_calls(const ScenarioConfig& config) {
  const std::size_t tiers = config.tiers.size();
  std::vector<std::vector<CallStep>> out(config.workload.classes.size() * tiers);
  for (std::size_t c = 0; c < config.workload.classes.size(); ++c) {
    const auto& demands = config.workload.classes[c].demands;
    const auto demand = [&](std::size_t t) -> const TierDemand* {
      return t < demands.size() && demands[t] ? &*demands[t] : nullptr;
    };
    std::size_t chain_end = 0;
    bool listed = false;
    for (std::size_t t = 0; t < tiers; ++t) {
      const TierDemand* d = demand(t);
      if (d == nullptr) continue;
      if (d->call_list) {
        chain_end = t;
        listed = true;
        break;
      }
      chain_end = t;
    }
    for (std::size_t t = 0; t < tiers; ++t) {
      const TierDemand* d = demand(t);
      auto& steps = out[c * tiers + t];
      if (d != nullptr && d->call_list) {
        steps = *d->call_list;
      } else if (t + 1 < tiers && (t < chain_end || (listed && d != nullptr && d->calls))) {
        CallStep step;
        step.tier = static_cast<int>(t + 1);
        step.count = d != nullptr && d->calls ? *d->calls : 1;
        steps.push_back(step);
      }
    }
  }
  return out;
}

}  // namespace models
