// Turns HAProxy, keepalived and nginx configurations into a tiersim scenario
// (commented YAML, the schema of docs/scenarios.md): the readers produce plain
// structures, and this maps them onto the chain lb (haproxy) -> web (nginx)
// -> app -> db, filling what a configuration cannot say from an overlay
// scenario or from documented defaults. docs/import.md lists every mapping.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "import/common.hpp"

namespace config_import {

// One configuration file from the command line, with the node it belongs to.
struct NodeFile {
  std::string host;             // empty: named after the tier and position
  std::filesystem::path path;
  std::string flag;             // "--haproxy lb1=haproxy.cfg", for messages
};

struct ImportRequest {
  std::vector<NodeFile> haproxy, keepalived, nginx;
  std::optional<std::filesystem::path> overlay;
};

struct ImportResult {
  std::string yaml;  // a scenario that `tiersim check` accepts
  Notes notes;       // every directive read but not modelled
};

// "HOST=FILE" or "FILE".
NodeFile parse_node_file(const std::string& flag, const std::string& argument);

// Throws ImportError for configurations that are malformed or contradict
// the model, and for an overlay that does not complete a valid scenario.
ImportResult import_configs(const ImportRequest& request);

// "file:line:column: note: DIRECTIVE: REASON" lines for stderr.
std::string format_notes(const Notes& notes);

}  // namespace config_import
