// Queueing approximations: single stations (Erlang B and C, M/G/c FCFS,
// M/M/c processor sharing), open networks by product form, closed networks
// by Mean Value Analysis (exact, and Schweitzer's approximation), and their
// application to a scenario's network (demands.hpp).
//
// Choices, each with its reason:
//  - FCFS with c servers: M/M/c (Erlang C) waiting scaled by (1 + cs^2) / 2,
//    the Allen-Cunneen approximation for M/G/c. For c = 1 it is the
//    Pollaczek-Khinchine formula, exact for Poisson arrivals; for c > 1 it is
//    approximate, so such stations are flagged when cs^2 is far from 1.
//  - Processor sharing over c cores (each job gets min(1, c / n) of a core):
//    with exponential service the number present is that of M/M/c, so a job
//    of size S takes S * (1 + C(c, a) / (c (1 - rho))). For c = 1 this is
//    M/G/1-PS's S / (1 - rho), exact for any service distribution; for c > 1
//    it is exact for exponential service only. Unlike the per-core
//    normalisation S / (1 - rho), it gives R -> S at light load with c cores.
//  - Software pools (workers, connection pools, maxconn): a pool of m slots
//    is an M/M/m station whose service time is the holding time (the visit
//    from admission to response, downstream calls and their waits included),
//    solved tier by tier from the bottom. Assumes Poisson acquisitions and
//    exponential holding; ignores finite backlogs and timeouts (flagged near
//    saturation). Pools that reject when full (nginx connections, database
//    max_connections) get Erlang B's blocking probability and no wait.
//  - Every station is solved as if its arrivals were Poisson. Round-robin
//    splitting, and NICs fed by NICs of the same speed, make arrivals
//    smoother than that, so near saturation the waits come out high (on
//    scenarios/3-scale-up.yaml at 2200/s, 86% on the balancer's NIC: 51 ms
//    analytic against 48 ms simulated; at 600/s they agree within 0.3%).
//  - Closed workloads draw a class per request, so the users form a single
//    chain whose demands are the class mix: single-class MVA is exact for the
//    product-form part. Multi-server stations use the load-dependent exact
//    recursion; beyond MvaLimits, Schweitzer's approximation with Seidmann's
//    multi-server decomposition. Background work (monitoring) is an open
//    load: closed demands at a station are inflated by 1 / (1 - U_open)
//    (the mixed-network result). Pool waiting is not modelled in closed
//    workloads (the population already bounds concurrency); pools report
//    their utilization by Little's law and are flagged near saturation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "analysis/demands.hpp"

namespace analysis {

// ---------------------------------------------------------------- single stations

// Erlang's B formula: the probability that a request finds all `servers`
// busy in an M/M/c/c loss system with offered load `offered` (Erlangs).
double erlang_b(int servers, double offered);
// Erlang's C formula: the probability that a request waits in M/M/c;
// 1 when offered >= servers (unstable).
double erlang_c(int servers, double offered);

struct StationLoad {
  Discipline discipline = Discipline::kFcfs;
  int servers = 1;
  double rate = 0.0;  // jobs/s
  double mean = 0.0;  // s per job
  double scv = 1.0;   // squared coefficient of variation of the service time
};

struct StationSolution {
  double utilization = 0.0;  // busy fraction of the servers
  bool stable = true;
  StationResponse response;  // wait and stretch (infinite when unstable)
};

StationSolution solve_station(const StationLoad& load);

// ---------------------------------------------------------------- open networks

struct NetworkStation {
  std::string name;
  Discipline discipline = Discipline::kFcfs;
  int servers = 1;
};

struct OpenClass {
  double arrival_rate = 0.0;  // requests/s
  // By station: visits per request, mean service per visit (s), its cs^2.
  Eigen::VectorXd visits;
  Eigen::VectorXd service;
  Eigen::VectorXd scv;
};

struct OpenSolution {
  bool stable = true;
  Eigen::VectorXd utilization;  // by station
  std::vector<StationResponse> responses;
  Eigen::MatrixXd residence;  // station x class, s per request
  Eigen::VectorXd response;   // by class, s
};

// Each station solved on its own with the class mix it sees (Jackson's
// theorem makes this exact for exponential FCFS and any PS station).
OpenSolution solve_open(const std::vector<NetworkStation>& stations, const std::vector<OpenClass>& classes);

// ---------------------------------------------------------------- closed networks

struct MvaResult {
  std::string method;
  Eigen::VectorXd throughput;   // by class, requests/s
  Eigen::VectorXd response;     // by class, s, think time excluded
  Eigen::MatrixXd residence;    // station x class, s per request
  Eigen::MatrixXd queue;        // station x class, mean jobs present
  Eigen::VectorXd utilization;  // by station, busy fraction of its servers
};

// Exact single-class MVA. A station with c > 1 servers is load dependent
// (rate min(n, c) / S), solved exactly with the marginal probabilities of its
// first c - 1 queue lengths (p(0) from the utilization, which keeps the
// recursion stable). Delay stations have no queue. Cost O(users x stations x c).
MvaResult mva_exact_single(const std::vector<NetworkStation>& stations, const Eigen::VectorXd& demand, double think,
                           int users);

// Exact multi-class MVA over every population vector up to `population`
// (cost: product of (N_c + 1), times stations and classes). Stations with
// c > 1 servers use Seidmann's decomposition: a queue with demand D / c plus
// a delay of D (c - 1) / c.
MvaResult mva_exact(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand,
                    const Eigen::VectorXd& think, const std::vector<int>& population);

// Schweitzer's (Bard-Schweitzer) approximate MVA: the queue seen on arrival
// is the full population's with one's own class reduced by 1 / N_c; fixed
// point iteration. Multi-server stations as in mva_exact.
MvaResult mva_schweitzer(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand,
                         const Eigen::VectorXd& think, const std::vector<int>& population, double tolerance = 1e-10);

struct MvaLimits {
  int exact_single_class_users = 20000;   // single class: exact up to this population
  double exact_population_vectors = 2e5;  // multi-class: exact up to this many vectors
};

// Exact where affordable (see MvaLimits), Schweitzer beyond.
MvaResult mva(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand, const Eigen::VectorXd& think,
              const std::vector<int>& population, const MvaLimits& limits = {});

// ---------------------------------------------------------------- a scenario

struct StationResult {
  std::string name;
  Discipline discipline = Discipline::kFcfs;
  int servers = 1;
  double utilization = 0.0;   // requests and background work
  double scv = 1.0;           // of the job mix
  StationResponse response;
  double residence = 0.0;     // s per request of the mix
  std::vector<std::string> flags;  // why the approximation may be weak here
};

struct PoolResult {
  std::string name;
  int capacity = 0;
  bool loss = false;
  double rate = 0.0;         // acquisitions/s
  double holding = 0.0;      // s, loaded
  double utilization = 0.0;  // busy slots / capacity (Little's law)
  double wait = 0.0;         // s per acquisition (queueing pools)
  double blocking = 0.0;     // probability of rejection (loss pools)
  std::vector<std::string> flags;
};

// A class's mean response time, split by where it is spent.
struct ClassResponse {
  std::string name;
  double response = 0.0;  // s, client to client
  double cpu = 0.0;
  double disk = 0.0;
  double network = 0.0;  // NICs, link and client latencies
  double pools = 0.0;    // waiting for slots
  // What fan-out saves: the calls of a group overlap, so the response is the
  // sum of the above less this (0 without parallel calls).
  double overlap = 0.0;
  // The response time's distribution (response_quantile): its variance (s^2)
  // from the stations' sojourns taken as independent, and the constant delay
  // (s) it never goes below. For the mix, the variance of the mixture.
  double variance = 0.0;
  double delay = 0.0;
  // Set when the class's whole path is one M/M/c FCFS station visited once
  // (exponential service, Poisson arrivals): its distribution is then exact.
  struct MmcPath {
    int servers = 1;
    double rate = 0.0;     // arrivals/s at the station
    double service = 0.0;  // mean service, s
  };
  std::optional<MmcPath> mmc;
};

// P(T <= t) of M/M/c FCFS response times T = W + S: the wait is 0 with
// probability 1 - C (Erlang C) and else exponential with rate c mu - lambda;
// the service is exponential with rate mu.
double mmc_response_cdf(int servers, double rate, double service, double t);


// A tier's mean visit (admission wait included), over its visits by the
// class mix: what a simulation reports as the tier's sojourn.
struct TierVisit {
  std::string name;
  std::string kind;
  double visits = 0.0;      // per request
  double visit_time = 0.0;  // s
};

struct QueueingAnalysis {
  std::string method;
  bool stable = true;       // false: some resource saturated, no response time
  double throughput = 0.0;  // requests/s
  std::vector<ClassResponse> classes;
  ClassResponse total;      // the class mix
  std::vector<TierVisit> tiers;
  std::vector<StationResult> stations;
  std::vector<PoolResult> pools;
  Holding holding;          // per node and pool, at this load
  std::vector<std::string> notes;
};

QueueingAnalysis queueing_analysis(const StackModel& model, const MvaLimits& limits = {});

// The p-quantile (0 < p < 1) of a class's response time (class_index -1: the
// class mix), s: exact for an M/M/c path; otherwise the constant delay plus a
// gamma distribution with the rest's mean and variance (docs/analysis.md).
// The mix's is the quantile of the mixture of the classes' distributions,
// weighted by `shares`. Infinite when the analysis is unstable.
double response_quantile(const QueueingAnalysis& q, const std::vector<double>& shares, int class_index, double p);

}  // namespace analysis
