// `tiersim sweep`: a grid of scenario variants, one output row per point,
// appended and flushed whole so that an interrupted sweep resumes where it
// stopped and ends byte-identical to an uninterrupted one. docs/statistics.md
// documents the specs and the columns.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "experiment/replications.hpp"
#include "experiment/study.hpp"
#include "loader/scenario_loader.hpp"
#include "models/config.hpp"

namespace experiment {

// The values of one SPEC: "start:stop:step" (plain numbers, stop included),
// "log:start:stop:n" (n values spaced evenly in log scale), or a comma list
// in which commas inside (), [] or {} do not split. Throws InputError.
std::vector<std::string> expand_spec(std::string_view spec);

// One --vary KEY=SPEC. SPEC may instead be a template with one {SPEC} in it,
// "poisson({100:400:100}/s)": each value is the template with the braces
// replaced, and the sweep file shows what replaced them. Braces holding ": "
// are a YAML map, not a template.
struct Vary {
  std::string key;
  std::vector<std::string> values;  // the --set value of each point along this key
  std::vector<std::string> cells;   // what the sweep file shows for each
};
Vary parse_vary(std::string_view text);

struct SweepPoint {
  std::vector<std::string> cells;  // one per varied key
  models::ScenarioConfig config;
};

enum class SweepFormat { kCsv, kJsonl };

struct SweepPlan {
  std::vector<std::string> keys;     // the varied keys, in --vary order
  std::vector<SweepPoint> points;    // the grid, the first --vary outermost
  std::vector<std::string> metrics;  // every headline metric of any point
  // What else decides the rows (sweep_settings); empty: no settings column.
  std::string settings;

  // keys, "replications", "warmup_s", then each metric followed by its
  // "_lo" and "_hi" interval columns, then "settings" when it is set.
  std::vector<std::string> columns() const;
};

// The settings every row of a sweep is made with, as one cell:
// "scenario:H changes:H replications:R", H being 64-bit FNV-1a digests of the
// scenario file's bytes and of the --set, --seed and --duration changes in
// order, R the replication count (and with --precision, its target and
// bounds). A resumed sweep must match it row for row.
std::string sweep_settings(const std::filesystem::path& scenario, const std::vector<loader::Override>& overrides,
                           const Options& options);

// Loads the scenario for every point (`overrides` first, then the point's
// values), so that every bad key or value is an InputError before anything runs.
SweepPlan plan_sweep(const std::filesystem::path& scenario, const std::vector<loader::Override>& overrides,
                     std::span<const Vary> varies);

// The output file of a sweep, opened for appending rows.
class SweepFile {
 public:
  // Creates the file (a CSV starts with its header), or resumes one: its
  // columns, its rows' varied values and their settings must be this plan's,
  // else InputError and the file is left as it was; a partial last line is
  // cut off.
  SweepFile(const std::filesystem::path& path, SweepFormat format, const SweepPlan& plan);
  ~SweepFile();
  SweepFile(const SweepFile&) = delete;
  SweepFile& operator=(const SweepFile&) = delete;

  std::size_t done() const { return done_; }  // points already in the file
  // One write, then fsync: a kill leaves no row half-written but the last,
  // which the next resume cuts off.
  void append(std::string_view line);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::size_t done_ = 0;
};

// The row of point `p` (with its trailing newline).
std::string sweep_row(const SweepPlan& plan, std::size_t p, const Experiment& e, SweepFormat format);

// Runs the points the file lacks, appending each row, in point order, as
// soon as the point and those before it are done. `progress` counts points.
// Under MPI, on rank 0 (experiment/cluster.hpp).
void run_sweep(const SweepPlan& plan, SweepFile& file, SweepFormat format, const Options& options,
               const Progress& progress = {});

// The scenario of each point, as a Study wants them (one per group), for
// the ranks that serve rank 0's sweep.
Study::Configs sweep_configs(const SweepPlan& plan);

}  // namespace experiment
