#include "analysis/queueing.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/tools/roots.hpp>
#include <fmt/format.h>

namespace analysis {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// cs^2 this far from 1 (exponential) makes a formula built on exponential
// service questionable.
bool far_from_exponential(double scv) { return scv < 0.5 || scv > 2.0; }

void check_shapes(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand,
                  const Eigen::VectorXd& think, const std::vector<int>& population) {
  if (demand.rows() != static_cast<Eigen::Index>(stations.size()) || demand.cols() != think.size() ||
      think.size() != static_cast<Eigen::Index>(population.size())) {
    throw std::invalid_argument("MVA: demand must be stations x classes, with a think time and population per class");
  }
  for (int n : population) {
    if (n < 0) throw std::invalid_argument("MVA: negative population");
  }
  for (const auto& s : stations) {
    if (s.servers < 1) throw std::invalid_argument("MVA: a station needs at least one server");
  }
}

// Seidmann: a c-server station as a queue with D / c and a delay of D (c - 1) / c.
struct Split {
  Eigen::MatrixXd queue;
  Eigen::MatrixXd delay;
};
Split seidmann(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand) {
  Split s{Eigen::MatrixXd::Zero(demand.rows(), demand.cols()), Eigen::MatrixXd::Zero(demand.rows(), demand.cols())};
  for (Eigen::Index k = 0; k < demand.rows(); ++k) {
    const NetworkStation& st = stations[static_cast<std::size_t>(k)];
    if (st.discipline == Discipline::kDelay) {
      s.delay.row(k) = demand.row(k);
      continue;
    }
    const double c = st.servers;
    s.queue.row(k) = demand.row(k) / c;
    s.delay.row(k) = demand.row(k) * (c - 1.0) / c;
  }
  return s;
}

MvaResult finish(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand, Eigen::VectorXd throughput,
                 Eigen::MatrixXd residence, std::string method) {
  MvaResult r;
  r.method = std::move(method);
  r.throughput = std::move(throughput);
  r.residence = std::move(residence);
  r.response = r.residence.colwise().sum().transpose();
  r.queue = r.residence * r.throughput.asDiagonal();
  r.utilization = Eigen::VectorXd::Zero(demand.rows());
  for (Eigen::Index k = 0; k < demand.rows(); ++k) {
    const NetworkStation& st = stations[static_cast<std::size_t>(k)];
    if (st.discipline != Discipline::kDelay) r.utilization(k) = demand.row(k).dot(r.throughput) / st.servers;
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------- single stations

double erlang_b(int servers, double offered) {
  if (offered <= 0.0) return 0.0;
  // B = P(N = c) / P(N <= c) for N ~ Poisson(a): the truncated Poisson
  // distribution of busy servers in M/M/c/c.
  const boost::math::poisson_distribution<double> busy(offered);
  const double c = servers;
  return boost::math::pdf(busy, c) / boost::math::cdf(busy, c);
}

double erlang_c(int servers, double offered) {
  if (offered <= 0.0) return 0.0;
  if (offered >= servers) return 1.0;
  const double b = erlang_b(servers, offered);
  const double rho = offered / servers;
  return b / (1.0 - rho * (1.0 - b));
}

StationSolution solve_station(const StationLoad& load) {
  StationSolution s;
  if (load.discipline == Discipline::kDelay || load.rate <= 0.0 || load.mean <= 0.0) return s;
  const double offered = load.rate * load.mean;
  const int c = load.servers;
  s.utilization = offered / c;
  if (s.utilization >= 1.0) {
    s.stable = false;
    s.response = {kInfinity, kInfinity};
    return s;
  }
  const double queueing = erlang_c(c, offered) / (c * (1.0 - s.utilization));
  if (load.discipline == Discipline::kFcfs) {
    s.response.wait = queueing * load.mean * (1.0 + load.scv) / 2.0;
  } else {
    s.response.stretch = 1.0 + queueing;
  }
  return s;
}

// ---------------------------------------------------------------- open networks

OpenSolution solve_open(const std::vector<NetworkStation>& stations, const std::vector<OpenClass>& classes) {
  const auto k_count = static_cast<Eigen::Index>(stations.size());
  const auto c_count = static_cast<Eigen::Index>(classes.size());
  for (const auto& c : classes) {
    if (c.visits.size() != k_count || c.service.size() != k_count || c.scv.size() != k_count) {
      throw std::invalid_argument("solve_open: every class needs visits, service and scv per station");
    }
  }
  OpenSolution sol;
  sol.utilization = Eigen::VectorXd::Zero(k_count);
  sol.residence = Eigen::MatrixXd::Zero(k_count, c_count);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    double rate = 0.0;
    double work = 0.0;
    double second = 0.0;
    for (const auto& c : classes) {
      const double r = c.arrival_rate * c.visits(k);
      rate += r;
      work += r * c.service(k);
      second += r * c.service(k) * c.service(k) * (1.0 + c.scv(k));
    }
    StationLoad load;
    load.discipline = stations[static_cast<std::size_t>(k)].discipline;
    load.servers = stations[static_cast<std::size_t>(k)].servers;
    load.rate = rate;
    load.mean = rate > 0.0 ? work / rate : 0.0;
    load.scv = work > 0.0 ? std::max(0.0, second * rate / (work * work) - 1.0) : 1.0;
    const StationSolution s = solve_station(load);
    sol.stable = sol.stable && s.stable;
    sol.utilization(k) = s.utilization;
    sol.responses.push_back(s.response);
    for (Eigen::Index c = 0; c < c_count; ++c) {
      const OpenClass& oc = classes[static_cast<std::size_t>(c)];
      if (oc.visits(k) > 0.0) sol.residence(k, c) = oc.visits(k) * s.response.residence(oc.service(k));
    }
  }
  sol.response = sol.residence.colwise().sum().transpose();
  return sol;
}

// ---------------------------------------------------------------- closed networks

MvaResult mva_exact_single(const std::vector<NetworkStation>& stations, const Eigen::VectorXd& demand, double think,
                           int users) {
  check_shapes(stations, demand, Eigen::VectorXd::Constant(1, think), {users});
  const auto k_count = static_cast<Eigen::Index>(stations.size());
  Eigen::VectorXd queue = Eigen::VectorXd::Zero(k_count);
  Eigen::VectorXd residence = Eigen::VectorXd::Zero(k_count);
  // p[k][j]: probability of j jobs at multi-server station k, for j < c.
  std::vector<std::vector<double>> p(stations.size());
  for (std::size_t k = 0; k < stations.size(); ++k) {
    p[k].assign(static_cast<std::size_t>(stations[k].servers), 0.0);
    p[k][0] = 1.0;
  }
  double x = 0.0;
  for (int n = 1; n <= users; ++n) {
    for (Eigen::Index k = 0; k < k_count; ++k) {
      const NetworkStation& st = stations[static_cast<std::size_t>(k)];
      const int c = st.servers;
      if (st.discipline == Discipline::kDelay) {
        residence(k) = demand(k);
      } else if (c == 1) {
        residence(k) = demand(k) * (1.0 + queue(k));
      } else {
        // With j < c jobs found, c - 1 - j servers stay idle: the job is
        // slowed only by the busy ones (Bolch et al., Queueing Networks and
        // Markov Chains, 2nd ed. (2006), MVA for multiple servers).
        double idle = 0.0;
        for (int j = 0; j <= c - 2; ++j) idle += (c - 1 - j) * p[static_cast<std::size_t>(k)][static_cast<std::size_t>(j)];
        residence(k) = demand(k) / c * (1.0 + queue(k) + idle);
      }
    }
    x = n / (think + residence.sum());
    queue = x * residence;
    for (Eigen::Index k = 0; k < k_count; ++k) {
      auto& pk = p[static_cast<std::size_t>(k)];
      const int c = stations[static_cast<std::size_t>(k)].servers;
      if (c == 1 || stations[static_cast<std::size_t>(k)].discipline == Discipline::kDelay) continue;
      double weighted = 0.0;
      for (int j = c - 1; j >= 1; --j) {
        pk[static_cast<std::size_t>(j)] = demand(k) * x / j * pk[static_cast<std::size_t>(j - 1)];
        weighted += (c - j) * pk[static_cast<std::size_t>(j)];
      }
      // Busy servers average X D: sum_j min(j, c) p(j) = X D fixes p(0).
      pk[0] = std::max(0.0, 1.0 - (x * demand(k) + weighted) / c);
    }
  }
  return finish(stations, demand, Eigen::VectorXd::Constant(1, x), residence, "exact MVA");
}

MvaResult mva_exact(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand,
                    const Eigen::VectorXd& think, const std::vector<int>& population) {
  check_shapes(stations, demand, think, population);
  const Split split = seidmann(stations, demand);
  const auto k_count = demand.rows();
  const auto c_count = demand.cols();
  // Population vectors in mixed radix: n - e_c always has a smaller index.
  std::vector<std::size_t> stride(population.size(), 1);
  std::size_t vectors = 1;
  for (std::size_t c = 0; c < population.size(); ++c) {
    stride[c] = vectors;
    vectors *= static_cast<std::size_t>(population[c] + 1);
  }
  // Total queue at each station's queueing part, for every population vector.
  Eigen::MatrixXd queue = Eigen::MatrixXd::Zero(k_count, static_cast<Eigen::Index>(vectors));
  std::vector<int> n(population.size(), 0);
  Eigen::MatrixXd residence = Eigen::MatrixXd::Zero(k_count, c_count);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(c_count);
  for (std::size_t index = 1; index < vectors; ++index) {
    for (std::size_t c = 0; c < n.size(); ++c) {  // next vector
      if (++n[c] <= population[c]) break;
      n[c] = 0;
    }
    residence.setZero();
    x.setZero();
    Eigen::VectorXd queued = Eigen::VectorXd::Zero(k_count);
    for (Eigen::Index c = 0; c < c_count; ++c) {
      const auto cs = static_cast<std::size_t>(c);
      if (n[cs] == 0) continue;
      const auto before = static_cast<Eigen::Index>(index - stride[cs]);
      const Eigen::VectorXd rq = split.queue.col(c).cwiseProduct(Eigen::VectorXd::Ones(k_count) + queue.col(before));
      residence.col(c) = rq + split.delay.col(c);
      x(c) = n[cs] / (think(c) + residence.col(c).sum());
      queued += x(c) * rq;
    }
    queue.col(static_cast<Eigen::Index>(index)) = queued;
  }
  return finish(stations, demand, x, residence, "exact MVA");
}

MvaResult mva_schweitzer(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand,
                         const Eigen::VectorXd& think, const std::vector<int>& population, double tolerance) {
  check_shapes(stations, demand, think, population);
  const Split split = seidmann(stations, demand);
  const auto k_count = demand.rows();
  const auto c_count = demand.cols();
  Eigen::VectorXd n(c_count);
  for (Eigen::Index c = 0; c < c_count; ++c) n(c) = population[static_cast<std::size_t>(c)];
  // Queue lengths at the queueing parts, started evenly spread.
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(k_count, c_count);
  const double queueing_stations = std::max<double>(1.0, static_cast<double>((split.queue.rowwise().sum().array() > 0.0).count()));
  for (Eigen::Index c = 0; c < c_count; ++c) {
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (split.queue(k, c) > 0.0) q(k, c) = n(c) / queueing_stations;
    }
  }
  Eigen::MatrixXd residence = Eigen::MatrixXd::Zero(k_count, c_count);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(c_count);
  for (int iteration = 0; iteration < 1000000; ++iteration) {
    const Eigen::VectorXd total = q.rowwise().sum();
    Eigen::MatrixXd next = Eigen::MatrixXd::Zero(k_count, c_count);
    for (Eigen::Index c = 0; c < c_count; ++c) {
      if (n(c) == 0.0) {
        residence.col(c).setZero();
        x(c) = 0.0;
        continue;
      }
      // Arrival theorem, approximated: an arriving job sees the queue minus
      // its own share of one job.
      const Eigen::VectorXd seen = total - q.col(c) / n(c);
      const Eigen::VectorXd rq = split.queue.col(c).cwiseProduct(Eigen::VectorXd::Ones(k_count) + seen);
      residence.col(c) = rq + split.delay.col(c);
      x(c) = n(c) / (think(c) + residence.col(c).sum());
      next.col(c) = x(c) * rq;
    }
    const double change = (next - q).cwiseAbs().maxCoeff();
    q = next;
    if (change < tolerance * std::max(1.0, n.maxCoeff())) break;
  }
  return finish(stations, demand, x, residence, "Schweitzer approximate MVA");
}

MvaResult mva(const std::vector<NetworkStation>& stations, const Eigen::MatrixXd& demand, const Eigen::VectorXd& think,
              const std::vector<int>& population, const MvaLimits& limits) {
  if (population.size() == 1) {
    if (population.front() <= limits.exact_single_class_users) {
      return mva_exact_single(stations, demand.col(0), think(0), population.front());
    }
    return mva_schweitzer(stations, demand, think, population);
  }
  double vectors = 1.0;
  for (int n : population) vectors *= n + 1.0;
  if (vectors <= limits.exact_population_vectors) return mva_exact(stations, demand, think, population);
  return mva_schweitzer(stations, demand, think, population);
}

// ---------------------------------------------------------------- a scenario

namespace {

// The station's job mix at throughput x: requests of every class plus its background work.
StationLoad station_load(const StackModel& model, std::size_t k, double x) {
  const Station& st = model.stations[k];
  StationLoad load;
  load.discipline = st.discipline;
  load.servers = st.servers;
  double rate = st.background_rate;
  double work = st.background_rate * st.background_mean;
  double second = st.background_rate * st.background_second;
  for (std::size_t c = 0; c < model.classes.size(); ++c) {
    const double r = x * model.shares[c];
    const auto ki = static_cast<Eigen::Index>(k);
    const auto ci = static_cast<Eigen::Index>(c);
    rate += r * model.station_visits(ki, ci);
    work += r * model.station_demand(ki, ci);
    second += r * model.station_second(ki, ci);
  }
  load.rate = rate;
  load.mean = rate > 0.0 ? work / rate : 0.0;
  // Rounding can leave a constant service's cs^2 a hair below 0.
  load.scv = work > 0.0 ? std::max(0.0, second * rate / (work * work) - 1.0) : 1.0;
  return load;
}

// Splits each class's response time by where it is spent.
void add_responses(const StackModel& model, QueueingAnalysis& q) {
  const std::size_t classes = model.classes.size();
  q.total = ClassResponse{};
  q.total.name = "all";
  for (std::size_t c = 0; c < classes; ++c) {
    const auto ci = static_cast<Eigen::Index>(c);
    ClassResponse r;
    r.name = model.classes[c];
    for (std::size_t k = 0; k < model.stations.size(); ++k) {
      const auto ki = static_cast<Eigen::Index>(k);
      const double visits = model.station_visits(ki, ci);
      if (visits == 0.0) continue;
      const StationResponse& s = q.stations[k].response;
      const double t = visits * s.wait + model.station_demand(ki, ci) * s.stretch;
      switch (model.stations[k].kind) {
        case ResourceKind::kCpu:
          r.cpu += t;
          break;
        case ResourceKind::kDisk:
          r.disk += t;
          break;
        default:
          r.network += t;
      }
    }
    r.network += model.delay(ci);
    for (std::size_t p = 0; p < model.pools.size(); ++p) {
      if (q.holding.pool_visits[p][c] > 0.0) r.pools += q.holding.pool_visits[p][c] * q.holding.pool_wait[p];
    }
    for (std::size_t i = 0; i < model.nodes.size(); ++i) r.overlap += model.nodes[i].visits[c] * q.holding.overlap[i][c];
    r.response = r.cpu + r.disk + r.network + r.pools - r.overlap;
    const double share = model.shares[c];
    q.total.overlap += share * r.overlap;
    q.total.cpu += share * r.cpu;
    q.total.disk += share * r.disk;
    q.total.network += share * r.network;
    q.total.pools += share * r.pools;
    q.total.response += share * r.response;
    q.classes.push_back(std::move(r));
  }
}

// Each class's response-time variance, and the M/M/c path when there is one.
// A visit's sojourn at a FCFS station is W + S with W = 0 with probability C
// (Erlang C at the station's load) and else exponential with the mean wait's
// share, E[W^2] = 2 E[W]^2 / C; at a PS station stretch x S; at a delay S.
// Visits below one per request are Bernoulli, above one a fixed count; pool
// waits are taken as exponential. Sojourns at different stations are taken
// as independent (exact for a tandem of M/M/1 queues, Reich 1957).
void add_variances(const StackModel& model, QueueingAnalysis& q) {
  std::vector<double> waiting(model.stations.size(), 0.0);
  for (std::size_t k = 0; k < model.stations.size(); ++k) {
    const StationLoad load = station_load(model, k, q.throughput);
    if (load.discipline == Discipline::kFcfs && load.rate > 0.0) {
      waiting[k] = erlang_c(load.servers, load.rate * load.mean);
    }
  }
  for (std::size_t c = 0; c < q.classes.size(); ++c) {
    const auto ci = static_cast<Eigen::Index>(c);
    ClassResponse& r = q.classes[c];
    r.delay = model.delay(ci);
    double variance = 0.0;
    int stations_used = 0;
    std::size_t only = 0;
    for (std::size_t k = 0; k < model.stations.size(); ++k) {
      const auto ki = static_cast<Eigen::Index>(k);
      const double visits = model.station_visits(ki, ci);
      if (visits == 0.0) continue;
      ++stations_used;
      only = k;
      const double s = model.station_demand(ki, ci) / visits;
      const double s2 = model.station_second(ki, ci) / visits;
      const StationResponse& response = q.stations[k].response;
      double mean = s, second = s2;
      if (model.stations[k].discipline == Discipline::kFcfs && response.wait > 0.0 && waiting[k] > 0.0) {
        const double w = response.wait;
        const double w2 = 2.0 * w * w / waiting[k];
        mean = w + s;
        second = w2 + 2.0 * w * s + s2;
      } else if (model.stations[k].discipline == Discipline::kProcessorSharing) {
        mean = response.stretch * s;
        second = response.stretch * response.stretch * s2;
      }
      variance += visits <= 1.0 ? visits * second - visits * visits * mean * mean
                                : visits * (second - mean * mean);
    }
    for (std::size_t p = 0; p < model.pools.size(); ++p) {
      const double visits = q.holding.pool_visits[p][c];
      if (visits > 0.0) variance += visits * q.holding.pool_wait[p] * q.holding.pool_wait[p];
    }
    r.variance = std::max(0.0, variance);
    if (stations_used == 1 && r.delay == 0.0 && r.pools == 0.0) {
      const auto ki = static_cast<Eigen::Index>(only);
      const StationLoad load = station_load(model, only, q.throughput);
      const bool exponential = std::abs(load.scv - 1.0) < 1e-9 && model.station_visits(ki, ci) == 1.0;
      if (model.stations[only].discipline == Discipline::kFcfs && exponential) {
        r.mmc = ClassResponse::MmcPath{load.servers, load.rate, load.mean};
      }
    }
  }
  // The mix: E[T^2] of the mixture minus its squared mean.
  double second = 0.0;
  for (std::size_t c = 0; c < q.classes.size(); ++c) {
    const ClassResponse& r = q.classes[c];
    second += model.shares[c] * (r.variance + r.response * r.response);
  }
  q.total.variance = std::max(0.0, second - q.total.response * q.total.response);
}

void add_tiers(const StackModel& model, QueueingAnalysis& q) {
  std::vector<double> time;
  for (std::size_t i = 0; i < model.nodes.size(); ++i) {
    const Node& n = model.nodes[i];
    const auto t = static_cast<std::size_t>(n.tier_index);
    if (t == q.tiers.size()) {
      q.tiers.push_back(TierVisit{n.tier, n.kind});
      time.push_back(0.0);
    }
    const double wait = n.admission >= 0 ? q.holding.pool_wait[static_cast<std::size_t>(n.admission)] : 0.0;
    for (std::size_t c = 0; c < model.classes.size(); ++c) {
      const double visits = model.shares[c] * n.visits[c];
      q.tiers[t].visits += visits;
      if (visits > 0.0) time[t] += visits * (wait + q.holding.node[i][c]);
    }
  }
  for (std::size_t t = 0; t < q.tiers.size(); ++t) {
    q.tiers[t].visit_time = q.tiers[t].visits > 0.0 ? time[t] / q.tiers[t].visits : 0.0;
  }
}

void add_pool_results(const StackModel& model, QueueingAnalysis& q, bool closed) {
  for (std::size_t p = 0; p < model.pools.size(); ++p) {
    const Pool& pool = model.pools[p];
    PoolResult r;
    r.name = pool.name;
    r.capacity = pool.capacity;
    r.loss = pool.loss;
    r.rate = q.holding.pool_rate[p];
    r.holding = q.holding.pool_holding[p];
    r.utilization = q.holding.pool_busy[p] / pool.capacity;
    r.wait = q.holding.pool_wait[p];
    if (pool.loss && r.rate > 0.0 && std::isfinite(r.holding)) {
      // Slots in units of the mean request's share (a proxied nginx request takes two).
      const double offered = r.rate * r.holding;
      const double units = offered > 0.0 ? q.holding.pool_busy[p] / offered : 1.0;
      r.blocking = erlang_b(std::max(1, static_cast<int>(pool.capacity / units)), offered);
      if (r.blocking > 1e-3) {
        r.flags.push_back(fmt::format("rejects {:.2g}% of visits: the load below it is overstated", 100.0 * r.blocking));
      }
    } else if (r.utilization > 0.8) {
      r.flags.push_back(closed ? "near saturation: closed MVA does not model pool waiting"
                               : "near saturation: M/M/c with the holding time as service is rough; backlog limits "
                                 "and timeouts are ignored");
    }
    q.pools.push_back(std::move(r));
  }
}

void add_station_flags(StationResult& s, bool closed) {
  if (s.utilization > 0.9) s.flags.push_back("utilization above 90%: means are very sensitive to the inputs");
  // Below this, waiting is a small part of the response whatever formula gives it.
  if (!far_from_exponential(s.scv) || s.utilization < 0.3) return;
  const std::string cv = fmt::format("service cv {:.2f}", std::sqrt(std::max(0.0, s.scv)));
  if (closed && s.discipline == Discipline::kFcfs) {
    s.flags.push_back(cv + ": MVA assumes exponential service at FCFS stations");
  } else if (!closed && s.discipline == Discipline::kFcfs && s.servers > 1) {
    s.flags.push_back(cv + ": Allen-Cunneen's M/G/c correction is approximate");
  } else if (!closed && s.discipline == Discipline::kProcessorSharing && s.servers > 1) {
    s.flags.push_back(cv + ": the M/M/c slowdown of multi-core PS is exact for exponential service only");
  }
}

QueueingAnalysis open_analysis(const StackModel& model) {
  QueueingAnalysis q;
  q.method = "open: M/G/c per station (Erlang C, Allen-Cunneen for FCFS, M/M/c slowdown for PS), "
             "pools as M/M/m on their holding time";
  q.throughput = model.workload.rate;
  std::vector<StationResponse> responses;
  for (std::size_t k = 0; k < model.stations.size(); ++k) {
    const StationLoad load = station_load(model, k, q.throughput);
    const StationSolution sol = solve_station(load);
    StationResult s;
    s.name = model.stations[k].name;
    s.discipline = load.discipline;
    s.servers = load.servers;
    s.utilization = sol.utilization;
    s.scv = load.scv;
    s.response = sol.response;
    if (!sol.stable) {
      q.stable = false;
      s.flags.push_back("saturated: utilization at or above 100%");
    }
    add_station_flags(s, false);
    responses.push_back(sol.response);
    q.stations.push_back(std::move(s));
  }
  if (!q.stable) {
    q.notes.push_back("a station is saturated at this load: the open model has no steady state");
    return q;
  }
  q.holding = holding_times(model, responses, q.throughput, [&](int p, double rate, double holding, double busy) {
    const Pool& pool = model.pools[static_cast<std::size_t>(p)];
    const double offered = rate * holding;
    if (pool.loss || offered <= 0.0) return 0.0;
    // Above a pool that never drains, holding is endless (or NaN, from 0 visits x an endless call).
    if (!std::isfinite(offered)) return kInfinity;
    const double slots = std::floor(pool.capacity / (busy / offered));
    if (offered >= slots) return kInfinity;
    return erlang_c(static_cast<int>(slots), offered) * holding / (slots - offered);
  });
  for (std::size_t p = 0; p < model.pools.size(); ++p) {
    if (std::isinf(q.holding.pool_wait[p])) {
      q.stable = false;
      q.notes.push_back(model.pools[p].name + " is saturated at this load: its queue grows without bound");
    }
  }
  for (std::size_t k = 0; k < model.stations.size(); ++k) {
    const auto ki = static_cast<Eigen::Index>(k);
    for (std::size_t c = 0; c < model.classes.size(); ++c) {
      const auto ci = static_cast<Eigen::Index>(c);
      if (model.station_visits(ki, ci) == 0.0) continue;
      q.stations[k].residence += model.shares[c] * (model.station_visits(ki, ci) * responses[k].wait +
                                                    model.station_demand(ki, ci) * responses[k].stretch);
    }
  }
  add_pool_results(model, q, false);
  if (q.stable) {
    add_responses(model, q);
    add_variances(model, q);
    add_tiers(model, q);
  }
  return q;
}

QueueingAnalysis closed_analysis(const StackModel& model, const MvaLimits& limits) {
  QueueingAnalysis q;
  const auto k_count = static_cast<Eigen::Index>(model.stations.size());
  const Eigen::VectorXd shares = Eigen::Map<const Eigen::VectorXd>(model.shares.data(), static_cast<Eigen::Index>(model.shares.size()));
  const Eigen::VectorXd demand = model.station_demand * shares;
  const Eigen::VectorXd visits = model.station_visits * shares;
  std::vector<NetworkStation> stations;
  Eigen::MatrixXd inflated(k_count, 1);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const Station& st = model.stations[static_cast<std::size_t>(k)];
    stations.push_back({st.name, st.discipline, st.servers});
    inflated(k, 0) = demand(k) / std::max(1e-12, 1.0 - st.background_busy() / st.servers);
  }
  const Eigen::VectorXd think = Eigen::VectorXd::Constant(1, model.workload.think + model.delay.dot(shares));
  const MvaResult mva_result = mva(stations, inflated, think, {model.workload.users}, limits);
  q.method = fmt::format("closed: {} of {} users as one chain (the class is drawn per request)", mva_result.method,
                         model.workload.users);
  q.throughput = mva_result.throughput(0);
  std::vector<StationResponse> responses(model.stations.size());
  for (Eigen::Index k = 0; k < k_count; ++k) {
    const Station& st = model.stations[static_cast<std::size_t>(k)];
    StationResponse& r = responses[static_cast<std::size_t>(k)];
    const double residence = mva_result.residence(k, 0);
    if (demand(k) > 0.0) {
      if (st.discipline == Discipline::kFcfs) {
        r.wait = (residence - demand(k)) / visits(k);
      } else {
        r.stretch = residence / demand(k);
      }
    }
    StationResult s;
    s.name = st.name;
    s.discipline = st.discipline;
    s.servers = st.servers;
    s.utilization = (q.throughput * demand(k) + st.background_busy()) / st.servers;
    s.scv = station_load(model, static_cast<std::size_t>(k), q.throughput).scv;
    s.response = r;
    s.residence = residence;
    add_station_flags(s, true);
    q.stations.push_back(std::move(s));
  }
  q.holding = holding_times(model, responses, q.throughput, [](int, double, double, double) { return 0.0; });
  add_pool_results(model, q, true);
  add_responses(model, q);
  add_variances(model, q);
  add_tiers(model, q);
  if (q.total.overlap > 0.0) {
    q.notes.push_back("fan-out: the response times take a group's calls as overlapping, but MVA's throughput takes "
                      "them one after another (a lower bound on the throughput)");
  }
  if (model.workload.users > limits.exact_single_class_users) {
    q.notes.push_back("Schweitzer's approximation with Seidmann's multi-server decomposition (population beyond the "
                      "exact limit)");
  }
  return q;
}

}  // namespace

double mmc_response_cdf(int servers, double rate, double service, double t) {
  if (t <= 0.0) return 0.0;
  const double mu = 1.0 / service;
  const double c = erlang_c(servers, rate * service);
  const double theta = servers * mu - rate;  // the rate of a positive wait
  // P(W + S > t) for W ~ Exp(theta), S ~ Exp(mu), independent.
  const double both = std::abs(theta - mu) < 1e-12 * mu
                          ? (1.0 + mu * t) * std::exp(-mu * t)
                          : (theta * std::exp(-mu * t) - mu * std::exp(-theta * t)) / (theta - mu);
  return 1.0 - ((1.0 - c) * std::exp(-mu * t) + c * both);
}

namespace {

// P(T <= t) for one class's fitted distribution.
double class_cdf(const ClassResponse& r, double t) {
  if (r.mmc) return mmc_response_cdf(r.mmc->servers, r.mmc->rate, r.mmc->service, t);
  const double rest = r.response - r.delay;
  if (t < r.delay) return 0.0;
  if (r.variance <= 0.0 || rest <= 0.0) return t >= r.response ? 1.0 : 0.0;
  // Gamma with the rest's mean and variance: shape mean^2 / var, scale var / mean.
  const boost::math::gamma_distribution<double> fitted(rest * rest / r.variance, r.variance / rest);
  return boost::math::cdf(fitted, t - r.delay);
}

}  // namespace

double response_quantile(const QueueingAnalysis& q, const std::vector<double>& shares, int class_index, double p) {
  if (!q.stable || q.classes.empty() || !std::isfinite(q.total.response)) return kInfinity;
  std::vector<std::pair<double, const ClassResponse*>> parts;
  if (class_index >= 0) {
    parts.emplace_back(1.0, &q.classes[static_cast<std::size_t>(class_index)]);
  } else {
    for (std::size_t c = 0; c < q.classes.size(); ++c) parts.emplace_back(shares[c], &q.classes[c]);
  }
  const auto cdf = [&](double t) {
    double sum = 0.0;
    for (const auto& [share, r] : parts) sum += share * class_cdf(*r, t);
    return sum;
  };
  // Bracket: double from the mean until the CDF passes p.
  double hi = std::max(1e-9, q.total.response);
  for (const auto& [share, r] : parts) hi = std::max(hi, r->response);
  int doublings = 0;
  while (cdf(hi) < p && doublings++ < 200) hi *= 2.0;
  // Boost's bisection: the CDF is monotone and cheap; 50 bits is far below
  // what any approximation here can claim.
  const auto bracket = boost::math::tools::bisect([&](double t) { return cdf(t) - p; }, 0.0, hi,
                                                  boost::math::tools::eps_tolerance<double>(50));
  return (bracket.first + bracket.second) / 2.0;
}

QueueingAnalysis queueing_analysis(const StackModel& model, const MvaLimits& limits) {
  return model.workload.closed ? closed_analysis(model, limits) : open_analysis(model);
}

}  // namespace analysis
