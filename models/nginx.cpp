#include "models/nginx.hpp"

#include "models/stack.hpp"

namespace models {

NginxNode::NginxNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                     std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<NginxConfig>(tier.kind)) {
  SlotPool::Config connections;
  connections.capacity = config_.worker_connections * config_.worker_processes;
  connections.queue_limit = 0;
  configure_admission(connections, FailureReason::kWebConnections);
  if (tier_index + 1 < stack.tier_count()) {
    const auto count = stack.tier_nodes(tier_index + 1).size();
    upstreams_ = SmoothWeightedRoundRobin(config_.weights.empty() ? std::vector<int>(count, 1) : config_.weights);
    if (config_.prefer_local) local_upstream_ = co_located_next(tier_index + 1);
  }
}

void NginxNode::begin_call(RequestId id, Request& r) {
  Node* target = local_upstream_;
  if (target == nullptr) target = stack_.tier_nodes(tier_index_ + 1)[static_cast<std::size_t>(upstreams_.pick())];
  send_call(id, r, *target);
}

}  // namespace models
