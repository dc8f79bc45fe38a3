// tiersim compare: runs several scenarios on the same requests (common random
// numbers) and reports each metric's interval and the paired differences.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "experiment/cluster.hpp"
#include "experiment/compare.hpp"
#include "report/html_report.hpp"

namespace cli {

namespace fs = std::filesystem;

std::string compare_usage() {
  return "Usage: tiersim compare A.yaml B.yaml [C.yaml ...] [options]\n\n"
         "Runs every scenario with the same seed and replications: each replication replays\n"
         "the same requests (arrival times, classes, demands) against every topology, so\n"
         "the paired differences against the first scenario are sharp with few\n"
         "replications. Shows each metric with its 95% interval, and each difference with\n"
         "its own, marked * when it excludes 0. The options apply to every scenario; the\n"
         "scenarios must agree on seed, duration and warm-up (docs/statistics.md).\n\n";
}

void compare_options(po::options_description& options) {
  add_scenario_options(options);
  options.add_options()
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
       "table (for people), json or csv (stable keys and columns, for scripts)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write the results to FILE instead of stdout; FILE is replaced whole or left untouched")
      ("quiet,q", po::bool_switch(), "no progress bar on stderr (shown only when stderr is a terminal)")
      ("html", po::value<std::string>()->value_name("FILE.html"),
       "also write one self-contained HTML page: each metric per scenario with its interval and the paired "
       "difference, as charts and a table (docs/html.md)");
}

int compare_command(const po::variables_map& vm) {
  const std::vector<std::string> files =
      vm.count("scenario") ? vm["scenario"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (files.size() < 2) throw UsageError("compare: expected at least two scenarios; see 'tiersim compare --help'");
  const std::vector<loader::Override> changes = scenario_changes(vm);
  // A paired interval needs two replications; five resolve most differences under common random numbers.
  const experiment::Options options = experiment_options(vm, 5);
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    throw UsageError(fmt::format("--format: expected table, json or csv, found \"{}\"", format));
  }
  std::vector<models::ScenarioConfig> configs;
  for (const auto& file : files) configs.push_back(warned(loader::load_scenario_file(file, changes)));
  if (!experiment::cluster::coordinator()) {
    experiment::cluster::serve([&configs](std::size_t) { return std::span(configs); }, options.jobs);
    return 0;
  }
  const std::optional<fs::path> output = output_flag(vm, "output");
  const std::optional<fs::path> html = output_flag(vm, "html");

  std::vector<experiment::Experiment> results;
  {
    std::optional<experiment::ProgressBar> bar;
    results = experiment::run_paired(configs, options, progress_bar(vm, bar, "runs"));
  }
  const auto compared = experiment::compare(results, files);
  if (html) write_file_atomically(*html, report::compare_page(experiment::comparison_json(compared)));
  const std::string text = format == "json"  ? experiment::comparison_json(compared).dump(2) + "\n"
                           : format == "csv" ? experiment::comparison_csv(compared)
                                             : experiment::comparison_table(compared, options.jobs);
  emit(output, text);
  return 0;
}

}  // namespace cli
