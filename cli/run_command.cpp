// tiersim run: simulates one scenario, with optional replications, time
// series, fault timeline, analysis beside it and an HTML page.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analysis/analysis_report.hpp"
#include "analysis/comparison.hpp"
#include "cli/analysis_outputs.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/run_outputs.hpp"
#include "cli_config.h"
#include "experiment/cluster.hpp"
#include "experiment/summary.hpp"
#include "models/run.hpp"
#include "report/html_report.hpp"
#include "sim/time.hpp"

namespace cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDefaultScenario = "3-scale-up.yaml";

std::string join(const std::vector<fs::path>& paths) {
  std::string text;
  for (const auto& p : paths) text += (text.empty() ? "" : ", ") + p.string();
  return text;
}

// Beside the executable (build tree, relocated or installed), then the source tree.
fs::path default_scenario() {
  std::vector<fs::path> places;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path dir = exe.parent_path();
    places = {dir / "scenarios", (dir / ".." / "scenarios").lexically_normal(),
              (dir / ".." / "share" / "tiersim" / "scenarios").lexically_normal()};
  }
  places.push_back(fs::path(TIERSIM_SOURCE_ROOT) / "scenarios");
  for (const auto& place : places) {
    if (fs::is_regular_file(place / kDefaultScenario, error)) return place / kDefaultScenario;
  }
  throw UsageError(fmt::format("no SCENARIO given, and the default {} is in none of: {}", kDefaultScenario,
                               join(places)));
}

}  // namespace

std::string run_usage() {
  return fmt::format(
      "Usage: tiersim run [SCENARIO] [options]\n\n"
      "Simulates the scenario in the YAML file SCENARIO and reports latency, throughput,\n"
      "failures and utilization. Without SCENARIO, runs scenarios/{} from the\n"
      "installation or the source tree. --set, then --seed, --duration and --warmup,\n"
      "change values of the scenario before it is checked. With several replications every metric\n"
      "gets a 95% confidence interval (docs/statistics.md).\n\n",
      kDefaultScenario);
}

void run_options(po::options_description& options) {
  add_scenario_options(options);
  options.add_options()
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
       "table (for people) or json (stable keys, for scripts)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write the results to FILE instead of stdout; FILE is replaced whole or left untouched")
      ("quiet,q", po::bool_switch(), "no progress line on stderr (shown only when stderr is a terminal)")
      ("timeseries", po::value<std::string>()->value_name("FILE.csv"),
       "write one CSV row per window (see --window) of replication 0: time, offered, succeeded, failed by "
       "reason, p50, p99, in flight, retries, healthy nodes per tier, CPU per node (docs/output.md); "
       "with several replications this is one extra run")
      ("window", po::value<std::string>()->value_name("DURATION")->default_value("1s"),
       "window length of --timeseries")
      ("trace-faults", po::bool_switch(),
       "print the timeline of faults, detections, failovers and repairs of replication 0 on stderr")
      ("analyze", po::bool_switch(),
       "add the analytic answer beside the simulated one: utilization per station, mean response overall and "
       "per class, availability, with differences beyond the thresholds marked and their likely reasons "
       "(docs/analysis.md)")
      ("html", po::value<std::string>()->value_name("FILE.html"),
       "also write one self-contained HTML page: the topology, the time series (see --window) with the fault "
       "timeline of replication 0, the tables and the availability (docs/html.md); replication 0 runs once more, "
       "instrumented, as for --timeseries");
}

int run_command(const po::variables_map& vm) {
  const std::vector<loader::Override> changes = scenario_changes(vm);
  const experiment::Options options = experiment_options(vm, 1);
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    throw UsageError(fmt::format("--format: expected table or json, found \"{}\"", format));
  }
  const fs::path scenario = vm.count("scenario") ? fs::path(vm["scenario"].as<std::string>()) : default_scenario();
  const models::ScenarioConfig config = warned(loader::load_scenario_file(scenario, changes));
  if (!experiment::cluster::coordinator()) {
    experiment::cluster::serve([&config](std::size_t) { return std::span(&config, 1); }, options.jobs);
    return 0;
  }
  const std::optional<fs::path> output = output_flag(vm, "output");
  const std::optional<fs::path> html = output_flag(vm, "html");

  const std::optional<sim::Time> window =
      sim::parse_duration(duration_flag("window", vm["window"].as<std::string>(), true));
  const bool trace_faults = vm["trace-faults"].as<bool>();
  // The page's time series and timeline come from the same instrumented run as the CSV's.
  std::optional<report::TimeseriesRecorder> recorder;
  std::vector<report::TraceLine> trace;
  if (vm.count("timeseries") || trace_faults || html) {
    // Replication 0 once more, instrumented; the file is written whole or not at all.
    std::optional<TimeseriesCsv> csv;
    if (vm.count("timeseries")) csv.emplace(vm["timeseries"].as<std::string>());
    models::RunOptions instrumented;
    if (html) {
      recorder.emplace(csv ? &*csv : nullptr);
      instrumented.windows = &*recorder;
    } else if (csv) {
      instrumented.windows = &*csv;
    }
    instrumented.window = *window;
    std::string timeline;
    if (trace_faults || html) {
      instrumented.trace = [&](sim::Time t, const std::string& text) {
        if (trace_faults) timeline += format_trace_line(t, text);
        if (html) trace.push_back({sim::to_seconds(t), text});
      };
    }
    models::run_scenario(config, instrumented);
    if (csv) csv->commit();
    if (trace_faults) std::fputs(timeline.empty() ? "no fault events\n" : timeline.c_str(), stderr);
  }

  experiment::Experiment result;
  {
    std::optional<experiment::ProgressBar> bar;
    std::optional<ProgressLine> line;
    experiment::Progress progress;
    if (options.replications > 1 || options.precision || config.run.auto_warmup) {
      progress = progress_bar(vm, bar, "runs");
    } else if (!vm["quiet"].as<bool>() && ::isatty(STDERR_FILENO)) {
      // One run: its simulated time says more than a bar.
      line.emplace(config.run.duration);
      progress = [&line, &config](double done, double, std::uint64_t events) {
        line->update(sim::to_time_unbounded(done * static_cast<double>(config.run.duration)), events);
      };
    }
    result = experiment::run_experiment(config, options, progress);
  }  // the progress line is cleared here, before any output

  std::optional<analysis::Comparison> comparison;
  if (vm["analyze"].as<bool>()) {
    comparison = analysis::compare(result.config, analysis::analyze(result.config), result.runs);
  }
  std::string text;
  if (format == "json" || html) {
    nlohmann::ordered_json json = experiment::experiment_json(result);
    if (comparison) json["analysis"] = comparison_json(*comparison);
    if (html) write_file_atomically(*html, report::run_page(json, recorder->table().json(), trace, true));
    if (format == "json") text = json.dump(2) + "\n";
  }
  if (format != "json") {
    text = experiment::experiment_table(result, options.jobs);
    if (comparison) text += comparison_table(*comparison);
  }
  emit(output, text);
  return 0;
}

}  // namespace cli
