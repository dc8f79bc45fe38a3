// An application server (gunicorn, php-fpm, a servlet container): a pool of
// workers, each holding its request for the whole visit including downstream
// calls, a backlog of requests waiting for a worker, and a pool of
// connections to each tier it calls that calls wait for (up to
// pool_timeout). Calls to a database tier go where its routing service says
// (db_routing.hpp: writes to the primary, reads to the replicas, through
// ProxySQL when the tier has a router). Calls to a
// cache tier (cache-aside, models/cache.hpp) count the gets that hit or
// missed for the visit's `on: miss` steps; a cache call that fails (refused,
// timed out) counts as a miss and the visit goes on, as cache clients do.
// Calls to other tiers round robin.
#pragma once

#include <memory>
#include <vector>

#include "models/node.hpp"
#include "models/db_routing.hpp"

namespace models {

class AppNode final : public Node {
 public:
  AppNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
          std::string name, Host& host);

  void on_connection(std::uint64_t id);
  void on_connection_timeout(std::uint64_t id);

 protected:
  Time connect_timeout() const override { return config_.connect_timeout; }
  Time call_timeout() const override { return config_.call_timeout; }
  Time connect_timeout_to(const Node& target) const override;
  Time call_timeout_to(const Node& target) const override;
  void begin_call(RequestId id, Request& r) override;
  void end_call(Request& r, Frame& f) override;
  void abort_call(RequestId id, Request& r, Frame& f) override;
  void call_failed(RequestId id, Request& r, FailureReason cause) override;
  // A failed call to the next tier fails the request (no retry).
  FailureReason give_up_reason(FailureReason cause) const override;

 private:
  // Takes a pooled connection's call: to the chosen target, or fails it when
  // the router has no reader.
  void call(RequestId id, Request& r);
  Node* choose_target(const Request& r, int tier);
  SlotPool& pool_of(const Frame& f) {
    return connections_[f.callee];
  }

  const AppConfig& config_;
  // Per tier: the pool of connections to it (used for the tiers it calls),
  // the co-located node it prefers, the round-robin cursor, the router.
  std::vector<SlotPool> connections_;
  std::vector<Node*> local_;
  std::vector<std::size_t> next_;
  std::vector<std::unique_ptr<DatabaseRouting>> databases_;  // the database tiers' routing
};

}  // namespace models
