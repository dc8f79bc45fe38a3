#include "models/db_routing.hpp"

#include "models/stack.hpp"

namespace models {

DatabaseRouting::DatabaseRouting(Stack& stack, Node& caller, int db_tier, Node* local)
    : stack_(stack),
      tier_(db_tier),
      config_(std::get<DatabaseConfig>(stack.config().tiers[static_cast<std::size_t>(db_tier)].kind)),
      local_(local) {
  const TierConfig& tier = stack.config().tiers[static_cast<std::size_t>(db_tier)];
  if (config_.router && config_.reads == ReadRouting::kReplicas && tier.count > 1) {
    router_ = std::make_unique<ReadRouter>(stack, caller, db_tier, *config_.router);
    // Without faults every node stays online: the monitor would change nothing.
    if (!stack.config().faults.empty()) router_->start();
  }
}

Node* DatabaseRouting::target(const Request& r) {
  const auto& nodes = stack_.tier_nodes(tier_);
  const TierDemand* query = stack_.demand(r.request_class, tier_);
  const bool write = query != nullptr && query->writes > 0;
  const Replication& replication = stack_.replication(tier_);
  Node& primary = replication.primary();
  if (write || config_.reads == ReadRouting::kPrimary || nodes.size() == 1) return &primary;
  if (router_) return choose_reader(nodes, primary);
  if (local_ != nullptr && local_ != &primary) return local_;
  // Replicas in turn: every node but the primary and a demoted one.
  for (std::size_t tries = 0; tries < nodes.size(); ++tries) {
    Node& candidate = *nodes[next_replica_++ % nodes.size()];
    if (&candidate != &primary && replication.in_read_rotation(candidate)) return &candidate;
  }
  return &primary;
}

// The reader hostgroup as ProxySQL has it: the replicas, and a primary that a
// failover promoted when writer_is_also_reader is on; less the shunned nodes
// and a demoted primary not yet repaired. In turn, as without the router
// (ProxySQL picks at random by weight; the turn keeps common random numbers).
Node* DatabaseRouting::choose_reader(const std::vector<Node*>& nodes, Node& primary) {
  const ReadRouterConfig& rc = router_->config();
  const Replication& replication = stack_.replication(tier_);
  const bool primary_reads = rc.writer_is_also_reader && replication.primary_promoted();
  const auto usable = [&](Node& n) {
    return (&n != &primary || primary_reads) && replication.in_read_rotation(n) && !router_->shunned(n);
  };
  if (local_ != nullptr && usable(*local_)) return local_;
  for (std::size_t tries = 0; tries < nodes.size(); ++tries) {
    Node& candidate = *nodes[next_replica_++ % nodes.size()];
    if (usable(candidate)) return &candidate;
  }
  if (rc.fallback_to_primary && !router_->shunned(primary)) return &primary;
  return nullptr;
}

}  // namespace models
