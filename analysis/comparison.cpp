#include "analysis/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

namespace analysis {

namespace {

// The limits whose rejections make the simulation serve less than the analysis assumes.
constexpr models::FailureReason kLimitReasons[] = {
    models::FailureReason::kLbMaxconn,  models::FailureReason::kQueueTimeout, models::FailureReason::kWebConnections,
    models::FailureReason::kAppBacklog, models::FailureReason::kPoolTimeout,  models::FailureReason::kDbConnections,
    models::FailureReason::kServerQueue};

// Relative sampling error of a mean over n requests, roughly: the Poisson
// count and an exponential-like demand each add 1/n to the squared error.
double sampling_error(double requests) {
  return requests > 0.0 ? std::sqrt(2.0 / requests) : std::numeric_limits<double>::infinity();
}

// A host's stations, by index into the model's (-1: none).
struct HostStations {
  std::string host;
  int cpu = -1, nic_tx = -1, nic_rx = -1, disk = -1;
};

std::vector<HostStations> hosts_of(const StackModel& model) {
  std::vector<HostStations> hosts;
  for (std::size_t k = 0; k < model.stations.size(); ++k) {
    const Station& s = model.stations[k];
    auto it = std::find_if(hosts.begin(), hosts.end(), [&](const HostStations& h) { return h.host == s.host; });
    if (it == hosts.end()) it = hosts.insert(hosts.end(), HostStations{s.host});
    const int index = static_cast<int>(k);
    switch (s.kind) {
      case ResourceKind::kCpu: it->cpu = index; break;
      case ResourceKind::kNicTx: it->nic_tx = index; break;
      case ResourceKind::kNicRx: it->nic_rx = index; break;
      case ResourceKind::kDisk: it->disk = index; break;
      default: break;
    }
  }
  return hosts;
}

// The analytic utilizations of a host, as the simulation reports them (0 for
// a station the host lacks, the busier NIC direction).
struct HostUtilization {
  double cpu = 0.0, nic = 0.0, disk = 0.0;
};

HostUtilization host_utilization(const HostStations& h, const OperationalAnalysis& op) {
  const auto at = [&](int k) { return k >= 0 ? op.resources[static_cast<std::size_t>(k)].utilization : 0.0; };
  return {at(h.cpu), std::max(at(h.nic_tx), at(h.nic_rx)), at(h.disk)};
}

// The reasons that apply whatever the row, found once.
struct Context {
  std::vector<Reason> pools;
  std::optional<Reason> retries, faults, no_warmup, saturation;
};

Context context_of(const models::ScenarioConfig& config, const AnalysisResult& analysis,
                   std::span<const models::RunResult> runs) {
  Context c;
  std::string rejected;
  for (const auto reason : kLimitReasons) {
    std::uint64_t n = 0;
    for (const auto& run : runs) n += run.totals.failed[static_cast<std::size_t>(reason)];
    if (n > 0) rejected += fmt::format("{}{} {}", rejected.empty() ? "" : ", ", models::failure_reason_name(reason), n);
  }
  if (!rejected.empty()) {
    c.pools.push_back({Cause::kFinitePool, "the simulation rejected requests at full limits (" + rejected +
                                               "); the analysis serves every request"});
  }
  // Pools whose holding is endless only wait on a saturated one: the saturation reason names that.
  for (const PoolResult& p : analysis.queueing.pools) {
    if (!std::isfinite(p.holding)) continue;
    for (const auto& flag : p.flags) c.pools.push_back({Cause::kFinitePool, p.name + ": " + flag});
  }
  double attempts = 0.0, offered = 0.0;
  for (const auto& run : runs) {
    attempts += static_cast<double>(run.attempts);
    offered += static_cast<double>(run.totals.offered);
  }
  if (attempts > offered) {
    c.retries = Reason{Cause::kRetries, fmt::format("clients retried: {:.3f} attempts per request; the analysis "
                                                    "sends each request once",
                                                    attempts / offered)};
  }
  if (!config.faults.empty()) {
    c.faults = Reason{Cause::kFaults, fmt::format("{} fault{} in the scenario: down time, detection and failover "
                                                  "change the load the queueing model assumes",
                                                  config.faults.size(), config.faults.size() == 1 ? "" : "s")};
  }
  if (config.run.warmup == 0) {
    c.no_warmup = Reason{Cause::kFewSamples, "no warm-up: the run starts empty, which shortens waits"};
  }
  if (!analysis.queueing.stable) {
    // What saturates first: stations, and pools whose own holding is finite.
    std::string first;
    const auto name = [&first](const std::string& n) { first += (first.empty() ? "" : ", ") + n; };
    for (const StationResult& s : analysis.queueing.stations) {
      if (s.utilization >= 1.0) name(s.name);
    }
    for (const PoolResult& p : analysis.queueing.pools) {
      if (std::isinf(p.wait) && std::isfinite(p.holding)) name(p.name);
    }
    c.saturation = Reason{Cause::kSaturation, "the analysis has no steady state at this load: " + first +
                                                  " saturate" + (first.find(',') == std::string::npos ? "s" : "")};
  }
  return c;
}

bool is_highlighted(const ComparisonRow& row) {
  if (!row.analytic || row.simulated.empty()) return false;
  const double a = *row.analytic, delta = std::abs(row.simulated_mean() - a);
  switch (row.quantity) {
    case Quantity::kThroughput: return delta > kUtilizationTolerance * std::abs(a);
    case Quantity::kUtilization: return delta > std::max(kUtilizationTolerance * std::abs(a), kUtilizationFloor);
    case Quantity::kResponse: return delta > kResponseTolerance * std::abs(a);
    case Quantity::kAvailability:
      return delta > std::max(kUnavailabilityTolerance * (1.0 - a), kUnavailabilityFloor);
  }
  return false;
}

// The allowance `is_highlighted` gives a row, relative to its analytic value.
double tolerance_of(Quantity q) {
  return q == Quantity::kResponse ? kResponseTolerance : kUtilizationTolerance;
}

class Builder {
 public:
  Builder(const models::ScenarioConfig& config, const AnalysisResult& analysis, std::span<const models::RunResult> runs)
      : analysis_(analysis), runs_(runs), context_(context_of(config, analysis, runs)) {}

  // `measure` gives a replication's value, or none when it measured nothing.
  // `requests` gives the requests behind a replication's value.
  // `specific`: reasons that concern this row alone.
  void add(std::string name, Quantity quantity, std::optional<double> analytic, std::vector<Reason> specific,
           const std::function<std::optional<double>(const models::RunResult&)>& measure,
           const std::function<double(const models::RunResult&)>& requests) {
    ComparisonRow row;
    row.name = std::move(name);
    row.quantity = quantity;
    row.analytic = analytic;
    double measured_requests = 0.0;
    for (const auto& run : runs_) {
      const auto value = measure(run);
      if (!value) {
        row.simulated.clear();
        break;
      }
      row.simulated.push_back(*value);
      measured_requests += requests(run);
    }
    if (analytic && *analytic != 0.0 && !row.simulated.empty()) {
      row.difference = (row.simulated_mean() - *analytic) / *analytic;
    }
    // No analytic response at a load the analysis cannot carry is a disagreement too.
    row.highlighted = is_highlighted(row) || (quantity == Quantity::kResponse && context_.saturation.has_value());
    if (row.highlighted) {
      row.reasons = std::move(specific);
      add_common_reasons(row, measured_requests);
    }
    rows_.push_back(std::move(row));
  }

  // Drops the stations idle on both sides: noise in a table.
  Comparison finish() {
    std::erase_if(rows_, [](const ComparisonRow& r) {
      return r.quantity == Quantity::kUtilization && r.analytic == 0.0 &&
             std::all_of(r.simulated.begin(), r.simulated.end(), [](double x) { return x == 0.0; });
    });
    return Comparison{analysis_.queueing.method, runs_.size(), std::move(rows_)};
  }

 private:
  void add_common_reasons(ComparisonRow& row, double measured_requests) {
    auto& r = row.reasons;
    r.insert(r.end(), context_.pools.begin(), context_.pools.end());
    for (const auto& reason : {context_.retries, context_.faults, context_.saturation}) {
      if (reason) r.push_back(*reason);
    }
    if (row.quantity == Quantity::kAvailability) return;
    if (context_.no_warmup) r.push_back(*context_.no_warmup);
    few_samples(row, measured_requests);
  }

  void few_samples(ComparisonRow& row, double measured_requests) {
    if (!row.analytic || row.simulated.empty()) return;
    const double delta = std::abs(row.simulated_mean() - *row.analytic);
    const std::size_t n = row.simulated.size();
    if (n >= 2) {
      double squares = 0.0;
      for (double x : row.simulated) squares += (x - row.simulated_mean()) * (x - row.simulated_mean());
      const double standard_error = std::sqrt(squares / static_cast<double>(n - 1) / static_cast<double>(n));
      if (delta < 3.0 * standard_error) {
        row.reasons.push_back({Cause::kFewSamples, fmt::format("the difference is within 3 standard errors of the "
                                                               "mean over {} replications",
                                                               n)});
      }
      return;
    }
    const double error = sampling_error(measured_requests);
    if (3.0 * error > tolerance_of(row.quantity)) {
      row.reasons.push_back({Cause::kFewSamples, fmt::format("{:.0f} requests measured: a sampling error of about "
                                                             "{:.1f}%",
                                                             measured_requests, 100.0 * error)});
    }
  }

  const AnalysisResult& analysis_;
  std::span<const models::RunResult> runs_;
  Context context_;
  std::vector<ComparisonRow> rows_;
};

const models::NodeResult* node_on(const models::RunResult& run, const std::string& host) {
  for (const auto& n : run.nodes) {
    if (n.host == host) return &n;
  }
  return nullptr;
}

const models::ClassResult* class_named(const models::RunResult& run, const std::string& name) {
  for (const auto& c : run.classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::optional<double> mean_seconds(const sim::LatencyHistogram& h) {
  if (h.count() == 0) return std::nullopt;
  return h.mean() / 1e9;
}

double succeeded(const models::RunResult& run) { return static_cast<double>(run.totals.succeeded); }

std::optional<double> finite(double v) { return std::isfinite(v) ? std::optional(v) : std::nullopt; }

// The station flags on the path of a class (all classes: -1).
std::vector<Reason> weak_stations(const AnalysisResult& analysis, int request_class) {
  std::vector<Reason> out;
  const StackModel& m = analysis.model;
  for (std::size_t k = 0; k < analysis.queueing.stations.size(); ++k) {
    const auto ki = static_cast<Eigen::Index>(k);
    const bool visited = request_class < 0 ? m.station_visits.row(ki).sum() > 0.0
                                           : m.station_visits(ki, static_cast<Eigen::Index>(request_class)) > 0.0;
    if (!visited) continue;
    const StationResult& s = analysis.queueing.stations[k];
    for (const auto& flag : s.flags) out.push_back({Cause::kWeakApproximation, s.name + ": " + flag});
  }
  return out;
}

}  // namespace

std::string_view cause_name(Cause cause) {
  switch (cause) {
    case Cause::kFinitePool: return "finite_pool";
    case Cause::kWeakApproximation: return "weak_approximation";
    case Cause::kRetries: return "retries";
    case Cause::kFaults: return "faults";
    case Cause::kFewSamples: return "few_samples";
    case Cause::kSaturation: return "saturation";
  }
  return "unknown";
}

double ComparisonRow::simulated_mean() const {
  double sum = 0.0;
  for (double x : simulated) sum += x;
  return simulated.empty() ? 0.0 : sum / static_cast<double>(simulated.size());
}

std::optional<double> analytic_availability(const models::ScenarioConfig& config, const AnalysisResult& analysis) {
  if (analysis.availability) return analysis.availability->availability;
  if (config.faults.empty()) return 1.0;
  return std::nullopt;
}

Comparison compare(const models::ScenarioConfig& config, const AnalysisResult& analysis,
                   std::span<const models::RunResult> runs) {
  const QueueingAnalysis& q = analysis.queueing;
  Builder rows(config, analysis, runs);
  rows.add("throughput", Quantity::kThroughput, finite(q.throughput), {},
           [](const models::RunResult& r) { return std::optional(r.throughput()); }, succeeded);

  // By class, or overall for -1; a saturated analysis has none (and no q.classes).
  const auto response = [&q](int c) -> std::optional<double> {
    if (!q.stable) return std::nullopt;
    return finite(c < 0 ? q.total.response : q.classes[static_cast<std::size_t>(c)].response);
  };
  rows.add("response", Quantity::kResponse, response(-1), weak_stations(analysis, -1),
           [](const models::RunResult& r) { return mean_seconds(r.latency); }, succeeded);
  // Percentiles of the class mix: exact for an M/M/c path, else a fit (queueing.hpp).
  for (const auto& [label, level] : {std::pair{"response p50", 0.5}, {"response p90", 0.9}, {"response p99", 0.99}}) {
    const double p = level;  // a copy: clang 14 cannot capture a structured binding in a lambda
    const std::optional<double> analytic =
        q.stable ? finite(response_quantile(q, analysis.model.shares, -1, p)) : std::nullopt;
    rows.add(label, Quantity::kResponse, analytic, weak_stations(analysis, -1),
             [p](const models::RunResult& r) -> std::optional<double> {
               if (r.latency.count() == 0) return std::nullopt;
               return r.latency.quantile(p) / 1e9;
             },
             succeeded);
  }
  for (std::size_t c = 0; c < analysis.model.classes.size(); ++c) {
    const std::string& name = analysis.model.classes[c];
    const auto measure = [&name](const models::RunResult& r) -> std::optional<double> {
      const models::ClassResult* k = class_named(r, name);
      return k ? mean_seconds(k->latency) : std::nullopt;
    };
    const auto requests = [&name](const models::RunResult& r) {
      const models::ClassResult* k = class_named(r, name);
      return k ? static_cast<double>(k->counts.succeeded) : 0.0;
    };
    rows.add("response " + name, Quantity::kResponse, response(static_cast<int>(c)),
             weak_stations(analysis, static_cast<int>(c)), measure, requests);
  }

  for (const HostStations& h : hosts_of(analysis.model)) {
    const HostUtilization u = host_utilization(h, analysis.operational);
    const auto station = [&](const char* kind, double analytic, double models::NodeResult::*measured) {
      std::vector<Reason> saturated;
      const std::string name = h.host + "." + kind;
      if (analytic >= 1.0) {
        saturated.push_back({Cause::kSaturation, fmt::format("{}: offered {:.1f}%, more than it can serve", name,
                                                             100.0 * analytic)});
      }
      rows.add(name, Quantity::kUtilization, analytic, std::move(saturated),
               [&h, measured](const models::RunResult& r) -> std::optional<double> {
                 const models::NodeResult* n = node_on(r, h.host);
                 return n ? std::optional(n->*measured) : std::nullopt;
               },
               succeeded);
    };
    station("cpu", u.cpu, &models::NodeResult::cpu_utilization);
    if (h.nic_tx >= 0 || h.nic_rx >= 0) station("nic", u.nic, &models::NodeResult::nic_utilization);
    if (h.disk >= 0) station("disk", u.disk, &models::NodeResult::disk_utilization);
  }

  // The model's availability is the fraction of time the path is up, so it
  // meets the simulation's time availability (SLO windows), not the share of
  // requests that succeeded, which partial outages and retries keep higher.
  rows.add("time availability", Quantity::kAvailability, analytic_availability(config, analysis), {},
           [](const models::RunResult& r) { return std::optional(r.slo.time_availability()); }, succeeded);
  return rows.finish();
}

std::map<std::string, double> analytic_metrics(const models::ScenarioConfig& config, const AnalysisResult& analysis) {
  const QueueingAnalysis& q = analysis.queueing;
  std::map<std::string, double> out;
  // Past saturation the offered rate is not served: throughput stops at the
  // bottleneck's capacity.
  if (std::isfinite(q.throughput)) out["throughput_rps"] = std::min(q.throughput, analysis.operational.saturation_rate);
  if (q.stable && std::isfinite(q.total.response)) {
    out["latency_ms.mean"] = q.total.response * 1e3;
    out["latency_ms.p50"] = response_quantile(q, analysis.model.shares, -1, 0.5) * 1e3;
    out["latency_ms.p90"] = response_quantile(q, analysis.model.shares, -1, 0.9) * 1e3;
    out["latency_ms.p99"] = response_quantile(q, analysis.model.shares, -1, 0.99) * 1e3;
  }
  if (const auto a = analytic_availability(config, analysis)) out["slo.time_availability"] = *a;
  const std::vector<HostStations> hosts = hosts_of(analysis.model);
  for (const Node& n : analysis.model.nodes) {
    const auto h = std::find_if(hosts.begin(), hosts.end(), [&](const HostStations& s) { return s.host == n.host; });
    const HostUtilization u = h == hosts.end() ? HostUtilization{} : host_utilization(*h, analysis.operational);
    out["nodes." + n.name + ".cpu_utilization"] = u.cpu;
    out["nodes." + n.name + ".nic_utilization"] = u.nic;
    out["nodes." + n.name + ".disk_utilization"] = u.disk;
  }
  return out;
}

}  // namespace analysis
