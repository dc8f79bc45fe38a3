#include "cli/analysis_outputs.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "analysis/analysis_report.hpp"
#include "experiment/csv.hpp"
#include "experiment/statistics.hpp"
#include "experiment/summary.hpp"
#include "experiment/text_table.hpp"

namespace cli {

namespace {

using analysis::Comparison;
using analysis::ComparisonRow;
using analysis::Quantity;
using nlohmann::ordered_json;

experiment::Unit unit_of(Quantity q) {
  switch (q) {
    case Quantity::kThroughput: return experiment::Unit::kPerSecond;
    case Quantity::kResponse: return experiment::Unit::kMilliseconds;
    case Quantity::kUtilization: return experiment::Unit::kUtilization;
    case Quantity::kAvailability: return experiment::Unit::kAvailability;
  }
  return experiment::Unit::kUtilization;
}

// Responses are analysed in seconds and shown in milliseconds.
double shown(Quantity q, double value) { return q == Quantity::kResponse ? value * 1e3 : value; }

std::optional<experiment::Estimate> simulated_estimate(const ComparisonRow& row) {
  if (row.simulated.empty()) return std::nullopt;
  experiment::Estimate e = experiment::t_interval(row.simulated);
  const double scale = shown(row.quantity, 1.0);
  e.value *= scale;
  if (e.lo) {
    *e.lo *= scale;
    *e.hi *= scale;
  }
  return e;
}

std::string label_of(const ComparisonRow& row) {
  if (row.quantity == Quantity::kThroughput) return "throughput (req/s)";
  if (row.quantity == Quantity::kResponse) {
    return row.name == "response" ? "response (ms)" : "  " + row.name.substr(row.name.find(' ') + 1);
  }
  return row.name;
}

// `prefix` then `text`, in lines of at most `width` columns (a word longer
// than a line stays whole); lines after the first are indented as deep as the prefix.
std::string wrapped(const std::string& prefix, const std::string& text, std::size_t width) {
  std::string out, line = prefix;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    const std::string word = text.substr(start, end - start);
    const bool fresh = line.size() == prefix.size();
    if (!fresh && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = std::string(prefix.size(), ' ') + word;
    } else {
      line += (fresh ? "" : " ") + word;
    }
    start = end + 1;
  }
  return out + line + "\n";
}

}  // namespace

std::string comparison_table(const Comparison& comparison) {
  std::string out = fmt::format(
      "\nanalysis vs simulation ({} replication{})\n"
      "! marks a difference beyond {:g}% for utilization (and {:g} points) and throughput, {:g}% for\n"
      "response times, {:g}% of the unavailability (docs/analysis.md)\n",
      comparison.replications, comparison.replications == 1 ? "" : "s", 100.0 * analysis::kUtilizationTolerance,
      100.0 * analysis::kUtilizationFloor, 100.0 * analysis::kResponseTolerance,
      100.0 * analysis::kUnavailabilityTolerance);
  experiment::TextTable table({"", "", "analytic", "simulated", "+-95%", "diff", "why"}, 2);
  // Each distinct reason once, numbered; rows refer to them by number.
  std::vector<std::pair<analysis::Cause, std::string>> reasons;
  for (const ComparisonRow& row : comparison.rows) {
    const experiment::Unit unit = unit_of(row.quantity);
    const auto estimate = simulated_estimate(row);
    const std::string analytic = row.analytic ? experiment::format_value(unit, shown(row.quantity, *row.analytic)) : "-";
    const std::string half = estimate && estimate->lo ? experiment::format_value(unit, estimate->half_width()) : "-";
    const std::string difference = row.difference ? fmt::format("{:+.2f}%", 100.0 * *row.difference) : "-";
    std::string why;
    for (const auto& r : row.reasons) {
      const std::pair<analysis::Cause, std::string> reason{r.cause, r.detail};
      auto it = std::find(reasons.begin(), reasons.end(), reason);
      if (it == reasons.end()) it = reasons.insert(it, reason);
      why += fmt::format("{}{}", why.empty() ? "" : ",", it - reasons.begin() + 1);
    }
    if (row.highlighted && why.empty()) why = "?";
    table.add_row({row.highlighted ? "!" : "", label_of(row), analytic,
                   estimate ? experiment::format_value(unit, estimate->value) : "-", half, difference, why});
  }
  table.render_to(out);
  if (!reasons.empty()) out += "\nlikely reasons (? where none is known)\n";
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const auto& [cause, detail] = reasons[i];
    out += wrapped(fmt::format("{:>3}  ", i + 1), fmt::format("{}: {}", analysis::cause_name(cause), detail), 100);
  }
  return out;
}

ordered_json comparison_json(const Comparison& comparison) {
  ordered_json j = ordered_json::object();
  j["method"] = comparison.method;
  j["replications"] = comparison.replications;
  j["thresholds"] = ordered_json{{"utilization_relative", analysis::kUtilizationTolerance},
                                 {"utilization_absolute", analysis::kUtilizationFloor},
                                 {"throughput_relative", analysis::kUtilizationTolerance},
                                 {"response_relative", analysis::kResponseTolerance},
                                 {"unavailability_relative", analysis::kUnavailabilityTolerance},
                                 {"unavailability_absolute", analysis::kUnavailabilityFloor}};
  ordered_json rows = ordered_json::array();
  for (const ComparisonRow& row : comparison.rows) {
    static const std::map<Quantity, std::pair<const char*, const char*>> kNames{
        {Quantity::kThroughput, {"throughput", "per_s"}},
        {Quantity::kResponse, {"response", "ms"}},
        {Quantity::kUtilization, {"utilization", "fraction"}},
        {Quantity::kAvailability, {"availability", "fraction"}}};
    const auto& [quantity, unit] = kNames.at(row.quantity);
    ordered_json reasons = ordered_json::array();
    for (const auto& r : row.reasons) reasons.push_back({{"cause", analysis::cause_name(r.cause)}, {"detail", r.detail}});
    rows.push_back({{"name", row.name},
                    {"quantity", quantity},
                    {"unit", unit},
                    {"analytic", row.analytic ? ordered_json(shown(row.quantity, *row.analytic)) : ordered_json()},
                    {"simulated", experiment::estimate_json(simulated_estimate(row))},
                    {"difference", row.difference ? ordered_json(*row.difference) : ordered_json()},
                    {"highlight", row.highlighted},
                    {"reasons", std::move(reasons)}});
  }
  j["rows"] = std::move(rows);
  return j;
}

std::string analytic_sweep_csv(const experiment::SweepPlan& plan) {
  std::vector<analysis::AnalysisResult> analyses;
  std::vector<std::map<std::string, double>> values;
  for (const auto& point : plan.points) {
    analyses.push_back(analysis::analyze(point.config));
    values.push_back(analysis::analytic_metrics(point.config, analyses.back()));
  }
  std::vector<std::string> metrics;
  for (const auto& name : plan.metrics) {
    if (std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.contains(name); })) {
      metrics.push_back(name);
    }
  }
  std::string text;
  for (const auto& key : plan.keys) text += experiment::csv_cell(key) + ",";
  for (const auto& name : metrics) text += experiment::csv_cell(name) + ",";
  text += "operational.bottleneck,operational.bottleneck_utilization,operational.saturation_rate_per_s\n";
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    for (const auto& cell : plan.points[p].cells) text += experiment::csv_cell(cell) + ",";
    for (const auto& name : metrics) {
      const auto it = values[p].find(name);
      text += (it == values[p].end() ? std::string() : fmt::format("{}", it->second)) + ",";
    }
    const analysis::OperationalAnalysis& op = analyses[p].operational;
    if (op.bottleneck >= 0) {
      const analysis::Resource& b = op.resources[static_cast<std::size_t>(op.bottleneck)];
      text += fmt::format("{},{},{}", experiment::csv_cell(b.name), b.utilization, op.saturation_rate);
    } else {
      text += ",,";
    }
    text += "\n";
  }
  return text;
}

}  // namespace cli
