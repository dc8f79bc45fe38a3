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
  const auto tiers = static_cast<std::size_t>(stack.tier_count());
  connections_.resize(tiers);
  local_.assign(tiers, nullptr);
  next_.assign(tiers, 0);
  databases_.resize(tiers);
  for (int t = 0; t < stack.tier_count(); ++t) {
    bool called = false;
    for (std::size_t c = 0; c < stack.config().workload.classes.size(); ++c) {
      for (const CallStep& step : stack.calls(static_cast<int>(c), tier_index)) called = called || step.tier == t;
    }
    if (!called) continue;
    const auto k = static_cast<std::size_t>(t);
    connections_[k] = SlotPool(sim_, stack.requests(), pool, sim::Callback::to<&AppNode::on_connection>(this),
                               sim::Callback::to<&AppNode::on_connection_timeout>(this));
    if (config_.prefer_local) local_[k] = co_located_next(t);
    if (std::holds_alternative<DatabaseConfig>(stack.config().tiers[k].kind)) {
      databases_[k] = std::make_unique<DatabaseRouting>(stack, *this, t, local_[k]);
    }
  }
}

void AppNode::begin_call(RequestId id, Request& r) {
  switch (pool_of(r.frame()).acquire(id)) {
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
  Frame& f = r.frame();
  f.holds_call = true;
  const int tier = f.callee;
  if (Node* target = choose_target(r, tier)) {
    send_call(id, r, *target);
    return;
  }
  // No server of the reader hostgroup is online: ProxySQL keeps trying to
  // get one until mysql-connect_timeout_server_max, then returns an error.
  f.downstream = id_;
  schedule_call_failure(id, r, FailureReason::kConnectFailed,
                        databases_[static_cast<std::size_t>(tier)]->router()->config().connect_timeout_max);
}

void AppNode::on_connection_timeout(std::uint64_t id) { fail(id, FailureReason::kPoolTimeout); }

FailureReason AppNode::give_up_reason(FailureReason) const { return FailureReason::kDbUnavailable; }

Time AppNode::connect_timeout_to(const Node& target) const {
  if (const auto* cache = std::get_if<CacheConfig>(&target.tier().kind)) return cache->client_timeout;
  return config_.connect_timeout;
}

Time AppNode::call_timeout_to(const Node& target) const {
  if (const auto* cache = std::get_if<CacheConfig>(&target.tier().kind)) return cache->client_timeout;
  return config_.call_timeout;
}

// A cache client takes a refused connection, a timeout or an error for a
// miss (pymemcache, redis-py and Jedis raise; cache-aside code catches it and
// reads the database): the visit goes on.
void AppNode::call_failed(RequestId id, Request& r, FailureReason cause) {
  Frame& f = r.frame();
  const CallStep& step = current_step(r, f);
  if (!std::holds_alternative<CacheConfig>(stack_.config().tiers[static_cast<std::size_t>(step.tier)].kind)) {
    Node::call_failed(id, r, cause);
    return;
  }
  end_call(r, f);
  r.cache_answer = Request::CacheAnswer::kNone;
  if (step.op == CacheOp::kGet) ++f.misses;
  call_done(id, r);
}

Node* AppNode::choose_target(const Request& r, int tier) {
  const auto k = static_cast<std::size_t>(tier);
  if (databases_[k]) return databases_[k]->target(r);
  if (local_[k] != nullptr) return local_[k];
  const auto& next = stack_.tier_nodes(tier);
  return next[next_[k]++ % next.size()];
}

void AppNode::end_call(Request&, Frame& f) {
  if (!f.holds_call) return;
  f.holds_call = false;
  pool_of(f).release();
}

void AppNode::abort_call(RequestId id, Request& r, Frame& f) {
  if (f.holds_call) {
    end_call(r, f);
    return;
  }
  if (&f == &r.frame() && f.calls_left > 0) pool_of(f).abandon(id);
}

}  // namespace models
