#include "experiment/summary.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "experiment/text_table.hpp"
#include "report/json_report.hpp"
#include "report/metric_table.hpp"
#include "report/table_report.hpp"

namespace experiment {

namespace {

using nlohmann::ordered_json;

bool is_single(const Experiment& e) { return e.runs.size() == 1 && !e.stopping; }

// The smallest and largest latency the replications measured, ms.
struct Observed {
  double min = 0.0, max = 0.0;
};

// An estimate over replications: a latency percentile's by
// percentile_interval within what was observed, any other's by the t-interval.
Estimate estimate_of(std::span<const double> samples, std::string_view name, const std::optional<Observed>& observed) {
  const double resolution = relative_resolution(name);
  if (resolution > 0.0 && observed) return percentile_interval(samples, resolution, observed->min, observed->max);
  const Estimate e = t_interval(samples);
  return widened(e, resolution * std::abs(e.value));
}

// The "min" and "max" of a latency object in every replication.
std::optional<Observed> observed_range(const std::vector<const ordered_json*>& values) {
  Observed o{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (const auto* v : values) {
    if (!v->contains("min") || !v->contains("max") || !(*v)["min"].is_number() || !(*v)["max"].is_number()) {
      return std::nullopt;
    }
    o.min = std::min(o.min, (*v)["min"].get<double>());
    o.max = std::max(o.max, (*v)["max"].get<double>());
  }
  return o;
}

// The value under `key` in every replication's report, summarised: numbers
// become estimates, objects and equally long arrays are summarised member by
// member; other values stay when all replications agree, else null.
// `observed` is the latency range of the object holding the value.
ordered_json summarize_json(const std::vector<const ordered_json*>& values, std::string_view key,
                            const std::optional<Observed>& observed = std::nullopt) {
  const ordered_json& first = *values.front();
  if (first.is_object()) {
    const std::optional<Observed> range = observed_range(values);
    ordered_json out = ordered_json::object();
    for (const auto& [child, value] : first.items()) {
      std::vector<const ordered_json*> children;
      for (const auto* v : values) children.push_back(&v->at(child));
      out[child] = summarize_json(children, child, range);
    }
    return out;
  }
  const auto same_array = [&](const ordered_json* v) { return v->is_array() && v->size() == first.size(); };
  if (first.is_array() && std::all_of(values.begin(), values.end(), same_array)) {
    ordered_json out = ordered_json::array();
    for (std::size_t i = 0; i < first.size(); ++i) {
      std::vector<const ordered_json*> elements;
      for (const auto* v : values) elements.push_back(&(*v)[i]);
      out.push_back(summarize_json(elements, key));
    }
    return out;
  }
  bool numbers = false, nulls = false, equal = true;
  std::vector<double> samples;
  for (const auto* v : values) {
    if (v->is_number()) {
      numbers = true;
      samples.push_back(v->get<double>());
    }
    nulls = nulls || v->is_null();
    equal = equal && *v == first;
  }
  if (numbers) return estimate_json(nulls ? std::nullopt : std::optional(estimate_of(samples, key, observed)));
  return equal ? first : ordered_json();
}

ordered_json warmup_json(const Experiment& e) {
  const WarmupDetection& w = *e.warmup;
  ordered_json j = ordered_json::object();
  j["method"] = "MSER-5";
  j["series"] = "latency_ms.mean per window, replication 0";
  j["window_s"] = sim::to_seconds(w.window);
  j["batches"] = w.mser.batches;
  j["cut_batches"] = w.mser.cut_batches;
  j["cut_s"] = sim::to_seconds(w.mser.cut);
  j["at_limit"] = w.mser.at_limit;
  return j;
}

ordered_json sequential_json(const Stopping& s) {
  ordered_json j = ordered_json::object();
  j["target"] = s.target;
  j["reached"] = s.reached;
  ordered_json widths = ordered_json::object();
  widths["latency_ms.mean"] = s.mean_latency;
  widths["latency_ms.p99"] = s.p99_latency;
  j["relative_half_width"] = std::move(widths);
  return j;
}

std::string per_second(double rate) {
  if (rate >= 1e6) return fmt::format("{:.2f}M", rate / 1e6);
  if (rate >= 1e3) return fmt::format("{:.2f}k", rate / 1e3);
  return fmt::format("{:.0f}", rate);
}

}  // namespace

std::vector<MetricEstimate> summarize(std::span<const models::RunResult> runs) {
  assert(!runs.empty());
  std::vector<std::vector<Metric>> per_run;
  for (const auto& r : runs) per_run.push_back(headline_metrics(r));
  Observed observed{std::numeric_limits<double>::infinity(), 0.0};
  for (const auto& r : runs) {
    if (r.latency.count() == 0) continue;
    observed.min = std::min(observed.min, sim::to_milliseconds(r.latency.min()));
    observed.max = std::max(observed.max, sim::to_milliseconds(r.latency.max()));
  }
  std::vector<MetricEstimate> out;
  for (std::size_t m = 0; m < per_run.front().size(); ++m) {
    std::vector<double> samples;
    MetricEstimate estimate{per_run.front()[m], std::nullopt};
    for (const auto& metrics : per_run) {
      if (metrics[m].value) samples.push_back(*metrics[m].value);
      // A percentile among the failures is beyond every success, an unbounded
      // value: the mean over replications is too, so one such replication
      // makes the estimate "fail" (docs/statistics.md).
      estimate.metric.among_failures = estimate.metric.among_failures || metrics[m].among_failures;
    }
    if (samples.size() == runs.size()) estimate.estimate = estimate_of(samples, estimate.metric.name, std::optional(observed));
    out.push_back(std::move(estimate));
  }
  return out;
}

ordered_json estimate_json(const std::optional<Estimate>& e) {
  ordered_json j = ordered_json::object();
  j["value"] = e ? ordered_json(e->value) : ordered_json();
  j["ci95"] = e && e->lo ? ordered_json::array({*e->lo, *e->hi}) : ordered_json();
  return j;
}

ordered_json experiment_json(const Experiment& e) {
  ordered_json out;
  if (is_single(e)) {
    out = report::run_result_json(e.runs.front());
  } else {
    std::vector<ordered_json> reports;
    for (const auto& r : e.runs) reports.push_back(report::run_result_json(r));
    std::vector<const ordered_json*> values;
    for (const auto& r : reports) values.push_back(&r);
    std::uint64_t events = 0;
    for (const auto& r : e.runs) events += r.events;
    out = ordered_json::object();
    for (const auto& [key, value] : reports.front().items()) {
      switch (report::across_of(key)) {
        case report::Across::kReplications: out["replications"] = e.runs.size(); break;
        case report::Across::kSame: out[key] = value; break;
        case report::Across::kEngine: out[key] = {{"events", events}, {"wall_s", e.wall_seconds}}; break;
        case report::Across::kEstimate: {
          std::vector<const ordered_json*> children;
          for (const auto* v : values) children.push_back(&v->at(key));
          out[key] = summarize_json(children, key);
          break;
        }
      }
    }
  }
  if (e.warmup) out["warmup_detection"] = warmup_json(e);
  if (e.stopping) out["sequential"] = sequential_json(*e.stopping);
  return out;
}

std::string warmup_text(const Experiment& e) {
  const WarmupDetection& w = *e.warmup;
  std::string text = fmt::format(
      "auto, MSER-5 on the mean latency of replication 0 in {} windows: {} (batch {} of {})",
      sim::format_duration(w.window), sim::format_duration(w.mser.cut), w.mser.cut_batches, w.mser.batches);
  if (w.mser.cut != e.config.run.warmup) text += fmt::format("; used {}, the latest cut compared", sim::format_duration(e.config.run.warmup));
  if (w.mser.at_limit) text += "; at the search limit: the transient may outlast it, run longer";
  return text;
}

std::string experiment_table(const Experiment& e, unsigned jobs) {
  if (is_single(e)) {
    std::string out = report::run_result_table(e.runs.front());
    if (e.warmup) {
      out += '\n';
      add_field(out, "warm-up", warmup_text(e));
    }
    return out;
  }
  const models::RunConfig& run = e.config.run;
  std::string out;
  add_field(out, "scenario", fmt::format("{} (seed {}, {} replications)", e.config.name, run.seed, e.runs.size()));
  add_field(out, "simulated", fmt::format("{} per replication, of which warm-up {}", sim::format_duration(run.duration),
                                          sim::format_duration(run.warmup)));
  if (e.warmup) add_field(out, "warm-up", warmup_text(e));
  if (e.stopping) {
    const Stopping& s = *e.stopping;
    add_field(out, "precision",
              fmt::format("target +-{:g}% on mean and p99 latency: {} with {} replications (mean +-{:.1f}%, p99 "
                          "+-{:.1f}%)",
                          s.target * 100.0, s.reached ? "reached" : "NOT reached", e.runs.size(),
                          s.mean_latency * 100.0, s.p99_latency * 100.0));
  }
  std::uint64_t events = 0;
  for (const auto& r : e.runs) events += r.events;
  std::string engine = fmt::format("{} events in {:.3f}s wall on {} thread{}", events, e.wall_seconds, jobs,
                                   jobs == 1 ? "" : "s");
  if (e.wall_seconds > 0.0) engine += fmt::format(" ({} events/s)", per_second(static_cast<double>(events) / e.wall_seconds));
  add_field(out, "engine", engine);
  out += '\n';

  const std::vector<MetricEstimate> metrics = summarize(e.runs);
  TextTable global({"metric", "value", "95% CI", "+-"}, 1);
  for (const auto& m : metrics) {
    if (!m.metric.node.empty()) continue;
    std::string interval = "-";
    if (m.estimate && m.estimate->lo) {
      interval = fmt::format("[{}, {}]", format_value(m.metric.unit, *m.estimate->lo),
                             format_value(m.metric.unit, *m.estimate->hi));
    }
    const std::string value = m.estimate ? format_value(m.metric.unit, m.estimate->value)
                                         : std::string(report::no_value(m.metric.among_failures));
    global.add_row({m.metric.label, value, interval, format_relative(m.estimate)});
  }
  global.render_to(out);
  out += '\n';

  // One row per node, its metrics as columns, named after the first node's.
  const auto& nodes = e.runs.front().nodes;
  std::vector<std::string> headers{"node", "tier", "host"};
  for (const auto& m : metrics) {
    if (!nodes.empty() && m.metric.node == nodes.front().name) headers.push_back(m.metric.label);
  }
  TextTable table(headers, 3);
  for (const auto& n : nodes) {
    std::vector<std::string> cells{n.name, n.tier, n.host};
    for (const auto& m : metrics) {
      if (m.metric.node == n.name) cells.push_back(format_estimate(m.metric, m.estimate));
    }
    table.add_row(std::move(cells));
  }
  table.render_to(out);
  out += '\n' + report::resolution_note();
  return out;
}

}  // namespace experiment
