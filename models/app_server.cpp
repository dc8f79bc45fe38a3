#include "models/app_server.hpp"

#include "models/stack.hpp"

namespace models {

AppNode::AppNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
                 std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<AppConfig>(tier.kind)) {
  SlotPool::Config workers;
  workers.capacity = config_.workers;
  workers.queue_limit = config_.backlog;
  configure_admission(workers, FailureReason::kAppBacklog);
  SlotPool::Config pool;
  pool.capacity = config_.pool;
  pool.queue_limit = -1;
  pool.timeout = config_.pool_timeout;
  connections_ = SlotPool(sim_, stack.requests(), pool, sim::Callback::to<&AppNode::on_connection>(this),
                          sim::Callback::to<&AppNode::on_connection_timeout>(this));
  if (config_.prefer_local && tier_index + 1 < stack.tier_count()) local_next_ = co_located_next(tier_index + 1);
  if (tier_index + 1 < stack.tier_count()) {
    const TierConfig& next = stack.config().tiers[static_cast<std::size_t>(tier_index + 1)];
    const auto* db = std::get_if<DatabaseConfig>(&next.kind);
    if (db != nullptr && db->router && db->reads == ReadRouting::kReplicas && next.count > 1) {
      router_.emplace(stack, *this, tier_index + 1, *db->router);
      // Without faults every node stays online: the monitor would change nothing.
      if (!stack.config().faults.empty()) router_->start();
    }
  }
}

void AppNode::begin_call(RequestId id, Request& r) {
  switch (connections_.acquire(id)) {
    case SlotPool::Result::kGranted:
      call(id, r);
      return;
    case SlotPool::Result::kQueued:
    case SlotPool::Result::kRejected:  // the pool's queue is unbounded
      return;
  }
}

void AppNode::on_connection(std::uint64_t id) { call(id, stack_.requests().get(id)); }

void AppNode::call(RequestId id, Request& r) {
  r.frame().holds_call = true;
  if (Node* target = choose_target(r)) {
    send_call(id, r, *target);
    return;
  }
  // No server of the reader hostgroup is online: ProxySQL keeps trying to
  // get one until mysql-connect_timeout_server_max, then returns an error.
  r.frame().downstream = id_;
  schedule_call_failure(id, r, FailureReason::kConnectFailed, router_->config().connect_timeout_max);
}

void AppNode::on_connection_timeout(std::uint64_t id) { fail(id, FailureReason::kPoolTimeout); }

FailureReason AppNode::give_up_reason(FailureReason) const { return FailureReason::kDbUnavailable; }

Node* AppNode::choose_target(const Request& r) {
  const auto& next = stack_.tier_nodes(tier_index_ + 1);
  const TierConfig& next_tier = next.front()->tier();
  if (const auto* db = std::get_if<DatabaseConfig>(&next_tier.kind)) {
    const TierDemand* query = stack_.demand(r.request_class, tier_index_ + 1);
    const bool write = query != nullptr && query->writes > 0;
    Node& primary = stack_.primary_of(tier_index_ + 1);
    if (write || db->reads == ReadRouting::kPrimary || next.size() == 1) return &primary;
    if (router_) return choose_reader(next, primary);
    if (local_next_ != nullptr && local_next_ != &primary) return local_next_;
    // Replicas in turn: every node but the primary and a demoted one.
    for (std::size_t tries = 0; tries < next.size(); ++tries) {
      Node& candidate = *next[next_replica_++ % next.size()];
      if (&candidate != &primary && stack_.in_read_rotation(candidate)) return &candidate;
    }
    return &primary;
  }
  if (local_next_ != nullptr) return local_next_;
  return next[next_round_robin_++ % next.size()];
}

// The reader hostgroup as ProxySQL has it: the replicas, and a primary that a
// failover promoted when writer_is_also_reader is on; less the shunned nodes
// and a demoted primary not yet repaired. In turn, as without the router
// (ProxySQL picks at random by weight; the turn keeps common random numbers).
Node* AppNode::choose_reader(const std::vector<Node*>& next, Node& primary) {
  const ReadRouterConfig& rc = router_->config();
  const bool primary_reads = rc.writer_is_also_reader && stack_.primary_promoted(tier_index_ + 1);
  const auto usable = [&](Node& n) {
    return (&n != &primary || primary_reads) && stack_.in_read_rotation(n) && !router_->shunned(n);
  };
  if (local_next_ != nullptr && usable(*local_next_)) return local_next_;
  for (std::size_t tries = 0; tries < next.size(); ++tries) {
    Node& candidate = *next[next_replica_++ % next.size()];
    if (usable(candidate)) return &candidate;
  }
  if (rc.fallback_to_primary && !router_->shunned(primary)) return &primary;
  return nullptr;
}

void AppNode::end_call(Request&, Frame& f) {
  if (!f.holds_call) return;
  f.holds_call = false;
  connections_.release();
}

void AppNode::abort_call(RequestId id, Request& r, Frame& f) {
  if (f.holds_call) {
    end_call(r, f);
    return;
  }
  if (&f == &r.frame()) connections_.abandon(id);
}

}  // namespace models
