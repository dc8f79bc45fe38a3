// The scenario loader's reading of per-class call lists (`calls:` as a list
// of steps) and the checks on the call graph they make with the chain
// shorthand (`calls: N`): targets that exist and may be called, conditions
// that have a cache to depend on, no cycles, no demand that no call reaches.
// Every error names the file, line, column and key (loader/fields.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loader/fields.hpp"
#include "models/config.hpp"

namespace loader::call_graph {

using fields::Field;

// Where a step was written.
struct StepFields {
  Field step;  // the step's map
  Field to;
  std::optional<Field> on;
  std::optional<Field> op;
  std::optional<Field> parallel;
};

// Where one class's demands and calls were written, by tier.
struct ClassFields {
  Field name;                               // the class's key
  std::vector<std::optional<Field>> demand;  // the tier's demand map
  std::vector<std::optional<Field>> calls;   // its `calls:` value
  std::vector<std::vector<StepFields>> steps;
};

// Reads `calls:` given as a list; `where` gets each step's fields.
std::vector<models::CallStep> read_call_list(const Field& f, const std::vector<std::string>& tier_names,
                                             std::vector<StepFields>& where);

// Checks the whole scenario's call graph (tiers and classes read), class by class.
void check(const models::ScenarioConfig& cfg, const std::vector<ClassFields>& where);

}  // namespace loader::call_graph
