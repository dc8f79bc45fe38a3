#include "models/stack.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/kinds.hpp"
#include "models/topology.hpp"

namespace models {

Stack::Stack(const ScenarioConfig& config, sim::Simulation& sim)
    : config_(config),
      sim_(sim),
      tier_count_(config.tiers.size()),
      observers_(config),
      network_(*this, config.network, sim),
      lifecycle_(*this, sim) {
  for (const auto& h : config.hosts) {
    hosts_.push_back(std::make_unique<Host>(sim, h.name, config.machines.at(h.machine), h.labels));
  }
  // Before the nodes: their constructors read the calls.
  auto calls = resolve_calls(config);
  at_tier_.resize(calls.size());
  for (std::size_t c = 0; c < config.workload.classes.size(); ++c) {
    const RequestClass& wc = config.workload.classes[c];
    for (std::size_t t = 0; t < config.tiers.size(); ++t) {
      ClassAtTier& at = at_tier_[c * config.tiers.size() + t];
      const auto& d = wc.demands[t];
      at.demand = d ? &*d : nullptr;
      // A demand's own size, else the kind's (a database query), else the class's HTTP size.
      const TierKindConfig& kind = config.tiers[t].kind;
      at.request_bytes = d && d->request_bytes ? *d->request_bytes : default_request_bytes(kind).value_or(wc.request_bytes);
      at.response_bytes = d && d->response_bytes ? *d->response_bytes : default_response_bytes(kind).value_or(wc.response_bytes);
      at.calls = std::move(calls[c * config.tiers.size() + t]);
      at.first_step = plan_step(at.calls, 0, 0, 0);
      for (std::size_t s = 0; s < at.calls.size(); ++s) {
        at.conditional = at.conditional || at.calls[s].on != CallCondition::kAlways;
        at.after.push_back(plan_step(at.calls, group_end(at.calls, s), 0, 0));
      }
    }
  }
  // Node ids follow the tiers' order (the topology's); nodes are built from
  // the last tier up, since a node's routing needs the nodes of the tiers it
  // calls, which the loader keeps after it (a call list may name any tier,
  // so callers that need a callee's nodes look them up when they call).
  const Topology topology(config);
  nodes_.resize(topology.nodes().size());
  tiers_.resize(config.tiers.size());
  for (int t = static_cast<int>(config.tiers.size()) - 1; t >= 0; --t) {
    const TierConfig& tier = config.tiers[static_cast<std::size_t>(t)];
    for (int i = 0; i < tier.count; ++i) {
      const std::uint32_t id = topology.id(t, i);
      const NodePlace& place = topology.node(id);
      Host* host;
      if (place.own_host) {
        auto labels = tier.labels;
        hosts_.push_back(std::make_unique<Host>(sim, place.name, config.machines.at(tier.machine), std::move(labels)));
        host = hosts_.back().get();
      } else {
        host = &host_named(place.host);
      }
      std::unique_ptr<Node> node = make_node(*this, tier, t, i, id, place.name, *host);
      tiers_[static_cast<std::size_t>(t)].push_back(node.get());
      nodes_[id] = std::move(node);
    }
  }
  for (std::size_t i = 0; i < hosts_.size(); ++i) hosts_[i]->set_index(static_cast<int>(i));
  replication_.resize(tiers_.size());
  for (std::size_t t = 0; t < tiers_.size(); ++t) {
    if (std::holds_alternative<DatabaseConfig>(config.tiers[t].kind)) {
      replication_[t] = std::make_unique<Replication>(*this, static_cast<int>(t));
    }
  }
  clients_ = std::make_unique<Clients>(*this, config.workload, config.network.client_latency);
  faults_ = std::make_unique<FaultInjector>(*this, config.faults);
}

Stack::~Stack() = default;

Host& Stack::host_named(const std::string& name) {
  for (auto& h : hosts_) {
    if (h->name() == name) return *h;
  }
  throw std::logic_error("unknown host " + name + " (the loader validates hosts)");
}

void Stack::record_windows(Time window, WindowSink& sink) {
  observers_.record_windows(std::make_unique<WindowRecorder>(*this, window, sink));
}

void Stack::finish() {
  if (auto* windows = observers_.windows()) windows->finish();
}

void Stack::start() {
  // Scheduled first, so it precedes every other event at the same time.
  if (config_.run.warmup > 0) sim_.schedule_at<&Stack::on_warmup_end>(config_.run.warmup, this);
  for (auto& h : hosts_) h->start_background_work();
  if (auto* windows = observers_.windows()) windows->start();
  faults_->start();
  clients_->start();
}

void Stack::on_warmup_end(std::uint64_t) {
  const Time now = sim_.now();
  for (auto& h : hosts_) h->reset_statistics(now);
  for (auto& n : nodes_) n->reset_statistics(now);
}

Node* Stack::node_named(const std::string& name) {
  for (auto& n : nodes_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

void Stack::detection(const Node& by, std::string text) {
  Detection e;
  e.at = sim_.now();
  e.text = std::move(text);
  e.carries_traffic = carries_traffic(by);
  observers_.emit(e);
}

bool Stack::carries_traffic(const Node& node) const {
  if (!node.answering()) return false;
  return node.tier_index() != 0 || clients_->entry().holds_address(node);
}

RunResult Stack::results() const {
  RunResult result;
  const Time now = sim_.now();
  result.scenario = config_.name;
  result.seed = sim_.seed();
  result.replication = sim_.replication();
  result.duration = now;
  result.warmup = config_.run.warmup;
  const bool stale_reads_counted = std::any_of(config_.tiers.begin(), config_.tiers.end(), [](const TierConfig& t) {
    const auto* db = std::get_if<DatabaseConfig>(&t.kind);
    return db != nullptr && db->replication_lag;
  });
  for (std::size_t c = 0; c < config_.workload.classes.size(); ++c) {
    const auto& measured = observers_.metrics().classes()[c];
    ClassResult cr{config_.workload.classes[c].name, measured.counts, measured.latency, std::nullopt};
    result.totals.offered += cr.counts.offered;
    result.totals.succeeded += cr.counts.succeeded;
    result.totals.good += cr.counts.good;
    for (std::size_t k = 0; k < cr.counts.failed.size(); ++k) result.totals.failed[k] += cr.counts.failed[k];
    if (stale_reads_counted) {
      cr.stale_reads = StaleReads{measured.stale_reads, measured.replica_reads};
      if (!result.stale_reads) result.stale_reads = StaleReads{};
      result.stale_reads->count += measured.stale_reads;
      result.stale_reads->replica_reads += measured.replica_reads;
    }
    result.latency.merge(cr.latency);
    result.classes.push_back(std::move(cr));
  }
  for (std::size_t t = 0; t < config_.tiers.size(); ++t) {
    result.tiers.push_back(TierResult{config_.tiers[t].name, std::string(kind_name(config_.tiers[t].kind)),
                                      observers_.metrics().tier_sojourns()[t]});
  }
  for (const auto& n : nodes_) {
    const Host& h = n->host();
    result.nodes.push_back(NodeResult{n->name(), n->tier().name, h.name(), h.cpu_utilization(now),
                                      h.nic_utilization(now), h.disk_utilization(now), n->queue_mean(now)});
  }
  result.attempts = observers_.metrics().attempts();
  result.retries = observers_.metrics().retries();
  SloTracker slo = observers_.slo();  // closing windows must not change the live tracker
  result.slo = slo.finish(now);
  result.events = sim_.events_fired();
  return result;
}

void Stack::stop_overloaded(const std::string& what) {
  if (overload_) return;
  const Node* fullest = nullptr;
  for (const auto& n : nodes_) {
    if (fullest == nullptr || n->requests_present() > fullest->requests_present()) fullest = n.get();
  }
  std::string where = "no node holds any of them: they wait at the clients";
  if (fullest != nullptr && fullest->requests_present() > 0.0) {
    where = "node " + fullest->name() + " (tier " + fullest->tier().name + ") holds the most, " +
            std::to_string(static_cast<long long>(fullest->requests_present()));
  }
  stop_run("run stopped at " + sim::format_duration(sim_.now()) + " simulated: " + what + "; " + where +
           ". The system is overloaded: lower the load, or raise the limit if the run needs that many");
}

void Stack::stop_run(std::string why) {
  if (overload_) return;
  overload_ = std::move(why);
  sim_.stop();
}

}  // namespace models
