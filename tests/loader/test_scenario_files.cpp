// Scenario files kept in the repository: every ```yaml block of
// docs/scenarios.md and every file in scenarios/ must load, and every file in
// tests/data/bad must fail where its first line says.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loader/scenario_loader.hpp"
#include "support/files.hpp"

#ifndef TIERSIM_SOURCE_ROOT
#error "TIERSIM_SOURCE_ROOT must be defined by the build"
#endif

namespace {

const std::filesystem::path kRoot = TIERSIM_SOURCE_ROOT;

using test_support::read_file;

struct Block {
  int line;  // of the opening fence
  std::string text;
};

std::vector<Block> yaml_blocks(const std::string& markdown) {
  std::vector<Block> blocks;
  std::istringstream in(markdown);
  std::string line;
  int number = 0;
  Block* open = nullptr;
  bool other_fence = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      if (open != nullptr) {
        open = nullptr;
      } else if (other_fence) {
        other_fence = false;
      } else if (line == "```yaml") {
        blocks.push_back({number, ""});
        open = &blocks.back();
      } else {
        other_fence = true;
      }
      continue;
    }
    if (open != nullptr) open->text += line + "\n";
  }
  EXPECT_EQ(open, nullptr) << "unterminated ```yaml block";
  return blocks;
}

TEST(ScenarioDocs, EveryYamlBlockLoads) {
  const auto doc = kRoot / "docs" / "scenarios.md";
  const auto blocks = yaml_blocks(read_file(doc));
  EXPECT_GE(blocks.size(), 4u);
  for (const auto& block : blocks) {
    const std::string origin = "docs/scenarios.md block at line " + std::to_string(block.line);
    try {
      loader::load_scenario_text(block.text, origin, doc.parent_path());
    } catch (const loader::ScenarioError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(ShippedScenarios, AllLoad) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    try {
      loader::load_scenario_file(entry.path());
      ++loaded;
    } catch (const loader::ScenarioError& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GT(loaded, 0);
}

struct Expectation {
  int line = 0;
  int column = 0;
  std::string key_path;
  std::string message;  // optional fragment
};

// "# expect: LINE:COLUMN KEY.PATH" on the first line, optionally
// "# message: FRAGMENT" on the second.
Expectation expectation_of(const std::string& text) {
  static const std::regex kExpect(R"(^# expect: (\d+):(\d+) (\S+)\s*$)");
  static const std::regex kMessage(R"(^# message: (.+?)\s*$)");
  std::istringstream in(text);
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  Expectation e;
  std::smatch m;
  if (!std::regex_match(first, m, kExpect)) {
    ADD_FAILURE() << "first line is not '# expect: LINE:COLUMN KEY.PATH': " << first;
    return e;
  }
  e.line = std::stoi(m[1]);
  e.column = std::stoi(m[2]);
  e.key_path = m[3];
  if (std::regex_match(second, m, kMessage)) e.message = m[1];
  return e;
}

TEST(BadScenarios, EachFailsWhereItsHeaderSays) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kRoot / "tests" / "data" / "bad")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 15u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const Expectation expect = expectation_of(read_file(file));
    try {
      loader::load_scenario_file(file);
      ADD_FAILURE() << "loaded without error";
    } catch (const loader::ScenarioError& e) {
      EXPECT_EQ(e.file(), file.string());
      EXPECT_EQ(e.line(), expect.line) << e.what();
      EXPECT_EQ(e.column(), expect.column) << e.what();
      EXPECT_EQ(e.key_path(), expect.key_path) << e.what();
      const std::string prefix = file.string() + ":" + std::to_string(expect.line) + ":" +
                                 std::to_string(expect.column) + ": " + expect.key_path + ": ";
      EXPECT_THAT(e.what(), ::testing::StartsWith(prefix));
      EXPECT_THAT(e.what(), ::testing::HasSubstr(expect.message));
    }
  }
}

}  // namespace
