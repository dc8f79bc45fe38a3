#include "models/nginx.hpp"

#include <algorithm>

#include "models/stack.hpp"

namespace models {

NginxNode::NginxNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                     std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(std::get<NginxConfig>(tier.kind)) {
  SlotPool::Config connections;
  connections.capacity = config_.worker_connections * config_.worker_processes;
  connections.queue_limit = 0;
  configure_admission(connections, FailureReason::kWebConnections);
  if (tier_index + 1 < stack.tier_count()) {
    const auto count = stack.tier_nodes(tier_index + 1).size();
    upstreams_ = SmoothWeightedRoundRobin(config_.weights.empty() ? std::vector<int>(count, 1) : config_.weights);
    health_.resize(count);
    if (config_.prefer_local) local_upstream_ = co_located_next(tier_index + 1);
  }
}

bool NginxNode::available(int i) const {
  return config_.max_fails == 0 || sim_.now() >= health_[static_cast<std::size_t>(i)].unavailable_until;
}

void NginxNode::begin_call(RequestId id, Request& r) {
  const Frame& f = r.frame();
  const auto untried = [&](int i) { return !tried(f, i); };
  if (local_upstream_ != nullptr && f.tried_upstreams == 0 && available(local_upstream_->index_in_tier())) {
    send_call(id, r, *local_upstream_);
    return;
  }
  int pick = upstreams_.pick([&](int i) { return untried(i) && available(i); });
  // With every upstream unavailable, nginx still tries one rather than none.
  if (pick < 0 && f.tried_upstreams == 0) pick = upstreams_.pick();
  if (pick < 0) {
    fail(id, FailureReason::kUpstreamFailed);
    return;
  }
  send_call(id, r, *stack_.tier_nodes(tier_index_ + 1)[static_cast<std::size_t>(pick)]);
}

void NginxNode::call_failed(RequestId id, Request& r, FailureReason cause) {
  Frame& f = r.frame();
  const int upstream = stack_.node(f.downstream).index_in_tier();
  Upstream& h = health_[static_cast<std::size_t>(upstream)];
  const Time now = sim_.now();
  if (config_.max_fails > 0) {
    if (h.fails == 0 || now - h.first_fail > config_.fail_timeout) {
      h.fails = 0;
      h.first_fail = now;
    }
    if (++h.fails >= config_.max_fails && now >= h.unavailable_until) {
      h.unavailable_until = now + config_.fail_timeout;
      h.fails = 0;
      stack_.detection(*this, "detect: " + name_ + " marks " + stack_.node(f.downstream).name() + " unavailable");
    }
  }
  mark_tried(f, upstream);
  if (config_.next_upstream && cause != FailureReason::kBadGateway) {
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
      tried_sets_.emplace_back((health_.size() + 63) / 64, 0);
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

}  // namespace models
