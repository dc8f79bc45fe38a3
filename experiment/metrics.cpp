#include "experiment/metrics.hpp"

#include <algorithm>

#include "models/topology.hpp"

namespace experiment {

std::vector<Metric> headline_metrics(const models::RunResult& r) {
  std::vector<const report::RunField*> headline;
  for (const auto& f : report::run_fields()) {
    if (!f.headline.label.empty()) headline.push_back(&f);
  }
  // With a latency objective, the metrics that measure against it lead.
  const auto place = [&](const report::RunField* f) {
    return std::pair(r.slo.latency && f->headline.leads_with_objective ? 0 : 1, f->headline.rank);
  };
  std::stable_sort(headline.begin(), headline.end(),
                   [&](const auto* a, const auto* b) { return place(a) < place(b); });
  std::vector<Metric> out;
  for (const auto* f : headline) {
    const report::MetricValue v = f->metric(r);
    out.push_back(Metric{std::string(f->path), std::string(f->headline.label), {}, f->headline.unit, v.value,
                         v.among_failures});
  }
  for (const auto& n : r.nodes) {
    for (const auto& f : report::node_fields()) {
      if (f.label.empty()) continue;
      out.push_back(Metric{"nodes." + n.name + "." + std::string(f.key), std::string(f.label), n.name, f.unit,
                           f.metric(n)});
    }
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
