// The web stack under simulation: hosts, nodes in their tier chain, the
// network between them and the clients in front, built from a ScenarioConfig.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/clients.hpp"
#include "models/config.hpp"
#include "models/host.hpp"
#include "models/metrics.hpp"
#include "models/node.hpp"
#include "models/request.hpp"
#include "models/results.hpp"
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
  Time warmup() const { return config_.run.warmup; }

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

  void on_warmup_end(std::uint64_t);

 private:
  Host& host_named(const std::string& name);

  const ScenarioConfig& config_;
  sim::Simulation& sim_;
  RequestPool requests_;
  Metrics metrics_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<Node>> nodes_;  // by node id, in chain order
  std::vector<std::vector<Node*>> tiers_;
  std::unique_ptr<Clients> clients_;
  std::unique_ptr<WindowRecorder> windows_;
};

}  // namespace models
