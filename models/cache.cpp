#include "models/cache.hpp"

#include "models/stack.hpp"

namespace models {

CacheNode::CacheNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
                     std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<CacheConfig>(tier.kind)) {
  SlotPool::Config connections;
  connections.capacity = config_.max_connections;
  connections.queue_limit = -1;
  configure_admission(connections, FailureReason::kServerQueue);
}

CacheOp CacheNode::op_of(const Request& r) const {
  if (r.depth == 0) return CacheOp::kGet;
  const Frame& caller = r.frames[static_cast<std::size_t>(r.depth - 1)];
  const Node& by = stack_.node(caller.node);
  return stack_.calls(r.request_class, by.tier_index())[caller.step].op;
}

// The hit draw comes from the visit's demand stream (keyed by request, tier
// and visit), so the same request hits or misses alike in every design compared.
double CacheNode::extra_cpu(Request& r, sim::RandomStream& rng) {
  Frame& f = r.frame();
  if (op_of(r) == CacheOp::kSet) return config_.set_cpu.sample(rng);
  const TierDemand* demand = stack_.demand(r.request_class, tier_index_);
  const bool hit = demand != nullptr && rng.uniform01() < demand->hit_ratio;
  // A cache makes no calls: its frame's counters hold this visit's answer.
  f.hits = hit ? 1 : 0;
  f.misses = hit ? 0 : 1;
  return config_.get_cpu.sample(rng);
}

void CacheNode::visit_served(Request& r) {
  const Frame& f = r.frame();
  if (f.hits > 0) r.cache_answer = Request::CacheAnswer::kHit;
  if (f.misses > 0) r.cache_answer = Request::CacheAnswer::kMiss;
}

}  // namespace models
