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
  int admission_units(const Request& r) const override;
  void begin_call(RequestId id, Request& r) override;
  // Passive health and proxy_next_upstream: a connection failure or timeout
  // counts against the upstream in the request's worker (max_fails failures
  // make it unavailable for fail_timeout) and the request moves to the next
  // upstream not yet tried; when none is left, 502/504.
  void call_failed(RequestId id, Request& r, FailureReason cause) override;
  void call_answered(Request& r, Frame& f) override;
  FailureReason give_up_reason(FailureReason) const override { return FailureReason::kUpstreamFailed; }
  // The call ended (answered, or the request failed): its tried set goes back.
  void end_call(Request&, Frame& f) override { forget_tried(f); }
  void abort_call(RequestId, Request&, Frame& f) override { forget_tried(f); }

 private:
  // ngx_http_upstream_rr_peer_t's passive-health fields.
  struct Upstream {
    int fails = 0;
    Time accessed = 0;  // the last failure
    Time checked = 0;   // the last failure, or a pick after fail_timeout had passed
  };
  bool available(const Frame& f, int i) const;
  Upstream& health(const Frame& f, int i) {
    return health_[static_cast<std::size_t>(f.worker) * upstream_count_ + static_cast<std::size_t>(i)];
  }
  // Like nginx's round robin (ngx_http_upstream_rr_peer_data_t.tried, a
  // bitmap of one bit per peer, allocated per request when the peers
  // outnumber a word's bits), a call remembers every upstream it has tried,
  // however many the tier has. A call that fails once takes a bitmap from
  // this node's table and gives it back when it ends.
  bool tried(const Frame& f, int i) const;
  void mark_tried(Frame& f, int i);
  void forget_tried(Frame& f);

  const NginxConfig& config_;
  // Without a `zone`, each worker process keeps its own round robin and
  // passive-health state (nginx allocates them per process); requests go to
  // the workers in turn.
  std::vector<SmoothWeightedRoundRobin> upstreams_;  // per worker
  std::vector<Upstream> health_;                     // per worker, per upstream
  std::size_t upstream_count_ = 0;
  std::uint16_t next_worker_ = 0;
  Node* local_upstream_ = nullptr;
  std::vector<std::vector<std::uint64_t>> tried_sets_;  // slot k is Frame::tried_upstreams k + 1
  std::vector<std::uint32_t> free_tried_;
};

}  // namespace models
