// tiersim's command line: parses flags, loads the scenario, runs it, formats
// the results and writes them. Everything else lives in the libraries.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli_config.h"
#include "loader/scenario_loader.hpp"
#include "models/run.hpp"
#include "report/json_report.hpp"
#include "report/table_report.hpp"
#include "sim/time.hpp"

namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

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

// --seed and --duration are checked here, not left to the loader, so that
// the message names the flag rather than run.seed or run.duration.
std::string seed_flag(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError(fmt::format("--seed: expected an unsigned 64-bit integer, found \"{}\"", text));
  }
  return text;
}

std::string duration_flag(const std::string& text) {
  const auto value = sim::parse_duration(text);
  if (!value || *value == 0) {
    throw UsageError(fmt::format("--duration: expected a positive duration such as 30s or 5m, found \"{}\"", text));
  }
  return text;
}

int run_command(const std::vector<std::string>& args) {
  po::options_description visible("Options");
  add_set_option(visible);
  visible.add_options()
      ("seed", po::value<std::string>()->value_name("N"), "random seed, an unsigned integer (overrides run.seed)")
      ("duration", po::value<std::string>()->value_name("D"),
       "simulated time, e.g. 30s or 5m, warm-up included (overrides run.duration)")
      ("format", po::value<std::string>()->value_name("FORMAT")->default_value("table"),
       "table (for people) or json (stable keys, for scripts)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write the results to FILE instead of stdout; FILE is replaced whole or left untouched")
      ("quiet,q", po::bool_switch(), "no progress line on stderr (shown only when stderr is a terminal)")
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
        "installation or the source tree. --set, then --seed and --duration, change values\n"
        "of the scenario before it is checked.\n\n{}",
        kDefaultScenario, text_of(visible)));
    return 0;
  }

  std::vector<loader::Override> changes = overrides(vm);
  if (vm.count("seed")) changes.push_back({"run.seed", seed_flag(vm["seed"].as<std::string>())});
  if (vm.count("duration")) changes.push_back({"run.duration", duration_flag(vm["duration"].as<std::string>())});
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "json") {
    throw UsageError(fmt::format("--format: expected table or json, found \"{}\"", format));
  }
  const fs::path scenario = vm.count("scenario") ? fs::path(vm["scenario"].as<std::string>()) : default_scenario();
  const models::ScenarioConfig config = loader::load_scenario_file(scenario, changes);
  std::optional<fs::path> output;
  if (vm.count("output")) {
    output = vm["output"].as<std::string>();
    cli::check_writable(*output);
  }

  models::RunResult result;
  {
    models::RunOptions options;
    std::optional<cli::ProgressLine> progress;
    if (!vm["quiet"].as<bool>() && ::isatty(STDERR_FILENO)) {
      progress.emplace(config.run.duration);
      options.progress = [&progress](sim::Time now, std::uint64_t events) { progress->update(now, events); };
    }
    result = models::run_scenario(config, options);
  }  // the progress line is cleared here, before any output

  const std::string text = format == "json" ? report::run_result_json(result).dump(2) + "\n"
                                            : report::run_result_table(result);
  if (output) {
    cli::write_file_atomically(*output, text);
  } else {
    write_stdout(text);
  }
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

  const models::ScenarioConfig config = loader::load_scenario_file(vm["scenario"].as<std::string>(), overrides(vm));
  int nodes = 0;
  for (const auto& tier : config.tiers) nodes += tier.count;
  const std::size_t tiers = config.tiers.size();
  write_stdout(fmt::format("ok: {} ({} tier{}, {} node{})\n", config.name, tiers, tiers == 1 ? "" : "s", nodes,
                           nodes == 1 ? "" : "s"));
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
        "  check   validate a scenario without running it\n\n" +
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
  if (*command == "check") return check_command(rest);
  throw UsageError(fmt::format("unknown command \"{}\"; the commands are run and check (see 'tiersim --help')", *command));
}

void print_error(std::string_view message) { std::cerr << "tiersim: error: " << message << std::endl; }

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const loader::ScenarioError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const UsageError& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
}
