// Every shipped scenario analyses without error, and the queueing answers of
// the textbook ones are the textbook's.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

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

// Stage 1 routes by co-location: nginx and the app call their local node;
// app1's local database is the primary, so its reads go to the replica, and
// app2 reads its local replica: all reads land on db2, writes on db1.
TEST(ScenarioFiles, DistributedStageRouting) {
  const auto r = analyze("1-distributed");
  const auto& classes = r.model.classes;
  const auto page = static_cast<std::size_t>(std::find(classes.begin(), classes.end(), "page") - classes.begin());
  const auto checkout = static_cast<std::size_t>(std::find(classes.begin(), classes.end(), "checkout") - classes.begin());
  for (const auto& n : r.model.nodes) {
    if (n.name == "db1") {
      EXPECT_NEAR(n.visits[page], 0.0, 1e-12);
      EXPECT_NEAR(n.visits[checkout], 5.0, 1e-12);  // 5 calls per checkout
    }
    if (n.name == "db2") {
      EXPECT_NEAR(n.visits[page], 3.0, 1e-12);  // 3 calls per page
    }
    if (n.name == "web1") {
      EXPECT_NEAR(n.visits[page], 0.5, 1e-12);
    }
  }
}

TEST(ScenarioFiles, PrintScaleUpTable) {
  std::cout << analysis::format_table(analyze("3-scale-up"));
}

}  // namespace
