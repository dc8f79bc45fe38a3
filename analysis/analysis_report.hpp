// `tiersim analyze`: the analytic answer for a scenario, and its renderings.
//
//   const auto result = analysis::analyze(config);
//   std::cout << analysis::format_table(result);        // or
//   std::cout << analysis::to_json(result).dump(2);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/availability.hpp"
#include "analysis/demands.hpp"
#include "analysis/queueing.hpp"
#include "models/config.hpp"

namespace analysis {

struct AnalysisOptions {
  MvaLimits mva;
  // Redundancy groups of the request path; scenario files do not describe
  // faults yet, so callers supply them. Empty: no availability section.
  std::vector<RedundancyGroup> availability;
};

struct AnalysisResult {
  StackModel model;
  OperationalAnalysis operational;  // utilizations at queueing.throughput
  QueueingAnalysis queueing;
  std::optional<PathAvailability> availability;
};

// Throws what build_model throws for a scenario the loader would reject.
AnalysisResult analyze(const models::ScenarioConfig& config, const AnalysisOptions& options = {});

// Plain-text tables; times in milliseconds.
std::string format_table(const AnalysisResult& result);

// Times in milliseconds, rates per second; values without a finite answer
// (saturated, infinite nines) are null.
nlohmann::ordered_json to_json(const AnalysisResult& result);

}  // namespace analysis
