// Behaviour pinned per shipped scenario: every file under scenarios/ runs
// through the built tiersim (`run --format json`, with the overrides its line
// in tests/data/fingerprints.txt gives, which shorten the long runs) and must
// give the stored event count and digest of its JSON without the wall time.
// A refactoring keeps every line; a change that alters results updates the
// file and says which scenarios moved and why in its commit:
//
//   TIERSIM_UPDATE_FINGERPRINTS=1 meson test -C build fingerprints
//
// rewrites the file in the source tree (keeping each line's overrides, adding
// a line without overrides for a new scenario).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "support/files.hpp"
#include "support/tiersim_process.hpp"

namespace {

namespace fs = std::filesystem;

fs::path source_root() { return fs::path(std::getenv("TIERSIM_SOURCE_ROOT")); }
fs::path tiersim() { return fs::path(std::getenv("TIERSIM_BIN")); }
fs::path fingerprint_file() { return source_root() / "tests" / "data" / "fingerprints.txt"; }

struct Fingerprint {
  std::uint64_t events = 0;
  std::string digest;
  std::vector<std::string> overrides;  // KEY.PATH=VALUE, each a --set
};

// 64-bit FNV-1a: the digest only has to tell two outputs apart, not resist
// an adversary, so a few lines beat a cryptographic library dependency.
std::string fnv1a(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

// "path events digest override..." per line; # starts a comment.
std::map<std::string, Fingerprint> read_fingerprints() {
  std::map<std::string, Fingerprint> out;
  std::istringstream in(test_support::read_file(fingerprint_file()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string path;
    Fingerprint f;
    fields >> path >> f.events >> f.digest;
    for (std::string o; fields >> o;) f.overrides.push_back(o);
    out[path] = f;
  }
  return out;
}

void write_fingerprints(const std::map<std::string, Fingerprint>& all) {
  std::string text =
      "# Fingerprints of the shipped scenarios (tests/cli/test_fingerprints.cpp):\n"
      "# scenario, event count, FNV-1a digest of `tiersim run --format json` without\n"
      "# engine.wall_s, then the --set overrides that keep the run short.\n";
  for (const auto& [path, f] : all) {
    text += fmt::format("{} {} {}", path, f.events, f.digest);
    for (const auto& o : f.overrides) text += " " + o;
    text += "\n";
  }
  std::ofstream(fingerprint_file(), std::ios::binary) << text;
}

std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(source_root() / "scenarios")) {
    if (entry.path().extension() == ".yaml") out.push_back(fs::relative(entry.path(), source_root()).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Fingerprints, EveryShippedScenarioKeepsItsFingerprint) {
  const bool update = std::getenv("TIERSIM_UPDATE_FINGERPRINTS") != nullptr;
  auto stored = read_fingerprints();
  const auto scenarios = shipped_scenarios();
  ASSERT_GE(scenarios.size(), 19u);
  for (const auto& path : scenarios) {
    if (!update && stored.count(path) == 0) ADD_FAILURE() << path << " has no fingerprint in " << fingerprint_file();
  }
  test_support::TempDir dir("tiersim-fingerprints");
  // Two at a time: the machine is shared.
  constexpr std::size_t kParallel = 2;
  for (std::size_t first = 0; first < scenarios.size(); first += kParallel) {
    const std::size_t end = std::min(scenarios.size(), first + kParallel);
    std::vector<pid_t> pids;
    for (std::size_t i = first; i < end; ++i) {
      std::vector<std::string> args{"run", (source_root() / scenarios[i]).string(), "--format", "json"};
      for (const auto& o : stored[scenarios[i]].overrides) {
        args.push_back("--set");
        args.push_back(o);
      }
      pids.push_back(test_support::start_process(tiersim(), args, dir.path() / fmt::format("{}.out", i),
                                                 dir.path() / fmt::format("{}.err", i)));
    }
    for (std::size_t i = first; i < end; ++i) {
      const auto outcome = test_support::finish_process(pids[i - first], dir.path() / fmt::format("{}.out", i),
                                                        dir.path() / fmt::format("{}.err", i));
      SCOPED_TRACE(scenarios[i]);
      ASSERT_EQ(outcome.status, 0) << outcome.err;
      const auto json = test_support::without_wall_time(outcome.out);
      Fingerprint& f = stored[scenarios[i]];
      const auto events = json["engine"]["events"].get<std::uint64_t>();
      const std::string digest = fnv1a(json.dump());
      if (update) {
        f.events = events;
        f.digest = digest;
        continue;
      }
      EXPECT_EQ(events, f.events) << "events changed";
      EXPECT_EQ(digest, f.digest) << "the JSON output changed (events " << events << ")";
    }
  }
  if (update) write_fingerprints(stored);
  // A stored line whose scenario is gone is a stale pin.
  for (const auto& [path, f] : stored) {
    EXPECT_TRUE(std::find(scenarios.begin(), scenarios.end(), path) != scenarios.end())
        << path << " has a fingerprint but no longer exists";
  }
}

// The digest separates outputs that differ in one character.
TEST(Fingerprints, DigestTellsNearlyEqualTextsApart) {
  EXPECT_NE(fnv1a("{\"a\":1.0}"), fnv1a("{\"a\":1.1}"));
  EXPECT_EQ(fnv1a(""), "cbf29ce484222325");  // FNV-1a's offset basis: the published test vector
  EXPECT_EQ(fnv1a("a"), "af63dc4c8601ec8c");  // published FNV-1a 64 test vector
}

}  // namespace
