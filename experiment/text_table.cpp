#include "experiment/text_table.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace experiment {

void TextTable::render_to(std::string& out) const {
  std::vector<std::size_t> widths;
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    std::size_t w = headers_[c].size();
    for (const auto& row : rows_) w = std::max(w, row[c].size());
    widths.push_back(w);
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < headers_.size(); ++c) {
      if (c > 0) text += "  ";
      text += c < left_ ? fmt::format("{:<{}}", cells[c], widths[c]) : fmt::format("{:>{}}", cells[c], widths[c]);
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out += text;
    out += '\n';
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
}

std::string format_estimate(Unit unit, const std::optional<Estimate>& e) {
  if (!e) return "-";
  if (!e->lo) return format_value(unit, e->value);
  return fmt::format("{} [{}, {}]", format_value(unit, e->value), format_value(unit, *e->lo),
                     format_value(unit, *e->hi));
}

std::string format_estimate(const Metric& metric, const std::optional<Estimate>& e) {
  if (!e) return std::string(report::no_value(metric.among_failures));
  return format_estimate(metric.unit, e);
}

std::string format_relative(const std::optional<Estimate>& e) {
  if (!e) return "-";
  const double relative = e->relative_half_width();
  return std::isfinite(relative) ? fmt::format("{:.1f}%", relative * 100.0) : "-";
}

void add_field(std::string& out, std::string_view label, std::string_view value) {
  fmt::format_to(std::back_inserter(out), "{:<15}{}\n", label, value);
}

}  // namespace experiment
