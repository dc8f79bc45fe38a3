// HAProxy: a frontend limit (maxconn, then the accept backlog), TLS
// termination cost, and a backend that balances over the next tier's nodes
// with per-server maxconn, server and backend queues and `timeout queue`.
// Each HAProxy node keeps its own view of the servers, as separate HAProxy
// processes do.
#pragma once

#include <deque>
#include <vector>

#include "models/node.hpp"
#include "models/routing.hpp"

namespace models {

class HaproxyNode final : public Node {
 public:
  HaproxyNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
              std::string name, Host& host);

  void on_queue_timeout(std::uint64_t id);
  void on_retry(std::uint64_t id);
  void on_check(std::uint64_t server);
  void on_check_result(std::uint64_t server_and_outcome);

  // Whether this node's health checks consider server i up.
  bool server_marked_up(int i) const { return servers_[static_cast<std::size_t>(i)].marked_up; }
  void on_up() override;

  // Requests at server i (connected + queued for it), for tests and reports.
  int server_load(int i) const;

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
    int weight = 1;
    int connections = 0;
    int queued = 0;  // live entries of `queue`
    std::deque<Waiter> queue;
    // Health checks.
    bool marked_up = true;
    int successes = 0;  // consecutive, while down
    int failures = 0;   // consecutive, while up
    Time check_started = 0;
  };

  bool has_room(const Server& s) const { return config_.server_maxconn == 0 || s.connections < config_.server_maxconn; }
  // A server by the balance algorithm among those up with room, or -1;
  // `exclude` is skipped (redispatch).
  int choose_server(int exclude = -1);
  int server_index(std::uint32_t node_id) const;
  void dispatch(RequestId id, Request& r, int forced, int exclude);
  void start_checks();
  int source_server(const Request& r) const;
  void connect(RequestId id, Request& r, int server);
  void enqueue(RequestId id, Request& r, std::deque<Waiter>& queue);
  // Removes stale entries from the front of a queue.
  void drop_stale(std::deque<Waiter>& queue);
  void serve_queues(int server);

  const HaproxyConfig& config_;
  std::vector<Server> servers_;
  std::deque<Waiter> backend_queue_;
  int backend_queued_ = 0;
  SmoothWeightedRoundRobin round_robin_;
  std::size_t leastconn_cursor_ = 0;
  std::uint32_t next_token_ = 0;
  sim::RandomStream rng_;
};

}  // namespace models
