#include "models/stack.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/kinds.hpp"
#include "models/topology.hpp"

namespace models {

Stack::Stack(const ScenarioConfig& config, sim::Simulation& sim)
    : config_(config),
      sim_(sim),
      metrics_(config.workload.classes.size(), config.tiers.size(), config.slo.latency),
      slo_(config.slo, config.run.warmup),
      network_stream_(sim.stream("network.loss")) {
  for (const auto& h : config.hosts) {
    hosts_.push_back(std::make_unique<Host>(sim, h.name, config.machines.at(h.machine), h.labels));
  }
  // Node ids follow the tiers' order (the topology's); nodes are built from
  // the last tier up, since a node's routing needs the nodes of the tiers it
  // calls, which the loader keeps after it (a call list may name any tier,
  // so callers that need a callee's nodes look them up when they call).
  const Topology topology(config);
  nodes_.resize(topology.nodes().size());
  tiers_.resize(config.tiers.size());
  calls_ = resolve_calls(config);
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
  primary_.assign(tiers_.size(), 0);
  demoted_.assign(nodes_.size(), false);
  promoted_.assign(tiers_.size(), false);
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
  faults_->start();
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
  if (const auto bytes = default_request_bytes(config_.tiers[static_cast<std::size_t>(tier)].kind)) return *bytes;
  return config_.workload.classes[static_cast<std::size_t>(request_class)].request_bytes;
}

double Stack::response_bytes(int request_class, int tier) const {
  const TierDemand* d = demand(request_class, tier);
  if (d != nullptr && d->response_bytes) return *d->response_bytes;
  if (const auto bytes = default_response_bytes(config_.tiers[static_cast<std::size_t>(tier)].kind)) return *bytes;
  return config_.workload.classes[static_cast<std::size_t>(request_class)].response_bytes;
}

void Stack::send(Node* from, Node& to, RequestId id, Request& r, double bytes, bool is_response) {
  r.message_bytes = bytes;
  r.message_is_response = is_response;
  if (is_response && !reachable(*from, to)) {
    // A dead caller never gets it: its own timers are moot, its caller's notice.
    // Across a partition the connection survives: TCP retransmits with
    // exponential backoff from its minimum RTO and delivers once the partition
    // heals, giving up after tcp_retries2 = 15 retransmissions (about 15 min).
    constexpr int kMaxRetransmissions = 15;
    if (!to.answering() || r.message_retransmissions >= kMaxRetransmissions) {
      r.message_retransmissions = 0;
      return;
    }
    const Time backoff = std::min<Time>(kMinRetransmissionTimeout << r.message_retransmissions,
                                        kMaxRetransmissionTimeout);
    ++r.message_retransmissions;
    sim_.schedule_in<&Stack::on_retransmission>(backoff, this, id);
    return;
  }
  r.message_retransmissions = 0;
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
  const Time delay = latency + link_latency(source, to.host());
  r.message_first_bit = first_bit_leaves + delay;
  // The message is in no earlier than its last bit arrives and, when the
  // receiver has a NIC, its port has taken every byte from the first bit on.
  // Firing then, an idle port delivers at once: one event per hop.
  Time in = last_bit_leaves + delay;
  if (to.host().has_nic()) in = std::max(in, r.message_first_bit + to.host().nic_time(bytes));
  if (in == now) {  // nothing in between: no event needed
    to.on_message(id);
    return;
  }
  sim_.schedule_at<&Node::on_message>(in, &to, id);
}

void Stack::on_retransmission(std::uint64_t id) {
  Request* r = requests_.find(id);
  // Gone or re-keyed: the caller gave up (its timeout) or the request failed.
  if (r == nullptr || !r->message_is_response || r->depth < 0) return;
  Node& responder = *nodes_[r->frames[static_cast<std::size_t>(r->depth + 1)].node];
  send(&responder, *nodes_[r->frame().node], id, *r, r->message_bytes, true);
}

Time Stack::link_latency(const Host& from, const Host& to) {
  return from.link_delay(network_stream_) + to.link_delay(network_stream_);
}

bool Stack::reachable(const Node& from, const Node& to) const {
  if (!to.host().up()) return false;
  const auto a = static_cast<std::size_t>(from.host().index());
  const auto b = static_cast<std::size_t>(to.host().index());
  for (const auto& groups : partitions_) {
    if (groups[a] >= 0 && groups[b] >= 0 && groups[a] != groups[b]) return false;
  }
  return true;
}

void Stack::refuse(RequestId id, Request& r, Node& to) {
  if (r.depth < 0) {
    clients_->entry_refused(id, r);
    return;
  }
  Node& caller = node(r.frame().node);
  const Time round_trip = 2 * config_.network.latency;
  (void)to;
  caller.schedule_call_failure(id, r, FailureReason::kConnectFailed, round_trip);
}

RequestId Stack::truncate(RequestId id, int keep) {
  Request& r = requests_.get(id);
  for (int d = r.depth; d > keep; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    nodes_[f.node]->abort(id, r, f);
  }
  r.depth = static_cast<std::int8_t>(keep);
  const RequestId fresh = requests_.rekey(id);
  rearm_timers(fresh, r);
  return fresh;
}

void Stack::rearm_timers(RequestId id, Request& r) {
  for (int d = 0; d <= r.depth; ++d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    if (f.call_deadline > 0) {
      sim_.cancel(f.call_timer);
      f.call_timer = sim_.schedule_at<&Node::on_call_timeout>(f.call_deadline, nodes_[f.node].get(), id);
    }
  }
  clients_->rearm(id, r);
}

void Stack::lose_requests(const std::function<bool(const Node&)>& dead, bool reset) {
  // Collect first: handling a request may create others (client retries).
  std::vector<std::pair<RequestId, int>> hit;
  requests_.for_each_live([&](RequestId id, const Request& r) {
    for (int d = 0; d <= r.depth; ++d) {
      if (dead(*nodes_[r.frames[static_cast<std::size_t>(d)].node])) {
        hit.emplace_back(id, d);
        return;
      }
    }
  });
  for (const auto& [id, depth] : hit) {
    Request* r = requests_.find(id);
    if (r == nullptr) continue;
    const RequestId fresh = truncate(id, depth - 1);
    if (depth == 0) {
      clients_->connection_lost(fresh, *r, reset);
    } else if (reset) {
      Node& caller = node(r->frame().node);
      caller.schedule_call_failure(fresh, *r, FailureReason::kBadGateway, config_.network.latency);
    }
    // Silence: the caller (or the client) waits for its timers, re-armed by truncate.
  }
}

void Stack::crash_host(Host& host) {
  host.crash();
  lose_requests([&host](const Node& n) { return &n.host() == &host; }, false);
  for (auto& n : nodes_) {
    if (&n->host() == &host) n->on_down();
  }
}

void Stack::repair_host(Host& host) {
  host.repair();
  for (auto& n : nodes_) {
    if (&n->host() == &host) {
      n->set_process_up(true);
      n->on_up();
    }
  }
}

void Stack::crash_process(Node& node, bool graceful) {
  node.set_process_up(false);
  lose_requests([&node](const Node& n) { return &n == &node; }, true);
  node.on_down(graceful);
}

void Stack::restart_process(Node& node) {
  node.set_process_up(true);
  node.on_up();
}

void Stack::database_down(Node& node) {
  const int tier = node.tier_index();
  if (primary_[static_cast<std::size_t>(tier)] != node.index_in_tier()) return;
  const auto& db = std::get<DatabaseConfig>(node.tier().kind);
  if (!db.failover_detection) return;  // writes wait for the primary's repair
  sim_.schedule_in<&Stack::on_promotion>(*db.failover_detection + db.failover_promotion, this,
                                         static_cast<std::uint64_t>(tier));
}

void Stack::on_promotion(std::uint64_t tier_index) {
  const auto tier = static_cast<std::size_t>(tier_index);
  Node& old = *tiers_[tier][static_cast<std::size_t>(primary_[tier])];
  if (old.answering()) return;  // it came back in time: nothing to promote
  for (Node* n : tiers_[tier]) {
    if (n != &old && n->answering()) {
      primary_[tier] = n->index_in_tier();
      promoted_[tier] = true;
      demoted_[old.id()] = true;
      trace("failover: " + n->name() + " promoted to primary");
      return;
    }
  }
}

void Stack::database_up(Node& node) { demoted_[node.id()] = false; }

Node* Stack::node_named(const std::string& name) {
  for (auto& n : nodes_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

void Stack::reset_connections_through(Node& through, std::size_t address) {
  std::vector<RequestId> hit;
  requests_.for_each_live([&](RequestId id, const Request& r) {
    if (r.depth >= 0 && r.frames[0].node == through.id() && clients_->entry().address_of(r) == address) {
      hit.push_back(id);
    }
  });
  for (RequestId id : hit) {
    Request* r = requests_.find(id);
    if (r == nullptr) continue;
    const RequestId fresh = truncate(id, -1);
    clients_->connection_lost(fresh, *r, true);
  }
}

void Stack::trace(const std::string& text) {
  if (text.rfind("vrrp:", 0) == 0 || text.rfind("failover:", 0) == 0) slo_.detection(sim_.now());
  if (trace_) trace_(sim_.now(), text);
}

void Stack::detection(const Node& by, const std::string& text) {
  if (carries_traffic(by)) slo_.detection(sim_.now());
  if (trace_) trace_(sim_.now(), text);
}

bool Stack::carries_traffic(const Node& node) const {
  if (!node.answering()) return false;
  return node.tier_index() != 0 || clients_->entry().holds_address(node);
}


std::vector<int> Stack::partition_groups(const std::vector<std::vector<std::string>>& groups) {
  std::vector<int> group_of(hosts_.size(), -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const auto& name : groups[g]) {
      if (Node* n = node_named(name)) group_of[static_cast<std::size_t>(n->host().index())] = static_cast<int>(g);
    }
  }
  return group_of;
}

void Stack::add_partition(const std::vector<std::vector<std::string>>& groups) {
  partitions_.push_back(partition_groups(groups));
}

void Stack::remove_partition(const std::vector<std::vector<std::string>>& groups) {
  std::erase(partitions_, partition_groups(groups));
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
  if (clients_->settle_in_advance(id, r, arrives)) return;
  sim_.schedule_at<&Clients::on_response>(arrives, clients_.get(), id);
}

void Stack::fail(RequestId id, FailureReason reason) {
  Request& r = requests_.get(id);
  for (int d = r.depth; d >= 0; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    if (d < r.depth) nodes_[f.node]->call_answered_with_error(r, f);
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
  const bool stale_reads_counted = std::any_of(config_.tiers.begin(), config_.tiers.end(), [](const TierConfig& t) {
    const auto* db = std::get_if<DatabaseConfig>(&t.kind);
    return db != nullptr && db->replication_lag;
  });
  for (std::size_t c = 0; c < config_.workload.classes.size(); ++c) {
    const auto& measured = metrics_.classes()[c];
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
                                      metrics_.tier_sojourns()[t]});
  }
  for (const auto& n : nodes_) {
    const Host& h = n->host();
    result.nodes.push_back(NodeResult{n->name(), n->tier().name, h.name(), h.cpu_utilization(now),
                                      h.nic_utilization(now), h.disk_utilization(now), n->queue_mean(now)});
  }
  result.attempts = clients_->attempts();
  result.retries = clients_->retries();
  SloTracker slo = slo_;  // closing windows must not change the live tracker
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
