#include "models/server.hpp"

#include "models/stack.hpp"

namespace models {

ServerNode::ServerNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                       std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host) {
  const auto& config = std::get<ServerConfig>(tier.kind);
  SlotPool::Config workers;
  workers.capacity = config.workers;
  workers.queue_limit = config.workers == 0 ? -1 : (config.queue == 0 ? -1 : config.queue);
  configure_admission(workers, FailureReason::kServerQueue);
}

void ServerNode::begin_call(RequestId id, Request& r) {
  const auto& next = stack_.tier_nodes(r.frame().callee);
  send_call(id, r, *next[next_++ % next.size()]);
}

}  // namespace models
