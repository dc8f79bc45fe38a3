#include "models/haproxy.hpp"

#include <limits>

#include "models/stack.hpp"

namespace models {

namespace {
// Frame::downstream while waiting in the backend queue (no server chosen yet).
constexpr std::uint32_t kBackendQueue = std::numeric_limits<std::uint32_t>::max();

const HaproxyConfig& haproxy_config(const TierConfig& tier) { return std::get<HaproxyConfig>(tier.kind); }

std::vector<int> server_weights(const HaproxyConfig& config, std::size_t servers) {
  return config.weights.empty() ? std::vector<int>(servers, 1) : config.weights;
}
}  // namespace

HaproxyNode::HaproxyNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                         std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(haproxy_config(tier)),
      rng_(stack.simulation().stream("node." + name_ + ".balance")) {
  SlotPool::Config frontend;
  frontend.capacity = config_.maxconn;
  if (config_.maxconn == 0) {
    frontend.queue_limit = -1;
  } else {
    frontend.queue_limit = config_.backlog > 0 ? config_.backlog : config_.maxconn;
  }
  configure_admission(frontend, FailureReason::kLbMaxconn);
  if (tier_index + 1 < stack.tier_count()) {
    const auto& next = stack.tier_nodes(tier_index + 1);
    const auto weights = server_weights(config_, next.size());
    for (std::size_t i = 0; i < next.size(); ++i) {
      Server s;
      s.node = next[i];
      s.weight = weights[i];
      servers_.push_back(std::move(s));
    }
    round_robin_ = SmoothWeightedRoundRobin(weights);
  }
}

int HaproxyNode::server_load(int i) const {
  const Server& s = servers_[static_cast<std::size_t>(i)];
  return s.connections + s.queued;
}

double HaproxyNode::extra_cpu(Request&, sim::RandomStream& rng) {
  if (!config_.tls) return 0.0;
  const TlsConfig& tls = *config_.tls;
  // A request opens a new TLS connection once per requests_per_connection.
  if (rng.uniform01() * tls.requests_per_connection >= 1.0) return 0.0;
  return rng.uniform01() < tls.resume_ratio ? tls.resumed.sample(rng) : tls.handshake.sample(rng);
}

int HaproxyNode::source_server(const Request& r) const {
  // Hash of the client address over the total weight, as `balance source`
  // does with the default map-based hashing.
  long long total = 0;
  for (const auto& s : servers_) total += s.weight;
  if (total <= 0) return -1;
  std::uint64_t mix = r.client;
  auto point = static_cast<long long>(sim::splitmix64(mix) % static_cast<std::uint64_t>(total));
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    point -= servers_[i].weight;
    if (point < 0) return static_cast<int>(i);
  }
  return -1;
}

int HaproxyNode::choose_server() {
  const auto eligible = [this](int i) {
    const Server& s = servers_[static_cast<std::size_t>(i)];
    return s.weight > 0 && has_room(s);
  };
  const int n = static_cast<int>(servers_.size());
  switch (config_.balance) {
    case Balance::kRoundRobin:
    case Balance::kStaticRoundRobin:
      return round_robin_.pick(eligible);
    case Balance::kFirst:
      for (int i = 0; i < n; ++i) {
        if (eligible(i)) return i;
      }
      return -1;
    case Balance::kLeastConn: {
      // Fewest requests per unit of weight; ties rotate.
      int best = -1;
      double best_load = std::numeric_limits<double>::infinity();
      for (int k = 0; k < n; ++k) {
        const int i = static_cast<int>((leastconn_cursor_ + static_cast<std::size_t>(k)) % static_cast<std::size_t>(n));
        if (!eligible(i)) continue;
        const double load = static_cast<double>(server_load(i)) / servers_[static_cast<std::size_t>(i)].weight;
        if (load < best_load) {
          best_load = load;
          best = i;
        }
      }
      if (best >= 0) leastconn_cursor_ = static_cast<std::size_t>(best + 1);
      return best;
    }
    case Balance::kRandom: {
      // Power of N choices: N weighted draws, keep the least loaded.
      long long total = 0;
      for (int i = 0; i < n; ++i) {
        if (eligible(i)) total += servers_[static_cast<std::size_t>(i)].weight;
      }
      if (total == 0) return -1;
      int best = -1;
      double best_load = std::numeric_limits<double>::infinity();
      for (int draw = 0; draw < config_.random_draws; ++draw) {
        auto point = static_cast<long long>(rng_.below(static_cast<std::uint64_t>(total)));
        int chosen = -1;
        for (int i = 0; i < n && chosen < 0; ++i) {
          if (!eligible(i)) continue;
          point -= servers_[static_cast<std::size_t>(i)].weight;
          if (point < 0) chosen = i;
        }
        const double load = static_cast<double>(server_load(chosen)) / servers_[static_cast<std::size_t>(chosen)].weight;
        if (load < best_load) {
          best_load = load;
          best = chosen;
        }
      }
      return best;
    }
    case Balance::kSource:
      break;  // handled in begin_call: the server is fixed by the client
  }
  return -1;
}

void HaproxyNode::begin_call(RequestId id, Request& r) {
  if (config_.balance == Balance::kSource) {
    const int target = source_server(r);
    if (target < 0) {  // every server has weight 0
      enqueue(id, r, backend_queue_);
      ++backend_queued_;
      r.frame().downstream = kBackendQueue;
      return;
    }
    Server& s = servers_[static_cast<std::size_t>(target)];
    if (has_room(s)) {
      connect(id, r, target);
      return;
    }
    if (config_.maxqueue == 0 || s.queued < config_.maxqueue) {
      enqueue(id, r, s.queue);
      ++s.queued;
      r.frame().downstream = s.node->id();
      return;
    }
    // The server's queue is full: any server will do.
  } else {
    const int target = choose_server();
    if (target >= 0) {
      connect(id, r, target);
      return;
    }
  }
  enqueue(id, r, backend_queue_);
  ++backend_queued_;
  r.frame().downstream = kBackendQueue;
}

void HaproxyNode::connect(RequestId id, Request& r, int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  ++s.connections;
  r.frame().holds_call = true;
  send_call(id, r, *s.node);
}

void HaproxyNode::enqueue(RequestId id, Request& r, std::deque<Waiter>& queue) {
  r.wait_token = ++next_token_;
  queue.push_back(Waiter{id, r.wait_token, sim_.now()});
  r.wait_timer = sim_.schedule_in<&HaproxyNode::on_queue_timeout>(config_.timeout_queue, this, id);
}

void HaproxyNode::drop_stale(std::deque<Waiter>& queue) {
  while (!queue.empty()) {
    const Request* r = stack_.requests().find(queue.front().id);
    if (r != nullptr && r->wait_token == queue.front().token) return;
    queue.pop_front();
  }
}

void HaproxyNode::end_call(Request&, Frame& f) {
  if (!f.holds_call) return;
  f.holds_call = false;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].node->id() == f.downstream) {
      --servers_[i].connections;
      serve_queues(static_cast<int>(i));
      break;
    }
  }
}

void HaproxyNode::serve_queues(int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  while (has_room(s) && s.weight > 0) {
    drop_stale(s.queue);
    drop_stale(backend_queue_);
    const bool from_server = !s.queue.empty() &&
                             (backend_queue_.empty() || s.queue.front().since <= backend_queue_.front().since);
    std::deque<Waiter>* queue = from_server ? &s.queue : (backend_queue_.empty() ? nullptr : &backend_queue_);
    if (queue == nullptr) return;
    const Waiter w = queue->front();
    queue->pop_front();
    if (from_server) {
      --s.queued;
    } else {
      --backend_queued_;
    }
    Request& waiting = stack_.requests().get(w.id);
    waiting.wait_token = 0;
    sim_.cancel(waiting.wait_timer);
    connect(w.id, waiting, server);
  }
}

void HaproxyNode::on_queue_timeout(std::uint64_t id) {
  const Request* r = stack_.requests().find(id);
  if (r == nullptr || r->wait_token == 0) return;
  fail(id, FailureReason::kQueueTimeout);  // unwinding takes it out of the queue
}

void HaproxyNode::abort_call(RequestId, Request& r, Frame& f) {
  if (f.holds_call) {
    end_call(r, f);
    return;
  }
  if (&f != &r.frame() || r.wait_token == 0) return;
  // Leave the queue: the entry goes stale; fix the live counts.
  r.wait_token = 0;
  sim_.cancel(r.wait_timer);
  if (f.downstream == kBackendQueue) {
    --backend_queued_;
    return;
  }
  for (auto& s : servers_) {
    if (s.node->id() == f.downstream) --s.queued;
  }
}

}  // namespace models
