// tiersim's commands, in one table: each command's name, its line in
// `tiersim --help`, its usage text and options for `tiersim NAME --help`,
// its positional arguments and its handler. `tiersim --help` and the
// unknown-command message are generated from the table; each command's
// options, usage and handler live in cli/<name>_command.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

namespace cli {

namespace po = boost::program_options;

struct Command {
  std::string_view name;
  std::string_view summary;  // one line in `tiersim --help`
  // `tiersim NAME --help`: the usage and description printed above the options.
  std::string (*usage)();
  // Adds the command's flags; every command also takes --help, added last.
  void (*add_options)(po::options_description& options);
  // The positional arguments go to this option; empty: the command takes none.
  std::string_view arguments;
  bool many_arguments;  // any number of them (a list), or at most one (a string)
  int (*handler)(const po::variables_map& vm);
};

const std::vector<Command>& commands();

// Parses the arguments after the command's name, prints its help for
// --help, and calls its handler.
int run_command_line(const Command& command, const std::vector<std::string>& args);

// The commands' own parts, in cli/<name>_command.cpp.
std::string run_usage();
void run_options(po::options_description& options);
int run_command(const po::variables_map& vm);

std::string compare_usage();
void compare_options(po::options_description& options);
int compare_command(const po::variables_map& vm);

std::string sweep_usage();
void sweep_options(po::options_description& options);
int sweep_command(const po::variables_map& vm);

std::string analyze_usage();
void analyze_options(po::options_description& options);
int analyze_command(const po::variables_map& vm);

std::string check_usage();
void check_options(po::options_description& options);
int check_command(const po::variables_map& vm);

std::string import_usage();
void import_options(po::options_description& options);
int import_command(const po::variables_map& vm);

std::string report_usage();
void report_options(po::options_description& options);
int report_command(const po::variables_map& vm);

}  // namespace cli
