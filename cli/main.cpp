// tiersim's command line: picks the command from the table (commands.cpp),
// whose handler loads the scenario, runs it, formats the results and writes
// them; turns every error into a message and an exit status. Everything
// else lives in the libraries.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli_config.h"
#include "experiment/cluster.hpp"
#include "experiment/interrupt.hpp"
#include "loader/scenario_loader.hpp"
#include "loader/text_util.hpp"
#include "models/run.hpp"
#include "report/report_inputs.hpp"

namespace {

namespace po = boost::program_options;
using namespace cli;

constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
// The overload guard stopped a run (models::RunLimitExceeded).
constexpr int kExitOverload = 3;

// "  run     simulate a scenario ...", one line per command.
std::string command_list() {
  std::size_t width = 0;
  for (const auto& c : commands()) width = std::max(width, c.name.size());
  std::string text;
  for (const auto& c : commands()) text += fmt::format("  {:<{}} {}\n", c.name, width, c.summary);
  return text;
}

// "run, compare and report".
std::string command_names() {
  std::string text;
  const auto& all = commands();
  for (std::size_t i = 0; i < all.size(); ++i) {
    text += i == 0 ? "" : i + 1 == all.size() ? " and " : ", ";
    text += all[i].name;
  }
  return text;
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
        "Commands:\n" +
        command_list() + "\n" + text_of(options) + "\nSee 'tiersim COMMAND --help' for the options of a command.\n");
    return 0;
  }
  if (vm["version"].as<bool>()) {
    write_stdout("tiersim " TIERSIM_VERSION "\n");
    return 0;
  }
  if (command == args.end()) throw UsageError("no command given; see 'tiersim --help'");
  const std::vector<std::string> rest(command + 1, args.end());
  for (const auto& c : commands()) {
    if (*command == c.name) return run_command_line(c, rest);
  }
  throw UsageError(fmt::format("unknown command \"{}\"; the commands are {} (see 'tiersim --help')", *command,
                               command_names()));
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
  } catch (const loader::BadInput& e) {
    print_error(e.what());
    return kExitBadInput;
  } catch (const models::RunLimitExceeded& e) {
    print_error(e.what());
    return kExitOverload;
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
