// Aligned text tables and value formatting for experiment reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "experiment/metrics.hpp"
#include "experiment/statistics.hpp"
#include "report/table_report.hpp"

namespace experiment {

// Columns sized to their widest cell; the first `left` columns left-aligned,
// the rest right-aligned.
class TextTable {
 public:
  TextTable(std::vector<std::string> headers, std::size_t left) : headers_(std::move(headers)), left_(left) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void render_to(std::string& out) const;

 private:
  std::vector<std::string> headers_;
  std::size_t left_;
  std::vector<std::vector<std::string>> rows_;
};

using report::format_value;
// "value [lo, hi]"; "-" when there is no estimate; the value alone without an interval.
std::string format_estimate(Unit unit, const std::optional<Estimate>& e);
// As above in the metric's unit, and "fail" for a percentile among the failures.
std::string format_estimate(const Metric& metric, const std::optional<Estimate>& e);
// The half-width as a percentage of the value, "0.4%"; "-" when undefined.
std::string format_relative(const std::optional<Estimate>& e);

// "label" padded to 15 columns, then the value: the header lines of reports.
void add_field(std::string& out, std::string_view label, std::string_view value);

}  // namespace experiment
