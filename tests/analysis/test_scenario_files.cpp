// Every shipped scenario analyses without error, and the queueing answers of
// the textbook ones are the textbook's.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "analysis/analysis_report.hpp"
#include "loader/scenario_loader.hpp"

namespace {

std::filesystem::path scenarios() { return std::filesystem::path(TIERSIM_SOURCE_ROOT) / "scenarios"; }

analysis::AnalysisResult analyze(const std::string& name) {
  return analysis::analyze(loader::load_scenario_file(scenarios() / (name + ".yaml")));
}

TEST(ScenarioFiles, EveryScenarioAnalyses) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(scenarios())) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    ++count;
    const auto config = loader::load_scenario_file(entry.path());
    const auto r = analysis::analyze(config);
    EXPECT_GE(r.operational.bottleneck, 0);
    EXPECT_GT(r.operational.saturation_rate, 0.0);
    // The shipped scenarios all run below saturation, except metastable,
    // whose burst overloads on purpose (analysis takes the peak rate).
    if (config.name == "metastable") {
      EXPECT_FALSE(r.queueing.stable);
      continue;
    }
    EXPECT_TRUE(r.queueing.stable);
    EXPECT_GT(r.queueing.total.response, 0.0);
    EXPECT_TRUE(std::isfinite(r.queueing.total.response));
    EXPECT_FALSE(analysis::format_table(r).empty());
    EXPECT_NO_THROW((void)analysis::to_json(r).dump());
  }
  EXPECT_GE(count, 9);
}

// The textbook scenarios state their answers in their descriptions.
TEST(ScenarioFiles, TextbookScenarios) {
  EXPECT_NEAR(analyze("mm1").queueing.total.response, 10e-3, 1e-9);       // 1 / (mu - lambda)
  EXPECT_NEAR(analyze("md1").queueing.total.response, 3e-3, 1e-9);        // 1 ms + P-K wait 2 ms
  EXPECT_NEAR(analyze("tandem").queueing.total.response, 18.333e-3, 1e-6);
  EXPECT_NEAR(analyze("mmc").queueing.total.response, 1.745540e-3, 1e-9);  // Erlang C
  EXPECT_NEAR(analyze("closed").operational.saturation_users, 26.75, 1e-9);
}

// The node of that name; fails the test when there is none (a renamed node
// must not turn the checks below into no checks).
const analysis::Node& node_named(const analysis::AnalysisResult& r, const std::string& name) {
  const auto& nodes = r.model.nodes;
  const auto it = std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) { return n.name == name; });
  if (it == nodes.end()) throw std::runtime_error("no node named " + name);
  return *it;
}

std::size_t class_index(const analysis::AnalysisResult& r, const std::string& name) {
  const auto& classes = r.model.classes;
  const auto it = std::find(classes.begin(), classes.end(), name);
  if (it == classes.end()) throw std::runtime_error("no class named " + name);
  return static_cast<std::size_t>(it - classes.begin());
}

// Stage 1 routes by co-location: nginx and the app call their local node;
// app1's local database is the primary, so its reads go to the replica, and
// app2 reads its local replica: all reads land on db2, writes on db1.
TEST(ScenarioFiles, DistributedStageRouting) {
  const auto r = analyze("1-distributed");
  const auto page = class_index(r, "page");
  const auto checkout = class_index(r, "checkout");
  EXPECT_NEAR(node_named(r, "db1").visits[page], 0.0, 1e-12);
  EXPECT_NEAR(node_named(r, "db1").visits[checkout], 5.0, 1e-12);  // 5 calls per checkout
  EXPECT_NEAR(node_named(r, "db2").visits[page], 3.0, 1e-12);      // 3 calls per page
  EXPECT_NEAR(node_named(r, "db2").visits[checkout], 0.0, 1e-12);
  EXPECT_NEAR(node_named(r, "web1").visits[page], 0.5, 1e-12);
  EXPECT_NEAR(node_named(r, "web2").visits[page], 0.5, 1e-12);
}

// Stage 4's cache-aside: a page's three gets go to the two cache nodes in
// turn; each miss (1 - 0.8 of them) reads the replica and sets the cache;
// checkout's five writes go to the primary, past the cache.
TEST(ScenarioFiles, CachedStageSplitsReadsByHitRatio) {
  const auto r = analyze("4-cached");
  const auto page = class_index(r, "page");
  const auto checkout = class_index(r, "checkout");
  EXPECT_NEAR(node_named(r, "db2").visits[page], 3 * (1 - 0.8), 1e-12);
  EXPECT_NEAR(node_named(r, "db1").visits[page], 0.0, 1e-12);
  EXPECT_NEAR(node_named(r, "cache1").visits[page], (3 + 3 * (1 - 0.8)) / 2, 1e-12);
  EXPECT_NEAR(node_named(r, "cache2").visits[page], (3 + 3 * (1 - 0.8)) / 2, 1e-12);
  EXPECT_NEAR(node_named(r, "db1").visits[checkout], 5.0, 1e-12);
  EXPECT_NEAR(node_named(r, "cache1").visits[checkout], 0.0, 1e-12);
}

// The table lists every resource that carries load and names the bottleneck
// the operational analysis found.
TEST(ScenarioFiles, ScaleUpTableListsTheLoadedResourcesAndTheBottleneck) {
  const auto r = analyze("3-scale-up");
  const std::string table = analysis::format_table(r);
  std::cout << table;
  const auto& op = r.operational;
  ASSERT_GE(op.bottleneck, 0);
  int loaded = 0;
  for (const auto& resource : op.resources) {
    if (resource.demand_total == 0.0) continue;
    ++loaded;
    EXPECT_NE(table.find(resource.name + " "), std::string::npos) << resource.name;
  }
  EXPECT_GE(loaded, 16);  // CPU, NIC in and out of 8 nodes at least
  const auto& bottleneck = op.resources[static_cast<std::size_t>(op.bottleneck)].name;
  EXPECT_NE(table.find("Bottleneck: " + bottleneck + " saturates at"), std::string::npos) << bottleneck;
}

}  // namespace
