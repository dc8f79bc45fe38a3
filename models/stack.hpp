// The web stack under simulation: hosts, nodes in their tier chain, the
// network between them and the clients in front, built from a ScenarioConfig.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/clients.hpp"
#include "models/config.hpp"
#include "models/faults.hpp"
#include "models/host.hpp"
#include "models/metrics.hpp"
#include "models/node.hpp"
#include "models/request.hpp"
#include "models/results.hpp"
#include "models/slo.hpp"
#include "models/timeseries.hpp"
#include "sim/simulation.hpp"

namespace models {

class Stack {
 public:
  // The config must outlive the stack.
  Stack(const ScenarioConfig& config, sim::Simulation& sim);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Streams a per-window time series to sink; call before start().
  void record_windows(Time window, WindowSink& sink);
  // Schedules the first arrivals, background work and the warm-up cut.
  void start();
  // Ends the run at the current time (closes the last time-series window).
  void finish();
  // Collects the results at the current simulated time.
  RunResult results() const;

  sim::Simulation& simulation() { return sim_; }
  RequestPool& requests() { return requests_; }
  Metrics& metrics() { return metrics_; }
  WindowRecorder* windows() { return windows_.get(); }
  // Whether a and b fall in the same SLO window and time-series window.
  bool same_windows(Time a, Time b) const {
    return slo_.same_window(a, b) && (!windows_ || windows_->same_window(a, b));
  }
  SloTracker& slo() { return slo_; }
  Time warmup() const { return config_.run.warmup; }
  const ScenarioConfig& config() const { return config_; }

  int tier_count() const { return static_cast<int>(tiers_.size()); }
  const std::vector<Node*>& tier_nodes(int tier) const { return tiers_[static_cast<std::size_t>(tier)]; }
  Node& node(std::uint32_t id) { return *nodes_[id]; }
  std::size_t node_count() const { return nodes_.size(); }
  Host& host(std::size_t i) { return *hosts_[i]; }
  std::size_t host_count() const { return hosts_.size(); }

  // The class's demand at a tier, or nullptr when it states none.
  const TierDemand* demand(int request_class, int tier) const {
    const auto& d = config_.workload.classes[static_cast<std::size_t>(request_class)].demands[static_cast<std::size_t>(tier)];
    return d ? &*d : nullptr;
  }
  // The calls a visit of the class to the tier makes (models/topology.hpp).
  const std::vector<CallStep>& calls(int request_class, int tier) const {
    return calls_[static_cast<std::size_t>(request_class) * tiers_.size() + static_cast<std::size_t>(tier)];
  }
  double request_bytes(int request_class, int tier) const;
  double response_bytes(int request_class, int tier) const;

  // Moves the request's message from one node to another: FCFS transmit on
  // the sender's NIC, the link latency, then the receiver's NIC. Between
  // nodes of one host there is no network. Tail call.
  void send(Node* from, Node& to, RequestId id, Request& r, double bytes, bool is_response);
  // The entry node answers the client. Tail call.
  void send_to_client(Node& from, RequestId id, Request& r, double bytes);
  // Ends a request as failed: every tier it holds releases it. Tail call.
  void fail(RequestId id, FailureReason reason);

  // Can `from` reach `to` now: its host up and no partition between them?
  bool reachable(const Node& from, const Node& to) const;
  // `to`'s process is down: the request's sender (a node, or the client)
  // learns of the refused connection after a round trip. Tail call.
  void refuse(RequestId id, Request& r, Node& to);
  // Cancels everything the request does below frame `keep` (releasing what
  // those frames hold), gives the request a new id so that their pending
  // events go stale, and re-arms the timers of the frames that remain.
  // Returns the new id; the request's depth becomes `keep`.
  RequestId truncate(RequestId id, int keep);

  // Fault hooks (models/faults.cpp drives them).
  void crash_host(Host& host);
  void repair_host(Host& host);
  void crash_process(Node& node, bool graceful);
  void restart_process(Node& node);
  // A partition: nodes listed in different groups cannot reach each other.
  void add_partition(const std::vector<std::vector<std::string>>& groups);
  void remove_partition(const std::vector<std::vector<std::string>>& groups);
  Node* node_named(const std::string& name);
  // The database primary of a tier (node 1 until a failover promotes another).
  Node& primary_of(int tier) const { return *tiers_[static_cast<std::size_t>(tier)][static_cast<std::size_t>(primary_[static_cast<std::size_t>(tier)])]; }
  void database_down(Node& node);
  void database_up(Node& node);
  // A demoted primary leaves the read rotation until it is back.
  bool in_read_rotation(const Node& node) const { return !demoted_[node.id()]; }
  // Whether a failover made the tier's primary (ProxySQL's read_only monitor
  // then moves it to the writer hostgroup).
  bool primary_promoted(int tier) const { return promoted_[static_cast<std::size_t>(tier)]; }
  void on_promotion(std::uint64_t tier_and_node);
  // Connections of clients of `address` held by `node` are reset (VRRP
  // preemption moved the address away from it).
  void reset_connections_through(Node& node, std::size_t address);
  // A line for the fault timeline (--trace-faults), if anyone listens.
  void trace(const std::string& text);
  // A line for the timeline from a node that detected a failure (a server
  // marked down). It is the fault's detection only if `by` carries traffic:
  // a VRRP backup's checks change nothing until it holds the address.
  void detection(const Node& by, const std::string& text);
  bool carries_traffic(const Node& node) const;
  void set_trace(std::function<void(Time, const std::string&)> sink) { trace_ = std::move(sink); }
  Clients& clients() { return *clients_; }
  // The overload guard tripped (`what` says which count passed which
  // limit): stops the simulation and keeps a message naming the time and
  // the node that holds the most requests.
  void stop_overloaded(const std::string& what);
  // A guard that is not about load tripped: stops the simulation and keeps
  // `why`, which names the time itself.
  void stop_run(std::string why);
  // Set once a guard has stopped the run.
  const std::optional<std::string>& overload() const { return overload_; }

  void on_warmup_end(std::uint64_t);
  // A response held up by a partition is sent again (TCP retransmission).
  void on_retransmission(std::uint64_t id);

 private:
  Host& host_named(const std::string& name);
  // Requests with a frame on a node for which `dead` holds lose every frame
  // from there down; `reset` says whether the caller is told at once
  // (connection reset) or must wait for its timers (silence).
  void lose_requests(const std::function<bool(const Node&)>& dead, bool reset);
  void rearm_timers(RequestId id, Request& r);
  // Each host's group in a partition (-1: not listed).
  std::vector<int> partition_groups(const std::vector<std::vector<std::string>>& groups);
  // Latency between two hosts, including link faults.
  Time link_latency(const Host& from, const Host& to);

  const ScenarioConfig& config_;
  sim::Simulation& sim_;
  RequestPool requests_;
  Metrics metrics_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<Node>> nodes_;  // by node id, in chain order
  std::vector<std::vector<Node*>> tiers_;
  std::vector<std::vector<CallStep>> calls_;  // class x tier
  std::unique_ptr<Clients> clients_;
  std::unique_ptr<WindowRecorder> windows_;
  std::unique_ptr<FaultInjector> faults_;
  SloTracker slo_;
  // Active partitions: per partition, each host's group (-1: not listed).
  std::vector<std::vector<int>> partitions_;
  std::vector<int> primary_;  // per tier: index in tier of the database primary
  std::vector<bool> demoted_;  // per node id
  std::vector<bool> promoted_;  // per tier: its primary came from a failover
  std::function<void(Time, const std::string&)> trace_;
  sim::RandomStream network_stream_;
  std::optional<std::string> overload_;
};

}  // namespace models
