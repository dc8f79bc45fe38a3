#include "experiment/metrics.hpp"

#include <algorithm>

#include "models/stack.hpp"
#include "sim/simulation.hpp"

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
  // One line per metric; names are the keys of report::run_result_json.
  std::vector<Metric> out{
      global("latency_ms.mean", "latency mean (ms)", Unit::kMilliseconds, ms_if_measured(h, h.mean())),
      global("latency_ms.p50", "latency p50 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.5))),
      global("latency_ms.p90", "latency p90 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.9))),
      global("latency_ms.p99", "latency p99 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.99))),
      global("latency_ms.p999", "latency p99.9 (ms)", Unit::kPercentileMilliseconds, ms_if_measured(h, h.quantile(0.999))),
      global("throughput_rps", "throughput (req/s)", Unit::kPerSecond, r.throughput()),
      global("availability", "availability", Unit::kAvailability, r.availability()),
      global("slo.time_availability", "time availability", Unit::kAvailability, r.slo.time_availability()),
  };
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

std::vector<Metric> headline_metrics(const models::ScenarioConfig& config) {
  sim::Simulation sim(config.run.seed);
  const models::Stack stack(config, sim);
  std::vector<Metric> metrics = headline_metrics(stack.results());
  for (auto& m : metrics) m.value.reset();
  return metrics;
}

}  // namespace experiment
