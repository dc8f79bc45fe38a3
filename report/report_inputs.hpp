// Reading tiersim's saved outputs back for `tiersim report FILE... --html`:
// run and compare JSON, compare, sweep and --timeseries CSV, sweep JSONL
// and --trace-faults text.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/html_report.hpp"

namespace report {

// An input file that is not what `tiersim report` reads: the message names
// the file (and line and column where there is one), what was expected and
// what was found. Exit status 2.
class ReportInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A sweep's output file, CSV or JSONL by its extension (.jsonl) or else by
// its first character ('{'). `name` is the file name's stem.
SweepData read_sweep(const std::filesystem::path& file);

// The page for a set of saved outputs: one run JSON with at most one
// --timeseries CSV and one --trace-faults file, one comparison (JSON or
// CSV), or one or more sweeps over the same keys. Throws ReportInputError.
std::string page_from_files(const std::vector<std::filesystem::path>& files);

}  // namespace report
