// Reads a scenario file (YAML, documented in docs/scenarios.md) into the
// plain models::ScenarioConfig, validating everything the models rely on.
// Every problem becomes a ScenarioError that points at the offending value.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loader/bad_input.hpp"
#include "models/config.hpp"

namespace loader {

// One `--set key.path=value` command-line override.
struct Override {
  std::string path;   // dotted map keys; sequence elements by 0-based index
  std::string value;  // a YAML scalar or flow collection
};

class ScenarioError : public BadInput {
 public:
  // what() is "file:line:column: key.path: message", with the position parts
  // that are known, then "\n" + hint when there is a hint.
  ScenarioError(std::string file, int line, int column, std::string key_path, std::string_view message,
                std::string_view hint = {});

  // The scenario file's name as given, or "--set path=value" when the problem
  // is in an override's value.
  const std::string& file() const { return file_; }
  int line() const { return line_; }      // 1-based; 0 when unknown
  int column() const { return column_; }  // 1-based; 0 when unknown
  // Where in the scenario, e.g. "tiers.app.workers"; empty for problems
  // with the file as a whole (unreadable, not YAML).
  const std::string& key_path() const { return key_path_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_path_;
};

// Parses "key.path=value"; throws ScenarioError on a malformed one.
Override parse_override(std::string_view text);

// Reads and validates a scenario file, applying the overrides in order first.
models::ScenarioConfig load_scenario_file(const std::filesystem::path& file,
                                          const std::vector<Override>& overrides = {});

// As load_scenario_file for text already in memory. `origin` names it in
// messages; `base_dir` resolves relative paths such as empirical(file.csv).
models::ScenarioConfig load_scenario_text(std::string_view yaml, const std::string& origin,
                                          const std::filesystem::path& base_dir,
                                          const std::vector<Override>& overrides = {});

// Settings that are legal but almost surely unintended, one message each
// ("tiers.lb: balance first without server_maxconn sends every request to the
// first server"); docs/scenarios.md lists them. The command line prints them
// as warnings and goes on.
std::vector<std::string> scenario_warnings(const models::ScenarioConfig& config);

}  // namespace loader
