// A run's results as aligned text tables for a terminal (100 columns).
#pragma once

#include <string>

#include "models/results.hpp"

namespace report {

std::string run_result_table(const models::RunResult& result);

}  // namespace report
