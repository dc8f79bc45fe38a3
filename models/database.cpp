#include "models/database.hpp"

#include <algorithm>

#include "models/stack.hpp"

namespace models {

DatabaseNode::DatabaseNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                           std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<DatabaseConfig>(tier.kind)),
      lag_rng_(stack.simulation().stream("node." + name_ + ".replication")) {
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
  stack_.replication(tier_index_).node_down(*this);
}

void DatabaseNode::on_up() {
  Node::on_up();
  stack_.replication(tier_index_).node_up(*this);
}

// As the app routes queries: one that writes goes to the primary, any
// other is a read.
void DatabaseNode::visit_served(Request& r) {
  if (!config_.replication_lag) return;
  const TierDemand* query = stack_.demand(r.request_class, tier_index_);
  if (query != nullptr && query->writes > 0) {
    // Committed: every other node applies it after its own lag.
    for (Node* n : stack_.tier_nodes(tier_index_)) {
      if (n == this) continue;
      const Time lag = sim::to_time(config_.replication_lag->sample(lag_rng_));
      static_cast<DatabaseNode*>(n)->replicate(r.client, sim_.now() + lag);
    }
    return;
  }
  // The primary (a promoted replica applies what it received before it
  // serves) answers reads current.
  if (this == &stack_.replication(tier_index_).primary() || !r.measured) return;
  stack_.observers().emit(ReplicaRead{r.request_class, !current_for(r.client), r.measured});
}

void DatabaseNode::replicate(std::uint32_t client, Time applied_at) {
  const Time now = sim_.now();
  while (!applied_order_.empty() && applied_order_.front().first <= now) {
    const auto it = applied_at_.find(applied_order_.front().second);
    if (it != applied_at_.end() && it->second <= now) applied_at_.erase(it);
    applied_order_.pop_front();
  }
  // The client's reads are current once all its writes are applied.
  Time& all_applied = applied_at_[client];
  all_applied = std::max(all_applied, applied_at);
  applied_order_.emplace_back(applied_at, client);
}

bool DatabaseNode::current_for(std::uint32_t client) const {
  const auto it = applied_at_.find(client);
  return it == applied_at_.end() || it->second <= sim_.now();
}

double DatabaseNode::io_bytes(const Request&, const Frame& f) const {
  // Every IO of a query moves a page, except the commit's log flush, which is last.
  return f.log_flush && f.ios_left == 1 ? config_.log_flush_bytes : config_.page_bytes;
}

}  // namespace models
