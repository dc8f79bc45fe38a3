// A run's results as JSON, for scripts and notebooks.
#pragma once

#include <nlohmann/json.hpp>

#include "models/results.hpp"

namespace report {

// The keys and their order are a stable interface (docs list them); new keys
// are only ever appended. Latencies are in milliseconds, null when nothing was
// measured. The same result always dumps to the same bytes. The keys, their
// order and their values come from the metric table (report/metric_table.hpp).
nlohmann::ordered_json run_result_json(const models::RunResult& result);

}  // namespace report
