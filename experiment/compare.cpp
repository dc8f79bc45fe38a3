#include "experiment/compare.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "experiment/csv.hpp"
#include "experiment/text_table.hpp"
#include "sim/statistics.hpp"

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

// Latency percentiles are compared as ratios: the t-interval of the mean log
// ratio, R = log X - log Y per replication, is the interval of the ratio of
// the two geometric means (the percentiles' point estimates), shown in ms of
// the baseline as GM(Y) (e^R - 1). Other metrics: the t-interval of the
// differences. compare() then widens a percentile's interval by the
// resolution, which common random numbers do not cancel.
std::optional<Estimate> paired_difference(const RunMetrics& a, const RunMetrics& b, const std::string& name) {
  std::vector<double> differences, log_ratios, baseline_logs;
  bool positive = true;
  for (std::size_t r = 0; r < a.size(); ++r) {
    const auto x = a[r].find(name), y = b[r].find(name);
    if (x == a[r].end() || y == b[r].end()) return std::nullopt;
    differences.push_back(x->second - y->second);
    positive = positive && x->second > 0.0 && y->second > 0.0;
    if (positive) {
      log_ratios.push_back(std::log(x->second) - std::log(y->second));
      baseline_logs.push_back(std::log(y->second));
    }
  }
  if (relative_resolution(name) == 0.0 || !positive) return t_interval(differences);
  const Estimate ratio = t_interval(log_ratios);
  const double baseline = std::exp(t_interval(baseline_logs).value);
  Estimate e;
  e.value = baseline * std::expm1(ratio.value);
  if (ratio.lo) {
    e.lo = baseline * std::expm1(*ratio.lo);
    e.hi = baseline * std::expm1(*ratio.hi);
  }
  return e;
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
  const std::vector<MetricEstimate> baseline_metrics = summarize(experiments.front().runs);
  std::vector<ComparedScenario> out;
  for (std::size_t s = 0; s < experiments.size(); ++s) {
    ComparedScenario scenario{files[s], &experiments[s], {}};
    const RunMetrics own = s == 0 ? RunMetrics{} : values_by_name(experiments[s]);
    for (auto& m : summarize(experiments[s].runs)) {
      ComparedMetric c{std::move(m), std::nullopt, false};
      if (s > 0) {
        c.difference = paired_difference(own, baseline, c.own.metric.name);
        const auto base = std::find_if(baseline_metrics.begin(), baseline_metrics.end(),
                                       [&](const MetricEstimate& b) { return b.metric.name == c.own.metric.name; });
        if (c.difference && c.own.estimate && base != baseline_metrics.end() && base->estimate) {
          // Each value may be off by its resolution, and the two errors need
          // not cancel: paired replications that fall in the same buckets
          // would otherwise give an interval of no width around a difference
          // that is only known to within a bucket.
          const double resolution = relative_resolution(c.own.metric.name) *
                                    (std::abs(c.own.estimate->value) + std::abs(base->estimate->value));
          c.difference = widened(*c.difference, resolution);
          c.significant = c.difference->excludes_zero();
        }
      }
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
        if (c.significant) mark = "*";
      }
      table.add_row({s == 0 ? metric.label : "", scenarios[s].experiment->config.name,
                     format_estimate(c.own.metric, c.own.estimate), difference, mark});
    }
  }
  table.render_to(out);
  out += fmt::format(
      "\n* the 95% interval of the paired difference excludes 0; for percentiles it is widened by\n"
      "  their resolution ({:.2g}% of each value). Every scenario saw the same requests\n"
      "  (arrival times, classes, demands) in each replication: common random numbers.\n",
      100.0 * sim::LatencyHistogram::kRelativeResolution);
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
        d["significant"] = c.significant;
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
                         number(d ? d->hi : std::nullopt), d ? (c.significant ? "true" : "false") : "");
    }
  }
  return out;
}

}  // namespace experiment
