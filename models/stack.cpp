#include "models/stack.hpp"

#include <stdexcept>

#include "models/app_server.hpp"
#include "models/database.hpp"
#include "models/haproxy.hpp"
#include "models/nginx.hpp"
#include "models/server.hpp"

namespace models {

namespace {

std::string node_name(const TierConfig& tier, int i) {
  return tier.node_names.empty() ? tier.name + std::to_string(i + 1) : tier.node_names[static_cast<std::size_t>(i)];
}

std::string kind_name(const TierKindConfig& kind) {
  struct Namer {
    std::string operator()(const HaproxyConfig&) const { return "haproxy"; }
    std::string operator()(const NginxConfig&) const { return "nginx"; }
    std::string operator()(const AppConfig&) const { return "app"; }
    std::string operator()(const DatabaseConfig&) const { return "database"; }
    std::string operator()(const ServerConfig&) const { return "server"; }
  };
  return std::visit(Namer{}, kind);
}

}  // namespace

Stack::Stack(const ScenarioConfig& config, sim::Simulation& sim)
    : config_(config), sim_(sim), metrics_(config.workload.classes.size(), config.tiers.size()) {
  for (const auto& h : config.hosts) {
    hosts_.push_back(std::make_unique<Host>(sim, h.name, config.machines.at(h.machine), h.labels));
  }
  // Node ids follow the chain; nodes are built from the last tier up, since a
  // node's routing needs the next tier's nodes.
  std::vector<std::uint32_t> first_id;
  std::uint32_t total = 0;
  for (const auto& tier : config.tiers) {
    first_id.push_back(total);
    total += static_cast<std::uint32_t>(tier.count);
  }
  nodes_.resize(total);
  tiers_.resize(config.tiers.size());
  for (int t = static_cast<int>(config.tiers.size()) - 1; t >= 0; --t) {
    const TierConfig& tier = config.tiers[static_cast<std::size_t>(t)];
    for (int i = 0; i < tier.count; ++i) {
      const std::string name = node_name(tier, i);
      Host* host;
      if (tier.on.empty()) {
        auto labels = tier.labels;
        hosts_.push_back(std::make_unique<Host>(sim, name, config.machines.at(tier.machine), std::move(labels)));
        host = hosts_.back().get();
      } else {
        host = &host_named(tier.on[static_cast<std::size_t>(i)]);
      }
      const std::uint32_t id = first_id[static_cast<std::size_t>(t)] + static_cast<std::uint32_t>(i);
      std::unique_ptr<Node> node;
      if (std::holds_alternative<HaproxyConfig>(tier.kind)) {
        node = std::make_unique<HaproxyNode>(*this, tier, t, i, id, name, *host);
      } else if (std::holds_alternative<NginxConfig>(tier.kind)) {
        node = std::make_unique<NginxNode>(*this, tier, t, i, id, name, *host);
      } else if (std::holds_alternative<AppConfig>(tier.kind)) {
        node = std::make_unique<AppNode>(*this, tier, t, i, id, name, *host);
      } else if (std::holds_alternative<DatabaseConfig>(tier.kind)) {
        node = std::make_unique<DatabaseNode>(*this, tier, t, i, id, name, *host);
      } else {
        node = std::make_unique<ServerNode>(*this, tier, t, i, id, name, *host);
      }
      tiers_[static_cast<std::size_t>(t)].push_back(node.get());
      nodes_[id] = std::move(node);
    }
  }
  clients_ = std::make_unique<Clients>(*this, config.workload, config.network.client_latency);
}

Stack::~Stack() = default;

Host& Stack::host_named(const std::string& name) {
  for (auto& h : hosts_) {
    if (h->name() == name) return *h;
  }
  throw std::logic_error("unknown host " + name + " (the loader validates hosts)");
}

void Stack::record_windows(Time window, WindowSink& sink) {
  windows_ = std::make_unique<WindowRecorder>(*this, window, sink);
}

void Stack::finish() {
  if (windows_) windows_->finish();
}

void Stack::start() {
  // Scheduled first, so it precedes every other event at the same time.
  if (config_.run.warmup > 0) sim_.schedule_at<&Stack::on_warmup_end>(config_.run.warmup, this);
  for (auto& h : hosts_) h->start_background_work();
  if (windows_) windows_->start();
  clients_->start();
}

void Stack::on_warmup_end(std::uint64_t) {
  const Time now = sim_.now();
  for (auto& h : hosts_) h->reset_statistics(now);
  for (auto& n : nodes_) n->reset_statistics(now);
}

double Stack::request_bytes(int request_class, int tier) const {
  const TierDemand* d = demand(request_class, tier);
  if (d != nullptr && d->request_bytes) return *d->request_bytes;
  const auto& kind = config_.tiers[static_cast<std::size_t>(tier)].kind;
  if (const auto* db = std::get_if<DatabaseConfig>(&kind)) return db->query_bytes;
  return config_.workload.classes[static_cast<std::size_t>(request_class)].request_bytes;
}

double Stack::response_bytes(int request_class, int tier) const {
  const TierDemand* d = demand(request_class, tier);
  if (d != nullptr && d->response_bytes) return *d->response_bytes;
  const auto& kind = config_.tiers[static_cast<std::size_t>(tier)].kind;
  if (const auto* db = std::get_if<DatabaseConfig>(&kind)) return db->result_bytes;
  return config_.workload.classes[static_cast<std::size_t>(request_class)].response_bytes;
}

void Stack::send(Node* from, Node& to, RequestId id, Request& r, double bytes, bool is_response) {
  r.message_bytes = bytes;
  r.message_is_response = is_response;
  Host& source = from->host();
  if (&source == &to.host()) {
    to.deliver(id, r, false);
    return;
  }
  const Time now = sim_.now();
  const Time latency = config_.network.latency;
  Time first_bit_leaves = now;
  Time last_bit_leaves = now;
  if (source.has_nic()) {
    const auto slot = source.nic_tx().reserve(now, source.nic_time(bytes));
    first_bit_leaves = slot.start;
    last_bit_leaves = slot.finish;
  }
  r.message_first_bit = first_bit_leaves + latency;
  sim_.schedule_at<&Node::on_message>(last_bit_leaves + latency, &to, id);
}

void Stack::send_to_client(Node& from, RequestId id, Request& r, double bytes) {
  r.message_bytes = bytes;
  r.message_is_response = true;
  const Time now = sim_.now();
  Time leaves = now;
  Host& source = from.host();
  if (source.has_nic()) leaves = source.nic_tx().reserve(leaves, source.nic_time(bytes)).finish;
  const Time arrives = leaves + config_.network.client_latency;
  if (arrives == now) {  // no NIC, no latency (textbook queues): no event needed
    clients_->on_response(id);
    return;
  }
  sim_.schedule_at<&Clients::on_response>(arrives, clients_.get(), id);
}

void Stack::fail(RequestId id, FailureReason reason) {
  Request& r = requests_.get(id);
  for (int d = r.depth; d >= 0; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    nodes_[f.node]->abort(id, r, f);
  }
  clients_->failed(id, r, reason);
}

RunResult Stack::results() const {
  RunResult result;
  const Time now = sim_.now();
  result.scenario = config_.name;
  result.seed = sim_.seed();
  result.replication = sim_.replication();
  result.duration = now;
  result.warmup = config_.run.warmup;
  for (std::size_t c = 0; c < config_.workload.classes.size(); ++c) {
    const auto& measured = metrics_.classes()[c];
    ClassResult cr{config_.workload.classes[c].name, measured.counts, measured.latency};
    result.totals.offered += cr.counts.offered;
    result.totals.succeeded += cr.counts.succeeded;
    for (std::size_t k = 0; k < cr.counts.failed.size(); ++k) result.totals.failed[k] += cr.counts.failed[k];
    result.latency.merge(cr.latency);
    result.classes.push_back(std::move(cr));
  }
  for (std::size_t t = 0; t < config_.tiers.size(); ++t) {
    result.tiers.push_back(TierResult{config_.tiers[t].name, kind_name(config_.tiers[t].kind),
                                      metrics_.tier_sojourns()[t]});
  }
  for (const auto& n : nodes_) {
    const Host& h = n->host();
    result.nodes.push_back(NodeResult{n->name(), n->tier().name, h.name(), h.cpu_utilization(now),
                                      h.nic_utilization(now), h.disk_utilization(now), n->queue_mean(now)});
  }
  result.events = sim_.events_fired();
  return result;
}

}  // namespace models
