#include "cli/commands.hpp"

#include "cli/command_line.hpp"

namespace cli {

const std::vector<Command>& commands() {
  // In the order of `tiersim --help`.
  static const std::vector<Command> table = {
      {"run", "simulate a scenario and report latency, throughput and utilization", run_usage, run_options,
       "scenario", false, run_command},
      {"compare", "run scenarios on the same requests and show paired differences", compare_usage,
       compare_options, "scenario", true, compare_command},
      {"sweep", "run a scenario over a grid of values into a CSV or JSONL file", sweep_usage, sweep_options,
       "scenario", false, sweep_command},
      {"analyze", "the analytic (queueing-theory) answer for a scenario, instantly", analyze_usage,
       analyze_options, "scenario", false, analyze_command},
      {"check", "validate a scenario without running it", check_usage, check_options, "scenario", false,
       check_command},
      {"import", "write a scenario from haproxy.cfg, keepalived.conf and nginx.conf", import_usage,
       import_options, "", false, import_command},
      {"report", "write an HTML page from saved JSON and CSV outputs", report_usage, report_options, "input", true,
       report_command},
  };
  return table;
}

int run_command_line(const Command& command, const std::vector<std::string>& args) {
  po::options_description visible("Options");
  command.add_options(visible);
  visible.add_options()("help,h", po::bool_switch(), "show this help");
  po::options_description all;
  all.add(visible);
  po::positional_options_description positional;
  if (!command.arguments.empty()) {
    const std::string name(command.arguments);
    if (command.many_arguments) {
      all.add_options()(name.c_str(), po::value<std::vector<std::string>>());
    } else {
      all.add_options()(name.c_str(), po::value<std::string>());
    }
    positional.add(name.c_str(), command.many_arguments ? -1 : 1);
  }
  const po::variables_map vm = parse(args, all, positional, command.name);
  if (vm["help"].as<bool>()) {
    write_stdout(command.usage() + text_of(visible));
    return 0;
  }
  return command.handler(vm);
}

}  // namespace cli
