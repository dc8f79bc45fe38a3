// A run's results as aligned text tables for a terminal (100 columns).
#pragma once

#include <string>

#include "models/results.hpp"

namespace report {

std::string run_result_table(const models::RunResult& result);

// A latency percentile in ms with only the decimals its histogram resolves:
// to the decimal place of kRelativeResolution * value, at most 3 ("65.3",
// "1.044").
std::string percentile_ms(double milliseconds);

// The footnote of tables with percentiles: their resolution.
std::string resolution_note();

}  // namespace report
