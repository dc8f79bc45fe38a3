// What tiersim's commands share: usage errors, the flags several commands
// take (--set, the scenario and replication flags, --output, the progress
// bar) and how their values are checked, and writing results to stdout.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "experiment/progress_bar.hpp"
#include "experiment/replications.hpp"
#include "loader/scenario_loader.hpp"
#include "models/config.hpp"

namespace cli {

namespace po = boost::program_options;

// Bad flags or arguments: exit status 2, like a ScenarioError.
class UsageError : public loader::BadInput {
 public:
  using loader::BadInput::BadInput;
};

void write_stdout(std::string_view text);

// To `output` when given, whole or not at all; else to stdout.
void emit(const std::optional<std::filesystem::path>& output, std::string_view text);

// The path given to `flag` (such as --output), checked writable before any
// work; nothing when the flag is absent.
std::optional<std::filesystem::path> output_flag(const po::variables_map& vm, const char* flag);

// Legal but almost surely unintended settings: a line each on stderr; the command goes on.
const models::ScenarioConfig& warned(const models::ScenarioConfig& config);

std::string text_of(const po::options_description& options);

// `command` is empty for the flags before the command.
po::variables_map parse(const std::vector<std::string>& args, const po::options_description& options,
                        const po::positional_options_description& positional, std::string_view command);

void add_set_option(po::options_description& options);
std::vector<loader::Override> overrides(const po::variables_map& vm);

// A duration flag's text, checked so that the message names the flag.
std::string duration_flag(std::string_view flag, const std::string& text, bool positive);

// --set, --seed, --duration and the replication flags: run, compare and sweep share them.
void add_scenario_options(po::options_description& options);
// --set, then --seed, --duration and --warmup, as changes to the scenario.
std::vector<loader::Override> scenario_changes(const po::variables_map& vm);
// `replications`: the default without --replications and --precision.
experiment::Options experiment_options(const po::variables_map& vm, std::size_t replications);

// A progress bar on stderr when it is a terminal, unless --quiet.
experiment::Progress progress_bar(const po::variables_map& vm, std::optional<experiment::ProgressBar>& bar,
                                  const char* unit);

}  // namespace cli
