// tiersim's command line: parses flags, loads the scenario, runs it, formats
// the results and writes them. Everything else lives in the libraries.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "analysis/analysis_report.hpp"
#include "analysis/comparison.hpp"
#include "cli/analysis_outputs.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/run_outputs.hpp"
#include "models/run.hpp"
#include "report/html_report.hpp"
#include "report/report_inputs.hpp"
#include "cli_config.h"
#include "experiment/cluster.hpp"
#include "experiment/compare.hpp"
#include "experiment/input_error.hpp"
#include "experiment/interrupt.hpp"
#include "experiment/progress_bar.hpp"
#include "experiment/replications.hpp"
#include "experiment/summary.hpp"
#include "experiment/sweep.hpp"
#include "import/scenario.hpp"
#include "loader/scenario_loader.hpp"
#include "loader/text_util.hpp"
#include "sim/time.hpp"

namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
// The overload guard stopped a run (models::RunLimitExceeded).
constexpr int kExitOverload = 3;

constexpr std::string_view kDefaultScenario = "3-scale-up.yaml";

// Bad flags or arguments: exit status 2, like a ScenarioError.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_stdout(std::string_view text) {
  std::cout << text << std::flush;
  if (!std::cout) throw std::runtime_error("cannot write to standard output");
}

// To `output` when given, whole or not at all; else to stdout.
void emit(const std::optional<fs::path>& output, std::string_view text) {
  if (output) {
    cli::write_file_atomically(*output, text);
  } else {
    write_stdout(text);
  }
}

// Legal but almost surely unintended settings: a line each on stderr; the command goes on.
const models::ScenarioConfig& warned(const models::ScenarioConfig& config) {
  if (!experiment::cluster::coordinator()) return config;  // rank 0 says it once
  for (const auto& warning : loader::scenario_warnings(config)) std::cerr << "tiersim: warning: " << warning << "\n";
  return config;
}

std::string text_of(const po::options_description& options) {
  std::ostringstream text;
  text << options;
  return text.str();
}

// `command` is empty for the flags before the command.
po::variables_map parse(const std::vector<std::string>& args, const po::options_description& options,
                        const po::positional_options_description& positional, std::string_view command) {
  po::variables_map vm;
  try {
    // Without guessing, "--out" is an error rather than a silent "--output",
    // so abbreviations cannot change meaning when flags are added.
    const auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(options).positional(positional).style(style).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    const std::string help = command.empty() ? "tiersim --help" : fmt::format("tiersim {} --help", command);
    throw UsageError(fmt::format("{}; see '{}'", e.what(), help));
  }
  return vm;
}

void add_set_option(po::options_description& options) {
  options.add_options()("set", po::value<std::vector<std::string>>()->value_name("KEY.PATH=VALUE"),
                        "override one scenario value, e.g. --set tiers.app.workers=16 (repeatable, applied in "
                        "order; list elements by 0-based index)");
}

std::vector<loader::Override> overrides(const po::variables_map& vm) {
  std::vector<loader::Override> out;
  if (vm.count("set")) {
    for (const auto& text : vm["set"].as<std::vector<std::string>>()) out.push_back(loader::parse_override(text));
  }
  return out;
}

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

// --seed, --duration and --warmup are checked here, not left to the loader,
// so that the message names the flag rather than run.seed or run.duration.
std::string seed_flag(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError(fmt::format("--seed: expected an unsigned 64-bit integer, found \"{}\"", text));
  }
  return text;
}

std::string duration_flag(std::string_view flag, const std::string& text, bool positive) {
  if (sim::duration_out_of_range(text)) {
    throw UsageError(fmt::format("--{}: duration out of range, found \"{}\": durations go from {}", flag, text,
                                 sim::duration_range_text()));
  }
  const auto value = sim::parse_duration(text);
  if (!value || (positive && *value == 0)) {
    throw UsageError(fmt::format("--{}: expected a {}duration such as 30s, 5m or 1m30s, found \"{}\"", flag,
                                 positive ? "positive " : "", text));
  }
  if (*value > sim::kHorizon) throw UsageError(fmt::format("--{}: {}", flag, loader::detail::horizon_problem(text)));
  return text;
}

// --set, --seed, --duration and the replication flags: run, compare and sweep share them.
void add_scenario_options(po::options_description& options) {
  add_set_option(options);
  options.add_options()
      ("seed", po::value<std::string>()->value_name("N"), "random seed, an unsigned integer (overrides run.seed)")
      ("duration", po::value<std::string>()->value_name("D"),
       "simulated time, e.g. 30s, 5m or 1m30s, warm-up included (overrides run.duration)")
      ("warmup", po::value<std::string>()->value_name("W"),
       "the first W of simulated time are not measured, e.g. 10s, or auto (overrides run.warmup)")
      ("replications", po::value<std::string>()->value_name("R"),
       "independent replications (default 1, for compare 5; with --precision the first batch, default 10)")
      ("jobs,j", po::value<std::string>()->value_name("J"), "threads (default: all cores); never changes results")
      ("precision", po::value<std::string>()->value_name("P"),
       "add replications until the 95% intervals of mean and p99 latency are within +-P, e.g. 5%")
      ("max-replications", po::value<std::string>()->value_name("M"), "the most replications --precision may use "
       "(default 100)");
}

// --set, then --seed, --duration and --warmup, as changes to the scenario.
std::vector<loader::Override> scenario_changes(const po::variables_map& vm) {
  std::vector<loader::Override> changes = overrides(vm);
  if (vm.count("seed")) changes.push_back({"run.seed", seed_flag(vm["seed"].as<std::string>())});
  if (vm.count("duration")) {
    changes.push_back({"run.duration", duration_flag("duration", vm["duration"].as<std::string>(), true)});
  }
  if (vm.count("warmup")) {
    const std::string& text = vm["warmup"].as<std::string>();
    changes.push_back({"run.warmup", text == "auto" ? text : duration_flag("warmup", text, false)});
  }
  return changes;
}

std::size_t count_flag(const po::variables_map& vm, const char* flag, std::size_t least) {
  const std::string& text = vm[flag].as<std::string>();
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < least || value > 1000000) {
    throw UsageError(fmt::format("--{}: expected an integer from {} to 1000000, found \"{}\"", flag, least, text));
  }
  return value;
}

// "5%" or "0.05": a relative half-width from 1% to 50%. Below 1% the p99
// target is out of reach: its interval includes the histogram's 1/128
// resolution (docs/statistics.md).
double precision_flag(const std::string& text) {
  const bool percent = !text.empty() && text.back() == '%';
  const std::string number = percent ? text.substr(0, text.size() - 1) : text;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (percent) value /= 100.0;
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !(value >= 0.01 && value <= 0.5)) {
    throw UsageError(fmt::format("--precision: expected a relative half-width from 1% to 50%, such as 5% or 0.05, "
                                 "found \"{}\"",
                                 text));
  }
  return value;
}

// `replications`: the default without --replications and --precision.
experiment::Options experiment_options(const po::variables_map& vm, std::size_t replications) {
  experiment::Options options;
  options.replications = replications;
  const unsigned cores = std::thread::hardware_concurrency();
  options.jobs = vm.count("jobs") ? static_cast<unsigned>(count_flag(vm, "jobs", 1)) : std::max(1u, cores);
  if (vm.count("precision")) {
    options.precision = precision_flag(vm["precision"].as<std::string>());
    // Ten: fewer makes the first half-widths, and so the stopping, erratic.
    options.replications = vm.count("replications") ? count_flag(vm, "replications", 2) : 10;
    if (vm.count("max-replications")) options.max_replications = count_flag(vm, "max-replications", 2);
    if (options.max_replications < options.replications) {
      throw UsageError(fmt::format("--max-replications ({}) is below the first batch of {} replications",
                                   options.max_replications, options.replications));
    }
  } else {
    if (vm.count("max-replications")) throw UsageError("--max-replications needs --precision");
    if (vm.count("replications")) options.replications = count_flag(vm, "replications", 1);
  }
  return options;
}

// A progress bar on stderr when it is a terminal, unless --quiet.
experiment::Progress progress_bar(const po::variables_map& vm, std::optional<experiment::ProgressBar>& bar,
                                  const char* unit) {
  if (vm["quiet"].as<bool>() || !::isatty(STDERR_FILENO)) return {};
  bar.emplace(unit);
  return [&bar](double done, double total, std::uint64_t events) { bar->update(done, total, events); };
}

int run_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  add_scenario_options(visible);
  visible.add_options()
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
       "instrumented, as for --timeseries")
      ("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const po::variables_map vm = parse(args, all, positional, "run");

  if (vm["help"].as<bool>()) {
    write_stdout(fmt::format(
        "Usage: tiersim run [SCENARIO] [options]\n\n"
        "Simulates the scenario in the YAML file SCENARIO and reports latency, throughput,\n"
        "failures and utilization. Without SCENARIO, runs scenarios/{} from the\n"
        "installation or the source tree. --set, then --seed, --duration and --warmup,\n"
        "change values of the scenario before it is checked. With several replications every metric\n"
        "gets a 95% confidence interval (docs/statistics.md).\n\n{}",
        kDefaultScenario, text_of(visible)));
    return 0;
  }

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
  std::optional<fs::path> output;
  if (vm.count("output")) {
    output = vm["output"].as<std::string>();
    cli::check_writable(*output);
  }

  std::optional<fs::path> html;
  if (vm.count("html")) {
    html = vm["html"].as<std::string>();
    cli::check_writable(*html);
  }

  const std::optional<sim::Time> window =
      sim::parse_duration(duration_flag("window", vm["window"].as<std::string>(), true));
  const bool trace_faults = vm["trace-faults"].as<bool>();
  // The page's time series and timeline come from the same instrumented run as the CSV's.
  std::optional<report::TimeseriesRecorder> recorder;
  std::vector<report::TraceLine> trace;
  if (vm.count("timeseries") || trace_faults || html) {
    // Replication 0 once more, instrumented; the file is written whole or not at all.
    std::optional<cli::TimeseriesCsv> csv;
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
        if (trace_faults) timeline += cli::format_trace_line(t, text);
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
    std::optional<cli::ProgressLine> line;
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
    if (comparison) json["analysis"] = cli::comparison_json(*comparison);
    if (html) cli::write_file_atomically(*html, report::run_page(json, recorder->table().json(), trace, true));
    if (format == "json") text = json.dump(2) + "\n";
  }
  if (format != "json") {
    text = experiment::experiment_table(result, options.jobs);
    if (comparison) text += cli::comparison_table(*comparison);
  }
  emit(output, text);
  return 0;
}

int compare_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  add_scenario_options(visible);
  visible.add_options()
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
       "table (for people), json or csv (stable keys and columns, for scripts)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write the results to FILE instead of stdout; FILE is replaced whole or left untouched")
      ("quiet,q", po::bool_switch(), "no progress bar on stderr (shown only when stderr is a terminal)")
      ("html", po::value<std::string>()->value_name("FILE.html"),
       "also write one self-contained HTML page: each metric per scenario with its interval and the paired "
       "difference, as charts and a table (docs/html.md)")
      ("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("scenario", -1);
  const po::variables_map vm = parse(args, all, positional, "compare");

  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim compare A.yaml B.yaml [C.yaml ...] [options]\n\n"
        "Runs every scenario with the same seed and replications: each replication replays\n"
        "the same requests (arrival times, classes, demands) against every topology, so\n"
        "the paired differences against the first scenario are sharp with few\n"
        "replications. Shows each metric with its 95% interval, and each difference with\n"
        "its own, marked * when it excludes 0. The options apply to every scenario; the\n"
        "scenarios must agree on seed, duration and warm-up (docs/statistics.md).\n\n" +
        text_of(visible));
    return 0;
  }
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
  std::optional<fs::path> output;
  if (vm.count("output")) {
    output = vm["output"].as<std::string>();
    cli::check_writable(*output);
  }

  std::optional<fs::path> html;
  if (vm.count("html")) {
    html = vm["html"].as<std::string>();
    cli::check_writable(*html);
  }

  std::vector<experiment::Experiment> results;
  {
    std::optional<experiment::ProgressBar> bar;
    results = experiment::run_paired(configs, options, progress_bar(vm, bar, "runs"));
  }
  const auto compared = experiment::compare(results, files);
  if (html) cli::write_file_atomically(*html, report::compare_page(experiment::comparison_json(compared)));
  const std::string text = format == "json"  ? experiment::comparison_json(compared).dump(2) + "\n"
                           : format == "csv" ? experiment::comparison_csv(compared)
                                             : experiment::comparison_table(compared, options.jobs);
  emit(output, text);
  return 0;
}

int sweep_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  add_scenario_options(visible);
  visible.add_options()
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
      ("quiet,q", po::bool_switch(), "no progress bar on stderr (shown only when stderr is a terminal)")
      ("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const po::variables_map vm = parse(args, all, positional, "sweep");

  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim sweep SCENARIO --vary KEY.PATH=SPEC [--vary ...] --output FILE [options]\n\n"
        "Runs the scenario at every point of the grid of --vary values (the first --vary\n"
        "changes slowest) and writes one row per point: the varied values, then every\n"
        "metric with its 95% interval (columns in docs/statistics.md). Every point is\n"
        "checked before the first runs. Rows are written whole as points end, so an\n"
        "interrupted sweep resumes, with the same command, where it stopped.\n\n" +
        text_of(visible));
    return 0;
  }
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
  const fs::path output = vm["output"].as<std::string>();
  cli::check_writable(output);
  std::optional<fs::path> html;
  if (vm.count("html")) {
    html = vm["html"].as<std::string>();
    cli::check_writable(*html);
  }
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
    cli::write_file_atomically(*html, report::sweep_page({report::read_sweep(output)}, labels));
  }
  return 0;
}

int report_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  visible.add_options()
      ("html", po::value<std::string>()->value_name("FILE.html"),
       "the page to write (required); FILE.html is replaced whole or left untouched")
      ("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible).add_options()("input", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("input", -1);
  const po::variables_map vm = parse(args, all, positional, "report");
  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim report FILE... --html FILE.html\n\n"
        "Writes one self-contained HTML page (nothing is fetched when it is opened) from saved\n"
        "outputs of tiersim: a run's JSON (run --format json), optionally with its --timeseries\n"
        "CSV and its --trace-faults output (saved from stderr); or a comparison (compare --format\n"
        "json or csv); or one or more sweep files over the same keys (CSV or JSONL), drawn\n"
        "together. The same page as --html on run, compare and sweep (docs/html.md).\n\n" +
        text_of(visible));
    return 0;
  }
  if (!vm.count("input")) throw UsageError("report: expected at least one FILE; see 'tiersim report --help'");
  if (!vm.count("html")) throw UsageError("report: expected --html FILE.html");
  const fs::path html = vm["html"].as<std::string>();
  cli::check_writable(html);
  std::vector<fs::path> files;
  for (const auto& f : vm["input"].as<std::vector<std::string>>()) files.emplace_back(f);
  cli::write_file_atomically(html, report::page_from_files(files));
  return 0;
}

int check_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  add_set_option(visible);
  visible.add_options()("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const po::variables_map vm = parse(args, all, positional, "check");

  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim check SCENARIO [options]\n\n"
        "Reads and validates the YAML file SCENARIO, with the --set changes applied,\n"
        "without running it. Prints \"ok: NAME (N tiers, M nodes)\" when it is valid;\n"
        "otherwise the first problem, with its line, column and key path.\n\n" +
        text_of(visible));
    return 0;
  }
  if (!vm.count("scenario")) throw UsageError("check: missing SCENARIO; see 'tiersim check --help'");

  const models::ScenarioConfig config = warned(loader::load_scenario_file(vm["scenario"].as<std::string>(), overrides(vm)));
  int nodes = 0;
  for (const auto& tier : config.tiers) nodes += tier.count;
  const std::size_t tiers = config.tiers.size();
  write_stdout(fmt::format("ok: {} ({} tier{}, {} node{})\n", config.name, tiers, tiers == 1 ? "" : "s", nodes,
                           nodes == 1 ? "" : "s"));
  return 0;
}

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

int analyze_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  add_set_option(visible);
  visible.add_options()
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
       "table or json (without --vary)")
      ("vary", po::value<std::vector<std::string>>()->value_name("KEY.PATH=SPEC"),
       "analyse a grid of values, as 'tiersim sweep' does, into a CSV with sweep's column names "
       "(repeatable; needs --output)")
      ("knee", po::value<std::string>()->value_name("pNN<D"),
       "the largest arrival rate at which the analytic percentile stays within D, e.g. 'p99<200ms' "
       "(open workloads)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write to FILE instead of stdout; FILE is replaced whole or left untouched")
      ("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const po::variables_map vm = parse(args, all, positional, "analyze");

  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim analyze SCENARIO [options]\n"
        "       tiersim analyze SCENARIO --vary KEY.PATH=SPEC [--vary ...] --output FILE.csv\n\n"
        "The analytic answer for SCENARIO, without simulating: each resource's demand and\n"
        "utilization, the bottleneck and saturation load, and queueing-network estimates of\n"
        "response times (times in milliseconds). With --vary, the same over a grid of values\n"
        "(the SPECs of 'tiersim sweep'), one CSV row per point, with the column names of\n"
        "'tiersim sweep' where the analysis has a value (docs/analysis.md). --knee 'p99<200ms'\n"
        "adds the largest arrival rate whose analytic p99 stays within 200 ms.\n\n" +
        text_of(visible));
    return 0;
  }
  if (!vm.count("scenario")) throw UsageError("analyze: missing SCENARIO; see 'tiersim analyze --help'");
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    throw UsageError(fmt::format("--format: expected table or json, found \"{}\"", format));
  }
  const fs::path scenario = vm["scenario"].as<std::string>();
  std::optional<fs::path> output;
  if (vm.count("output")) {
    output = vm["output"].as<std::string>();
    cli::check_writable(*output);
  }

  std::string text;
  if (vm.count("vary")) {
    if (!vm["format"].defaulted()) throw UsageError("--format: --vary always writes CSV");
    if (vm.count("knee")) throw UsageError("--knee: not with --vary");
    if (!output) throw UsageError("analyze --vary: expected --output FILE.csv");
    std::vector<experiment::Vary> varies;
    for (const auto& vary : vm["vary"].as<std::vector<std::string>>()) varies.push_back(experiment::parse_vary(vary));
    text = cli::analytic_sweep_csv(experiment::plan_sweep(scenario, overrides(vm), varies));
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

int import_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  visible.add_options()
      ("haproxy", po::value<std::vector<std::string>>()->value_name("[HOST=]FILE"),
       "an haproxy.cfg, one per balancer node (1 or 2; the same file twice with two hosts for a pair)")
      ("keepalived", po::value<std::vector<std::string>>()->value_name("[HOST=]FILE"),
       "a keepalived.conf per balancer node (2, with two --haproxy); HOST pairs it with a node, else the order does")
      ("nginx", po::value<std::vector<std::string>>()->value_name("[HOST=]FILE"),
       "an nginx.conf: one for every web server, or one per server in the order of HAProxy's backend")
      ("overlay", po::value<std::string>()->value_name("FILE.yaml"),
       "a partial scenario merged underneath: hardware, hosts, workload, database, faults")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write the scenario to FILE instead of stdout; FILE is replaced whole or left untouched")
      ("help,h", po::bool_switch(), "show this help");
  const po::variables_map vm = parse(args, visible, {}, "import");
  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim import [--haproxy [HOST=]FILE]... [--keepalived [HOST=]FILE]... [--nginx [HOST=]FILE]...\n"
        "                      [--overlay FILE.yaml] [-o scenario.yaml]\n\n"
        "Writes a scenario (commented YAML) that models the given HAProxy, keepalived and nginx\n"
        "configurations: balancing, health checks, timeouts, retries, limits and VRRP failover.\n"
        "What a configuration cannot say (hardware, workload, database) comes from --overlay or\n"
        "from defaults marked in the output. Every directive that is read but not modelled is\n"
        "listed on stderr with its file and line; one that contradicts the model is an error\n"
        "(exit status 2). docs/import.md lists every directive and its mapping.\n\n" +
        text_of(visible));
    return 0;
  }
  config_import::ImportRequest request;
  const auto files = [&](const char* flag, std::vector<config_import::NodeFile>& into) {
    if (!vm.count(flag)) return;
    for (const auto& argument : vm[flag].as<std::vector<std::string>>()) {
      into.push_back(config_import::parse_node_file(std::string("--") + flag, argument));
    }
  };
  files("haproxy", request.haproxy);
  files("keepalived", request.keepalived);
  files("nginx", request.nginx);
  if (vm.count("overlay")) request.overlay = fs::path(vm["overlay"].as<std::string>());
  std::optional<fs::path> output;
  if (vm.count("output")) {
    output = vm["output"].as<std::string>();
    cli::check_writable(*output);
  }
  const config_import::ImportResult result = config_import::import_configs(request);
  std::cerr << config_import::format_notes(result.notes) << std::flush;
  emit(output, result.yaml);
  return 0;
}

int dispatch(const std::vector<std::string>& args) {
  // Flags before the command are tiersim's own; the rest are the command's.
  const auto command = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.empty() || a[0] != '-'; });
  po::options_description options("Options");
  options.add_options()("help,h", po::bool_switch(), "show this help")(
      "version", po::bool_switch(), "print the version");
  const po::variables_map vm = parse({args.begin(), command}, options, {}, "");

  if (vm["help"].as<bool>()) {
    write_stdout(
        "Usage: tiersim COMMAND [options]\n\n"
        "Discrete-event simulation of web stacks described in YAML scenarios.\n\n"
        "Commands:\n"
        "  run     simulate a scenario and report latency, throughput and utilization\n"
        "  compare run scenarios on the same requests and show paired differences\n"
        "  sweep   run a scenario over a grid of values into a CSV or JSONL file\n"
        "  analyze the analytic (queueing-theory) answer for a scenario, instantly\n"
        "  check   validate a scenario without running it\n"
        "  import  write a scenario from haproxy.cfg, keepalived.conf and nginx.conf\n"
        "  report  write an HTML page from saved JSON and CSV outputs\n\n" +
        text_of(options) + "\nSee 'tiersim COMMAND --help' for the options of a command.\n");
    return 0;
  }
  if (vm["version"].as<bool>()) {
    write_stdout("tiersim " TIERSIM_VERSION "\n");
    return 0;
  }
  if (command == args.end()) throw UsageError("no command given; see 'tiersim --help'");
  const std::vector<std::string> rest(command + 1, args.end());
  if (*command == "run") return run_command(rest);
  if (*command == "compare") return compare_command(rest);
  if (*command == "sweep") return sweep_command(rest);
  if (*command == "check") return check_command(rest);
  if (*command == "analyze") return analyze_command(rest);
  if (*command == "import") return import_command(rest);
  if (*command == "report") return report_command(rest);
  throw UsageError(fmt::format("unknown command \"{}\"; the commands are run, compare, sweep, analyze, check, import and report "
                               "(see 'tiersim --help')",
                               *command));
}

// Messages may quote file names and system errors: printable() keeps them
// valid UTF-8 without control characters.
void print_error(std::string_view message) {
  const std::string who =
      experiment::cluster::coordinator() ? "tiersim" : fmt::format("tiersim (MPI rank {})", experiment::cluster::rank());
  std::cerr << who << ": error: " << loader::detail::printable(message) << std::endl;
}

int run(int argc, char** argv) {
  try {
    experiment::cluster::start(argc, argv);
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const loader::ScenarioError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const UsageError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const experiment::InputError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const models::RunLimitExceeded& e) {
    print_error(e.what());
    return kExitOverload;
  } catch (const cli::OutputError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const config_import::ImportError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const report::ReportInputError& e) {
    print_error(fmt::format("report: {}", e.what()));
    return kExitBadInput;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  experiment::handle_signals();
  // Under MPI, every rank leaves the job, whatever happened.
  return experiment::cluster::finish(run(argc, argv));
}
