// tiersim import: writes a scenario from haproxy.cfg, keepalived.conf and
// nginx.conf files.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "import/scenario.hpp"

namespace cli {

namespace fs = std::filesystem;

std::string import_usage() {
  return "Usage: tiersim import [--haproxy [HOST=]FILE]... [--keepalived [HOST=]FILE]... [--nginx [HOST=]FILE]...\n"
         "                      [--overlay FILE.yaml] [-o scenario.yaml]\n\n"
         "Writes a scenario (commented YAML) that models the given HAProxy, keepalived and nginx\n"
         "configurations: balancing, health checks, timeouts, retries, limits and VRRP failover.\n"
         "What a configuration cannot say (hardware, workload, database) comes from --overlay or\n"
         "from defaults marked in the output. Every directive that is read but not modelled is\n"
         "listed on stderr with its file and line; one that contradicts the model is an error\n"
         "(exit status 2). docs/import.md lists every directive and its mapping.\n\n";
}

void import_options(po::options_description& options) {
  options.add_options()
      ("haproxy", po::value<std::vector<std::string>>()->value_name("[HOST=]FILE"),
       "an haproxy.cfg, one per balancer node (1 or 2; the same file twice with two hosts for a pair)")
      ("keepalived", po::value<std::vector<std::string>>()->value_name("[HOST=]FILE"),
       "a keepalived.conf per balancer node (2, with two --haproxy); HOST pairs it with a node, else the order does")
      ("nginx", po::value<std::vector<std::string>>()->value_name("[HOST=]FILE"),
       "an nginx.conf: one for every web server, or one per server in the order of HAProxy's backend")
      ("overlay", po::value<std::string>()->value_name("FILE.yaml"),
       "a partial scenario merged underneath: hardware, hosts, workload, database, faults")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "write the scenario to FILE instead of stdout; FILE is replaced whole or left untouched");
}

int import_command(const po::variables_map& vm) {
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
  const std::optional<fs::path> output = output_flag(vm, "output");
  const config_import::ImportResult result = config_import::import_configs(request);
  std::cerr << config_import::format_notes(result.notes) << std::flush;
  emit(output, result.yaml);
  return 0;
}

}  // namespace cli
