// An application server (gunicorn, php-fpm, a servlet container): a pool of
// workers, each holding its request for the whole visit including downstream
// calls, a backlog of requests waiting for a worker, and a pool of
// connections to the next tier that calls wait for (up to pool_timeout).
// Calls to a database tier go by query type: writes to the primary, reads to
// the replicas in turn (or the primary), through ProxySQL's health checks
// when the tier has a router (read_router.hpp); calls to other tiers round
// robin.
#pragma once

#include <optional>
#include <vector>

#include "models/node.hpp"
#include "models/read_router.hpp"

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
  void begin_call(RequestId id, Request& r) override;
  void end_call(Request& r, Frame& f) override;
  void abort_call(RequestId id, Request& r, Frame& f) override;
  // A failed call to the next tier fails the request (no retry).
  FailureReason give_up_reason(FailureReason cause) const override;

 private:
  // Takes a pooled connection's call: to the chosen target, or fails it when
  // the router has no reader.
  void call(RequestId id, Request& r);
  Node* choose_target(const Request& r);
  Node* choose_reader(const std::vector<Node*>& next, Node& primary);

  const AppConfig& config_;
  SlotPool connections_;
  Node* local_next_ = nullptr;
  std::size_t next_round_robin_ = 0;
  std::size_t next_replica_ = 0;
  std::optional<ReadRouter> router_;  // set when reads go through ProxySQL
};

}  // namespace models
