#include "models/nginx.hpp"

#include <algorithm>

#include "models/stack.hpp"

namespace models {

int NginxNode::admission_units(const Request& r) const {
  return stack_.calls(r.request_class, tier_index_).empty() ? 1 : 2;
}

NginxNode::NginxNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                     std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<NginxConfig>(tier.kind)) {
  SlotPool::Config connections;
  connections.capacity = config_.worker_connections * config_.worker_processes;
  connections.queue_limit = 0;
  configure_admission(connections, FailureReason::kWebConnections);
  if (tier_index + 1 < stack.tier_count()) {
    upstream_count_ = stack.tier_nodes(tier_index + 1).size();
    const auto workers = static_cast<std::size_t>(config_.worker_processes);
    upstreams_.assign(workers, SmoothWeightedRoundRobin(config_.weights.empty()
                                                            ? std::vector<int>(upstream_count_, 1)
                                                            : config_.weights));
    health_.resize(workers * upstream_count_);
    if (config_.prefer_local) local_upstream_ = co_located_next(tier_index + 1);
  }
}

// ngx_http_upstream_get_peer: a peer with max_fails failures is skipped
// while no more than fail_timeout has passed since it was last checked.
// (nginx counts in whole seconds of its cached clock; the model exactly.)
bool NginxNode::available(const Frame& f, int i) const {
  const Upstream& h =
      health_[static_cast<std::size_t>(f.worker) * upstream_count_ + static_cast<std::size_t>(i)];
  return config_.max_fails == 0 || h.fails < config_.max_fails || sim_.now() - h.checked > config_.fail_timeout;
}

void NginxNode::begin_call(RequestId id, Request& r) {
  Frame& f = r.frame();
  if (f.tried_upstreams == 0 && f.tries == 0) {  // a new call: the next worker takes it
    f.worker = next_worker_;
    next_worker_ = static_cast<std::uint16_t>((next_worker_ + 1) % config_.worker_processes);
  }
  const auto untried = [&](int i) { return !tried(f, i); };
  int pick = -1;
  if (local_upstream_ != nullptr && f.tried_upstreams == 0 && available(f, local_upstream_->index_in_tier())) {
    pick = local_upstream_->index_in_tier();
  } else {
    SmoothWeightedRoundRobin& rr = upstreams_[f.worker];
    pick = rr.pick([&](int i) { return untried(i) && available(f, i); });
    // With every upstream unavailable, nginx still tries one rather than none.
    if (pick < 0 && f.tried_upstreams == 0) pick = rr.pick();
  }
  if (pick < 0) {
    fail(id, FailureReason::kUpstreamFailed);
    return;
  }
  // A peer picked after fail_timeout has passed is being checked again.
  Upstream& h = health(f, pick);
  if (sim_.now() - h.checked > config_.fail_timeout) h.checked = sim_.now();
  send_call(id, r, *stack_.tier_nodes(tier_index_ + 1)[static_cast<std::size_t>(pick)]);
}

// ngx_http_upstream_free_round_robin_peer, failure: every failure counts and
// restarts fail_timeout; at max_fails or more the peer is disabled (nginx
// warns "upstream server temporarily disabled" each time). Once disabled, a
// single failure of the request let through after fail_timeout disables it
// again: the count only resets on a success.
void NginxNode::call_failed(RequestId id, Request& r, FailureReason cause) {
  Frame& f = r.frame();
  const int upstream = stack_.node(f.downstream).index_in_tier();
  if (config_.max_fails > 0) {
    Upstream& h = health(f, upstream);
    ++h.fails;
    h.accessed = sim_.now();
    h.checked = sim_.now();
    if (h.fails >= config_.max_fails) {
      std::string text = "detect: " + name_ + " marks " + stack_.node(f.downstream).name() + " unavailable";
      if (config_.worker_processes > 1) text += " in worker " + std::to_string(f.worker + 1);
      stack_.detection(*this, text);
    }
  }
  mark_tried(f, upstream);
  // proxy_next_upstream error timeout: a failure to connect, to send, or to
  // read the response header goes to the next upstream, but a request that
  // was sent (reset or timed out since) only if its method is idempotent.
  const bool sent = cause == FailureReason::kBadGateway || cause == FailureReason::kServerTimeout;
  const bool idempotent = stack_.config().workload.classes[r.request_class].idempotent;
  if (config_.next_upstream && (!sent || idempotent)) {
    begin_call(id, r);
    return;
  }
  fail(id, FailureReason::kUpstreamFailed);
}

bool NginxNode::tried(const Frame& f, int i) const {
  if (f.tried_upstreams == 0) return false;
  const auto& set = tried_sets_[f.tried_upstreams - 1];
  const auto bit = static_cast<std::size_t>(i);
  return (set[bit / 64] >> (bit % 64)) & 1u;
}

void NginxNode::mark_tried(Frame& f, int i) {
  if (f.tried_upstreams == 0) {
    if (free_tried_.empty()) {
      tried_sets_.emplace_back((upstream_count_ + 63) / 64, 0);
      f.tried_upstreams = static_cast<std::uint32_t>(tried_sets_.size());
    } else {
      f.tried_upstreams = free_tried_.back();
      free_tried_.pop_back();
    }
  }
  const auto bit = static_cast<std::size_t>(i);
  tried_sets_[f.tried_upstreams - 1][bit / 64] |= std::uint64_t{1} << (bit % 64);
}

void NginxNode::forget_tried(Frame& f) {
  if (f.tried_upstreams == 0) return;
  auto& set = tried_sets_[f.tried_upstreams - 1];
  std::fill(set.begin(), set.end(), 0);
  free_tried_.push_back(f.tried_upstreams);
  f.tried_upstreams = 0;
}

// ngx_http_upstream_free_round_robin_peer, success: the count resets when
// the peer was checked again (picked after fail_timeout) since its last
// failure.
void NginxNode::call_answered(Request&, Frame& f) {
  if (config_.max_fails == 0) return;
  Upstream& h = health(f, stack_.node(f.downstream).index_in_tier());
  if (h.accessed < h.checked) h.fails = 0;
}

}  // namespace models
