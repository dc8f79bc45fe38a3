// A run's results as aligned text tables for a terminal (100 columns).
#pragma once

#include <string>
#include <string_view>

#include "models/results.hpp"
#include "report/metric_table.hpp"

namespace report {

std::string run_result_table(const models::RunResult& result);

// A latency percentile in ms with only the decimals its histogram resolves:
// to the decimal place of kRelativeResolution * value, at most 3 ("65.3",
// "1.044").
std::string percentile_ms(double milliseconds);

// A value in its unit: "12.345" (ms), "65.3" (a percentile: percentile_ms),
// "600.00" (per second), "99.950%" (availability), "12.34%" (utilization),
// "1.50" (a number).
std::string format_value(Unit unit, double value);

// What tables print for a metric without a value: "fail" for a percentile
// among the failures, "-" when nothing was measured.
std::string_view no_value(bool among_failures);

// The footnote of tables with percentiles: their resolution.
std::string resolution_note();

}  // namespace report
