#include "models/database.hpp"

#include "models/stack.hpp"

namespace models {

DatabaseNode::DatabaseNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                           std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<DatabaseConfig>(tier.kind)) {
  SlotPool::Config connections;
  connections.capacity = config_.max_connections;
  connections.queue_limit = 0;
  configure_admission(connections, FailureReason::kDbConnections);
}

void DatabaseNode::plan_disk(Request& r, Frame& f, const TierDemand* demand, sim::RandomStream& rng) {
  Node::plan_disk(r, f, demand, rng);
  if (demand == nullptr) return;
  int misses = 0;
  for (int page = 0; page < demand->reads + demand->writes; ++page) {
    if (rng.uniform01() >= demand->cache_hit) ++misses;
  }
  f.ios_left = static_cast<std::uint16_t>(f.ios_left + misses);
  if (demand->writes > 0) {
    f.log_flush = true;
    ++f.ios_left;
  }
}

void DatabaseNode::on_down(bool graceful) {
  Node::on_down(graceful);
  stack_.database_down(*this);
}

void DatabaseNode::on_up() {
  Node::on_up();
  stack_.database_up(*this);  // back as a replica
}

double DatabaseNode::io_bytes(const Request&, const Frame& f) const {
  // Every IO of a query moves a page, except the commit's log flush, which is last.
  return f.log_flush && f.ios_left == 1 ? config_.log_flush_bytes : config_.page_bytes;
}

}  // namespace models
