#include "report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "models/request.hpp"
#include "report/html_assets.hpp"

namespace report {

namespace {

using nlohmann::ordered_json;

enum class Merge { kFirst, kSum, kMax, kMin };

Merge merge_of(std::string_view column) {
  if (column == "time_s") return Merge::kFirst;
  if (column == "p50_ms" || column == "p99_ms" || column == "in_flight" || column.starts_with("cpu_")) {
    return Merge::kMax;
  }
  if (column.starts_with("healthy_")) return Merge::kMin;
  return Merge::kSum;
}

double merge(Merge how, double a, double b) {
  switch (how) {
    case Merge::kFirst: return a;
    case Merge::kSum: return a + b;
    case Merge::kMax: return std::max(a, b);
    case Merge::kMin: return std::min(a, b);
  }
  return a;
}

// The page's data inside a <script type="application/json">: "</" would end
// the element early, so it is written "<\/", which JSON reads back as "</".
std::string script_safe(std::string json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The page: styles, an empty <main> the script fills, the data, uPlot and the
// script. Invalid UTF-8 in names (from file names) is replaced, not thrown on.
std::string page(std::string_view title, const ordered_json& data) {
  const std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>\n{}\n{}</style>\n</head>\n<body>\n"
      "<main id=\"report\"><noscript>This report draws its tables and charts with JavaScript.</noscript></main>\n"
      "<script type=\"application/json\" id=\"report-data\">{}</script>\n"
      "<script>\n/*! uPlot's licence:\n{}*/\n{}\n</script>\n<script>\n{}</script>\n</body>\n</html>\n",
      escape_html(title), assets::kUplotCss, assets::kPageCss, script_safe(json), assets::kUplotLicense, assets::kUplotJs,
      assets::kPageJs);
}

std::string text_or(const ordered_json& j, const char* key, std::string_view otherwise) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(otherwise);
}

}  // namespace

void TimeseriesTable::set_columns(std::vector<std::string> columns) {
  columns_ = std::move(columns);
  data_.assign(columns_.size(), {});
  rows_ = 0;
  merged_ = 1;
  pending_ = 0;
}

void TimeseriesTable::add_row(std::vector<double> row) {
  if (pending_ > 0) {
    // The last stored row is still filling up to `merged_` windows.
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      data_[c].back() = merge(merge_of(columns_[c]), data_[c].back(), row[c]);
    }
  } else {
    for (std::size_t c = 0; c < columns_.size(); ++c) data_[c].push_back(row[c]);
    ++rows_;
  }
  pending_ = (pending_ + 1) % merged_;
  if (pending_ == 0 && rows_ > kMaxRows) halve();
}

void TimeseriesTable::halve() {
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const Merge how = merge_of(columns_[c]);
    auto& values = data_[c];
    std::size_t out = 0;
    for (std::size_t i = 0; i < values.size(); i += 2, ++out) {
      values[out] = i + 1 < values.size() ? merge(how, values[i], values[i + 1]) : values[i];
    }
    values.resize(out);
  }
  // An odd last row holds half a merged row: it keeps filling.
  pending_ = rows_ % 2 == 1 ? merged_ : 0;
  rows_ = (rows_ + 1) / 2;
  merged_ *= 2;
}

ordered_json TimeseriesTable::json() const {
  ordered_json j = ordered_json::object();
  j["columns"] = columns_;
  j["merged"] = merged_;
  ordered_json data = ordered_json::array();
  for (const auto& column : data_) {
    ordered_json values = ordered_json::array();
    // Six significant digits, as the CSV (ten for the time: a year in 1 s windows): the page needs no more,
    // and the file stays small.
    const bool time = &column == &data_.front();
    for (double v : column) {
      if (!std::isfinite(v)) {
        values.push_back(nullptr);
      } else {
        values.push_back(std::stod(time ? fmt::format("{:.10g}", v) : fmt::format("{:.6g}", v)));
      }
    }
    data.push_back(std::move(values));
  }
  j["data"] = std::move(data);
  return j;
}

void TimeseriesRecorder::begin(const std::vector<std::string>& node_names) {
  nodes_ = node_names;
  if (also_ != nullptr) also_->begin(node_names);
}

void TimeseriesRecorder::tiers(const std::vector<std::string>& tier_names) {
  // The CSV's columns, in its order (cli/run_outputs.cpp, docs/output.md).
  std::vector<std::string> columns = {"time_s", "offered", "succeeded"};
  for (int i = 0; i < models::kFailureReasonCount; ++i) {
    columns.push_back(fmt::format("failed_{}", models::failure_reason_name(static_cast<models::FailureReason>(i))));
  }
  for (const char* c : {"p50_ms", "p99_ms", "in_flight", "retries"}) columns.emplace_back(c);
  for (const auto& t : tier_names) columns.push_back("healthy_" + t);
  for (const auto& n : nodes_) columns.push_back("cpu_" + n);
  table_.set_columns(std::move(columns));
  if (also_ != nullptr) also_->tiers(tier_names);
}

void TimeseriesRecorder::row(const models::WindowRow& r) {
  std::vector<double> values = {sim::to_seconds(r.start), static_cast<double>(r.offered),
                                static_cast<double>(r.succeeded)};
  for (auto n : r.failed) values.push_back(static_cast<double>(n));
  values.push_back(r.latency_p50_ms);
  values.push_back(r.latency_p99_ms);
  values.push_back(static_cast<double>(r.in_flight));
  values.push_back(static_cast<double>(r.retries));
  for (int h : r.healthy) values.push_back(h);
  for (double u : r.cpu_utilization) values.push_back(u);
  table_.add_row(std::move(values));
  if (also_ != nullptr) also_->row(r);
}

std::string run_page(const ordered_json& run, const ordered_json& timeseries, const std::vector<TraceLine>& trace,
                     bool recorded) {
  ordered_json data = ordered_json::object();
  data["kind"] = "run";
  data["run"] = run;
  data["timeseries"] = timeseries;
  if (recorded) {
    ordered_json lines = ordered_json::array();
    for (const auto& line : trace) lines.push_back(ordered_json::array({line.time_s, line.text}));
    data["trace"] = std::move(lines);
  } else {
    data["trace"] = nullptr;
  }
  return page(fmt::format("tiersim run: {}", text_or(run, "scenario", "run")), data);
}

std::string compare_page(const ordered_json& comparison) {
  ordered_json data = ordered_json::object();
  data["kind"] = "compare";
  data["compare"] = comparison;
  std::string names;
  if (comparison.contains("scenarios") && comparison["scenarios"].is_array()) {
    for (const auto& s : comparison["scenarios"]) names += (names.empty() ? "" : " vs ") + text_or(s, "scenario", "?");
  }
  return page(fmt::format("tiersim compare: {}", names), data);
}

std::optional<std::string> template_label(const std::string& key, const std::vector<std::string>& values,
                                          const std::vector<std::string>& cells) {
  if (values.empty() || values.size() != cells.size() || values[0] == cells[0] || cells[0].empty()) return std::nullopt;
  const std::string& first = values[0];
  // The cell may occur more than once in the first value ("p(1/1s)"): the
  // template is the split that fits every value.
  for (std::size_t at = first.find(cells[0]); at != std::string::npos; at = first.find(cells[0], at + 1)) {
    const std::string before = first.substr(0, at), after = first.substr(at + cells[0].size());
    bool fits = true;
    for (std::size_t i = 0; i < values.size() && fits; ++i) fits = values[i] == before + cells[i] + after;
    if (fits) return key + " = " + before + "x" + after;
  }
  return std::nullopt;
}

std::string sweep_page(const std::vector<SweepData>& sweeps, const std::map<std::string, std::string>& axis_labels) {
  ordered_json data = ordered_json::object();
  data["kind"] = "sweep";
  ordered_json list = ordered_json::array();
  std::string names;
  for (const auto& s : sweeps) {
    ordered_json j = ordered_json::object();
    j["name"] = s.name;
    j["columns"] = s.columns;
    ordered_json rows = ordered_json::array();
    for (const auto& row : s.rows) rows.push_back(row);
    j["rows"] = std::move(rows);
    list.push_back(std::move(j));
    names += (names.empty() ? "" : ", ") + s.name;
  }
  data["sweeps"] = std::move(list);
  ordered_json labels = ordered_json::object();
  for (const auto& [key, label] : axis_labels) labels[key] = label;
  data["xLabels"] = std::move(labels);
  return page(fmt::format("tiersim sweep: {}", names), data);
}

}  // namespace report
