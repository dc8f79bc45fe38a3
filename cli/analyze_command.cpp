// tiersim analyze: the analytic answer for a scenario (or a grid of them)
// without simulating, and the knee of a percentile limit.
#include <charconv>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "analysis/analysis_report.hpp"
#include "cli/analysis_outputs.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "experiment/sweep.hpp"
#include "sim/time.hpp"

namespace cli {

namespace fs = std::filesystem;

namespace {

// "p99<200ms" (or <=): the quantile as a fraction and the limit in seconds.
std::pair<double, double> knee_flag(const std::string& text) {
  const auto less = text.find('<');
  const auto fail = [&]() -> std::pair<double, double> {
    throw UsageError(fmt::format("--knee: expected a percentile and a limit such as 'p99<200ms' or 'p99.9<1s', "
                                 "found \"{}\"", text));
  };
  if (less == std::string::npos || text.size() < 2 || text[0] != 'p') return fail();
  const std::string percent = text.substr(1, less - 1);
  std::string limit = text.substr(less + 1);
  if (!limit.empty() && limit[0] == '=') limit.erase(0, 1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(percent.data(), percent.data() + percent.size(), value);
  if (percent.empty() || ec != std::errc() || end != percent.data() + percent.size() || !(value > 0.0 && value < 100.0)) {
    return fail();
  }
  const std::string checked = duration_flag("knee", limit, true);
  return {value / 100.0, sim::to_seconds(*sim::parse_duration(checked))};
}

}  // namespace

std::string analyze_usage() {
  return "Usage: tiersim analyze SCENARIO [options]\n"
         "       tiersim analyze SCENARIO --vary KEY.PATH=SPEC [--vary ...] --output FILE.csv\n\n"
         "The analytic answer for SCENARIO, without simulating: each resource's demand and\n"
         "utilization, the bottleneck and saturation load, and queueing-network estimates of\n"
         "response times (times in milliseconds). With --vary, the same over a grid of values\n"
         "(the SPECs of 'tiersim sweep'), one CSV row per point, with the column names of\n"
         "'tiersim sweep' where the analysis has a value (docs/analysis.md). --knee 'p99<200ms'\n"
         "adds the largest arrival rate whose analytic p99 stays within 200 ms.\n\n";
}

void analyze_options(po::options_description& options) {
  add_set_option(options);
  options.add_options()
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
       "table or json (without --vary)")
      ("vary", po::value<std::vector<std::string>>()->value_name("KEY.PATH=SPEC"),
       "analyse a grid of values, as 'tiersim sweep' does, into a CSV with sweep's column names "
       "(repeatable; needs --output)")
      ("knee", po::value<std::string>()->value_name("pNN<D"),
       "the largest arrival rate at which the analytic percentile stays within D, e.g. 'p99<200ms' "
       "(open workloads)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write to FILE instead of stdout; FILE is replaced whole or left untouched");
}

int analyze_command(const po::variables_map& vm) {
  if (!vm.count("scenario")) throw UsageError("analyze: missing SCENARIO; see 'tiersim analyze --help'");
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    throw UsageError(fmt::format("--format: expected table or json, found \"{}\"", format));
  }
  const fs::path scenario = vm["scenario"].as<std::string>();
  const std::optional<fs::path> output = output_flag(vm, "output");

  std::string text;
  if (vm.count("vary")) {
    if (!vm["format"].defaulted()) throw UsageError("--format: --vary always writes CSV");
    if (vm.count("knee")) throw UsageError("--knee: not with --vary");
    if (!output) throw UsageError("analyze --vary: expected --output FILE.csv");
    std::vector<experiment::Vary> varies;
    for (const auto& vary : vm["vary"].as<std::vector<std::string>>()) varies.push_back(experiment::parse_vary(vary));
    text = analytic_sweep_csv(experiment::plan_sweep(scenario, overrides(vm), varies));
  } else {
    const models::ScenarioConfig config = warned(loader::load_scenario_file(scenario, overrides(vm)));
    const auto result = analysis::analyze(config);
    std::optional<analysis::Knee> knee;
    if (vm.count("knee")) {
      const auto [p, limit] = knee_flag(vm["knee"].as<std::string>());
      if (result.model.workload.closed) throw UsageError("--knee: needs an open workload (arrivals), not users");
      knee = analysis::find_knee(result, p, limit);
    }
    if (format == "json") {
      nlohmann::ordered_json json = analysis::to_json(result);
      if (knee) json["knee"] = analysis::knee_json(*knee);
      text = json.dump(2) + "\n";
    } else {
      text = analysis::format_table(result);
      if (knee) text += "\n" + analysis::format_knee(*knee);
    }
  }
  emit(output, text);
  return 0;
}

}  // namespace cli
