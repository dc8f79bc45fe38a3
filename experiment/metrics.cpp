#include "experiment/metrics.hpp"

#include <algorithm>

#include "models/topology.hpp"

namespace experiment {

namespace {

std::optional<double> ms_if_measured(const sim::LatencyHistogram& h, double nanoseconds) {
  if (h.count() == 0) return std::nullopt;
  return nanoseconds / 1e6;
}

}  // namespace

std::vector<Metric> headline_metrics(const models::RunResult& r) {
  const auto& h = r.latency;
  const auto global = [](std::string name, std::string label, Unit unit, std::optional<double> value) {
    return Metric{std::move(name), std::move(label), {}, unit, value};
  };
  const auto all_finished = [&](std::string key, std::string label, double q) {
    Metric m = global("latency_all_ms." + key, "all finished " + label + " (ms)", Unit::kPercentileMilliseconds,
                      std::nullopt);
    if (r.totals.ended() == 0) return m;
    const auto ns = models::quantile_with_failures(h, r.totals, q);
    m.value = ns ? std::optional(*ns / 1e6) : std::nullopt;
    m.among_failures = !ns;
    return m;
  };
  const std::vector<Metric> objective{
      global("slo.attainment", "SLO attainment", Unit::kAvailability, r.attainment()),
      global("goodput_rps", "goodput (req/s)", Unit::kPerSecond, r.goodput()),
  };
  // One line per metric; names are the keys of report::run_result_json.
  std::vector<Metric> out;
  if (r.slo.latency) out = objective;
  for (auto& m : {
           global("latency_ms.mean", "latency mean (ms)", Unit::kMilliseconds, ms_if_measured(h, h.mean())),
           global("latency_ms.p50", "latency p50 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.5))),
           global("latency_ms.p90", "latency p90 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.9))),
           global("latency_ms.p99", "latency p99 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.99))),
           global("latency_ms.p999", "latency p99.9 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.999))),
           all_finished("p50", "p50", 0.5),
           all_finished("p90", "p90", 0.9),
           all_finished("p99", "p99", 0.99),
           all_finished("p999", "p99.9", 0.999),
           global("throughput_rps", "throughput (req/s)", Unit::kPerSecond, r.throughput()),
           global("availability", "availability", Unit::kAvailability, r.availability()),
       }) {
    out.push_back(m);
  }
  if (!r.slo.latency) out.insert(out.end(), objective.begin(), objective.end());
  out.push_back(global("slo.time_availability", "time availability", Unit::kAvailability, r.slo.time_availability()));
  for (const auto& n : r.nodes) {
    const auto node = [&](std::string_view key, std::string label, double value) {
      return Metric{"nodes." + n.name + "." + std::string(key), std::move(label), n.name, Unit::kUtilization, value};
    };
    out.push_back(node("cpu_utilization", "CPU", n.cpu_utilization));
    out.push_back(node("nic_utilization", "NIC", n.nic_utilization));
    out.push_back(node("disk_utilization", "disk", n.disk_utilization));
  }
  return out;
}

double relative_resolution(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view key = dot == std::string_view::npos ? name : name.substr(dot + 1);
  const bool quantile = key.size() > 1 && key[0] == 'p' &&
                        std::all_of(key.begin() + 1, key.end(), [](char c) { return c >= '0' && c <= '9'; });
  return quantile ? 1.0 / 128.0 : 0.0;
}

// The metrics a run of `config` reports, without values: only the node
// names and whether there is a latency objective shape the list.
std::vector<Metric> headline_metrics(const models::ScenarioConfig& config) {
  models::RunResult shape;
  shape.slo.latency = config.slo.latency;
  const models::Topology topology(config);
  for (const auto& n : topology.nodes()) {
    shape.nodes.push_back(models::NodeResult{n.name, config.tiers[static_cast<std::size_t>(n.tier)].name, n.host});
  }
  std::vector<Metric> metrics = headline_metrics(shape);
  for (auto& m : metrics) m.value.reset();
  return metrics;
}

}  // namespace experiment
