#include "analysis/demands.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <fmt/format.h>

#include "models/clients.hpp"
#include "models/kinds.hpp"
#include "models/topology.hpp"

namespace analysis {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
using sim::Time;

// ---------------------------------------------------------------- moments

// First two moments of a non-negative random time, and the probability that
// it is positive (a zero CPU demand submits no job, so it does not queue).
struct Moments {
  double mean = 0.0;
  double second = 0.0;
  double positive = 0.0;
};

Moments moments(const models::Distribution& d) {
  const double m = d.mean();
  if (m == 0.0) return {};
  const double cv = d.cv();
  return {m, m * m * (1.0 + cv * cv), 1.0};
}

// The sum of independent parts.
Moments operator+(const Moments& a, const Moments& b) {
  return {a.mean + b.mean, a.second + b.second + 2.0 * a.mean * b.mean,
          1.0 - (1.0 - a.positive) * (1.0 - b.positive)};
}

// a with probability p, else 0.
Moments maybe(double p, const Moments& a) { return {p * a.mean, p * a.second, p * a.positive}; }

// a with probability p, else b.
Moments either(double p, const Moments& a, const Moments& b) {
  return {p * a.mean + (1.0 - p) * b.mean, p * a.second + (1.0 - p) * b.second,
          p * a.positive + (1.0 - p) * b.positive};
}

// ---------------------------------------------------------------- hosts

struct HostInfo {
  std::string name;
  const models::MachineConfig* machine = nullptr;
  int cpu = -1;
  int tx = -1;
  int rx = -1;
  int disk = -1;
};

// Builds the network; one instance per build_model call.
class Builder {
 public:
  explicit Builder(const models::ScenarioConfig& config) : config_(config) {}

  StackModel build();

 private:
  const models::TierDemand* demand(std::size_t c, int tier) const {
    const auto& demands = config_.workload.classes[c].demands;
    const auto t = static_cast<std::size_t>(tier);
    return t < demands.size() && demands[t] ? &*demands[t] : nullptr;
  }
  // As models::Stack::request_bytes / response_bytes.
  double request_bytes(std::size_t c, int tier) const;
  double response_bytes(std::size_t c, int tier) const;

  int add_host(const std::string& name, const std::string& machine);
  int add_pool(std::string name, const std::string& node, ResourceKind kind, int capacity, bool loss);
  void add_nodes();
  void add_workload();
  // Share of node i's calls that go to each node of the next tier, for class c.
  // Share of node i's calls to tier `target` that go to each of its nodes, for class c.
  std::vector<double> call_split(int i, std::size_t c, int target) const;
  // The co-located node of tier `target`, or -1 (models::Node::co_located_next).
  int co_located(int i, int target) const;
  // The calls of class c at tier t (models/topology.hpp).
  const std::vector<models::CallStep>& calls(std::size_t c, int t) const {
    return calls_[c * config_.tiers.size() + static_cast<std::size_t>(t)];
  }
  Message message(int from_host, int to_host, double bytes) const;
  void add_calls();
  void solve_visits();
  void add_jobs();
  void aggregate();

  const models::ScenarioConfig& config_;
  StackModel m_;
  std::vector<HostInfo> hosts_;
  std::vector<int> node_host_;                 // node -> host
  std::vector<std::vector<int>> tier_nodes_;   // tier -> nodes
  std::vector<std::vector<models::CallStep>> calls_;  // class x tier
  std::map<std::pair<int, int>, int> call_pool_;      // (app node, tier it calls) -> connection pool
  std::map<std::pair<int, int>, int> server_pool_;  // (balancer, server) -> pool
};

double Builder::request_bytes(std::size_t c, int tier) const {
  const models::TierDemand* d = demand(c, tier);
  if (d != nullptr && d->request_bytes) return *d->request_bytes;
  if (const auto bytes = models::default_request_bytes(config_.tiers[static_cast<std::size_t>(tier)].kind)) return *bytes;
  return config_.workload.classes[c].request_bytes;
}

double Builder::response_bytes(std::size_t c, int tier) const {
  const models::TierDemand* d = demand(c, tier);
  if (d != nullptr && d->response_bytes) return *d->response_bytes;
  if (const auto bytes = models::default_response_bytes(config_.tiers[static_cast<std::size_t>(tier)].kind)) return *bytes;
  return config_.workload.classes[c].response_bytes;
}

int Builder::add_host(const std::string& name, const std::string& machine) {
  HostInfo h;
  h.name = name;
  h.machine = &config_.machines.at(machine);
  const models::MachineConfig& mc = *h.machine;
  const auto add = [&](const char* suffix, ResourceKind kind, Discipline d, int servers) {
    Station s;
    s.name = name + "." + suffix;
    s.host = name;
    s.kind = kind;
    s.discipline = d;
    s.servers = servers;
    m_.stations.push_back(std::move(s));
    return static_cast<int>(m_.stations.size()) - 1;
  };
  h.cpu = add("cpu", ResourceKind::kCpu,
              mc.scheduling == models::CpuScheduling::kFcfs ? Discipline::kFcfs : Discipline::kProcessorSharing,
              mc.cores);
  if (mc.monitoring) {
    Station& s = m_.stations[static_cast<std::size_t>(h.cpu)];
    const Moments run = moments(mc.monitoring->cpu);
    s.background_rate = 1e9 / static_cast<double>(mc.monitoring->interval);
    s.background_mean = run.mean * 1e-9 / mc.speed;
    s.background_second = run.second * 1e-18 / (mc.speed * mc.speed);
  }
  if (mc.nic_bandwidth > 0.0) {
    h.tx = add("nic-tx", ResourceKind::kNicTx, Discipline::kFcfs, 1);
    h.rx = add("nic-rx", ResourceKind::kNicRx, Discipline::kFcfs, 1);
  }
  if (mc.disk) h.disk = add("disk", ResourceKind::kDisk, Discipline::kFcfs, mc.disk->depth);
  hosts_.push_back(h);
  return static_cast<int>(hosts_.size()) - 1;
}

int Builder::add_pool(std::string name, const std::string& node, ResourceKind kind, int capacity, bool loss) {
  Pool p;
  p.name = std::move(name);
  p.node = node;
  p.kind = kind;
  p.capacity = capacity;
  p.loss = loss;
  m_.pools.push_back(std::move(p));
  return static_cast<int>(m_.pools.size()) - 1;
}

void Builder::add_nodes() {
  std::map<std::string, int> host_index;
  for (const auto& h : config_.hosts) host_index[h.name] = add_host(h.name, h.machine);
  const std::size_t classes = config_.workload.classes.size();
  tier_nodes_.resize(config_.tiers.size());
  const models::Topology topology(config_);
  for (std::size_t t = 0; t < config_.tiers.size(); ++t) {
    const models::TierConfig& tier = config_.tiers[t];
    for (int i = 0; i < tier.count; ++i) {
      const models::NodePlace& place = topology.node(topology.id(static_cast<int>(t), i));
      Node n;
      n.name = place.name;
      n.tier = tier.name;
      n.kind = std::string(models::kind_name(tier.kind));
      n.tier_index = static_cast<int>(t);
      const int host = place.own_host ? add_host(place.name, tier.machine) : host_index.at(place.host);
      n.host = hosts_[static_cast<std::size_t>(host)].name;
      n.units.assign(classes, 1.0);
      n.plan.resize(classes);
      // The kind's admission limit, as its node's configure_admission sets it.
      std::visit(models::Overloaded{
                     [&](const models::HaproxyConfig& lb) {
                       if (lb.maxconn > 0) {
                         n.admission = add_pool(n.name + ".maxconn", n.name, ResourceKind::kAdmission, lb.maxconn, false);
                       }
                     },
                     [&](const models::NginxConfig& web) {
                       n.admission = add_pool(n.name + ".connections", n.name, ResourceKind::kAdmission,
                                              web.worker_connections * web.worker_processes, true);
                       // A proxied request holds a client and an upstream connection.
                       for (std::size_t c = 0; c < classes; ++c) n.units[c] = calls(c, static_cast<int>(t)).empty() ? 1.0 : 2.0;
                     },
                     [&](const models::AppConfig& app) {
                       n.admission = add_pool(n.name + ".workers", n.name, ResourceKind::kAdmission, app.workers, false);
                     },
                     [&](const models::DatabaseConfig& db) {
                       n.admission = add_pool(n.name + ".connections", n.name, ResourceKind::kAdmission,
                                              db.max_connections, true);
                     },
                     [&](const models::ServerConfig& server) {
                       if (server.workers > 0) {
                         n.admission = add_pool(n.name + ".workers", n.name, ResourceKind::kAdmission, server.workers, false);
                       }
                     },
                     [&](const models::CacheConfig& cache) {
                       // Beyond max_connections, connections wait in the listen backlog.
                       n.admission = add_pool(n.name + ".connections", n.name, ResourceKind::kAdmission,
                                              cache.max_connections, false);
                     },
                 },
                 tier.kind);
      tier_nodes_[t].push_back(static_cast<int>(m_.nodes.size()));
      node_host_.push_back(host);
      m_.nodes.push_back(std::move(n));
    }
  }
  // Pools held per call, once the called tiers' nodes are named.
  for (std::size_t t = 0; t < config_.tiers.size(); ++t) {
    const models::Topology& graph = topology;
    const models::TierConfig& tier = config_.tiers[t];
    for (int i : tier_nodes_[t]) {
      const std::string& name = m_.nodes[static_cast<std::size_t>(i)].name;
      // What a call holds at the caller: an app's connection pool, HAProxy's
      // per-server maxconn; the other kinds hold nothing per call.
      std::visit(models::Overloaded{
                     [&](const models::HaproxyConfig& lb) {
                       if (lb.server_maxconn == 0) return;
                       if (t + 1 >= config_.tiers.size()) return;
                       for (int j : tier_nodes_[t + 1]) {
                         server_pool_[{i, j}] = add_pool(name + "->" + m_.nodes[static_cast<std::size_t>(j)].name + ".maxconn",
                                                         name, ResourceKind::kServerConns, lb.server_maxconn, false);
                       }
                     },
                     [](const models::NginxConfig&) {},
                     [&](const models::AppConfig& app) {
                       // One pool per tier called, named after the tier when there are several.
                       const std::vector<int> called = graph.callees(static_cast<int>(t));
                       for (int callee : called) {
                         const std::string suffix =
                             called.size() == 1 ? "" : "." + config_.tiers[static_cast<std::size_t>(callee)].name;
                         call_pool_[{i, callee}] =
                             add_pool(name + ".pool" + suffix, name, ResourceKind::kCallPool, app.pool, false);
                       }
                     },
                     [](const models::DatabaseConfig&) {},
                     [](const models::ServerConfig&) {},
                     [](const models::CacheConfig&) {},
                 },
                 tier.kind);
    }
  }
}

void Builder::add_workload() {
  double total = 0.0;
  for (const auto& c : config_.workload.classes) total += c.weight;
  for (const auto& c : config_.workload.classes) {
    m_.classes.push_back(c.name);
    m_.shares.push_back(c.weight / total);
  }
  calls_ = models::resolve_calls(config_);
  Workload& w = m_.workload;
  if (const auto* closed = std::get_if<models::ClosedArrivals>(&config_.workload.arrivals)) {
    w.closed = true;
    w.users = closed->users;
    w.think = closed->think.mean() * 1e-9;
    w.load_note = fmt::format("{} users, mean think time {}", closed->users,
                              sim::format_duration(sim::to_time_unbounded(closed->think.mean())));
    return;
  }
  const auto& schedule = std::get<models::OpenArrivals>(config_.workload.arrivals).schedule;
  if (schedule.size() == 1) {
    w.rate = schedule.front().rate;
    w.load_note = fmt::format("Poisson arrivals at {:.6g}/s", w.rate);
    return;
  }
  // A schedule is analysed at its peak within the run: capacity must hold
  // there, and the rate at the run's end could miss a peak in the middle.
  // The rate is piecewise linear, so the peak is at a breakpoint.
  const models::RateSchedule rates(schedule);
  const Time end = config_.run.duration;
  Time peak_at = 0;
  for (const auto& piece : schedule) {
    for (const Time t : {piece.at, piece.at + piece.ramp}) {
      const Time clipped = std::min(t, end);
      if (rates.rate_at(clipped) > rates.rate_at(peak_at)) peak_at = clipped;
    }
  }
  w.rate = rates.rate_at(peak_at);
  w.load_note = fmt::format("Poisson arrivals, the schedule's peak within the run: {:.6g}/s at {}", w.rate,
                            sim::format_duration(peak_at));
}

int Builder::co_located(int i, int target) const {
  for (int j : tier_nodes_[static_cast<std::size_t>(target)]) {
    if (node_host_[static_cast<std::size_t>(j)] == node_host_[static_cast<std::size_t>(i)]) return j;
  }
  return -1;
}

std::vector<double> Builder::call_split(int i, std::size_t c, int target) const {
  const Node& n = m_.nodes[static_cast<std::size_t>(i)];
  const models::TierConfig& tier = config_.tiers[static_cast<std::size_t>(n.tier_index)];
  const auto& next = tier_nodes_[static_cast<std::size_t>(target)];
  std::vector<double> split(next.size(), 0.0);
  const auto by_weight = [&](const std::vector<int>& weights) {
    double total = 0.0;
    for (std::size_t k = 0; k < next.size(); ++k) total += weights.empty() ? 1.0 : weights[k];
    for (std::size_t k = 0; k < next.size(); ++k) split[k] = (weights.empty() ? 1.0 : weights[k]) / total;
  };
  const auto only = [&](int node) {
    for (std::size_t k = 0; k < next.size(); ++k) split[k] = next[k] == node ? 1.0 : 0.0;
  };
  const int local = co_located(i, target);
  // As each kind's begin_call picks the next-tier node.
  std::visit(models::Overloaded{
                 [&](const models::HaproxyConfig& lb) {
                   if (lb.balance != models::Balance::kFirst) {
                     by_weight(lb.weights);
                     return;
                   }
                   for (std::size_t k = 0; k < next.size(); ++k) {
                     if (lb.weights.empty() || lb.weights[k] > 0) {
                       split[k] = 1.0;
                       break;
                     }
                   }
                 },
                 [&](const models::NginxConfig& web) {
                   if (web.prefer_local && local >= 0) {
                     only(local);
                   } else {
                     by_weight(web.weights);
                   }
                 },
                 [&](const models::AppConfig& app) {
                   const int preferred = app.prefer_local ? local : -1;
                   const auto& next_kind = config_.tiers[static_cast<std::size_t>(target)].kind;
                   if (const auto* db = std::get_if<models::DatabaseConfig>(&next_kind)) {
                     const models::TierDemand* query = demand(c, target);
                     const bool write = query != nullptr && query->writes > 0;
                     if (write || db->reads == models::ReadRouting::kPrimary || next.size() == 1) {
                       only(next.front());
                     } else if (preferred >= 0 && preferred != next.front()) {
                       only(preferred);
                     } else {
                       for (std::size_t k = 1; k < next.size(); ++k) split[k] = 1.0 / static_cast<double>(next.size() - 1);
                     }
                   } else if (preferred >= 0) {
                     only(preferred);
                   } else {
                     by_weight({});
                   }
                 },
                 // Databases and caches call no tier.
                 [&](const models::DatabaseConfig&) { by_weight({}); },
                 [&](const models::ServerConfig&) { by_weight({}); },
                 [&](const models::CacheConfig&) { by_weight({}); },
             },
             tier.kind);
  return split;
}

Message Builder::message(int from_host, int to_host, double bytes) const {
  Message msg;
  if (from_host == to_host) return msg;
  const HostInfo& from = hosts_[static_cast<std::size_t>(from_host)];
  const HostInfo& to = hosts_[static_cast<std::size_t>(to_host)];
  msg.latency = static_cast<double>(config_.network.latency) * 1e-9;
  if (from.tx >= 0) {
    msg.tx = from.tx;
    msg.tx_time = bytes / from.machine->nic_bandwidth;
  }
  if (to.rx >= 0) {
    msg.rx = to.rx;
    msg.rx_time = bytes / to.machine->nic_bandwidth;
  }
  return msg;
}

void Builder::add_calls() {
  const std::size_t classes = m_.classes.size();
  for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
    Node& n = m_.nodes[i];
    const int t = n.tier_index;
    for (std::size_t c = 0; c < classes; ++c) {
      // Expected cache gets of the visit that hit and missed so far: a
      // conditional step's calls are its count times these.
      double hits = 0.0;
      double misses = 0.0;
      // A fan-out group's counts are settled when it starts (models/node.cpp).
      double group_hits = 0.0;
      double group_misses = 0.0;
      const auto& steps = calls(c, t);
      for (std::size_t s = 0; s < steps.size(); ++s) {
        const models::CallStep& step = steps[s];
        int group = -1;
        if (step.parallel) {
          group = static_cast<int>(s);
          while (group > 0 && steps[static_cast<std::size_t>(group) - 1].parallel) --group;
          if (group == static_cast<int>(s)) {
            group_hits = hits;
            group_misses = misses;
          }
        }
        double count = step.count;
        if (step.on == models::CallCondition::kMiss) count *= step.parallel ? group_misses : misses;
        if (step.on == models::CallCondition::kHit) count *= step.parallel ? group_hits : hits;
        const auto target = static_cast<std::size_t>(step.tier);
        const bool cache = std::holds_alternative<models::CacheConfig>(config_.tiers[target].kind);
        if (cache && step.op == models::CacheOp::kGet) {
          const models::TierDemand* d = demand(c, step.tier);
          const double h = d != nullptr ? d->hit_ratio : 0.0;
          hits += count * h;
          misses += count * (1.0 - h);
        }
        if (count == 0.0) continue;
        const auto split = call_split(static_cast<int>(i), c, step.tier);
        const auto& next = tier_nodes_[target];
        for (std::size_t k = 0; k < next.size(); ++k) {
          if (split[k] == 0.0) continue;
          Call call;
          call.target = next[k];
          call.per_visit = count * split[k];
          call.cache_set = cache && step.op == models::CacheOp::kSet;
          call.group = group;
          if (const auto it = call_pool_.find({static_cast<int>(i), step.tier}); it != call_pool_.end()) {
            call.pools.push_back(it->second);
          }
          if (const auto it = server_pool_.find({static_cast<int>(i), next[k]}); it != server_pool_.end()) {
            call.pools.push_back(it->second);
          }
          const int from = node_host_[i];
          const int to = node_host_[static_cast<std::size_t>(next[k])];
          call.request = message(from, to, request_bytes(c, step.tier));
          call.response = message(to, from, response_bytes(c, step.tier));
          n.plan[c].calls.push_back(std::move(call));
        }
      }
    }
  }
  // Clients: HAProxy's floating address is on node 1 unless active-active;
  // otherwise DNS round robin over the entry nodes.
  const auto& entry = tier_nodes_.front();
  const auto* lb = std::get_if<models::HaproxyConfig>(&config_.tiers.front().kind);
  const bool first_only = lb != nullptr && lb->cluster != models::LbCluster::kActiveActive;
  const double client_latency = static_cast<double>(config_.network.client_latency) * 1e-9;
  m_.entries.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    for (std::size_t k = 0; k < (first_only ? 1 : entry.size()); ++k) {
      const HostInfo& h = hosts_[static_cast<std::size_t>(node_host_[static_cast<std::size_t>(entry[k])])];
      Entry e;
      e.node = entry[k];
      e.share = first_only ? 1.0 : 1.0 / static_cast<double>(entry.size());
      // The client's own link is not modelled: its request occupies only the
      // entry host's rx, its answer only the entry host's tx.
      e.request.latency = client_latency;
      e.response.latency = client_latency;
      if (h.rx >= 0) {
        e.request.rx = h.rx;
        e.request.rx_time = request_bytes(c, 0) / h.machine->nic_bandwidth;
        e.response.tx = h.tx;
        e.response.tx_time = response_bytes(c, 0) / h.machine->nic_bandwidth;
      }
      m_.entries[c].push_back(e);
    }
  }
}

void Builder::solve_visits() {
  const auto n = static_cast<Eigen::Index>(m_.nodes.size());
  for (auto& node : m_.nodes) node.visits.assign(m_.classes.size(), 0.0);
  for (std::size_t c = 0; c < m_.classes.size(); ++c) {
    Eigen::MatrixXd routing = Eigen::MatrixXd::Zero(n, n);
    Eigen::VectorXd entry = Eigen::VectorXd::Zero(n);
    for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
      for (const Call& call : m_.nodes[i].plan[c].calls) {
        routing(static_cast<Eigen::Index>(i), call.target) += call.per_visit;
      }
    }
    for (const Entry& e : m_.entries[c]) entry(e.node) += e.share;
    const Eigen::VectorXd v = solve_visit_ratios(routing, entry);
    for (std::size_t i = 0; i < m_.nodes.size(); ++i) m_.nodes[i].visits[c] = v(static_cast<Eigen::Index>(i));
  }
}

void Builder::add_jobs() {
  const std::size_t classes = m_.classes.size();
  for (std::size_t c = 0; c < classes; ++c) {
    // Visits that arrive from another host (or a client) pay the firewall.
    std::vector<double> remote(m_.nodes.size(), 0.0);
    for (const Entry& e : m_.entries[c]) remote[static_cast<std::size_t>(e.node)] += e.share;
    for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
      for (const Call& call : m_.nodes[i].plan[c].calls) {
        if (node_host_[i] != node_host_[static_cast<std::size_t>(call.target)]) {
          remote[static_cast<std::size_t>(call.target)] += m_.nodes[i].visits[c] * call.per_visit;
        }
      }
    }
    for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
      Node& n = m_.nodes[i];
      const HostInfo& host = hosts_[static_cast<std::size_t>(node_host_[i])];
      const models::TierConfig& tier = config_.tiers[static_cast<std::size_t>(n.tier_index)];
      const models::TierDemand* d = demand(c, n.tier_index);
      Moments cpu = moments(tier.cpu);
      if (d != nullptr) cpu = cpu + moments(d->cpu);
      // The kind's extra CPU (its node's extra_cpu): HAProxy's TLS.
      std::visit(models::Overloaded{
                     [&](const models::HaproxyConfig& lb) {
                       if (!lb.tls) return;
                       // A request opens a connection once per requests_per_connection.
                       const models::TlsConfig& tls = *lb.tls;
                       cpu = cpu + maybe(1.0 / tls.requests_per_connection,
                                         either(tls.resume_ratio, moments(tls.resumed), moments(tls.handshake)));
                     },
                     [](const models::NginxConfig&) {},
                     [](const models::AppConfig&) {},
                     [](const models::DatabaseConfig&) {},
                     [](const models::ServerConfig&) {},
                     [&](const models::CacheConfig& cache) {
                       // A visit is a get or a set, in the mix its callers send.
                       double gets = 0.0;
                       double sets = 0.0;
                       for (const Node& caller : m_.nodes) {
                         for (const Call& call : caller.plan[c].calls) {
                           if (call.target != static_cast<int>(i)) continue;
                           (call.cache_set ? sets : gets) += caller.visits[c] * call.per_visit;
                         }
                       }
                       if (gets + sets > 0.0) {
                         cpu = cpu + either(gets / (gets + sets), moments(cache.get_cpu), moments(cache.set_cpu));
                       }
                     },
                 },
                 tier.kind);
      const double remote_share = n.visits[c] > 0.0 ? std::min(1.0, remote[i] / n.visits[c]) : 0.0;
      cpu = cpu + maybe(remote_share, moments(host.machine->firewall));
      VisitPlan& plan = n.plan[c];
      if (cpu.positive > 0.0) {
        const double to_seconds = 1e-9 / host.machine->speed;
        plan.jobs.push_back(Job{host.cpu, cpu.positive, cpu.mean / cpu.positive * to_seconds,
                                cpu.second / cpu.positive * to_seconds * to_seconds});
      }
      if (d == nullptr || host.disk < 0) continue;  // a host without a disk does no IO
      const models::DiskConfig& disk = *host.machine->disk;
      const auto io = [&](double count, double bytes) {
        const double s = 1.0 / disk.iops + bytes / disk.bandwidth;
        if (count > 0.0) plan.jobs.push_back(Job{host.disk, count, s, s * s});
      };
      // The kind's disk plan (its node's plan_disk).
      const auto generic = [&](const auto&) { io(d->disk_ios, d->io_bytes); };
      std::visit(models::Overloaded{
                     [&](const models::HaproxyConfig& k) { generic(k); },
                     [&](const models::NginxConfig& k) { generic(k); },
                     [&](const models::AppConfig& k) { generic(k); },
                     [&](const models::DatabaseConfig& db) {
                       // Every IO moves a page, except the commit's log flush.
                       io(d->disk_ios + (d->reads + d->writes) * (1.0 - d->cache_hit), db.page_bytes);
                       if (d->writes > 0) io(1.0, db.log_flush_bytes);
                     },
                     [&](const models::ServerConfig& k) { generic(k); },
                     [&](const models::CacheConfig& k) { generic(k); },
                 },
                 tier.kind);
    }
  }
}

void Builder::aggregate() {
  const auto stations = static_cast<Eigen::Index>(m_.stations.size());
  const auto classes = static_cast<Eigen::Index>(m_.classes.size());
  m_.station_visits = Eigen::MatrixXd::Zero(stations, classes);
  m_.station_demand = Eigen::MatrixXd::Zero(stations, classes);
  m_.station_second = Eigen::MatrixXd::Zero(stations, classes);
  m_.delay = Eigen::VectorXd::Zero(classes);
  for (Eigen::Index c = 0; c < classes; ++c) {
    const auto cs = static_cast<std::size_t>(c);
    const auto job = [&](int station, double count, double mean, double second) {
      m_.station_visits(station, c) += count;
      m_.station_demand(station, c) += count * mean;
      m_.station_second(station, c) += count * second;
    };
    const auto send = [&](const Message& msg, double count) {
      if (msg.tx >= 0) job(msg.tx, count, msg.tx_time, msg.tx_time * msg.tx_time);
      if (msg.rx >= 0) job(msg.rx, count, msg.rx_time, msg.rx_time * msg.rx_time);
      m_.delay(c) += count * (msg.latency - msg.overlap());
    };
    for (const Node& n : m_.nodes) {
      for (const Job& j : n.plan[cs].jobs) job(j.station, n.visits[cs] * j.count, j.mean, j.second);
      for (const Call& call : n.plan[cs].calls) {
        send(call.request, n.visits[cs] * call.per_visit);
        send(call.response, n.visits[cs] * call.per_visit);
      }
    }
    for (const Entry& e : m_.entries[cs]) {
      send(e.request, e.share);
      send(e.response, e.share);
    }
  }
}

StackModel Builder::build() {
  m_.scenario = config_.name;
  add_workload();
  add_nodes();
  add_calls();
  // Callees before callers (depth first, post order); a chain from its last tier up.
  const int tiers = static_cast<int>(config_.tiers.size());
  std::vector<bool> placed(config_.tiers.size(), false);
  const auto place = [&](const auto& self, int t) -> void {
    placed[static_cast<std::size_t>(t)] = true;
    for (std::size_t c = 0; c < m_.classes.size(); ++c) {
      for (const models::CallStep& step : calls(c, t)) {
        if (!placed[static_cast<std::size_t>(step.tier)]) self(self, step.tier);
      }
    }
    m_.tier_order.push_back(t);
  };
  for (int t = tiers - 1; t >= 0; --t) {
    if (!placed[static_cast<std::size_t>(t)]) place(place, t);
  }
  solve_visits();
  add_jobs();
  aggregate();
  for (const auto& tier : config_.tiers) {
    const auto* lb = std::get_if<models::HaproxyConfig>(&tier.kind);
    if (lb == nullptr) continue;
    if (lb->balance == models::Balance::kFirst) {
      m_.notes.push_back(fmt::format("{}: balance first sends every call to the first server; the overflow to the "
                                     "next server at server_maxconn is not modelled",
                                     tier.name));
    } else if (lb->balance == models::Balance::kLeastConn || lb->balance == models::Balance::kRandom ||
               lb->balance == models::Balance::kSource) {
      m_.notes.push_back(fmt::format("{}: load- or hash-driven balancing taken as a split by weight", tier.name));
    }
  }
  if (m_.workload.closed && m_.entries.front().size() > 1) {
    m_.notes.push_back("closed users spread evenly over the entry nodes (the model pins user u to node u mod n)");
  }
  return std::move(m_);
}

}  // namespace

// ---------------------------------------------------------------- public

Eigen::VectorXd solve_visit_ratios(const Eigen::MatrixXd& routing, const Eigen::VectorXd& entry) {
  if (routing.rows() != routing.cols() || routing.rows() != entry.size()) {
    throw std::invalid_argument("solve_visit_ratios: the routing matrix must be square and match the entry vector");
  }
  const Eigen::Index n = routing.rows();
  const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n) - routing.transpose();
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
  if (!lu.isInvertible()) throw std::invalid_argument("solve_visit_ratios: jobs never leave the network");
  const Eigen::VectorXd v = lu.solve(entry);
  // A cycle with gain >= 1 can still leave I - P^T invertible, with a
  // meaningless (negative) answer.
  if ((v.array() < -1e-9 * std::max(1.0, v.cwiseAbs().maxCoeff())).any()) {
    throw std::invalid_argument("solve_visit_ratios: jobs never leave the network");
  }
  return v.cwiseMax(0.0);
}

std::string_view resource_kind_name(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kCpu:
      return "cpu";
    case ResourceKind::kNicTx:
      return "nic-tx";
    case ResourceKind::kNicRx:
      return "nic-rx";
    case ResourceKind::kDisk:
      return "disk";
    case ResourceKind::kAdmission:
      return "admission";
    case ResourceKind::kCallPool:
      return "connection-pool";
    case ResourceKind::kServerConns:
      return "server-maxconn";
  }
  return "?";
}

StackModel build_model(const models::ScenarioConfig& config) { return Builder(config).build(); }

double message_time(const Message& m, const std::vector<StationResponse>& stations) {
  double t = m.latency - m.overlap();
  if (m.tx >= 0) t += stations[static_cast<std::size_t>(m.tx)].residence(m.tx_time);
  if (m.rx >= 0) t += stations[static_cast<std::size_t>(m.rx)].residence(m.rx_time);
  return t;
}

Holding holding_times(const StackModel& model, const std::vector<StationResponse>& stations, double throughput,
                      const PoolWait& pool_wait) {
  const std::size_t classes = model.classes.size();
  const std::size_t pools = model.pools.size();
  Holding h;
  h.node.assign(model.nodes.size(), std::vector<double>(classes, 0.0));
  h.overlap.assign(model.nodes.size(), std::vector<double>(classes, 0.0));
  h.pool_visits.assign(pools, std::vector<double>(classes, 0.0));
  h.pool_demand.assign(pools, std::vector<double>(classes, 0.0));
  h.pool_rate.assign(pools, 0.0);
  h.pool_holding.assign(pools, 0.0);
  h.pool_busy.assign(pools, 0.0);
  h.pool_wait.assign(pools, 0.0);
  std::vector<std::vector<double>> held(pools, std::vector<double>(classes, 0.0));  // visits x holding

  // A visit to node j from its caller: the admission wait, then the holding.
  const auto residence = [&](int j, std::size_t c) {
    const int p = model.nodes[static_cast<std::size_t>(j)].admission;
    return (p >= 0 ? h.pool_wait[static_cast<std::size_t>(p)] : 0.0) + h.node[static_cast<std::size_t>(j)][c];
  };
  const auto call_time = [&](const Call& call, std::size_t c) {
    return message_time(call.request, stations) + residence(call.target, c) + message_time(call.response, stations);
  };
  const auto settle = [&](std::size_t p) {
    double visits = 0.0;
    double time = 0.0;
    double slots = 0.0;
    for (std::size_t c = 0; c < classes; ++c) {
      visits += model.shares[c] * h.pool_visits[p][c];
      time += model.shares[c] * held[p][c];
      slots += model.shares[c] * h.pool_demand[p][c];
    }
    h.pool_rate[p] = throughput * visits;
    h.pool_holding[p] = visits > 0.0 ? time / visits : 0.0;
    h.pool_busy[p] = throughput * slots;
    h.pool_wait[p] = pool_wait(static_cast<int>(p), h.pool_rate[p], h.pool_holding[p], h.pool_busy[p]);
  };

  for (const int tier : model.tier_order) {
    // Pools held per call first: a call's time is known once the tier below is.
    std::vector<bool> touched(pools, false);
    for (const Node& n : model.nodes) {
      if (n.tier_index != tier) continue;
      for (std::size_t c = 0; c < classes; ++c) {
        for (const Call& call : n.plan[c].calls) {
          const double calls = n.visits[c] * call.per_visit;
          const double duration = call_time(call, c);
          for (int p : call.pools) {
            const auto pi = static_cast<std::size_t>(p);
            h.pool_visits[pi][c] += calls;
            held[pi][c] += calls * duration;
            h.pool_demand[pi][c] += calls * duration;
            touched[pi] = true;
          }
        }
      }
    }
    for (std::size_t p = 0; p < pools; ++p) {
      if (touched[p]) settle(p);
    }
    for (std::size_t i = 0; i < model.nodes.size(); ++i) {
      const Node& n = model.nodes[i];
      if (n.tier_index != tier) continue;
      for (std::size_t c = 0; c < classes; ++c) {
        double t = 0.0;
        for (const Job& job : n.plan[c].jobs) {
          t += job.count * stations[static_cast<std::size_t>(job.station)].residence(job.mean);
        }
        // Sequential calls add up; a fan-out group's take the slowest's time.
        std::map<int, std::vector<GroupCall>> groups;
        for (const Call& call : n.plan[c].calls) {
          double waits = 0.0;
          for (int p : call.pools) waits += h.pool_wait[static_cast<std::size_t>(p)];
          const double time = waits + call_time(call, c);
          t += call.per_visit * time;
          if (call.group >= 0) groups[call.group].push_back(GroupCall{call.per_visit, time});
        }
        for (const auto& [first, group] : groups) {
          double sum = 0.0;
          for (const GroupCall& g : group) sum += g.count * g.mean;
          if (std::isfinite(sum)) h.overlap[i][c] += sum - expected_max(group);
        }
        t -= h.overlap[i][c];
        h.node[i][c] = t;
        if (n.admission >= 0) {
          const auto pi = static_cast<std::size_t>(n.admission);
          h.pool_visits[pi][c] += n.visits[c];
          held[pi][c] += n.visits[c] * t;
          h.pool_demand[pi][c] += n.visits[c] * n.units[c] * t;
        }
      }
      if (n.admission >= 0) settle(static_cast<std::size_t>(n.admission));
    }
  }
  return h;
}

double expected_max(const std::vector<GroupCall>& calls) {
  double scale = 0.0;
  for (const GroupCall& g : calls) {
    if (g.count > 0.0 && std::isinf(g.mean)) return kInfinity;
    if (g.count > 0.0) scale = std::max(scale, g.mean);
  }
  if (scale == 0.0) return 0.0;
  // In units of the longest mean: 1 - prod (1 - e^(-t/m))^n, summed in logs
  // so that many calls or tiny t lose no precision.
  const auto tail = [&](double u) {
    double log_all = 0.0;
    for (const GroupCall& g : calls) {
      if (g.count <= 0.0 || g.mean <= 0.0) continue;
      log_all += g.count * std::log(-std::expm1(-u * scale / g.mean));
    }
    return -std::expm1(log_all);
  };
  boost::math::quadrature::exp_sinh<double> integrator;
  return scale * integrator.integrate(tail, 0.0, std::numeric_limits<double>::infinity());
}

Holding unloaded_holding(const StackModel& model, double throughput) {
  return holding_times(model, std::vector<StationResponse>(model.stations.size()), throughput,
                       [](int, double, double, double) { return 0.0; });
}

OperationalAnalysis operational_analysis(const StackModel& model, double throughput) {
  OperationalAnalysis op;
  op.throughput = throughput;
  const std::size_t classes = model.classes.size();
  const auto finish = [&](Resource& r) {
    for (std::size_t c = 0; c < classes; ++c) r.demand_total += model.shares[c] * r.demand[c];
  };
  for (std::size_t k = 0; k < model.stations.size(); ++k) {
    const Station& s = model.stations[k];
    Resource r;
    r.name = s.name;
    r.kind = s.kind;
    r.host = s.host;
    for (std::size_t c = 0; c < classes; ++c) {
      r.visits.push_back(model.station_visits(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)));
      r.demand.push_back(model.station_demand(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(c)));
    }
    finish(r);
    // Background work takes its share of the servers first.
    r.capacity = s.servers - s.background_busy();
    r.utilization = (throughput * r.demand_total + s.background_busy()) / s.servers;
    r.saturation_rate = r.demand_total > 0.0 ? std::max(0.0, r.capacity) / r.demand_total : kInfinity;
    op.resources.push_back(std::move(r));
  }
  const Holding h = unloaded_holding(model, throughput);
  for (std::size_t p = 0; p < model.pools.size(); ++p) {
    const Pool& pool = model.pools[p];
    Resource r;
    r.name = pool.name;
    r.kind = pool.kind;
    r.node = pool.node;
    for (const Node& n : model.nodes) {
      if (n.name == pool.node) r.host = n.host;
    }
    r.capacity = pool.capacity;
    r.visits = h.pool_visits[p];
    r.demand = h.pool_demand[p];
    finish(r);
    r.utilization = throughput * r.demand_total / r.capacity;
    r.saturation_rate = r.demand_total > 0.0 ? r.capacity / r.demand_total : kInfinity;
    op.resources.push_back(std::move(r));
  }
  op.saturation_rate = kInfinity;
  for (std::size_t k = 0; k < op.resources.size(); ++k) {
    if (op.resources[k].saturation_rate < op.saturation_rate) {
      op.saturation_rate = op.resources[k].saturation_rate;
      op.bottleneck = static_cast<int>(k);
    }
  }
  for (std::size_t c = 0; c < classes; ++c) {
    double r0 = model.station_demand.col(static_cast<Eigen::Index>(c)).sum() + model.delay(static_cast<Eigen::Index>(c));
    for (std::size_t i = 0; i < model.nodes.size(); ++i) r0 -= model.nodes[i].visits[c] * h.overlap[i][c];
    op.unloaded_response.push_back(r0);
    op.unloaded_response_total += model.shares[c] * r0;
  }
  if (model.workload.closed) {
    // N* = (D + Z) / D_max, with D the unloaded response time (delays
    // included) and D_max = 1 / (the bottleneck's saturation throughput).
    op.saturation_users = (op.unloaded_response_total + model.workload.think) * op.saturation_rate;
  }
  // Pools whose holding time (downstream calls included) saturates them before their own CPU.
  for (const Resource& pool : op.resources) {
    if (pool.kind != ResourceKind::kAdmission && pool.kind != ResourceKind::kCallPool) continue;
    for (const Resource& cpu : op.resources) {
      if (cpu.kind != ResourceKind::kCpu || cpu.host != pool.host || !(pool.saturation_rate < cpu.saturation_rate)) continue;
      op.notes.push_back(fmt::format("{} ({:.0f} slots) saturates at {:.4g}/s, before {} ({:.4g}/s): its holding "
                                     "time includes the calls it waits for",
                                     pool.name, pool.capacity, pool.saturation_rate, cpu.name, cpu.saturation_rate));
    }
  }
  return op;
}

}  // namespace analysis
