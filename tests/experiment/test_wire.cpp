// Units and results through the bytes the MPI ranks exchange
// (experiment/wire.hpp): what comes back is what was run, bit for bit, and
// damaged bytes are an error, never a wrong result.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "experiment/summary.hpp"
#include "experiment/wire.hpp"
#include "loader/scenario_loader.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = TIERSIM_SOURCE_ROOT;

// A replication with faults, several classes, tiers and nodes, and its pilot.
TEST(Wire, AResultComesBackAsItWasRun) {
  const auto config = loader::load_scenario_file(kRoot / "scenarios" / "drills" / "3-scale-up-replica-drills.yaml",
                                                 {{"run.duration", "40m"}, {"workload.arrivals", "poisson(50/s)"}, {"tiers.db.replication_lag", "exp(2s)"}});
  experiment::WorkUnit unit;
  unit.group = 7;
  unit.scenario = 1;
  unit.replication = 3;
  unit.warmup = config.run.warmup;
  const experiment::UnitResult result = experiment::run_unit(config, unit);
  ASSERT_GT(result.run.latency.count(), 0u);
  ASSERT_FALSE(result.run.slo.faults.empty());
  ASSERT_GT(result.run.classes.size(), 1u);
  ASSERT_TRUE(result.run.stale_reads.has_value());

  const std::string bytes = experiment::wire::encode(unit, result);
  const auto [unit_back, result_back] = experiment::wire::decode_result(bytes);
  EXPECT_EQ(experiment::wire::encode(unit_back, result_back), bytes);
  EXPECT_EQ(unit_back.group, 7u);
  EXPECT_EQ(unit_back.replication, 3u);
  experiment::Experiment sent, received;
  sent.runs = {result.run};
  received.runs = {result_back.run};
  // Everything a report shows, through every histogram, count and fault.
  EXPECT_EQ(experiment::experiment_json(received).dump(), experiment::experiment_json(sent).dump());
  EXPECT_EQ(result_back.run.latency.quantile(0.99), result.run.latency.quantile(0.99));
  EXPECT_EQ(result_back.run.slo.faults.size(), result.run.slo.faults.size());

  experiment::WorkUnit pilot;
  pilot.pilot = true;
  const experiment::UnitResult detected = experiment::run_unit(config, pilot);
  const auto [pilot_back, detected_back] = experiment::wire::decode_result(experiment::wire::encode(pilot, detected));
  EXPECT_TRUE(pilot_back.pilot);
  EXPECT_EQ(detected_back.pilot.mser.cut, detected.pilot.mser.cut);
  EXPECT_EQ(detected_back.pilot.window, detected.pilot.window);
}

TEST(Wire, DamagedBytesAreAnError) {
  const auto config = loader::load_scenario_file(kRoot / "scenarios" / "mm1.yaml", {{"run.duration", "2s"}, {"run.warmup", "0s"}});
  const experiment::WorkUnit unit;
  const std::string bytes = experiment::wire::encode(unit, experiment::run_unit(config, unit));
  EXPECT_THROW(experiment::wire::decode_result(bytes.substr(0, bytes.size() - 1)), std::runtime_error);
  EXPECT_THROW(experiment::wire::decode_result(bytes + "x"), std::runtime_error);
  EXPECT_THROW(experiment::wire::decode_unit(""), std::runtime_error);
}

}  // namespace
