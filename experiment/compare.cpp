#include "experiment/compare.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "experiment/csv.hpp"
#include "experiment/text_table.hpp"

namespace experiment {

namespace {

using nlohmann::ordered_json;

// Each replication's headline metrics that have a value, by name.
using RunMetrics = std::vector<std::map<std::string, double>>;

RunMetrics values_by_name(const Experiment& e) {
  RunMetrics out;
  for (const auto& r : e.runs) {
    auto& values = out.emplace_back();
    for (const auto& m : headline_metrics(r)) {
      if (m.value) values[m.name] = *m.value;
    }
  }
  return out;
}

// Widened by both sides' resolution errors, which need not cancel.
std::optional<Estimate> paired_difference(const RunMetrics& a, const RunMetrics& b, const std::string& name) {
  std::vector<double> differences;
  double magnitudes = 0.0;
  for (std::size_t r = 0; r < a.size(); ++r) {
    const auto x = a[r].find(name), y = b[r].find(name);
    if (x == a[r].end() || y == b[r].end()) return std::nullopt;
    differences.push_back(x->second - y->second);
    magnitudes += std::abs(x->second) + std::abs(y->second);
  }
  const double mean_magnitude = magnitudes / static_cast<double>(a.size());
  return widened(t_interval(differences), relative_resolution(name) * mean_magnitude);
}

std::string signed_value(Unit unit, double value) {
  const std::string text = format_value(unit, value);
  return value >= 0.0 ? "+" + text : text;
}

std::string number(const std::optional<double>& value) { return value ? fmt::format("{}", *value) : ""; }

}  // namespace

std::vector<ComparedScenario> compare(std::span<const Experiment> experiments, std::span<const std::string> files) {
  assert(experiments.size() == files.size() && !experiments.empty());
  const RunMetrics baseline = values_by_name(experiments.front());
  std::vector<ComparedScenario> out;
  for (std::size_t s = 0; s < experiments.size(); ++s) {
    ComparedScenario scenario{files[s], &experiments[s], {}};
    const RunMetrics own = s == 0 ? RunMetrics{} : values_by_name(experiments[s]);
    for (auto& m : summarize(experiments[s].runs)) {
      ComparedMetric c{std::move(m), std::nullopt};
      if (s > 0) c.difference = paired_difference(own, baseline, c.own.metric.name);
      scenario.metrics.push_back(std::move(c));
    }
    out.push_back(std::move(scenario));
  }
  return out;
}

std::string comparison_table(std::span<const ComparedScenario> scenarios, unsigned jobs) {
  const Experiment& first = *scenarios.front().experiment;
  const models::RunConfig& run = first.config.run;
  std::string out;
  add_field(out, "compare",
            fmt::format("{} scenarios, seed {}, {} replications each, paired by replication", scenarios.size(),
                        run.seed, first.runs.size()));
  add_field(out, "simulated", fmt::format("{} per replication, of which warm-up {}", sim::format_duration(run.duration),
                                          sim::format_duration(run.warmup)));
  std::uint64_t events = 0;
  for (const auto& s : scenarios) {
    for (const auto& r : s.experiment->runs) events += r.events;
    if (s.experiment->warmup) add_field(out, "warm-up", s.experiment->config.name + ": " + warmup_text(*s.experiment));
  }
  if (first.stopping) {
    add_field(out, "precision", fmt::format("target +-{:g}% on mean and p99 latency of every scenario: {} with {} "
                                            "replications",
                                            first.stopping->target * 100.0,
                                            first.stopping->reached ? "reached" : "NOT reached", first.runs.size()));
  }
  if (const auto& latency = first.config.slo.latency) {
    add_field(out, "objective", fmt::format("a request is good when it succeeds within {} (slo.latency of {})",
                                            sim::format_duration(*latency), first.config.name));
  }
  add_field(out, "engine", fmt::format("{} events in {:.3f}s wall on {} thread{}", events, first.wall_seconds, jobs,
                                       jobs == 1 ? "" : "s"));
  out += '\n';

  const std::string& baseline = first.config.name;
  TextTable table({"metric", "scenario", "value [95% CI]", "difference vs " + baseline + " [95% CI]", ""}, 2);
  bool first_block = true;
  for (const auto& baseline_metric : scenarios.front().metrics) {
    const Metric& metric = baseline_metric.own.metric;
    if (!metric.node.empty()) continue;  // nodes differ between topologies
    if (!first_block) table.add_row({"", "", "", "", ""});
    first_block = false;
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
      const auto& metrics = scenarios[s].metrics;
      const auto found = std::find_if(metrics.begin(), metrics.end(),
                                      [&](const ComparedMetric& c) { return c.own.metric.name == metric.name; });
      if (found == metrics.end()) continue;
      const ComparedMetric& c = *found;
      std::string difference, mark;
      if (const auto& d = c.difference) {
        difference = d->lo ? fmt::format("{} [{}, {}]", signed_value(metric.unit, d->value),
                                         signed_value(metric.unit, *d->lo), signed_value(metric.unit, *d->hi))
                           : signed_value(metric.unit, d->value);
        if (d->excludes_zero()) mark = "*";
      }
      table.add_row({s == 0 ? metric.label : "", scenarios[s].experiment->config.name,
                     format_estimate(c.own.metric, c.own.estimate), difference, mark});
    }
  }
  table.render_to(out);
  out += "\n* the 95% interval of the paired difference excludes 0. Every scenario saw the same requests\n"
         "  (arrival times, classes, demands) in each replication: common random numbers.\n";
  return out;
}

ordered_json comparison_json(std::span<const ComparedScenario> scenarios) {
  const Experiment& first = *scenarios.front().experiment;
  ordered_json j = ordered_json::object();
  j["seed"] = first.config.run.seed;
  j["replications"] = first.runs.size();
  j["duration_s"] = sim::to_seconds(first.config.run.duration);
  j["warmup_s"] = sim::to_seconds(first.config.run.warmup);
  j["baseline"] = first.config.name;
  ordered_json list = ordered_json::array();
  std::uint64_t events = 0;
  for (const auto& s : scenarios) {
    const Experiment& e = *s.experiment;
    for (const auto& r : e.runs) events += r.events;
    ordered_json sj = ordered_json::object();
    sj["scenario"] = e.config.name;
    sj["file"] = s.file;
    ordered_json metrics = ordered_json::object();
    ordered_json differences = &s == &scenarios.front() ? ordered_json() : ordered_json::object();
    for (const auto& c : s.metrics) {
      metrics[c.own.metric.name] = estimate_json(c.own.estimate);
      if (differences.is_object() && c.difference) {
        ordered_json d = estimate_json(c.difference);
        d["significant"] = c.difference->excludes_zero();
        differences[c.own.metric.name] = std::move(d);
      }
    }
    sj["metrics"] = std::move(metrics);
    sj["difference"] = std::move(differences);
    const ordered_json full = experiment_json(e);
    for (const char* key : {"warmup_detection", "sequential"}) {
      if (full.contains(key)) sj[key] = full[key];
    }
    list.push_back(std::move(sj));
  }
  j["scenarios"] = std::move(list);
  j["engine"] = {{"events", events}, {"wall_s", first.wall_seconds}};
  return j;
}

std::string comparison_csv(std::span<const ComparedScenario> scenarios) {
  std::string out = "scenario,file,metric,value,lo,hi,difference,difference_lo,difference_hi,significant\n";
  for (const auto& s : scenarios) {
    for (const auto& c : s.metrics) {
      const auto& e = c.own.estimate;
      const auto& d = c.difference;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_cell(s.experiment->config.name), csv_cell(s.file),
                         csv_cell(c.own.metric.name), number(e ? std::optional(e->value) : std::nullopt),
                         number(e ? e->lo : std::nullopt), number(e ? e->hi : std::nullopt),
                         number(d ? std::optional(d->value) : std::nullopt), number(d ? d->lo : std::nullopt),
                         number(d ? d->hi : std::nullopt), d ? (d->excludes_zero() ? "true" : "false") : "");
    }
  }
  return out;
}

}  // namespace experiment
