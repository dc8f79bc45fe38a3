#include "analysis/fault_groups.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "models/topology.hpp"

namespace analysis {

namespace {

using models::FaultConfig;
using models::ScenarioConfig;
using models::TierConfig;

// How a node fails, as its callers see it.
enum class Failure { kSilent, kRefused, kStopped };  // host crash; process crash; graceful stop
constexpr std::size_t kFailureKinds = 3;

std::size_t index_of(Failure f) { return static_cast<std::size_t>(f); }

// How a fault of this kind fails its nodes, as their callers see it;
// nullopt: it does not stop them (a gray failure, a partition).
std::optional<Failure> failure_of(const models::FaultEffect& effect) {
  using Stops = std::optional<Failure>;
  return std::visit(models::Overloaded{
                        [](const models::HostCrash&) -> Stops { return Failure::kSilent; },
                        [](const models::ProcessCrash&) -> Stops { return Failure::kRefused; },
                        [](const models::Stop&) -> Stops { return Failure::kStopped; },
                        [](const models::Slowdown&) -> Stops { return std::nullopt; },
                        [](const models::NetworkFault&) -> Stops { return std::nullopt; },
                        [](const models::Partition&) -> Stops { return std::nullopt; },
                    },
                    effect);
}

// The failure of a fault that stops nodes (every fault in Builder::stochastic_).
Failure stopping(const FaultConfig& fault) { return failure_of(fault.effect).value(); }

const char* failure_name(Failure f) {
  static constexpr const char* kNames[] = {"host crash", "process crash", "stop"};
  return kNames[index_of(f)];
}

double seconds(sim::Time t) { return sim::to_seconds(t); }
std::string text(double s) { return sim::format_duration(sim::to_time_unbounded(s * 1e9)); }

// What a node's failure does to the requests sent its way.
struct Effect {
  bool routed = true;         // callers stop using it (after `gap`); false: they keep on until its repair
  double gap = 0.0;           // s during which its share of requests still fails
  double after_repair = 0.0;  // s of a second gap when it comes back (VRRP preemption)
  std::string how;

  // The downtime one survived failure costs, with repairs lasting `repair` s
  // on average: a node back before it was noticed costs only its repair.
  double cost(double repair) const { return routed ? std::min(gap, repair) + after_repair : 0.0; }
};

Effect routed(double gap, std::string how, double after_repair = 0.0) {
  return Effect{true, gap, after_repair, std::move(how)};
}
Effect unnoticed(std::string how) { return Effect{false, 0.0, 0.0, std::move(how)}; }

// Nodes of a tier that behave alike when they fail.
struct Role {
  std::string name;          // empty: every node of the tier
  std::vector<int> nodes;    // the holders at the start
  bool rotates = false;      // failover moves it between nodes, with no fail-back
  std::array<Effect, kFailureKinds> on;

  const Effect& effect(Failure f) const { return on[index_of(f)]; }
  bool unnoticed_for(Failure f) const { return !effect(f).routed; }
};

struct TierBehaviour {
  int tolerated = 0;  // node failures the tier survives once they are routed around
  std::vector<Role> roles;
};

std::array<Effect, kFailureKinds> same_for_all(const Effect& e) { return {e, e, e}; }


std::vector<int> all_nodes(int count) {
  std::vector<int> nodes(static_cast<std::size_t>(count));
  std::iota(nodes.begin(), nodes.end(), 0);
  return nodes;
}

// ---------------------------------------------------------------- entry tier

// VRRP v2: skew = (256 - priority) / 256 s; v3: in units of advert_int.
double skew(const models::VrrpConfig& v, int priority) {
  if (v.version == 3) return (256 - priority) * seconds(v.advert_int) / 256.0;
  return (256.0 - priority) / 256.0;
}

// How long, on average over the phases, the backup (of priority `backup`)
// takes to own the address, as models/vrrp.cpp does:
//  - a silent host: Master_Down_Interval after the last advert heard, which
//    is uniform over the advert_int before the crash: mean
//    3 x advert_int + skew - advert_int / 2;
//  - a dead HAProxy: track_script sees it at its next run, uniform over the
//    interval after the death, and after `fall` runs the master goes to FAULT
//    and sends a priority-0 advert: mean interval / 2 + (fall - 1) x
//    interval + skew;
//  - a graceful stop's priority-0 advert: the skew alone.
double takeover(const models::VrrpConfig& v, Failure f, int backup) {
  switch (f) {
    case Failure::kSilent:
      return 3 * seconds(v.advert_int) + skew(v, backup) - seconds(v.advert_int) / 2;
    case Failure::kRefused:
      return seconds(v.track_interval) / 2 + (v.track_fall - 1) * seconds(v.track_interval) + skew(v, backup);
    case Failure::kStopped:
      return skew(v, backup);
  }
  return 0.0;
}

const char* takeover_how(Failure f) {
  switch (f) {
    case Failure::kSilent:
      return "Master_Down_Interval after the last advert, mean over the advert phase";
    case Failure::kRefused:
      return "track_script's next run, mean over its phase, + skew";
    case Failure::kStopped:
      return "skew: graceful stop";
  }
  return "";
}

TierBehaviour vrrp_pair(const models::HaproxyConfig& lb) {
  const models::VrrpConfig& v = lb.vrrp;
  const std::array<int, 2> p{v.priority.at(0), v.priority.at(1)};
  const double arp = seconds(v.arp_delay);
  // A node preempts only with a strictly higher priority. It comes back as
  // BACKUP and takes the address back when its own Master_Down_Timer expires
  // (preempt_delay later or so); the move itself costs the ARP delay.
  const bool preempts = v.preempt && p[0] != p[1];
  const double back = preempts ? arp : 0.0;
  const auto owner = [&](double gap, Failure f) {
    return routed(gap + arp,
                  fmt::format("keepalived moves the address after {} ({}) + ARP {}{}", text(gap), takeover_how(f),
                              text(arp),
                              preempts ? fmt::format(", and preemption costs {} more when the node is back", text(arp))
                                       : ""),
                  back);
  };
  TierBehaviour b;
  b.tolerated = 1;
  if (lb.cluster == models::LbCluster::kActiveActive) {
    // Each node owns one address; the other, at the lower of the mirrored
    // priorities, takes it over.
    Role owners{"", {0, 1}, false, {}};
    for (Failure f : {Failure::kSilent, Failure::kRefused, Failure::kStopped}) {
      owners.on[index_of(f)] = owner(takeover(v, f, std::min(p[0], p[1])), f);
    }
    b.roles.push_back(owners);
    return b;
  }
  // Active-passive: only the master's failure costs a gap. With preemption
  // the higher priority is master whenever it is up; without, the roles
  // alternate and either node may take over.
  const int master = p[0] >= p[1] ? 0 : 1;
  Role lead{"master", {master}, !preempts, {}};
  Role backup{"backup", {1 - master}, !preempts, same_for_all(routed(0.0, "a backup carries no traffic"))};
  for (Failure f : {Failure::kSilent, Failure::kRefused, Failure::kStopped}) {
    const double gap = preempts ? takeover(v, f, p[static_cast<std::size_t>(1 - master)])
                                : (takeover(v, f, p[0]) + takeover(v, f, p[1])) / 2;
    lead.on[index_of(f)] = owner(gap, f);
  }
  b.roles = {lead, backup};
  return b;
}

TierBehaviour entry_tier(const TierConfig& tier) {
  TierBehaviour b;
  // Only HAProxy pairs share a floating address (keepalived); clients reach
  // any other kind's entry nodes by DNS.
  const auto* pair = std::visit(models::Overloaded{
                                    [&](const models::HaproxyConfig& lb) { return tier.count == 2 ? &lb : nullptr; },
                                    [](const models::NginxConfig&) -> const models::HaproxyConfig* { return nullptr; },
                                    [](const models::AppConfig&) -> const models::HaproxyConfig* { return nullptr; },
                                    [](const models::DatabaseConfig&) -> const models::HaproxyConfig* { return nullptr; },
                                    [](const models::ServerConfig&) -> const models::HaproxyConfig* { return nullptr; },
                                    [](const models::CacheConfig&) -> const models::HaproxyConfig* { return nullptr; },
                                },
                                tier.kind);
  if (pair != nullptr) return vrrp_pair(*pair);
  if (tier.count == 1) {
    b.roles.push_back(Role{"", {0}, false, same_for_all(unnoticed("the only entry node"))});
    return b;
  }
  b.tolerated = tier.count - 1;
  b.roles.push_back(Role{"", all_nodes(tier.count), false,
                         same_for_all(unnoticed("clients reach the entry nodes by DNS round robin, which has no "
                                                "health checks: a dead node's clients fail until it is repaired"))});
  return b;
}

// ---------------------------------------------------------------- deeper tiers

// HAProxy's detection as models/haproxy.cpp runs it (src/check.c
// process_chk_conn): each check starts srv_getinter() after the previous one
// ended. While the server is UP a check passes in a round trip, so checks
// come every inter + round trip (spread-checks jitters the inter uniformly
// by +-s), and a failure waits E[C^2] / (2 E[C]) = C / 2 + s^2 / (6 C) for
// the next one. Then `fall` failing checks: a silent host's lasts its
// timeout (inter, or min(timeout connect, inter) when `timeout check` is
// set), a refused one a round trip; between them fastinter (inter unless
// set), the server being in transition.
Effect health_checked(const ScenarioConfig& config, const models::HaproxyConfig& lb, Failure f) {
  const models::HealthCheckConfig& hc = *lb.health_check;
  const double inter = seconds(hc.inter);
  const double fast = hc.fastinter > 0 ? seconds(hc.fastinter) : inter;
  const double round_trip = 2 * seconds(config.network.latency);
  const double cycle = inter + round_trip;
  const double spread = inter * lb.spread_checks / 100.0;
  const double phase = cycle / 2 + spread * spread / (6 * cycle);
  double probe = round_trip;
  if (f == Failure::kSilent) probe = hc.timeout > 0 ? std::min(seconds(lb.timeout_connect), inter) : inter;
  const double detection = phase + hc.fall * probe + (hc.fall - 1) * fast;
  return routed(detection, fmt::format("HAProxy's health checks mark it down after {} on average "
                                       "(half a check cycle, then {} {} checks {} apart){}",
                                       text(detection), hc.fall, f == Failure::kSilent ? "timed-out" : "refused",
                                       hc.fastinter > 0 ? "fastinter" : "inter",
                                       hc.observe != models::Observe::kOff
                                           ? "; passive checks on live traffic may mark it sooner, not counted here"
                                           : ""));
}

// The shortest timeout with which a tier above `caller` gives up waiting for
// its call, cancelling everything below it; 0: none.
double ancestors_timeout(const ScenarioConfig& config, int caller, std::string& who) {
  double shortest = 0.0;
  for (int a = 0; a < caller; ++a) {
    const TierConfig& tier = config.tiers[static_cast<std::size_t>(a)];
    double t = 0.0;
    std::string what;
    // The kind's timeout on a call's answer (its node's call_timeout).
    std::visit(models::Overloaded{
                   [&](const models::HaproxyConfig& lb) {
                     t = seconds(lb.timeout_server);
                     what = "HAProxy's timeout server";
                   },
                   [&](const models::NginxConfig& web) {
                     t = seconds(web.read_timeout);
                     what = "nginx's proxy_read_timeout";
                   },
                   [&](const models::AppConfig& app) {
                     t = seconds(app.call_timeout);
                     what = "the app's call timeout";
                   },
                   [](const models::DatabaseConfig&) {},
                   [](const models::ServerConfig&) {},
                   [](const models::CacheConfig&) {},
               },
               tier.kind);
    if (t > 0.0 && (shortest == 0.0 || t < shortest)) {
      shortest = t;
      who = fmt::format("{} ({}, tier {})", what, text(t), tier.name);
    }
  }
  return shortest;
}

// Calls from `caller` to `callee` stay on their host (prefer_local) and every
// host has as many nodes of the caller's tier as of the callee's: a host
// crash takes a node down together with the only callers that use it.
bool calls_stay_local(const ScenarioConfig& config, int caller, int callee) {
  const TierConfig& from = config.tiers[static_cast<std::size_t>(caller)];
  const TierConfig& to = config.tiers[static_cast<std::size_t>(callee)];
  const bool local = std::visit(models::Overloaded{
                                    [](const models::HaproxyConfig&) { return false; },
                                    [](const models::NginxConfig& web) { return web.prefer_local; },
                                    [](const models::AppConfig& app) { return app.prefer_local; },
                                    [](const models::DatabaseConfig&) { return false; },
                                    [](const models::ServerConfig&) { return false; },
                                    [](const models::CacheConfig&) { return false; },
                                },
                                from.kind);
  if (!local) return false;
  const models::Topology topology(config);
  std::map<std::string, int> balance;
  for (int i = 0; i < from.count; ++i) ++balance[topology.node(topology.id(caller, i)).host];
  for (int i = 0; i < to.count; ++i) --balance[topology.node(topology.id(callee, i)).host];
  return std::all_of(balance.begin(), balance.end(), [](const auto& h) { return h.second == 0; });
}

// nginx's passive checks (models/nginx.cpp): a refused call fails at once,
// marks the upstream unavailable and, with proxy_next_upstream, moves on; a
// call to a silent host fails only when proxy_connect_timeout expires, unless
// a tier above gives up first and cancels it, and then nginx never learns.
Effect nginx_upstream(const ScenarioConfig& config, int caller, int callee, const models::NginxConfig& web,
                      Failure f) {
  if (web.max_fails == 0) return unnoticed("nginx's max_fails is 0: it never marks an upstream unavailable");
  if (f != Failure::kSilent) {
    if (web.next_upstream) return routed(0.0, "refused at once; nginx passes the request to the next upstream");
    return unnoticed(fmt::format("refused at once, but without proxy_next_upstream the request fails, and the "
                                 "upstream is tried again every fail_timeout ({}) until repaired",
                                 text(seconds(web.fail_timeout))));
  }
  if (calls_stay_local(config, caller, callee)) {
    return routed(0.0, "its host's crash also takes down the only nginx that calls it");
  }
  const double connect = seconds(web.connect_timeout);
  std::string who;
  const double cancel = ancestors_timeout(config, caller, who);
  if (cancel > 0.0 && cancel <= connect) {
    return unnoticed(fmt::format("{} expires before nginx's proxy_connect_timeout ({}), cancelling the call, so "
                                 "nginx never marks it unavailable",
                                 who, text(connect)));
  }
  return routed(connect, fmt::format("nginx marks it unavailable when its first call's proxy_connect_timeout ({}) "
                                     "expires (afterwards it retries it every fail_timeout, failing a few requests "
                                     "each time, not counted here)",
                                     text(connect)));
}

struct Queries {
  bool reads = false;   // some class reads (queries without writes)
  bool writes = false;
};

Queries queries_at(const ScenarioConfig& config, int tier) {
  Queries q;
  for (const auto& c : config.workload.classes) {
    const auto t = static_cast<std::size_t>(tier);
    if (t >= c.demands.size() || !c.demands[t]) continue;
    (c.demands[t]->writes > 0 ? q.writes : q.reads) = true;
  }
  return q;
}

// ProxySQL's monitor (models/read_router.cpp): pings every ping_interval
// from a fixed grid, so the first ping after a failure comes ping_interval / 2
// later on average; the node is shunned when the ping_max_failures-th failed
// ping in a row ends: after ping_timeout when nothing answers, a round trip
// when the connection is refused.
Effect router_shuns(const ScenarioConfig& config, const models::ReadRouterConfig& rc, Failure f) {
  const double interval = seconds(rc.ping_interval);
  const double ping = f == Failure::kSilent ? seconds(rc.ping_timeout) : 2 * seconds(config.network.latency);
  const double detection = interval / 2 + (rc.ping_max_failures - 1) * interval + ping;
  return routed(detection, fmt::format("ProxySQL's monitor shuns it after {} on average (ping_interval / 2 + {} "
                                       "pings, the last {}), and reads go to the other readers",
                                       text(detection), rc.ping_max_failures,
                                       f == Failure::kSilent ? "timing out" : "refused"));
}

// An app tier calling the database (models/app_server.cpp, stack.cpp): writes
// go to the primary, which failover replaces after detection + promotion.
// Reads go to the replicas in turn: without a router a dead one included, so
// each replica in the read rotation is needed; through ProxySQL a dead one
// costs the monitor's detection while another reader is left (another
// replica, or the primary with fallback_to_primary).
TierBehaviour database_tier(const ScenarioConfig& config, int t, const TierConfig& tier,
                            const models::DatabaseConfig& db) {
  const Queries q = queries_at(config, t);
  const int n = tier.count;
  const bool read_replicas = q.reads && db.reads == models::ReadRouting::kReplicas && n > 1;
  const bool primary_used = q.writes || (q.reads && !read_replicas);
  const bool failover = db.failover_detection.has_value() && n > 1;
  TierBehaviour b;
  b.tolerated = n - 1;
  Effect primary = routed(0.0, "the primary serves no query");
  if (primary_used && failover) {
    const double promotion = seconds(*db.failover_detection) + seconds(db.failover_promotion);
    primary = routed(promotion, fmt::format("a replica is promoted after detection {} + promotion {}",
                                            text(seconds(*db.failover_detection)), text(seconds(db.failover_promotion))));
  } else if (primary_used) {
    primary = unnoticed(n > 1 ? "no failover: writes wait for the primary's repair" : "the only database node");
  }
  const models::ReadRouterConfig* router = db.router ? &*db.router : nullptr;
  const bool fallback = router != nullptr && router->fallback_to_primary;
  if (read_replicas && failover && router != nullptr && n == 2 && !router->writer_is_also_reader && !fallback) {
    primary = unnoticed("after the promotion ProxySQL's reader hostgroup is empty (writer_is_also_reader is off): "
                        "reads fail until the old primary is repaired");
  }
  b.roles.push_back(Role{"primary", {0}, failover, same_for_all(primary)});
  if (n > 1) {
    std::vector<int> replicas = all_nodes(n);
    replicas.erase(replicas.begin());
    Role role{"replicas", replicas, failover, same_for_all(routed(0.0, "a replica serves no query"))};
    if (read_replicas && router == nullptr) {
      role.on = same_for_all(unnoticed("the app servers call the replicas directly (router: false) and keep sending "
                                       "reads to a dead one until it is repaired"));
    } else if (read_replicas && n == 2 && !fallback) {
      role.on = same_for_all(unnoticed("the only replica: once ProxySQL shuns it the reader hostgroup is empty, and "
                                       "reads fail until it is repaired (fallback_to_primary is off)"));
    } else if (read_replicas) {
      for (Failure f : {Failure::kSilent, Failure::kRefused, Failure::kStopped}) {
        role.on[index_of(f)] = router_shuns(config, *router, f);
      }
      // Without the fallback the reads need a replica besides the writer.
      if (!fallback) b.tolerated = n - 2;
    }
    b.roles.push_back(role);
  }
  return b;
}

// A cache's callers take a dead node's gets for misses (models/app_server.cpp)
// and read the database: no request fails for it, each get waits out the
// client timeout when the host is silent, a round trip when refused.
TierBehaviour cache_tier(const TierConfig& tier, const models::CacheConfig& cache) {
  TierBehaviour b;
  b.tolerated = tier.count;
  Role all{"", all_nodes(tier.count), false, {}};
  for (Failure f : {Failure::kSilent, Failure::kRefused, Failure::kStopped}) {
    all.on[index_of(f)] = routed(
        0.0, fmt::format("its gets count as misses and the app reads the database instead{}",
                         f == Failure::kSilent ? fmt::format(", each after the client timeout ({})",
                                                             text(seconds(cache.client_timeout)))
                                               : std::string(", refused at once")));
  }
  b.roles.push_back(all);
  return b;
}

// The tier whose calls reach tier t first (in a chain, the one before it).
int caller_of(const ScenarioConfig& config, int t) {
  const models::Topology topology(config);
  for (int c = 0; c < topology.tier_count(); ++c) {
    if (topology.calls_tier(c, t)) return c;
  }
  return t - 1;
}

TierBehaviour called_tier(const ScenarioConfig& config, int t) {
  const TierConfig& tier = config.tiers[static_cast<std::size_t>(t)];
  if (const auto* cache = std::get_if<models::CacheConfig>(&tier.kind)) return cache_tier(tier, *cache);
  const int from = caller_of(config, t);
  const TierConfig& caller = config.tiers[static_cast<std::size_t>(from)];
  const auto* db = std::get_if<models::DatabaseConfig>(&tier.kind);
  if (db != nullptr && std::holds_alternative<models::AppConfig>(caller.kind)) {
    return database_tier(config, t, tier, *db);
  }
  TierBehaviour b;
  b.tolerated = tier.count - 1;
  Role all{"", all_nodes(tier.count), false, {}};
  for (Failure f : {Failure::kSilent, Failure::kRefused, Failure::kStopped}) {
    // How the caller's kind notices a dead node of the next tier.
    const auto no_checks = [&] {
      if (f == Failure::kSilent && calls_stay_local(config, from, t)) {
        return routed(0.0, "its host's crash also takes down the only caller that uses it");
      }
      return unnoticed(fmt::format("the {} tier has no health checks: it keeps calling a dead node", caller.name));
    };
    all.on[index_of(f)] = std::visit(
        models::Overloaded{
            [&](const models::HaproxyConfig& lb) {
              return lb.health_check
                         ? health_checked(config, lb, f)
                         : unnoticed("HAProxy has no health checks: it keeps sending a dead server its share");
            },
            [&](const models::NginxConfig& web) { return nginx_upstream(config, from, t, web, f); },
            [&](const models::AppConfig&) { return no_checks(); },
            [&](const models::DatabaseConfig&) { return no_checks(); },
            [&](const models::ServerConfig&) { return no_checks(); },
            [&](const models::CacheConfig&) { return no_checks(); },
        },
        caller.kind);
  }
  b.roles.push_back(all);
  return b;
}

TierBehaviour behaviour_of(const ScenarioConfig& config, int t) {
  if (t == 0) return entry_tier(config.tiers.front());
  return called_tier(config, t);
}

// P(node i of the tier holds the role).
double holds(const Role& role, int node, int tier_size) {
  if (role.rotates) return static_cast<double>(role.nodes.size()) / tier_size;
  return std::find(role.nodes.begin(), role.nodes.end(), node) != role.nodes.end() ? 1.0 : 0.0;
}

// ---------------------------------------------------------------- the scenario

struct Tier {
  const TierConfig* config;
  TierBehaviour behaviour;
  std::vector<std::string> nodes, hosts;
};

// A set of tiers whose nodes share hosts, and those hosts: the units.
struct Block {
  std::vector<int> tiers;
  std::vector<std::string> units;
};

struct NodeRef {
  int tier;
  int node;
};

std::string fault_name(std::size_t index) { return fmt::format("faults.{}", index); }

class Builder {
 public:
  Builder(const ScenarioConfig& config, const OperationalAnalysis& operational)
      : config_(config), operational_(operational) {
    const models::Topology topology(config);
    for (int t = 0; t < static_cast<int>(config.tiers.size()); ++t) {
      const TierConfig& tc = config.tiers[static_cast<std::size_t>(t)];
      Tier tier{&tc, behaviour_of(config, t), {}, {}};
      for (int i = 0; i < tc.count; ++i) {
        const models::NodePlace& place = topology.node(topology.id(t, i));
        tier.nodes.push_back(place.name);
        tier.hosts.push_back(place.host);
      }
      tiers_.push_back(std::move(tier));
    }
    form_blocks();
  }

  AvailabilityModel build() {
    for (std::size_t f = 0; f < config_.faults.size(); ++f) sort_fault(f);
    if (stochastic_.empty()) return std::move(model_);
    for (const Block& block : blocks_) add_block(block);
    for (std::size_t f : stochastic_) {
      if (config_.faults[f].together) add_domain(f);
    }
    model_.notes.push_back(
        "Gaps are charged as downtime of their group (the SLO view: a window with failures is bad); client "
        "retries, HAProxy's redispatch and nginx's next_upstream can hide part of them.");
    return std::move(model_);
  }

 private:
  void form_blocks() {
    // Tiers that share a host join one block (union by host).
    std::vector<int> block_of(tiers_.size());
    std::iota(block_of.begin(), block_of.end(), 0);
    const auto root = [&](int t) {
      while (block_of[static_cast<std::size_t>(t)] != t) t = block_of[static_cast<std::size_t>(t)];
      return t;
    };
    std::map<std::string, int> tier_of_host;
    for (int t = 0; t < static_cast<int>(tiers_.size()); ++t) {
      for (const auto& h : tiers_[static_cast<std::size_t>(t)].hosts) {
        const auto [it, fresh] = tier_of_host.emplace(h, t);
        if (!fresh) block_of[static_cast<std::size_t>(root(t))] = root(it->second);
      }
    }
    std::map<int, std::size_t> index;
    for (int t = 0; t < static_cast<int>(tiers_.size()); ++t) {
      const auto [it, fresh] = index.emplace(root(t), blocks_.size());
      if (fresh) blocks_.emplace_back();
      Block& b = blocks_[it->second];
      b.tiers.push_back(t);
      for (const auto& h : tiers_[static_cast<std::size_t>(t)].hosts) {
        if (std::find(b.units.begin(), b.units.end(), h) == b.units.end()) b.units.push_back(h);
      }
    }
  }

  void sort_fault(std::size_t f) {
    const FaultConfig& fault = config_.faults[f];
    if (fault.at) {
      model_.ignored.push_back(fmt::format("{} ({} {} at {}): a one-off fault has no steady state", fault_name(f),
                                           models::fault_key(fault.effect), fault.target, sim::format_duration(*fault.at)));
      return;
    }
    if (!failure_of(fault.effect)) {
      model_.ignored.push_back(fmt::format("{} ({} {}): a gray failure slows nodes down without stopping them",
                                           fault_name(f), models::fault_key(fault.effect), fault.target));
      return;
    }
    stochastic_.push_back(f);
    const bool exponential = fault.mttf->kind() == sim::Distribution::Kind::kExponential &&
                             fault.mttr->kind() == sim::Distribution::Kind::kExponential;
    if (!exponential) {
      model_.notes.push_back(fmt::format(
          "{}: its mttf and mttr enter by their means ({} and {}); steady-state availability depends only on the "
          "means while every unit has its own repair, but chains with shared crews assume exponential times: "
          "groups marked ~ are approximate.",
          fault_name(f), text(fault.mttf->mean() * 1e-9), text(fault.mttr->mean() * 1e-9)));
    }
    if (fault.repair_crews > 0) {
      model_.notes.push_back(fmt::format(
          "{}: its {} repair crew{} serve all its units in the simulation; each group is solved with the crews to "
          "itself (waiting for a crew busy in another group is left out, a small effect while MTTR << MTTF).",
          fault_name(f), fault.repair_crews, fault.repair_crews == 1 ? "" : "s"));
    }
  }

  bool hits_host(const FaultConfig& fault, const std::string& host) const {
    for (const Tier& t : tiers_) {
      for (std::size_t i = 0; i < t.nodes.size(); ++i) {
        if (t.hosts[i] == host && std::find(fault.nodes.begin(), fault.nodes.end(), t.nodes[i]) != fault.nodes.end()) {
          return true;
        }
      }
    }
    return false;
  }
  bool hits_node(const FaultConfig& fault, const NodeRef& n) const {
    const std::string& name = tiers_[static_cast<std::size_t>(n.tier)].nodes[static_cast<std::size_t>(n.node)];
    return std::find(fault.nodes.begin(), fault.nodes.end(), name) != fault.nodes.end();
  }
  // Whether the fault stops the node: a crash by its host, the others by name.
  bool stops(const FaultConfig& fault, const NodeRef& n) const {
    if (stopping(fault) != Failure::kSilent) return hits_node(fault, n);
    return hits_host(fault, tiers_[static_cast<std::size_t>(n.tier)].hosts[static_cast<std::size_t>(n.node)]);
  }

  std::vector<NodeRef> nodes_on(const Block& block, const std::string& host) const {
    std::vector<NodeRef> nodes;
    for (int t : block.tiers) {
      const Tier& tier = tiers_[static_cast<std::size_t>(t)];
      for (std::size_t i = 0; i < tier.hosts.size(); ++i) {
        if (tier.hosts[i] == host) nodes.push_back({t, static_cast<int>(i)});
      }
    }
    return nodes;
  }

  // Expected cost of a survived failure that stops `nodes` at once: the
  // longest of their gaps (they run together), over the roles they may hold.
  // Nodes whose failure goes unnoticed cost nothing here: a group of their
  // own carries them.
  double expected_cost(const std::vector<NodeRef>& nodes, Failure f, double repair) const {
    double expected = 0.0;
    const auto walk = [&](auto& self, std::size_t i, double p, double gap, double after) -> void {
      if (p == 0.0) return;
      if (i == nodes.size()) {
        expected += p * (std::min(gap, repair) + after);
        return;
      }
      const Tier& tier = tiers_[static_cast<std::size_t>(nodes[i].tier)];
      for (const Role& role : tier.behaviour.roles) {
        const Effect& e = role.effect(f);
        const double share = holds(role, nodes[i].node, tier.config->count);
        if (!e.routed) {
          self(self, i + 1, p * share, gap, after);
        } else {
          self(self, i + 1, p * share, std::max(gap, e.gap), std::max(after, e.after_repair));
        }
      }
    };
    walk(walk, 0, 1.0, 0.0, 0.0);
    return expected;
  }

  FailureMode mode_of(const FaultConfig& fault, std::size_t f, std::string name, double share, double gap) const {
    FailureMode m;
    m.name = fmt::format("{} ({})", name, fault_name(f));
    m.mttf = sim::to_time_unbounded(fault.mttf->mean() / share);
    m.mttr = sim::to_time_unbounded(fault.mttr->mean());
    m.repair_crews = fault.repair_crews;
    m.failover_gap = sim::to_time_unbounded(gap * 1e9);
    m.exponential_failures = fault.mttf->kind() == sim::Distribution::Kind::kExponential;
    m.exponential_repairs = fault.mttr->kind() == sim::Distribution::Kind::kExponential;
    return m;
  }

  void note_partial(const std::string& group, std::size_t f, std::size_t hit, std::size_t units) {
    if (hit == units) return;
    model_.notes.push_back(fmt::format("{}: {} hits {} of its {} units; the k-of-n chain takes the units alike, "
                                       "so its rate is spread over all of them.",
                                       group, fault_name(f), hit, units));
  }

  // Host failures the tier survives: hosts with the most of its nodes first.
  int tolerated_hosts(const Block& block, int t) const {
    const Tier& tier = tiers_[static_cast<std::size_t>(t)];
    std::vector<int> per_host;
    for (const auto& u : block.units) {
      per_host.push_back(static_cast<int>(std::count(tier.hosts.begin(), tier.hosts.end(), u)));
    }
    std::sort(per_host.rbegin(), per_host.rend());
    int lost = 0, hosts = 0;
    for (int c : per_host) {
      if (lost + c > tier.behaviour.tolerated) break;
      lost += c;
      ++hosts;
    }
    return hosts;
  }

  std::string block_name(const Block& block) const {
    std::string name;
    for (int t : block.tiers) name += (name.empty() ? "" : "+") + tiers_[static_cast<std::size_t>(t)].config->name;
    return name;
  }

  // Every node of this one-tier block goes unnoticed whatever stops it: the
  // block itself needs all its units.
  bool all_unnoticed(const Block& block) const {
    if (block.tiers.size() != 1) return false;
    const Tier& tier = tiers_[static_cast<std::size_t>(block.tiers.front())];
    for (const Role& role : tier.behaviour.roles) {
      for (Failure f : {Failure::kSilent, Failure::kRefused, Failure::kStopped}) {
        if (!role.unnoticed_for(f)) return false;
      }
    }
    return true;
  }

  void add_block(const Block& block) {
    const std::string name = block_name(block);
    const auto n = static_cast<int>(block.units.size());
    PathGroup g;
    g.group.name = name;
    g.group.nodes = n;
    g.units = block.units;
    for (std::size_t f : stochastic_) {
      const FaultConfig& fault = config_.faults[f];
      if (fault.together) continue;
      const Failure failure = stopping(fault);
      const double repair = fault.mttr->mean() * 1e-9;
      if (failure == Failure::kSilent) {
        double cost = 0.0;
        std::size_t hit = 0;
        for (const auto& u : block.units) {
          if (!hits_host(fault, u)) continue;
          ++hit;
          cost += expected_cost(nodes_on(block, u), failure, repair);
        }
        if (hit == 0) continue;
        note_partial(name, f, hit, block.units.size());
        g.group.modes.push_back(mode_of(fault, f, failure_name(failure), static_cast<double>(hit) / n, cost / hit));
        continue;
      }
      // A process fails alone: one mode per tier of the block.
      for (int t : block.tiers) {
        const Tier& tier = tiers_[static_cast<std::size_t>(t)];
        double cost = 0.0;
        std::size_t hit = 0;
        for (int i = 0; i < tier.config->count; ++i) {
          if (!hits_node(fault, {t, i})) continue;
          ++hit;
          cost += expected_cost({{t, i}}, failure, repair);
        }
        if (hit == 0) continue;
        note_partial(name, f, hit, block.units.size());
        const std::string what = failure_name(failure);
        g.group.modes.push_back(mode_of(fault, f, block.tiers.size() > 1 ? what + " " + tier.config->name : what,
                                        static_cast<double>(hit) / n, cost / static_cast<double>(hit)));
      }
    }
    if (g.group.modes.empty()) return;
    int tolerated = n;
    for (int t : block.tiers) tolerated = std::min(tolerated, tolerated_hosts(block, t));
    const bool unnoticed = all_unnoticed(block);
    if (unnoticed) tolerated = 0;
    if (tolerated == 0) {
      for (FailureMode& m : g.group.modes) m.failover_gap = 0;  // no failure is survived
    }
    g.needed_for_redundancy = n - tolerated;
    g.group.needed = g.needed_for_redundancy;
    g.why = block_why(block, tolerated, unnoticed);
    if (tolerated > 0) set_capacity(g, block);
    model_.groups.push_back(std::move(g));
    if (tolerated > 0 && !unnoticed) {
      for (int t : block.tiers) add_unnoticed_roles(t);
    }
  }

  std::string block_why(const Block& block, int tolerated, bool unnoticed) const {
    std::string why;
    if (block.tiers.size() > 1) {
      why = fmt::format("hosts {} carry tiers {}: a host crash stops every tier on it. ", fmt::join(block.units, ", "),
                        block_name(block));
    }
    if (tolerated == 0) {
      if (unnoticed) {
        const Tier& tier = tiers_[static_cast<std::size_t>(block.tiers.front())];
        return why + tier.behaviour.roles.front().effect(Failure::kSilent).how + ".";
      }
      return why + "No spare unit.";
    }
    why += fmt::format("Survives {} failure{}. ", tolerated, tolerated == 1 ? "" : "s");
    for (int t : block.tiers) {
      const Tier& tier = tiers_[static_cast<std::size_t>(t)];
      for (const Role& role : tier.behaviour.roles) {
        const std::string who = role.name.empty() ? tier.config->name : tier.config->name + " " + role.name;
        const Effect& silent = role.effect(Failure::kSilent);
        const Effect& refused = role.effect(Failure::kRefused);
        const bool same = refused.how == silent.how;
        const char* unseen = same ? "not noticed, see its own group" : "a crash goes unnoticed, see its own group";
        why += fmt::format("{}: {}", who, silent.routed ? silent.how : unseen);
        if (!same) why += fmt::format("; killed: {}", refused.routed ? refused.how : "not noticed, see its own group");
        why += ". ";
      }
    }
    why.pop_back();
    return why;
  }

  // The fewest units that keep the group's load below 100%: the survivors
  // share the busiest resource of every unit.
  void set_capacity(PathGroup& g, const Block& block) {
    double load = 0.0;
    for (const auto& u : block.units) {
      double busiest = 0.0;
      for (const Resource& r : operational_.resources) {
        if (r.host == u) busiest = std::max(busiest, r.utilization);
      }
      load += busiest;
    }
    if (!std::isfinite(load)) return;
    const int n = g.group.nodes;
    const int needed = static_cast<int>(std::floor(load)) + 1;
    if (needed > n) {
      model_.notes.push_back(fmt::format("{}: its units are {:.0f}% busy on average at the scenario's load, past "
                                         "saturation even with all of them up; k is taken as n.",
                                         g.group.name, 100.0 * load / n));
    }
    g.needed_for_capacity = std::min(needed, n);
    g.group.needed = std::max(g.needed_for_redundancy, *g.needed_for_capacity);
  }

  // Roles whose failure some kinds of fault leave unnoticed: each holder is
  // needed, in a group of its own.
  void add_unnoticed_roles(int t) {
    const Tier& tier = tiers_[static_cast<std::size_t>(t)];
    for (const Role& role : tier.behaviour.roles) {
      PathGroup g;
      g.group.name = tier.config->name + " " + (role.name.empty() ? "nodes" : role.name) + " (each needed)";
      g.group.nodes = static_cast<int>(role.nodes.size());
      for (int i : role.nodes) g.units.push_back(tier.nodes[static_cast<std::size_t>(i)]);
      std::vector<std::pair<std::string, std::vector<std::string>>> reasons;  // how, and the kinds of failure it is for
      for (std::size_t f : stochastic_) {
        const FaultConfig& fault = config_.faults[f];
        const Failure failure = stopping(fault);
        if (fault.together || !role.unnoticed_for(failure)) continue;
        // A rotating role moves over the tier: its holders fail as the tier's nodes do on average.
        const std::vector<int> pool = role.rotates ? all_nodes(tier.config->count) : role.nodes;
        std::size_t hit = 0;
        for (int i : pool) {
          hit += stops(fault, {t, i}) ? 1 : 0;
        }
        if (hit == 0) continue;
        note_partial(g.group.name, f, hit, pool.size());
        const char* what = failure_name(failure);
        g.group.modes.push_back(mode_of(fault, f, what, static_cast<double>(hit) / pool.size(), 0.0));
        const std::string& how = role.effect(failure).how;
        auto it = std::find_if(reasons.begin(), reasons.end(), [&](const auto& r) { return r.first == how; });
        if (it == reasons.end()) it = reasons.insert(reasons.end(), {how, {}});
        if (std::find(it->second.begin(), it->second.end(), what) == it->second.end()) it->second.push_back(what);
      }
      if (g.group.modes.empty()) continue;
      g.group.needed = g.group.nodes;
      g.needed_for_redundancy = g.group.nodes;
      for (const auto& [how, kinds] : reasons) {
        g.why += fmt::format("{}{}: {}.", g.why.empty() ? "" : " ", fmt::join(kinds, ", "), how);
      }
      model_.groups.push_back(std::move(g));
    }
  }

  // A failure domain: one unit stopping all its nodes at once.
  void add_domain(std::size_t f) {
    const FaultConfig& fault = config_.faults[f];
    const Failure failure = stopping(fault);
    std::vector<NodeRef> stopped;
    for (int t = 0; t < static_cast<int>(tiers_.size()); ++t) {
      const Tier& tier = tiers_[static_cast<std::size_t>(t)];
      for (int i = 0; i < tier.config->count; ++i) {
        if (stops(fault, {t, i})) stopped.push_back({t, i});
      }
    }
    // An outage when it stops more nodes of a tier than the tier can lose, or
    // a node whose failure goes unnoticed (roles as at the start).
    std::string outage;
    std::vector<std::string> names;
    for (int t = 0; t < static_cast<int>(tiers_.size()); ++t) {
      const Tier& tier = tiers_[static_cast<std::size_t>(t)];
      int count = 0;
      for (const NodeRef& n : stopped) {
        if (n.tier != t) continue;
        ++count;
        names.push_back(tier.nodes[static_cast<std::size_t>(n.node)]);
        for (const Role& role : tier.behaviour.roles) {
          const bool holds_it = std::find(role.nodes.begin(), role.nodes.end(), n.node) != role.nodes.end();
          if (holds_it && role.unnoticed_for(failure) && outage.empty()) {
            outage = fmt::format("{}: {}", tier.nodes[static_cast<std::size_t>(n.node)], role.effect(failure).how);
          }
        }
      }
      if (count > tier.behaviour.tolerated && outage.empty()) {
        outage = fmt::format("{} of the {} nodes of tier {}, which survives {}", count, tier.config->count,
                             tier.config->name, tier.behaviour.tolerated);
      }
    }
    PathGroup g;
    g.group.name = "domain " + fault.target;
    g.group.nodes = 1;
    g.group.needed = outage.empty() ? 0 : 1;
    g.needed_for_redundancy = g.group.needed;
    g.units = {fault.target};
    double gap = 0.0;
    if (outage.empty()) {
      // Survived with roles as at the start: the longest gap of its nodes.
      double longest = 0.0, after = 0.0;
      for (const NodeRef& n : stopped) {
        const Tier& tier = tiers_[static_cast<std::size_t>(n.tier)];
        for (const Role& role : tier.behaviour.roles) {
          if (std::find(role.nodes.begin(), role.nodes.end(), n.node) == role.nodes.end()) continue;
          longest = std::max(longest, role.effect(failure).gap);
          after = std::max(after, role.effect(failure).after_repair);
        }
      }
      gap = std::min(longest, fault.mttr->mean() * 1e-9) + after;
    }
    g.group.modes.push_back(mode_of(fault, f, std::string(models::fault_key(fault.effect)) + " of the domain", 1.0, gap));
    g.why = fmt::format("stops {} together; {}.", fmt::join(names, ", "),
                        outage.empty() ? "the path survives it, paying the longest gap of its nodes"
                                       : "an outage: " + outage);
    model_.notes.push_back(fmt::format("{}: a failure domain is a group of its own, independent of its nodes' other "
                                       "failures (their overlap is left out).",
                                       g.group.name));
    model_.groups.push_back(std::move(g));
  }

  const ScenarioConfig& config_;
  const OperationalAnalysis& operational_;
  std::vector<Tier> tiers_;
  std::vector<Block> blocks_;
  std::vector<std::size_t> stochastic_;  // faults in the model
  AvailabilityModel model_;
};

}  // namespace

std::vector<RedundancyGroup> AvailabilityModel::headline() const {
  std::vector<RedundancyGroup> groups;
  for (const PathGroup& g : this->groups) groups.push_back(g.group);
  return groups;
}

std::vector<RedundancyGroup> AvailabilityModel::redundancy_only() const {
  std::vector<RedundancyGroup> groups;
  for (const PathGroup& g : this->groups) {
    groups.push_back(g.group);
    groups.back().needed = g.needed_for_redundancy;
  }
  return groups;
}

bool AvailabilityModel::capacity_matters() const {
  return std::any_of(groups.begin(), groups.end(),
                     [](const PathGroup& g) { return g.group.needed != g.needed_for_redundancy; });
}

AvailabilityModel availability_model(const ScenarioConfig& config, const OperationalAnalysis& operational) {
  return Builder(config, operational).build();
}

}  // namespace analysis
