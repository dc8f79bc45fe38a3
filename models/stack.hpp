// The web stack under simulation, built from a ScenarioConfig: an assembly
// of the hosts, the nodes in their tiers, each database tier's replication
// (models/replication.hpp), the network between them
// (models/network.hpp), the requests' lifecycle (models/lifecycle.hpp), the
// clients in front, the fault injector and the collectors of the models'
// events (models/observers.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/clients.hpp"
#include "models/config.hpp"
#include "models/events.hpp"
#include "models/faults.hpp"
#include "models/host.hpp"
#include "models/lifecycle.hpp"
#include "models/network.hpp"
#include "models/node.hpp"
#include "models/observers.hpp"
#include "models/replication.hpp"
#include "models/request.hpp"
#include "models/results.hpp"
#include "models/timeseries.hpp"
#include "models/topology.hpp"
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
  // The collectors of the models' events: emit them here.
  Observers& observers() { return observers_; }
  Time warmup() const { return config_.run.warmup; }
  const ScenarioConfig& config() const { return config_; }

  int tier_count() const { return static_cast<int>(tiers_.size()); }
  const std::vector<Node*>& tier_nodes(int tier) const { return tiers_[static_cast<std::size_t>(tier)]; }
  Node& node(std::uint32_t id) { return *nodes_[id]; }
  std::size_t node_count() const { return nodes_.size(); }
  Host& host(std::size_t i) { return *hosts_[i]; }
  std::size_t host_count() const { return hosts_.size(); }

  // What every visit of a class to a tier reads, resolved once from the
  // config: one lookup on the hot path instead of a walk through it.
  struct ClassAtTier {
    const TierDemand* demand = nullptr;
    double request_bytes = 0.0;
    double response_bytes = 0.0;
    std::vector<CallStep> calls;
    PlannedStep first_step;  // a visit's first calls (no cache gets answered yet)
    // Whether a step depends on the visit's cache answers (`on: miss/hit`);
    // if not, the calls after each step's group are known in advance.
    bool conditional = false;
    std::vector<PlannedStep> after;  // by step
  };
  const ClassAtTier& at(int request_class, int tier) const {
    return at_tier_[static_cast<std::size_t>(request_class) * tier_count_ + static_cast<std::size_t>(tier)];
  }
  // The class's demand at a tier, or nullptr when it states none.
  const TierDemand* demand(int request_class, int tier) const { return at(request_class, tier).demand; }
  // The calls a visit of the class to the tier makes (models/topology.hpp).
  const std::vector<CallStep>& calls(int request_class, int tier) const { return at(request_class, tier).calls; }
  // The size of a call into the tier, and of the tier's answer.
  double request_bytes(int request_class, int tier) const { return at(request_class, tier).request_bytes; }
  double response_bytes(int request_class, int tier) const { return at(request_class, tier).response_bytes; }

  // The network between the nodes and to the clients.
  Network& network() { return network_; }
  // Failing, truncating and losing requests; the fault hooks.
  Lifecycle& lifecycle() { return lifecycle_; }

  Node* node_named(const std::string& name);
  // A database tier's primary and read rotation (models/replication.hpp).
  Replication& replication(int tier) { return *replication_[static_cast<std::size_t>(tier)]; }
  // Emits a timeline event of type E (models/events.hpp) now, with its line.
  template <class E>
  void timeline(std::string text) {
    E e;
    e.at = sim_.now();
    e.text = std::move(text);
    observers_.emit(e);
  }
  // `by` marked a node failed (a server marked down): a Detection, which
  // counts as the fault's only if `by` carries traffic.
  void detection(const Node& by, std::string text);
  bool carries_traffic(const Node& node) const;
  // Sends the fault timeline's lines to `sink` (--trace-faults).
  void set_trace(TraceCollector::Sink sink) { observers_.set_trace(std::move(sink)); }
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

 private:
  Host& host_named(const std::string& name);

  const ScenarioConfig& config_;
  sim::Simulation& sim_;
  std::size_t tier_count_;  // config_.tiers.size(), kept: at() would divide by sizeof(TierConfig)
  RequestPool requests_;
  Observers observers_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<Node>> nodes_;  // by node id, in chain order
  std::vector<std::vector<Node*>> tiers_;
  Network network_;
  Lifecycle lifecycle_;
  std::vector<ClassAtTier> at_tier_;  // class x tier
  std::unique_ptr<Clients> clients_;
  std::unique_ptr<FaultInjector> faults_;
  std::vector<std::unique_ptr<Replication>> replication_;  // by tier: database tiers only
  std::optional<std::string> overload_;
};

}  // namespace models
