// A fixture for tests that run the built tiersim as a user would: the binary
// from TIERSIM_BIN (tests/meson.build sets it), a private directory whose
// work/ folder holds the test's files, starting with a small valid scenario
// (tiny.yaml), and whose scratch/ folder takes stdout and stderr, so that
// work/ holds only what the test and tiersim wrote there.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/tiersim_process.hpp"

namespace test_support {

// One server tier, open Poisson arrivals, 3s simulated. `name` is the
// scenario's name as YAML text (quoted where it needs to be).
inline std::string tiny_scenario(std::string_view name = "tiny") {
  return "name: " + std::string(name) + R"(
run: { duration: 3s, warmup: 500ms, seed: 7 }
machines:
  box: { cores: 2 }
tiers:
  web: { kind: server, machine: box, workers: 4, queue: 16 }
workload:
  arrivals: poisson(300/s)
  classes:
    get:
      web: { cpu: exp(2ms) }
)";
}

class TiersimTest : public ::testing::Test {
 protected:
  // `prefix` names the private directory; `scenario` becomes work/tiny.yaml.
  TiersimTest(const std::string& prefix, std::string scenario) : dir_(prefix), scenario_(std::move(scenario)) {}

  void SetUp() override {
    const char* bin = std::getenv("TIERSIM_BIN");
    ASSERT_NE(bin, nullptr) << "TIERSIM_BIN is not set (run through meson test)";
    bin_ = bin;
    scratch_ = dir_.path() / "scratch";
    work_ = dir_.path() / "work";
    std::filesystem::create_directory(scratch_);
    std::filesystem::create_directory(work_);
    tiny_ = work_ / "tiny.yaml";
    std::ofstream(tiny_) << scenario_;
  }

  Outcome tiersim(const std::vector<std::string>& args) {
    const std::filesystem::path out = scratch_ / "stdout", err = scratch_ / "stderr";
    return finish_process(start_process(bin_, args, out, err), out, err);
  }

  // work/NAME holding `text`.
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(work_ / name) << text;
    return work_ / name;
  }

  TempDir dir_;
  std::string scenario_;
  std::filesystem::path bin_, scratch_, work_, tiny_;
};

}  // namespace test_support
