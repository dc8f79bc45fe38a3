// nginx as the web tier: serves the classes that end here itself (static
// content) and proxies the rest to the next tier by weighted round robin.
// worker_connections x worker_processes bounds open connections; a proxied
// request holds two (client side and upstream), as in nginx.
#pragma once

#include "models/node.hpp"
#include "models/routing.hpp"

namespace models {

class NginxNode final : public Node {
 public:
  NginxNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
            std::string name, Host& host);

 protected:
  Time connect_timeout() const override { return config_.connect_timeout; }
  Time call_timeout() const override { return config_.read_timeout; }
  int admission_units(const Request& r) const override { return r.deepest > tier_index_ ? 2 : 1; }
  void begin_call(RequestId id, Request& r) override;

 private:
  const NginxConfig& config_;
  SmoothWeightedRoundRobin upstreams_;
  Node* local_upstream_ = nullptr;
};

}  // namespace models
