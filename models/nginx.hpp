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
  // Passive health and proxy_next_upstream: a connection failure or timeout
  // counts against the upstream (max_fails within fail_timeout makes it
  // unavailable for fail_timeout) and the request moves to the next
  // upstream not yet tried; when none is left, 502/504.
  void call_failed(RequestId id, Request& r, FailureReason cause) override;
  FailureReason give_up_reason(FailureReason) const override { return FailureReason::kUpstreamFailed; }

 private:
  struct Upstream {
    int fails = 0;
    Time first_fail = 0;
    Time unavailable_until = 0;
  };
  bool available(int i) const;

  const NginxConfig& config_;
  SmoothWeightedRoundRobin upstreams_;
  std::vector<Upstream> health_;
  Node* local_upstream_ = nullptr;
};

}  // namespace models
