// tiersim check: reads and validates a scenario without running it.
#include <string>

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"

namespace cli {

std::string check_usage() {
  return "Usage: tiersim check SCENARIO [options]\n\n"
         "Reads and validates the YAML file SCENARIO, with the --set changes applied,\n"
         "without running it. Prints \"ok: NAME (N tiers, M nodes)\" when it is valid;\n"
         "otherwise the first problem, with its line, column and key path.\n\n";
}

void check_options(po::options_description& options) {
  add_set_option(options);
}

int check_command(const po::variables_map& vm) {
  if (!vm.count("scenario")) throw UsageError("check: missing SCENARIO; see 'tiersim check --help'");

  const models::ScenarioConfig config = warned(loader::load_scenario_file(vm["scenario"].as<std::string>(), overrides(vm)));
  int nodes = 0;
  for (const auto& tier : config.tiers) nodes += tier.count;
  const std::size_t tiers = config.tiers.size();
  write_stdout(fmt::format("ok: {} ({} tier{}, {} node{})\n", config.name, tiers, tiers == 1 ? "" : "s", nodes,
                           nodes == 1 ? "" : "s"));
  return 0;
}

}  // namespace cli
