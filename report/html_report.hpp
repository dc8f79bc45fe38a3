// Self-contained HTML pages of a run, a comparison and a sweep: the data as
// JSON inside the page, drawn by the page's own script with uPlot, both
// inlined (docs/html.md). Nothing is fetched when the page is opened.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/timeseries.hpp"
#include "sim/time.hpp"

namespace report {

// A run's time series as columns named as in the --timeseries CSV (time_s,
// offered, ..., cpu_<node>). Beyond kMaxRows rows, pairs of neighbouring rows
// merge, so that a year of 1 s windows still makes a page a browser draws:
// counts add up, p50_ms, p99_ms, in_flight and cpu_ take the larger value and
// healthy_ the smaller (the worse of the two windows shows), time_s is the
// first window's start. `merged` says how many windows each row holds.
class TimeseriesTable {
 public:
  static constexpr std::size_t kMaxRows = 8192;

  void set_columns(std::vector<std::string> columns);
  const std::vector<std::string>& columns() const { return columns_; }
  // One window, a value per column.
  void add_row(std::vector<double> row);
  // {"columns": [...], "merged": N, "data": [[column 0's values], ...]}
  nlohmann::ordered_json json() const;

 private:
  void halve();
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> data_;  // per column
  std::size_t rows_ = 0;
  std::size_t merged_ = 1;     // windows per stored row
  std::size_t pending_ = 0;    // windows in the last stored row, below merged_
};

// Records a run's windows for the page, and passes each call on to `also`
// (the --timeseries CSV) when given, so that both come from one run.
class TimeseriesRecorder final : public models::WindowSink {
 public:
  explicit TimeseriesRecorder(models::WindowSink* also = nullptr) : also_(also) {}
  void begin(const std::vector<std::string>& node_names) override;
  void tiers(const std::vector<std::string>& tier_names) override;
  void row(const models::WindowRow& row) override;
  const TimeseriesTable& table() const { return table_; }

 private:
  models::WindowSink* also_;
  std::vector<std::string> nodes_;
  TimeseriesTable table_;
};

// One line of --trace-faults: its simulated time and text.
struct TraceLine {
  double time_s = 0.0;
  std::string text;
};

// The run page. `run`: the JSON of `tiersim run --format json` (either
// shape: one replication or estimates), with "analysis" when --analyze was
// given; `timeseries`: TimeseriesTable::json() or null; `trace`: the
// timeline, possibly empty; `recorded`: whether a timeline was recorded
// (a run without fault events says so rather than showing nothing).
std::string run_page(const nlohmann::ordered_json& run, const nlohmann::ordered_json& timeseries,
                     const std::vector<TraceLine>& trace, bool recorded);

// The comparison page, from the JSON of `tiersim compare --format json`.
std::string compare_page(const nlohmann::ordered_json& comparison);

// A sweep's rows, as its CSV or JSONL file holds them: `name` labels its
// lines on the page (the file name's stem), `columns` the file's columns and
// each row one value per column (a number, a string or null).
struct SweepData {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::ordered_json>> rows;
};

// What a sweep page's axis says for a varied key whose `values` (as set)
// are a template around its `cells` (as the sweep file shows them):
// "workload.arrivals = poisson(x/s)", so that the unit shows. Nothing when
// the values are the cells themselves or no one template fits them all.
std::optional<std::string> template_label(const std::string& key, const std::vector<std::string>& values,
                                          const std::vector<std::string>& cells);

// The sweep page: one or more sweeps over the same keys, drawn together.
// `axis_labels`: for a varied key, what its axis says (a template's value with
// x for the varied part, "poisson(x/s)", so that the unit shows); the key
// path without one.
std::string sweep_page(const std::vector<SweepData>& sweeps, const std::map<std::string, std::string>& axis_labels);

}  // namespace report
