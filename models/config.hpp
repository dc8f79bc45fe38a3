// Plain C++ description of a scenario: what the loader produces from YAML and
// what the models are built from. No YAML, no I/O. Durations are sim::Time
// (ns); sizes are bytes; bandwidths are bytes per second; rates are per second.
// Every default here is documented in docs/scenarios.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace models {

using sim::Distribution;
using sim::Time;

// std::visit(Overloaded{[](const A&) {...}, [](const B&) {...}}, v): one
// lambda per alternative and no generic one, so that a visit that misses an
// alternative (a new tier or fault kind) does not compile.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this for aggregates; clang 14 does not implement that yet.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// ---------------------------------------------------------------- hardware

enum class CpuScheduling { kProcessorSharing, kFcfs };

struct DiskConfig {
  double iops = 0.0;          // positioning operations per second (> 0)
  double bandwidth = 0.0;     // bytes per second (> 0)
  int depth = 1;              // IOs in service at once
};

// Periodic background work on a host, e.g. a monitoring agent's scrape.
struct BackgroundConfig {
  Distribution cpu;           // CPU demand of one run, ns at speed 1.0
  Time interval = 0;          // between runs (> 0)
};

struct MachineConfig {
  int cores = 1;
  double speed = 1.0;         // relative to the speed demands are written at
  CpuScheduling scheduling = CpuScheduling::kProcessorSharing;
  double nic_bandwidth = 0.0; // bytes/s per direction; 0 = the NIC is not modelled
  std::optional<DiskConfig> disk;
  // CPU charged on this host to every request message it receives from
  // another host (packet filtering), ns at speed 1.0; 0 = none.
  Distribution firewall = Distribution::constant(0.0);
  std::optional<BackgroundConfig> monitoring;
};

// A physical server. Tiers without `on:` get one host per node, named after
// the node; tiers with `on:` place node i on the i-th listed host.
struct HostConfig {
  std::string name;
  std::string machine;  // key into ScenarioConfig::machines
  std::map<std::string, std::string> labels;
};

struct NetworkConfig {
  Time latency = 0;         // one way, between two hosts
  Time client_latency = 0;  // one way, between a client and the entry tier
};

// ---------------------------------------------------------------- workload

// One piece of a piecewise rate schedule. From `at` on, the rate is `rate`;
// with ramp > 0 it moves linearly from the previous piece's rate to `rate`
// over [at, at + ramp], then stays.
struct RatePiece {
  Time at = 0;
  double rate = 0.0;  // per second, >= 0
  Time ramp = 0;
};

struct OpenArrivals {  // Poisson, constant or scheduled rate
  std::vector<RatePiece> schedule;  // a constant rate is one piece at 0
};

struct ClosedArrivals {  // N users, each: send, wait for the answer, think
  int users = 0;
  Distribution think;  // ns
};

using Arrivals = std::variant<OpenArrivals, ClosedArrivals>;

// One step of a visit's call list: `count` synchronous calls, one after
// another, to a node of tier `tier`. A conditional step depends on the cache
// gets the visit made before it: `on: miss` makes `count` calls per get that
// missed (or failed: a client treats a cache error as a miss), `on: hit` per
// get that hit.
enum class CallCondition : std::uint8_t { kAlways, kMiss, kHit };
enum class CacheOp : std::uint8_t { kGet, kSet };  // what a call to a cache tier does

struct CallStep {
  int tier = 0;
  int count = 1;
  CallCondition on = CallCondition::kAlways;
  CacheOp op = CacheOp::kGet;
  // Sent at once with the adjacent parallel steps (one fan-out group); the
  // visit goes on when every call of the group has answered.
  bool parallel = false;
};

// What a class costs at one tier, per visit.
struct TierDemand {
  Distribution cpu = Distribution::constant(0.0);  // ns at speed 1.0
  // The chain shorthand: this many synchronous calls to the next tier per
  // visit (unset: 1 while the class goes deeper). Ignored when call_list is set.
  std::optional<int> calls;
  // The calls of a visit, in order (`calls:` as a list): any tier, a count,
  // a condition. See models/topology.hpp for how the two forms combine.
  std::optional<std::vector<CallStep>> call_list;
  // Cache tiers: the share of this class's gets that find their key.
  double hit_ratio = 0.0;
  // Message sizes into and out of this tier; unset: the class's sizes for
  // HTTP tiers, the database tier's query/result sizes for databases.
  std::optional<double> request_bytes;
  std::optional<double> response_bytes;
  // Disk work of a generic visit (any kind): IOs of io_bytes each.
  int disk_ios = 0;
  double io_bytes = 4096.0;
  // Database queries: pages read (each a disk read on a buffer-cache miss),
  // pages written (read on a miss, then one log flush per write query).
  int reads = 0;
  int writes = 0;
  double cache_hit = 0.0;    // buffer-cache hit ratio in [0, 1]
};

struct RequestClass {
  std::string name;
  double weight = 1.0;
  double request_bytes = 0.0;
  double response_bytes = 0.0;
  // The HTTP method's idempotence as nginx judges it (ngx_http_upstream_next):
  // POST, LOCK and PATCH are not idempotent, and nginx passes such a request
  // to another upstream only if it failed before it was sent.
  bool idempotent = true;
  // Indexed by tier position; nullopt where the class states no demand.
  // Which tiers the class visits follows from the calls (models/topology.hpp).
  std::vector<std::optional<TierDemand>> demands;
};

// How clients wait and retry. Defaults: no timeout, no retries.
enum class Jitter { kNone, kFull, kEqual };

struct BackoffConfig {
  Time base = 0;           // first retry waits base, then base * 2^k (exponential)
  bool exponential = false;
  Time cap = 0;            // upper bound on one wait; 0 = none
  Jitter jitter = Jitter::kNone;  // full: uniform(0, wait); equal: wait/2 + uniform(0, wait/2)
};

// gRPC / Finagle style retry throttling: every first attempt deposits `ratio`
// tokens (up to `max_tokens`); a retry needs and spends one token.
struct RetryBudgetConfig {
  double ratio = 0.1;
  double max_tokens = 100.0;
};

// Opens after `failures` consecutive failed attempts; while open, requests
// fail at once at the client; after `open_for` one trial request is let
// through (half-open), and its success closes the breaker.
struct CircuitBreakerConfig {
  int failures = 5;
  Time open_for = 10 * sim::kSecond;
};

struct ClientConfig {
  Time timeout = 0;          // per attempt; 0 = wait forever
  // Waiting for a TCP connection to an address nobody answers (a dead load
  // balancer, a floating IP in transit): Linux's SYN retries, capped here.
  Time connect_timeout = 3 * sim::kSecond;
  int retries = 0;           // extra attempts after the first
  BackoffConfig backoff;
  std::optional<RetryBudgetConfig> budget;
  std::optional<CircuitBreakerConfig> circuit_breaker;
};

struct WorkloadConfig {
  Arrivals arrivals = OpenArrivals{};
  std::vector<RequestClass> classes;
  ClientConfig client;
};

// ---------------------------------------------------------------- tiers

enum class Balance { kRoundRobin, kStaticRoundRobin, kLeastConn, kFirst, kSource, kRandom };
enum class LbCluster { kSingle, kActivePassive, kActiveActive };

struct TlsConfig {
  Distribution handshake = Distribution::constant(0.0);  // full handshake CPU, ns
  Distribution resumed = Distribution::constant(0.0);    // resumed session CPU, ns
  double resume_ratio = 0.0;       // share of new connections that resume
  double requests_per_connection = 1.0;  // keep-alive reuse (>= 1)
};

// HAProxy passive health (`observe`): what counts as an error on live
// traffic. layer4: failed connections; layer7: those and bad responses
// (5xx, resets, `timeout server`).
enum class Observe { kOff, kLayer4, kLayer7 };
// What `error_limit` consecutive live errors do (`on-error`).
enum class OnError { kFastinter, kFailCheck, kSuddenDeath, kMarkDown };

// HAProxy active health checks (`check` on the server lines). Without them a
// server is always considered up.
struct HealthCheckConfig {
  Time inter = 2 * sim::kSecond;
  Time fastinter = 0;  // 0 = inter
  Time downinter = 0;  // 0 = inter
  int rise = 2;
  int fall = 3;
  // `timeout check`; 0 = unset: a probe may take up to inter. Set, it bounds
  // the read, and the connect takes at most min(timeout connect, inter).
  Time timeout = 0;
  Observe observe = Observe::kOff;
  int error_limit = 10;
  OnError on_error = OnError::kFailCheck;
  // `on-marked-down shutdown-sessions`: marking the server DOWN cuts the
  // requests in flight on it. HAProxy's default leaves them alone.
  bool shutdown_sessions_on_down = false;
};

// keepalived VRRP between the two HAProxy nodes.
struct VrrpConfig {
  Time advert_int = sim::kSecond;
  std::vector<int> priority = {150, 100};  // per node, 1..254
  bool preempt = true;
  Time preempt_delay = 0;
  Time arp_delay = 0;       // gratuitous-ARP convergence after the address moves
  int version = 2;          // 2: skew = (256 - p) / 256 s; 3: skew = (256 - p) * advert_int / 256
  // vrrp_script on the HAProxy process, run every track_interval from
  // keepalived's start: `track_fall` failed runs in a row put the node in
  // FAULT (a master sends a priority-0 advert, and the backup takes over after
  // its skew), `track_rise` good runs bring it back to BACKUP. keepalived's
  // defaults: interval 1 s, fall 1, rise 1 (weight 0: failure means FAULT).
  Time track_interval = sim::kSecond;
  int track_fall = 1;
  int track_rise = 1;
};

struct HaproxyConfig {
  static constexpr std::string_view kName = "haproxy";
  Balance balance = Balance::kRandom;  // HAProxy >= 3.3 default: random(2)
  int random_draws = 2;                // N of random(N)
  LbCluster cluster = LbCluster::kSingle;  // loader: active-passive when count is 2
  int maxconn = 0;         // frontend concurrent connections per node; 0 = unlimited
  int backlog = 0;         // accept queue beyond maxconn; 0 = same as maxconn
  int server_maxconn = 0;  // per backend server; 0 = unlimited
  int maxqueue = 0;        // per-server queue bound; 0 = unlimited
  Time timeout_queue = 5 * sim::kSecond;  // = timeout connect unless set
  std::vector<int> weights;  // per server of the next tier; empty = all 1
  std::optional<TlsConfig> tls;
  std::optional<HealthCheckConfig> health_check;
  // A server marked UP again ramps its weight and maxconn from almost 0 to
  // full over this time; 0 = off.
  Time slowstart = 0;
  int retries = 3;                // on connection failure
  // `option redispatch [N]`: a retry may go to another server (see
  // models/haproxy.cpp); N = redispatch_after, HAProxy's -1 when not given.
  bool redispatch = false;
  int redispatch_after = -1;
  // Global `spread-checks`: each interval between checks varies at random by
  // up to this percent either way (0-50).
  int spread_checks = 0;
  Time timeout_connect = 5 * sim::kSecond;
  Time timeout_server = 0;        // waiting for the response; 0 = forever (504 on expiry)
  VrrpConfig vrrp;                // used with two nodes
};

struct NginxConfig {
  static constexpr std::string_view kName = "nginx";
  int worker_processes = 1;     // "auto" resolves to the machine's cores
  int worker_connections = 512; // per worker; a proxied request holds two
  std::vector<int> weights;     // upstream weights; empty = all 1
  bool prefer_local = false;    // proxy to a co-located upstream when there is one
  // Passive upstream health: max_fails failures within fail_timeout make an
  // upstream unavailable for fail_timeout (0 disables).
  int max_fails = 1;
  Time fail_timeout = 10 * sim::kSecond;
  bool next_upstream = true;    // proxy_next_upstream error timeout
  Time connect_timeout = 60 * sim::kSecond;  // proxy_connect_timeout
  Time read_timeout = 60 * sim::kSecond;     // proxy_read_timeout
};

struct AppConfig {
  static constexpr std::string_view kName = "app";
  int workers = 8;              // per node
  int backlog = 2048;           // requests waiting for a worker; beyond: rejected
  int pool = 10;                // connections to each tier it calls, per node
  Time pool_timeout = 30 * sim::kSecond;
  bool prefer_local = false;    // call a co-located next-tier node when there is one
  Time connect_timeout = 5 * sim::kSecond;  // to a next-tier node that does not answer
  Time call_timeout = 0;        // waiting for a call's answer; 0 = forever
};

enum class ReadRouting { kReplicas, kPrimary };

// ProxySQL between each app server and the database (one instance per app
// server, on its host): its monitor pings every node of the tier and shuns a
// node that fails ping_max_failures pings in a row, killing the connections
// to it; reads go to the reader hostgroup's nodes that are not shunned.
// Defaults are ProxySQL 2.x's (MySQL_Thread.cpp).
struct ReadRouterConfig {
  Time ping_interval = 8 * sim::kSecond;         // mysql-monitor_ping_interval
  Time ping_timeout = 1 * sim::kSecond;          // mysql-monitor_ping_timeout
  int ping_max_failures = 3;                     // mysql-monitor_ping_max_failures
  Time connect_timeout_max = 10 * sim::kSecond;  // mysql-connect_timeout_server_max
  // mysql-monitor_writer_is_also_reader: a replica promoted to primary stays
  // in the reader hostgroup.
  bool writer_is_also_reader = true;
  // The primary in the reader hostgroup at the lowest weight (ProxySQL has
  // no fallback hostgroup; this is the documented workaround): it serves
  // reads only while no replica is online.
  bool fallback_to_primary = false;
};

struct DatabaseConfig {
  static constexpr std::string_view kName = "database";
  int replicas = 0;             // node 1 is the primary, the rest replicas
  ReadRouting reads = ReadRouting::kReplicas;
  int max_connections = 151;    // MySQL's default
  double page_bytes = 16384.0;  // InnoDB page
  double log_flush_bytes = 4096.0;
  double query_bytes = 512.0;   // default request size of a query
  double result_bytes = 4096.0; // default response size of a query
  // Failover: after the primary dies, a replica is promoted once the failure
  // is detected and the promotion is done (orchestrator, MHA, ...). Unset:
  // writes wait for the primary's repair.
  std::optional<Time> failover_detection;
  Time failover_promotion = 0;
  // Asynchronous replication: each replica applies a write this long (one
  // draw per write and replica) after the write commits. Unset: replicas are
  // always current and no read is stale.
  std::optional<Distribution> replication_lag;
  // How the app servers route reads; unset: they call the replicas directly,
  // with no health checks (a driver given a fixed list of hosts).
  std::optional<ReadRouterConfig> router = ReadRouterConfig{};
};

// An in-memory key-value cache (memcached, Redis) that app tiers ask before
// the database (cache-aside). A get costs get_cpu and hits with the class's
// hit_ratio; a set costs set_cpu. Memory and evictions are not modelled
// beyond the hit ratio. Defaults and their sources: docs/scenarios.md#cache.
struct CacheConfig {
  static constexpr std::string_view kName = "cache";
  int max_connections = 1024;   // memcached -c; beyond, connections wait in the listen backlog
  Distribution get_cpu = Distribution::constant(10'000.0);  // ns per get
  Distribution set_cpu = Distribution::constant(12'000.0);  // ns per set
  double key_bytes = 100.0;     // a get or set request (key, command; a set adds the value)
  double value_bytes = 2048.0;  // the value a hit returns or a set stores
  // The callers' client library timeout, for connecting and for an answer;
  // on expiry (or a refused connection) the call counts as a miss.
  Time client_timeout = 2 * sim::kSecond;
};

struct ServerConfig {
  static constexpr std::string_view kName = "server";
  int workers = 0;              // concurrent requests per node; 0 = unlimited
  int queue = 0;                // waiting requests per node beyond workers; 0 = unlimited
};

// The tier kinds. Each kind's config names it (kName, the `kind:` value);
// every layer dispatches on this variant with std::visit and one overload per
// kind, never a default, so a new kind fails to compile until each layer
// handles it: models/kinds.{hpp,cpp} (its node and message sizes), the
// loader's KindKeys and read_tier (its keys and reader), analysis/demands.cpp
// and fault_groups.cpp (pools, call split, timeouts, failure detection).
using TierKindConfig =
    std::variant<HaproxyConfig, NginxConfig, AppConfig, DatabaseConfig, ServerConfig, CacheConfig>;

inline std::string_view kind_name(const TierKindConfig& kind) {
  return std::visit([](const auto& k) { return std::decay_t<decltype(k)>::kName; }, kind);
}

struct TierConfig {
  std::string name;
  int count = 1;
  std::string machine;              // used when `on` is empty
  std::vector<std::string> on;      // host names, one per node
  std::vector<std::string> node_names;  // empty: name + 1-based index
  std::map<std::string, std::string> labels;  // applied to every node
  // CPU every request costs at this tier on top of its class's demand.
  Distribution cpu = Distribution::constant(0.0);
  TierKindConfig kind;
};

// ---------------------------------------------------------------- faults

// What a fault does, one type per kind. kKey is the fault's YAML subject key
// (`crash: web1`, and `kind: crash` in a stochastic fault), kLabel its name
// in the fault timeline. Dispatch on FaultEffect is by std::visit with one
// overload per kind (models/faults.cpp, analysis/fault_groups.cpp; the
// loader's table comes from the variant): a new kind fails to compile until handled.
struct HostCrash {  // the machine stops: no answers, callers wait for timeouts
  static constexpr std::string_view kKey = "crash", kLabel = "host crash";
};
struct ProcessCrash {  // the node's process dies: connections are refused at once
  static constexpr std::string_view kKey = "kill", kLabel = "process crash";
};
struct Stop {  // graceful stop of the process (a VRRP master hands over at once)
  static constexpr std::string_view kKey = "stop", kLabel = "stop";
};
struct Slowdown {  // gray failure: CPU, disk and NIC slower by factors
  static constexpr std::string_view kKey = "slow", kLabel = "slowdown";
  double cpu_factor = 1.0, disk_factor = 1.0, nic_factor = 1.0;
};
struct NetworkFault {  // added latency and packet loss on the node's links
  static constexpr std::string_view kKey = "network", kLabel = "network";
  Time added_latency = 0;
  double loss = 0.0;                                       // per message
  Time retransmission_timeout = 200 * sim::kMillisecond;  // Linux's minimum RTO
};
struct Partition {  // groups of nodes that cannot reach each other
  static constexpr std::string_view kKey = "partition", kLabel = "partition";
  std::vector<std::vector<std::string>> groups;
};
using FaultEffect = std::variant<HostCrash, ProcessCrash, Stop, Slowdown, NetworkFault, Partition>;

inline std::string_view fault_key(const FaultEffect& effect) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kKey; }, effect);
}
inline std::string_view fault_label(const FaultEffect& effect) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kLabel; }, effect);
}

struct FaultConfig {
  FaultEffect effect = HostCrash{};
  std::string target;               // as written: a node, a glob, a label domain
  std::vector<std::string> nodes;   // resolved node names
  // Scheduled: at `at`, lasting `duration` (0 = until the end of the run).
  std::optional<Time> at;
  Time duration = 0;
  // Stochastic: alternating up/down times. Each node fails on its own (each
  // host, for the kinds that act on hosts: crash, slowdown, network), or all
  // together for a failure domain.
  std::optional<Distribution> mttf;
  std::optional<Distribution> mttr;
  bool together = false;
  // Stochastic: repairs of this fault in progress at once, over all its
  // units; a unit that fails while every crew is busy waits its turn (first
  // come, first served). 0 = a crew for every unit.
  int repair_crews = 0;
};

// Service-level objective for time availability: a window is good when its
// success ratio meets the target.
struct SloConfig {
  double target = 0.999;
  Time window = 10 * sim::kSecond;
  // `slo.latency`: a request is good when it succeeds within it. Unset:
  // every success is good.
  std::optional<Time> latency;
};

// ---------------------------------------------------------------- scenario

struct RunConfig {
  Time duration = 60 * sim::kSecond;
  Time warmup = 0;
  // `warmup: auto`: the experiment layer picks the cut from a pilot run and
  // sets `warmup` before running; the models only ever read `warmup`.
  bool auto_warmup = false;
  std::uint64_t seed = 1;
  // Overload guard: the run stops (RunLimitExceeded) when more requests are
  // in flight, or more events pending, than this. An overloaded open system
  // otherwise grows without bound until memory runs out.
  int max_in_flight = 1'000'000;
  int max_pending_events = 4'000'000;
};

struct ScenarioConfig {
  std::string name;
  std::string description;
  RunConfig run;
  std::map<std::string, MachineConfig> machines;
  std::vector<HostConfig> hosts;
  NetworkConfig network;
  WorkloadConfig workload;
  std::vector<TierConfig> tiers;  // the chain, in file order
  std::vector<FaultConfig> faults;
  SloConfig slo;
};

}  // namespace models
