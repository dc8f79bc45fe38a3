// Plain C++ description of a scenario: what the loader produces from YAML and
// what the models are built from. No YAML, no I/O. Durations are sim::Time
// (ns); sizes are bytes; bandwidths are bytes per second; rates are per second.
// Every default here is documented in docs/scenarios.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace models {

using sim::Distribution;
using sim::Time;

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

// What a class costs at one tier, per visit.
struct TierDemand {
  Distribution cpu = Distribution::constant(0.0);  // ns at speed 1.0
  int calls = 1;             // synchronous calls to the next tier per visit
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
  // Indexed by tier position; nullopt where the class states no demand.
  // The class visits tiers 0..deepest tier with a demand.
  std::vector<std::optional<TierDemand>> demands;
};

struct WorkloadConfig {
  Arrivals arrivals = OpenArrivals{};
  std::vector<RequestClass> classes;
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

struct HaproxyConfig {
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
};

struct NginxConfig {
  int worker_processes = 1;     // "auto" resolves to the machine's cores
  int worker_connections = 512; // per worker; a proxied request holds two
  std::vector<int> weights;     // upstream weights; empty = all 1
  bool prefer_local = false;    // proxy to a co-located upstream when there is one
};

struct AppConfig {
  int workers = 8;              // per node
  int backlog = 2048;           // requests waiting for a worker; beyond: rejected
  int pool = 10;                // connections to the next tier, per node
  Time pool_timeout = 30 * sim::kSecond;
  bool prefer_local = false;    // call a co-located next-tier node when there is one
};

enum class ReadRouting { kReplicas, kPrimary };

struct DatabaseConfig {
  int replicas = 0;             // node 1 is the primary, the rest replicas
  ReadRouting reads = ReadRouting::kReplicas;
  int max_connections = 151;    // MySQL's default
  double page_bytes = 16384.0;  // InnoDB page
  double log_flush_bytes = 4096.0;
  double query_bytes = 512.0;   // default request size of a query
  double result_bytes = 4096.0; // default response size of a query
};

struct ServerConfig {
  int workers = 0;              // concurrent requests per node; 0 = unlimited
  int queue = 0;                // waiting requests per node beyond workers; 0 = unlimited
};

using TierKindConfig = std::variant<HaproxyConfig, NginxConfig, AppConfig, DatabaseConfig, ServerConfig>;

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

// ---------------------------------------------------------------- scenario

struct RunConfig {
  Time duration = 60 * sim::kSecond;
  Time warmup = 0;
  std::uint64_t seed = 1;
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
};

}  // namespace models
