// Operational analysis of a scenario: from the ScenarioConfig alone, the
// queueing network the models implement (stations, software pools, nodes and
// the visit ratios that follow from routing), every resource's service demand
// per request, its utilization, the bottleneck and the saturation load.
//
// The network mirrors the models exactly where a mean-value model can:
//  - A node visit puts one CPU job on its host (tier cpu + class cpu + TLS
//    extra + the host firewall when the request came from another host, or
//    from a client), then its disk IOs one after another, then `calls`
//    synchronous calls to the next tier (models/node.hpp); the calls of a
//    fan-out group (parallel steps) overlap: the visit waits for the
//    slowest, whose expected time is taken as that of the maximum of
//    independent exponentials with the calls' means (expected_max).
//  - A message between nodes on different hosts is a job on the sender's NIC
//    (tx) and on the receiver's NIC (rx, cut-through), plus the latency; nodes
//    on one host exchange messages for free (models/stack.cpp). A client's
//    request is a job on the entry host's rx; the answer one on its tx.
//  - Routing: HAProxy and nginx split calls by weight (HAProxy `first` sends
//    everything to the first weighted server; leastconn, random(N) and source
//    are load- or hash-driven and taken as weight-proportional); nginx and app
//    prefer_local pick the co-located node; app calls to a database send
//    writing classes to node 1 and reads to the replicas in turn (or the
//    primary); app and server tiers otherwise round robin evenly.
//  - Clients enter at node 1 of an HAProxy tier unless it is active-active,
//    otherwise evenly over the entry nodes.
// Not modelled: rejections, timeouts and retries (no blocking: every request
// is served), HAProxy's overflow to other servers when one is at maxconn.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "models/config.hpp"

namespace analysis {

// Solves the traffic equations v = e + P^T v, i.e. (I - P^T) v = e, for the
// mean visits v of each node per job entering with distribution e. P(i, j) is
// the mean number of times a visit to i is followed by (or calls) a visit to
// j; row sums above 1 (several calls per visit) are allowed. Throws
// std::invalid_argument when the equations have no non-negative solution
// (a cycle that jobs never leave).
Eigen::VectorXd solve_visit_ratios(const Eigen::MatrixXd& routing, const Eigen::VectorXd& entry);

enum class Discipline { kFcfs, kProcessorSharing, kDelay };

enum class ResourceKind {
  kCpu,
  kNicTx,
  kNicRx,
  kDisk,
  kAdmission,   // a node's limit: nginx connections, app/server workers, db connections, HAProxy maxconn
  kCallPool,    // an app node's connection pool to the next tier
  kServerConns  // HAProxy server_maxconn: one pool per (balancer, server)
};

std::string_view resource_kind_name(ResourceKind kind);

// A hardware station: requests queue for it.
struct Station {
  std::string name;  // "<host>.cpu", "<host>.nic-tx", "<host>.nic-rx", "<host>.disk"
  std::string host;
  ResourceKind kind = ResourceKind::kCpu;
  Discipline discipline = Discipline::kFcfs;
  int servers = 1;  // cores, disk depth; 1 for a NIC direction
  // Background work (monitoring agent) as a job stream of its own.
  double background_rate = 0.0;    // jobs/s
  double background_mean = 0.0;    // s per job
  double background_second = 0.0;  // E[S^2], s^2
  double background_busy() const { return background_rate * background_mean; }  // busy servers
};

// A software pool: slots held for a while, counted by Little's law.
struct Pool {
  std::string name;  // "<node>.workers", "<node>.pool", "<lb>-><server>.maxconn", ...
  std::string node;
  ResourceKind kind = ResourceKind::kAdmission;
  int capacity = 0;   // slots; a proxied nginx request takes two
  bool loss = false;  // full: rejects (nginx, database) rather than queues
};

// One kind of job a visit puts on a hardware station. Moments are per job,
// in seconds of that station (CPU work already divided by the host's speed).
struct Job {
  int station = -1;
  double count = 0.0;  // expected jobs per visit
  double mean = 0.0;
  double second = 0.0;  // E[S^2]
};

// A message: the sender's NIC transmits, the link delays, the receiver's NIC
// takes the bytes cut-through, so with both NICs its unloaded time is
// latency + max(tx, rx), not the sum.
struct Message {
  int tx = -1;  // station, or -1: not modelled (no NIC, client side, same host)
  int rx = -1;
  double tx_time = 0.0;  // s
  double rx_time = 0.0;
  double latency = 0.0;
  // What the two NIC residences double count: the shorter transfer.
  double overlap() const { return tx >= 0 && rx >= 0 ? std::min(tx_time, rx_time) : 0.0; }
};

struct Call {
  int target = -1;          // node
  double per_visit = 0.0;   // expected calls to target per visit of the caller
  std::vector<int> pools;   // pools the call holds while it lasts (connection pool, server maxconn)
  bool cache_set = false;   // a set to a cache (its CPU is set_cpu, not get_cpu)
  int group = -1;           // the fan-out group (its first step) the call is sent with; -1: sequential
  Message request;
  Message response;
};

// What one visit of one class does at a node.
struct VisitPlan {
  std::vector<Job> jobs;  // the CPU job, then disk IOs
  std::vector<Call> calls;
};

struct Node {
  std::string name;
  std::string tier;
  std::string kind;  // haproxy, nginx, app, database, server
  int tier_index = 0;
  std::string host;
  int admission = -1;          // pool, or -1 when unlimited
  std::vector<double> units;   // admission slots per visit, by class
  std::vector<double> visits;  // per request, by class (solved traffic equations)
  std::vector<VisitPlan> plan; // by class
};

// How a class enters: the entry node, its share of the class's requests, and
// the client's request and response messages.
struct Entry {
  int node = -1;
  double share = 0.0;
  Message request;
  Message response;
};

struct Workload {
  bool closed = false;
  double rate = 0.0;  // open: requests/s analysed (see load_note)
  std::string load_note;
  int users = 0;       // closed
  double think = 0.0;  // closed: mean think time, s
};

// The scenario as a queueing network.
struct StackModel {
  std::string scenario;
  std::vector<std::string> classes;
  std::vector<double> shares;  // of requests, by class (weights normalised)
  Workload workload;
  std::vector<Station> stations;
  std::vector<Pool> pools;
  std::vector<Node> nodes;                 // in tier order
  std::vector<int> tier_order;             // tiers, each after every tier it calls
  std::vector<std::vector<Entry>> entries; // by class
  std::vector<std::string> notes;          // modelling choices worth telling the user

  // Per request, station x class: jobs, demand (s) and sum of E[S^2] over jobs.
  Eigen::MatrixXd station_visits;
  Eigen::MatrixXd station_demand;
  Eigen::MatrixXd station_second;
  // Per request, by class: latencies minus NIC overlaps (pure delay, s).
  Eigen::VectorXd delay;
};

// Builds the network of a validated scenario (as the loader produces).
StackModel build_model(const models::ScenarioConfig& config);

// A resource's operational figures. Hardware demands are busy time; a pool's
// demand is slot-seconds held per request (units x visits x holding time, the
// holding time taken unloaded: queueing downstream makes it longer, so a
// pool's saturation load is an upper bound).
struct Resource {
  std::string name;
  ResourceKind kind = ResourceKind::kCpu;
  std::string host;  // hardware: the host; pools: the node's host
  std::string node;  // pools: the node
  double capacity = 0.0;       // servers (minus background) or slots
  std::vector<double> visits;  // per request, by class
  std::vector<double> demand;  // s per request, by class
  double demand_total = 0.0;   // s per request of the class mix
  double utilization = 0.0;    // at the analysed throughput
  double saturation_rate = 0.0;  // requests/s at which it is 100% busy
};

struct OperationalAnalysis {
  double throughput = 0.0;  // requests/s the utilizations are for
  std::vector<Resource> resources;  // stations, then pools
  int bottleneck = -1;              // resource with the lowest saturation rate
  double saturation_rate = 0.0;     // requests/s; +inf when nothing is loaded
  std::vector<double> unloaded_response;  // s, by class: every resource free, delays included
  double unloaded_response_total = 0.0;
  double saturation_users = 0.0;    // closed: N* = (R0 + Z) / D_max
  std::vector<std::string> notes;   // e.g. pools that saturate before their CPU
};

// A station's response to one job of service time S at its load:
// R(S) = wait + stretch * S (FCFS: a wait; processor sharing: a stretch).
struct StationResponse {
  double wait = 0.0;
  double stretch = 1.0;
  double residence(double service) const { return wait + stretch * service; }
};

// A message's time through the NICs and the link.
double message_time(const Message& m, const std::vector<StationResponse>& stations);

// Holding times: per node and class, a visit's time from admission to its
// response leaving, and what that means for every pool.
struct Holding {
  std::vector<std::vector<double>> node;  // node x class, s
  // Node x class: what a visit's fan-out groups save over making their calls
  // one after another (the sum of their times less the expected slowest), s.
  std::vector<std::vector<double>> overlap;
  // Per request of each class (pool x class): acquisitions, and slot-seconds
  // held (units x holding time), the pool's demand.
  std::vector<std::vector<double>> pool_visits;
  std::vector<std::vector<double>> pool_demand;
  // At the throughput given: acquisitions/s, mean holding (s), mean busy
  // slots (Little's law) and mean wait for a slot (s).
  std::vector<double> pool_rate;
  std::vector<double> pool_holding;
  std::vector<double> pool_busy;
  std::vector<double> pool_wait;
};
// The expected time until every call of a fan-out group has answered:
// E[max] of independent exponential response times, `count` calls of mean
// `mean` (s) per entry (a fractional count, an expected one, is taken as
// the exponent of the CDF), E[max] = integral over t >= 0 of
// 1 - prod F_i(t)^count_i. For response times less variable than
// exponential (NBUE, such as constants, Erlang, a service plus a wait) this is an
// upper bound (docs/analysis.md).
struct GroupCall {
  double count = 0.0;
  double mean = 0.0;
};
double expected_max(const std::vector<GroupCall>& calls);

// Gives a pool's mean wait from its load: (pool, acquisitions/s, mean holding, busy slots).
using PoolWait = std::function<double(int, double, double, double)>;
// Tiers are solved callees first (tier_order): a caller holds its slots
// while the tiers it calls work, so a callee's time (its admission wait
// included) is part of the caller's holding.
Holding holding_times(const StackModel& model, const std::vector<StationResponse>& stations, double throughput,
                      const PoolWait& pool_wait);
// Every station free, no pool waits.
Holding unloaded_holding(const StackModel& model, double throughput);

OperationalAnalysis operational_analysis(const StackModel& model, double throughput);

}  // namespace analysis
