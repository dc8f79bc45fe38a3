#include "cli/command_line.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "cli/output.hpp"
#include "experiment/cluster.hpp"
#include "loader/text_util.hpp"
#include "sim/time.hpp"

namespace cli {

namespace {

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

}  // namespace

void write_stdout(std::string_view text) {
  std::cout << text << std::flush;
  if (!std::cout) throw std::runtime_error("cannot write to standard output");
}

void emit(const std::optional<std::filesystem::path>& output, std::string_view text) {
  if (output) {
    write_file_atomically(*output, text);
  } else {
    write_stdout(text);
  }
}

std::optional<std::filesystem::path> output_flag(const po::variables_map& vm, const char* flag) {
  if (!vm.count(flag)) return std::nullopt;
  std::filesystem::path path = vm[flag].as<std::string>();
  check_writable(path);
  return path;
}

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

experiment::Progress progress_bar(const po::variables_map& vm, std::optional<experiment::ProgressBar>& bar,
                                  const char* unit) {
  if (vm["quiet"].as<bool>() || !::isatty(STDERR_FILENO)) return {};
  bar.emplace(unit);
  return [&bar](double done, double total, std::uint64_t events) { bar->update(done, total, events); };
}

}  // namespace cli
