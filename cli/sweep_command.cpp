// tiersim sweep: runs a scenario over a grid of values into a resumable CSV or
// JSONL file, optionally drawn as an HTML page.
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "experiment/cluster.hpp"
#include "experiment/sweep.hpp"
#include "report/html_report.hpp"
#include "report/report_inputs.hpp"

namespace cli {

namespace fs = std::filesystem;

std::string sweep_usage() {
  return "Usage: tiersim sweep SCENARIO --vary KEY.PATH=SPEC [--vary ...] --output FILE [options]\n\n"
         "Runs the scenario at every point of the grid of --vary values (the first --vary\n"
         "changes slowest) and writes one row per point: the varied values, then every\n"
         "metric with its 95% interval (columns in docs/statistics.md). Every point is\n"
         "checked before the first runs. Rows are written whole as points end, so an\n"
         "interrupted sweep resumes, with the same command, where it stopped.\n\n";
}

void sweep_options(po::options_description& options) {
  add_scenario_options(options);
  options.add_options()
      ("vary", po::value<std::vector<std::string>>()->value_name("KEY.PATH=SPEC"),
       "values for one scenario key: start:stop:step, log:start:stop:n or a list a,b,c; a {SPEC} inside a value "
       "varies that part, e.g. 'workload.arrivals=poisson({100:800:100}/s)' (repeatable: a full grid)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "the results, one row per point, appended as each point ends (required); re-running the same command "
       "resumes it")
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("csv"), "csv or jsonl")
      ("html", po::value<std::string>()->value_name("FILE.html"),
       "also write one self-contained HTML page of the whole sweep file: each metric against the varied key, one "
       "line per value of the others, with interval bands and each line's knee (docs/html.md)")
      ("quiet,q", po::bool_switch(), "no progress bar on stderr (shown only when stderr is a terminal)");
}

int sweep_command(const po::variables_map& vm) {
  if (!vm.count("scenario")) throw UsageError("sweep: missing SCENARIO; see 'tiersim sweep --help'");
  if (!vm.count("vary")) throw UsageError("sweep: expected at least one --vary KEY.PATH=SPEC");
  if (!vm.count("output")) throw UsageError("sweep: expected --output FILE");
  const std::vector<loader::Override> changes = scenario_changes(vm);
  const experiment::Options options = experiment_options(vm, 1);
  const std::string format_name = vm["format"].as<std::string>();
  if (format_name != "csv" && format_name != "jsonl") {
    throw UsageError(fmt::format("--format: expected csv or jsonl, found \"{}\"", format_name));
  }
  const auto format = format_name == "csv" ? experiment::SweepFormat::kCsv : experiment::SweepFormat::kJsonl;
  std::vector<experiment::Vary> varies;
  for (const auto& text : vm["vary"].as<std::vector<std::string>>()) varies.push_back(experiment::parse_vary(text));
  experiment::SweepPlan plan = experiment::plan_sweep(vm["scenario"].as<std::string>(), changes, varies);
  plan.settings = experiment::sweep_settings(vm["scenario"].as<std::string>(), changes, options);
  warned(plan.points.front().config);
  if (!experiment::cluster::coordinator()) {
    experiment::cluster::serve(experiment::sweep_configs(plan), options.jobs);
    return 0;
  }
  const fs::path output = *output_flag(vm, "output");
  const std::optional<fs::path> html = output_flag(vm, "html");
  experiment::SweepFile file(output, format, plan);
  if (file.done() > 0 && !vm["quiet"].as<bool>()) {
    std::cerr << fmt::format("tiersim: {} of {} points are already in {}; running the rest\n", file.done(),
                             plan.points.size(), output.string());
  }
  std::optional<experiment::ProgressBar> bar;
  experiment::run_sweep(plan, file, format, options, progress_bar(vm, bar, "points"));
  if (html) {
    std::map<std::string, std::string> labels;
    for (const auto& v : varies) {
      if (auto label = report::template_label(v.key, v.values, v.cells)) labels[v.key] = *label;
    }
    write_file_atomically(*html, report::sweep_page({report::read_sweep(output)}, labels));
  }
  return 0;
}

}  // namespace cli
