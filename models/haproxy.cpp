#include "models/haproxy.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "models/stack.hpp"

namespace models {

namespace {
// Frame::downstream while waiting in the backend queue (no server chosen yet).
constexpr std::uint32_t kBackendQueue = std::numeric_limits<std::uint32_t>::max();
// HAProxy's BE_WEIGHT_SCALE: effective weights count sixteenths of a
// configured weight, the steps slowstart ramps by.
constexpr int kWeightScale = 16;

const HaproxyConfig& haproxy_config(const TierConfig& tier) { return std::get<HaproxyConfig>(tier.kind); }

std::vector<int> server_weights(const HaproxyConfig& config, std::size_t servers) {
  return config.weights.empty() ? std::vector<int>(servers, 1) : config.weights;
}
}  // namespace

HaproxyNode::HaproxyNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier,
                         std::uint32_t node_id, std::string name, Host& host)
    : Node(stack, tier, tier_index, index_in_tier, node_id, std::move(name), host),
      config_(haproxy_config(tier)),
      rng_(stack.simulation().stream("node." + name_ + ".balance")),
      check_rng_(stack.simulation().stream("node." + name_ + ".checks")) {
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
    std::vector<int> effective;
    for (std::size_t i = 0; i < next.size(); ++i) {
      Server s;
      s.node = next[i];
      s.weight = weights[i];
      s.effective_weight = weights[i] * kWeightScale;
      // As HAProxy starts its servers: up, but one failed check marks them down.
      if (config_.health_check) s.health = config_.health_check->rise;
      effective.push_back(s.effective_weight);
      servers_.push_back(std::move(s));
    }
    round_robin_ = SmoothWeightedRoundRobin(effective);
  }
  start_checks();
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
  // Hash of the client address over the total weight of the servers marked
  // UP, as `balance source` does with the default map-based hashing
  // (HAProxy rebuilds the map when a server goes down or up).
  long long total = 0;
  for (const auto& s : servers_) total += s.marked_up ? s.weight : 0;
  if (total <= 0) return -1;
  std::uint64_t mix = r.client;
  auto point = static_cast<long long>(sim::splitmix64(mix) % static_cast<std::uint64_t>(total));
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (!servers_[i].marked_up) continue;
    point -= servers_[i].weight;
    if (point < 0) return static_cast<int>(i);
  }
  return -1;
}

int HaproxyNode::server_index(std::uint32_t node_id) const {
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].node->id() == node_id) return static_cast<int>(i);
  }
  return -1;
}

bool HaproxyNode::dynamic_weights() const {
  return config_.balance != Balance::kStaticRoundRobin && config_.balance != Balance::kSource;
}

int HaproxyNode::active_servers() const {
  return static_cast<int>(
      std::count_if(servers_.begin(), servers_.end(), [](const Server& s) { return s.marked_up && s.weight > 0; }));
}

int HaproxyNode::server_maxconn(const Server& s) const {
  const int limit = config_.server_maxconn;
  if (limit == 0 || !s.warming_up) return limit;
  const Time elapsed = sim_.now() - s.up_since;
  if (elapsed >= config_.slowstart) return limit;
  // HAProxy's srv_dynamic_maxconn: the limit times the whole percents of the
  // ramp done, at least 1.
  const long long percent = 100 * elapsed / config_.slowstart;
  return std::max(1, static_cast<int>(static_cast<long long>(limit) * percent / 100));
}

int HaproxyNode::choose_server(int exclude) {
  const auto eligible = [this, exclude](int i) {
    const Server& s = servers_[static_cast<std::size_t>(i)];
    return i != exclude && s.marked_up && s.weight > 0 && has_room(s);
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
        const double load =
            static_cast<double>(server_load(i)) / servers_[static_cast<std::size_t>(i)].effective_weight;
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
        if (eligible(i)) total += servers_[static_cast<std::size_t>(i)].effective_weight;
      }
      if (total == 0) return -1;
      int best = -1;
      double best_load = std::numeric_limits<double>::infinity();
      for (int draw = 0; draw < config_.random_draws; ++draw) {
        auto point = static_cast<long long>(rng_.below(static_cast<std::uint64_t>(total)));
        int chosen = -1;
        for (int i = 0; i < n && chosen < 0; ++i) {
          if (!eligible(i)) continue;
          point -= servers_[static_cast<std::size_t>(i)].effective_weight;
          if (point < 0) chosen = i;
        }
        const double load =
            static_cast<double>(server_load(chosen)) / servers_[static_cast<std::size_t>(chosen)].effective_weight;
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

void HaproxyNode::begin_call(RequestId id, Request& r) { dispatch(id, r, -1, -1); }

void HaproxyNode::dispatch(RequestId id, Request& r, int forced, int exclude) {
  bool any_up = false;
  for (const auto& s : servers_) any_up = any_up || (s.marked_up && s.weight > 0);
  if (!any_up) {
    fail(id, FailureReason::kNoServer);
    return;
  }
  if (forced >= 0) {
    // A retry stays with its server, even one marked down meanwhile: only
    // redispatch moves it.
    Server& s = servers_[static_cast<std::size_t>(forced)];
    if (has_room(s)) {
      connect(id, r, forced);
    } else {
      enqueue(id, r, s.queue);
      ++s.queued;
      r.frame().downstream = s.node->id();
    }
    return;
  }
  if (forced < 0 && config_.balance == Balance::kSource) {
    const int target = source_server(r);
    if (target < 0) {  // every server up has weight 0
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
    // The algorithms avoid the last server, but take it when no other will do.
    int target = choose_server(exclude);
    if (target < 0 && exclude >= 0) target = choose_server();
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
  ++s.connections_opened;
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

// The server answered: a good response.
void HaproxyNode::end_call(Request&, Frame& f) {
  if (!f.holds_call) return;
  observe(server_index(f.downstream), CallOutcome::kGoodResponse);
  release_server(f);
}

void HaproxyNode::release_server(Frame& f) {
  if (!f.holds_call) return;
  f.holds_call = false;
  const int i = server_index(f.downstream);
  --servers_[static_cast<std::size_t>(i)].connections;
  serve_queues(i);
}

// A connection failure (refused or timed out) is retried `retries` times;
// HAProxy's back_handle_st_cer counts them in conn_retries, this frame's
// tries - 1. A request the server has received is not replayed.
void HaproxyNode::call_failed(RequestId id, Request& r, FailureReason cause) {
  Frame& f = r.frame();
  const int server = server_index(f.downstream);
  // A refused connection was sent and answered; a timed-out one never left.
  const bool refused = cause == FailureReason::kConnectFailed && f.call_sent;
  release_server(f);
  // A reset or `timeout server` comes after the connection was made.
  observe(server, cause == FailureReason::kConnectFailed ? CallOutcome::kConnectFailed : CallOutcome::kBadResponse);
  if (cause != FailureReason::kConnectFailed || f.tries > config_.retries) {
    fail(id, cause);
    return;
  }
  const bool elsewhere = redispatches(server, f.tries);
  // After an asynchronous error (refused) HAProxy waits min(timeout connect,
  // 1 s) before connecting again, unless the retry goes to another server
  // and more than one is up; after a connect timeout it retries at once.
  if (refused && (!elsewhere || active_servers() <= 1)) {
    const Time pause = std::min<Time>(config_.timeout_connect, sim::kSecond);
    if (elsewhere) {
      sim_.schedule_in<&HaproxyNode::on_retry_redispatched>(pause, this, id);
    } else {
      sim_.schedule_in<&HaproxyNode::on_retry_same_server>(pause, this, id);
    }
    return;
  }
  if (elsewhere) {
    dispatch(id, r, -1, server);
  } else {
    dispatch(id, r, server, -1);
  }
}

// stream_choose_redispatch: with `option redispatch N`, a retry goes back to
// the balancer (which avoids the last server where it can) when the server
// is marked down; or on every Nth retry (N > 0), or the retry -N before the
// last (N < 0; N = -1, the default, is the last); or at once when the
// algorithm is not a hash and more than one server is up.
bool HaproxyNode::redispatches(int server, int retries_done) const {
  if (!config_.redispatch) return false;
  if (!servers_[static_cast<std::size_t>(server)].marked_up) return true;
  const int n = config_.redispatch_after;
  if (n > 0 && retries_done % n == 0) return true;
  if (n < 0 && retries_done % (config_.retries + 1 + n) == 0) return true;
  return config_.balance != Balance::kSource && active_servers() > 1;
}

// A deeper tier failed the request: the server answered with an error.
void HaproxyNode::call_answered_with_error(Request&, Frame& f) {
  if (f.holds_call) observe(server_index(f.downstream), CallOutcome::kBadResponse);
}

void HaproxyNode::on_retry_same_server(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  // Even one marked down meanwhile: the stream stays assigned to it.
  dispatch(id, *r, server_index(r->frame().downstream), -1);
}

void HaproxyNode::on_retry_redispatched(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  dispatch(id, *r, -1, server_index(r->frame().downstream));
}

// ---------------------------------------------------------------- health checks

// HAProxy's start_checks / start_check_task: the first check of the server
// at position p of n starts interval x p / n after (re)start, the interval
// being srv_getinter() (fastinter, as the servers start in transition).
// HAProxy takes the smallest interval of at least 1 s over the process's
// servers, never below the server's own: here every server has the same.
void HaproxyNode::start_checks() {
  if (!config_.health_check) return;
  const auto n = static_cast<Time>(servers_.size());
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    servers_[i].checking = false;
    schedule_check(static_cast<int>(i), sim_.now() + check_interval(servers_[i]) * static_cast<Time>(i) / n);
  }
}

void HaproxyNode::schedule_check(int server, Time at) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  sim_.cancel(s.check_timer);
  s.next_check = at;
  s.check_timer = sim_.schedule_at<&HaproxyNode::on_check>(at, this, static_cast<std::uint64_t>(server));
}

void HaproxyNode::on_check(std::uint64_t server) {
  if (!answering()) return;  // checks stop with the process; on_up restarts them
  Server& s = servers_[server];
  s.checking = true;
  const auto [takes, ok] = probe(s);
  s.check_end = sim_.now() + takes;
  s.check_timer =
      sim_.schedule_in<&HaproxyNode::on_check_result>(takes, this, (server << 1) | (ok ? 1u : 0u));
}

// A check connects to the server. A silent host (SYN unanswered) runs the
// check into its task's expiry: inter after it started, or min(timeout
// connect, inter) when `timeout check` is set (tcpcheck_eval_connect; timeout
// check then bounds only the read, after the connection is made). A refused
// connection, or an answer, ends it after a round trip.
std::pair<Time, bool> HaproxyNode::probe(const Server& s) const {
  const HealthCheckConfig& hc = *config_.health_check;
  if (!stack_.network().reachable(*this, *s.node)) {
    return {hc.timeout > 0 ? std::min(config_.timeout_connect, hc.inter) : hc.inter, false};
  }
  return {2 * stack_.config().network.latency, s.node->process_up()};
}

// process_chk_conn: the next check starts srv_getinter() after this one
// ended, the interval chosen for the state the verdict left, plus
// spread-checks' jitter of up to that percent of it either way.
void HaproxyNode::on_check_result(std::uint64_t arg) {
  if (!answering()) return;
  const auto server = static_cast<int>(arg >> 1);
  Server& s = servers_[static_cast<std::size_t>(server)];
  s.checking = false;
  if ((arg & 1) != 0) {
    check_passed(server);
  } else {
    check_failed(server, "");
  }
  Time interval = check_interval(s);
  if (config_.spread_checks > 0) {
    const Time spread = interval * config_.spread_checks / 100;
    interval += spread - static_cast<Time>(2.0 * static_cast<double>(spread) * check_rng_.uniform01());
  }
  s.fast_check = false;  // HAProxy forces fastinter for one interval only
  schedule_check(server, sim_.now() + interval);
}

// HAProxy's srv_getinter.
Time HaproxyNode::check_interval(const Server& s) const {
  const HealthCheckConfig& hc = *config_.health_check;
  if (!s.fast_check && s.health == hc.rise + hc.fall - 1) return hc.inter;
  if (!s.marked_up && s.health == 0) return hc.downinter > 0 ? hc.downinter : hc.inter;
  return hc.fastinter > 0 ? hc.fastinter : hc.inter;
}

// A pass raises health by one; reaching rise marks the server UP at full health.
void HaproxyNode::check_passed(int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  const HealthCheckConfig& hc = *config_.health_check;
  const int full = hc.rise + hc.fall - 1;
  if (s.health < full) {
    ++s.health;
    if (s.health >= hc.rise) s.health = full;
  }
  s.consecutive_errors = 0;
  if (s.marked_up || s.health < hc.rise) return;
  s.marked_up = true;
  stack_.timeline<Recovery>("detect: " + name_ + " marks " + s.node->name() + " UP");
  if (config_.slowstart > 0) {
    // HAProxy restarts a recovered server at the smallest weight step.
    s.warming_up = true;
    s.up_since = sim_.now();
    if (dynamic_weights()) set_effective_weight(server, s.weight);
    s.warmup_timer = sim_.schedule_in<&HaproxyNode::on_warmup_step>(
        std::max<Time>(sim::kSecond, config_.slowstart / 20), this, static_cast<std::uint64_t>(server));
  }
  serve_queues(server);
}

// A failure lowers health by one; below rise the server is DOWN at health 0.
void HaproxyNode::check_failed(int server, const std::string& why) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  if (s.health > 0) {
    --s.health;
    if (s.health < config_.health_check->rise) s.health = 0;
  }
  if (!s.marked_up || s.health > 0) return;
  s.marked_up = false;
  s.warming_up = false;
  sim_.cancel(s.warmup_timer);
  stack_.detection(*this, "detect: " + name_ + " marks " + s.node->name() + " DOWN" + why);
  if (config_.health_check->shutdown_sessions_on_down) shutdown_sessions(server);
  if (config_.redispatch) redistribute_queue(server);
}

// pendconn_redistribute (queue.c, called by srv_update_status when a server
// goes down): with option redispatch, the requests waiting in the server's
// own queue go back to the balancer, which re-arms `timeout queue` if they
// queue again; without it they wait for the server to come back or for
// `timeout queue`.
void HaproxyNode::redistribute_queue(int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  std::deque<Waiter> waiting;
  waiting.swap(s.queue);
  s.queued = 0;
  for (const Waiter& w : waiting) {
    Request* r = stack_.requests().find(w.id);
    if (r == nullptr || r->wait_token != w.token) continue;  // left the queue already
    r->wait_token = 0;
    sim_.cancel(r->wait_timer);
    dispatch(w.id, *r, -1, server);
  }
}

// srv_shutdown_streams: every request holding a connection to the server is
// cut. One the server had received ends as a 502, one still connecting as a
// 503; the client sees an error (and may retry).
void HaproxyNode::shutdown_sessions(int server) {
  const std::uint32_t target = servers_[static_cast<std::size_t>(server)].node->id();
  std::vector<RequestId> cut;
  stack_.requests().for_each_live([&](RequestId id, const Request& r) {
    if (r.depth < tier_index_) return;
    const Frame& f = r.frames[static_cast<std::size_t>(tier_index_)];
    if (f.node == id_ && f.holds_call && f.downstream == target) cut.push_back(id);
  });
  for (RequestId id : cut) {
    Request* r = stack_.requests().find(id);
    if (r == nullptr) continue;
    Frame& f = r->frames[static_cast<std::size_t>(tier_index_)];
    const bool received = f.call_sent;
    sim_.cancel(f.call_timer);
    f.call_deadline = 0;
    const RequestId current = stack_.lifecycle().truncate(id, tier_index_);
    fail(current, received ? FailureReason::kBadGateway : FailureReason::kConnectFailed);
  }
}

// Passive health (observe): consecutive errors on live traffic; at
// error_limit, on_error acts as HAProxy's does.
void HaproxyNode::observe(int server, CallOutcome outcome) {
  if (!config_.health_check || config_.health_check->observe == Observe::kOff) return;
  const HealthCheckConfig& hc = *config_.health_check;
  Server& s = servers_[static_cast<std::size_t>(server)];
  // layer4 judges only the connection, so any answer counts as a success.
  const bool error = outcome == CallOutcome::kConnectFailed ||
                     (outcome == CallOutcome::kBadResponse && hc.observe == Observe::kLayer7);
  if (!error) {
    s.consecutive_errors = 0;
    return;
  }
  if (++s.consecutive_errors < hc.error_limit) return;
  s.consecutive_errors = 0;
  s.fast_check = true;  // every mode forces fastinter
  const std::string why = " (" + std::to_string(hc.error_limit) + " errors in a row on live traffic)";
  switch (hc.on_error) {
    case OnError::kFastinter:
      break;
    case OnError::kSuddenDeath:
      // One failed check short of DOWN, then this one counts as a failed check.
      s.health = std::min(s.health, hc.rise + 1);
      check_failed(server, why);
      break;
    case OnError::kFailCheck:
      check_failed(server, why);
      break;
    case OnError::kMarkDown:
      s.health = hc.rise;
      check_failed(server, why);
      break;
  }
  // Bring the check task's expiry forward to one fastinter from now when
  // that is sooner (HAProxy only does so when fastinter is set; src/check.c
  // __health_adjust, task_schedule). While a probe is out, that expiry is
  // the probe's timeout: a probe still waiting for a silent server times out
  // (fails) then, as HAProxy 2.6 does (its log says "Layer4 timeout, check
  // duration: 1088ms" with inter 2s and fastinter 1s; docs/validation.md).
  if (hc.fastinter == 0) return;
  if (s.checking) {
    const Time cut = sim_.now() + hc.fastinter;
    if (cut >= s.check_end) return;
    sim_.cancel(s.check_timer);
    s.check_end = cut;
    s.check_timer = sim_.schedule_at<&HaproxyNode::on_check_result>(
        cut, this, static_cast<std::uint64_t>(server) << 1);
    return;
  }
  if (!sim_.is_pending(s.check_timer)) return;
  const Time sooner = sim_.now() + check_interval(s);
  if (sooner >= s.next_check) return;
  s.fast_check = false;
  schedule_check(server, sooner);
}

// Slowstart: every max(1 s, slowstart / 20), as HAProxy's warmup task, the
// weight becomes weight x (1 + floor(16 x elapsed / slowstart)) / 16 for the
// dynamic algorithms, and queued requests may take the higher maxconn.
void HaproxyNode::on_warmup_step(std::uint64_t server) {
  Server& s = servers_[server];
  const auto i = static_cast<int>(server);
  const Time elapsed = sim_.now() - s.up_since;
  if (elapsed >= config_.slowstart) {
    s.warming_up = false;
    set_effective_weight(i, s.weight * kWeightScale);
  } else {
    if (dynamic_weights()) {
      set_effective_weight(i, s.weight * static_cast<int>(1 + kWeightScale * elapsed / config_.slowstart));
    }
    s.warmup_timer = sim_.schedule_in<&HaproxyNode::on_warmup_step>(
        std::max<Time>(sim::kSecond, config_.slowstart / 20), this, server);
  }
  serve_queues(i);
}

void HaproxyNode::set_effective_weight(int server, int weight) {
  servers_[static_cast<std::size_t>(server)].effective_weight = weight;
  round_robin_.set_weight(static_cast<std::size_t>(server), weight);
}

void HaproxyNode::on_up() {
  Node::on_up();
  // A restarted HAProxy forgets its servers' states and checks afresh; no
  // slowstart, as when HAProxy starts.
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    Server& s = servers_[i];
    s.marked_up = true;
    if (config_.health_check) s.health = config_.health_check->rise;
    s.consecutive_errors = 0;
    s.fast_check = false;
    s.warming_up = false;
    sim_.cancel(s.warmup_timer);
    set_effective_weight(static_cast<int>(i), s.weight * kWeightScale);
  }
  start_checks();
}

void HaproxyNode::serve_queues(int server) {
  Server& s = servers_[static_cast<std::size_t>(server)];
  while (has_room(s) && s.weight > 0) {
    drop_stale(s.queue);
    drop_stale(backend_queue_);
    // A server marked down takes only the requests pinned to it (retries).
    const bool backend = s.marked_up && !backend_queue_.empty();
    const bool from_server =
        !s.queue.empty() && (!backend || s.queue.front().since <= backend_queue_.front().since);
    std::deque<Waiter>* queue = from_server ? &s.queue : (backend ? &backend_queue_ : nullptr);
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
    release_server(f);
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
