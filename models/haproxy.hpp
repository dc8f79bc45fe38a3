// HAProxy: a frontend limit (maxconn, then the accept backlog), TLS
// termination cost, and a backend that balances over the next tier's nodes
// with per-server maxconn, server and backend queues and `timeout queue`.
// Health comes from active checks and, optionally, from errors seen on live
// traffic (`observe`); a server marked UP again can ramp up (`slowstart`).
// Each HAProxy node keeps its own view of the servers, as separate HAProxy
// processes do.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "models/node.hpp"
#include "models/routing.hpp"

namespace models {

class HaproxyNode final : public Node {
 public:
  HaproxyNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
              std::string name, Host& host);

  void on_queue_timeout(std::uint64_t id);
  // A retry after the turn-around pause: to the same server, or redispatched.
  void on_retry_same_server(std::uint64_t id);
  void on_retry_redispatched(std::uint64_t id);
  void on_check(std::uint64_t server);
  void on_check_result(std::uint64_t server_and_outcome);
  void on_warmup_step(std::uint64_t server);

  // Whether this node's health checks consider server i up.
  bool server_marked_up(int i) const { return servers_[static_cast<std::size_t>(i)].marked_up; }
  void on_up() override;
  void call_answered_with_error(Request& r, Frame& f) override;

  // Requests at server i (connected + queued for it), for tests and reports.
  int server_load(int i) const;
  // Connections opened to server i since the start, for tests.
  std::uint64_t server_connections(int i) const { return servers_[static_cast<std::size_t>(i)].connections_opened; }

 protected:
  Time connect_timeout() const override { return config_.timeout_connect; }
  Time call_timeout() const override { return config_.timeout_server; }
  double extra_cpu(Request& r, sim::RandomStream& rng) override;
  void begin_call(RequestId id, Request& r) override;
  void end_call(Request& r, Frame& f) override;
  void abort_call(RequestId id, Request& r, Frame& f) override;
  void call_failed(RequestId id, Request& r, FailureReason cause) override;

 private:
  struct Waiter {
    RequestId id;
    std::uint32_t token;
    Time since;
  };
  struct Server {
    Node* node = nullptr;
    int weight = 1;            // as configured
    int effective_weight = 0;  // in 1/kWeightScale of a configured weight
    int connections = 0;
    int queued = 0;  // live entries of `queue`
    std::deque<Waiter> queue;
    std::uint64_t connections_opened = 0;
    // Health checks, counted as HAProxy does: health runs from 0 to
    // rise + fall - 1, and the server is up while it is at least rise.
    bool marked_up = true;
    int health = 0;
    bool checking = false;     // a probe is out; check_timer is its result
    bool fast_check = false;   // on_error asked for fastinter on the next interval
    Time next_check = 0;       // when the pending probe starts, while not checking
    sim::EventHandle check_timer;
    int consecutive_errors = 0;  // on live traffic (observe)
    // Slowstart.
    bool warming_up = false;
    Time up_since = 0;
    sim::EventHandle warmup_timer;
  };
  // How a call to a server ended, as HAProxy's health analysis sees it.
  enum class CallOutcome { kConnectFailed, kGoodResponse, kBadResponse };

  // The server's maxconn now (slowstart ramps it); 0 = unlimited.
  int server_maxconn(const Server& s) const;
  bool has_room(const Server& s) const {
    const int limit = server_maxconn(s);
    return limit == 0 || s.connections < limit;
  }
  // Whether the balance algorithm follows weight changes (HAProxy's dynamic
  // algorithms); static-rr and source keep the configured weights.
  bool dynamic_weights() const;
  // HAProxy's srv_act: servers marked UP with a weight.
  int active_servers() const;
  // A server by the balance algorithm among those up with room, or -1;
  // `exclude` is skipped (redispatch).
  int choose_server(int exclude = -1);
  int server_index(std::uint32_t node_id) const;
  void dispatch(RequestId id, Request& r, int forced, int exclude);
  // Whether a retry after `retries_done` retries goes to another server.
  bool redispatches(int server, int retries_done) const;
  void start_checks();
  int source_server(const Request& r) const;
  void connect(RequestId id, Request& r, int server);
  void enqueue(RequestId id, Request& r, std::deque<Waiter>& queue);
  // Removes stale entries from the front of a queue.
  void drop_stale(std::deque<Waiter>& queue);
  void serve_queues(int server);
  void release_server(Frame& f);

  // Health: a check's verdict (a probe's, or one simulated by on_error);
  // `why` is added to the trace when the server goes DOWN.
  void check_passed(int server);
  void check_failed(int server, const std::string& why);
  Time check_interval(const Server& s) const;
  // How long a probe of server s lasts and whether it passes.
  std::pair<Time, bool> probe(const Server& s) const;
  void schedule_check(int server, Time at);
  // on-marked-down shutdown-sessions: cuts the requests in flight on it.
  void shutdown_sessions(int server);
  // option redispatch: the server's queue goes back to the balancer when it is marked down.
  void redistribute_queue(int server);
  void observe(int server, CallOutcome outcome);
  void set_effective_weight(int server, int weight);

  const HaproxyConfig& config_;
  std::vector<Server> servers_;
  std::deque<Waiter> backend_queue_;
  int backend_queued_ = 0;
  SmoothWeightedRoundRobin round_robin_;
  std::size_t leastconn_cursor_ = 0;
  std::uint32_t next_token_ = 0;
  sim::RandomStream rng_;
  sim::RandomStream check_rng_;  // spread-checks jitter
};

}  // namespace models
