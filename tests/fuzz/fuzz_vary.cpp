// `sweep --vary KEY=SPEC`: the spec is expanded, and the first few points'
// values are applied as the sweep applies them, as --set overrides of a
// shipped scenario (loaded, not run: the override harness runs them).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "experiment/input_error.hpp"
#include "experiment/sweep.hpp"
#include "loader/scenario_loader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& base = fuzz::scenario_text("3-scale-up.yaml");
  try {
    const experiment::Vary vary = experiment::parse_vary(fuzz::as_text(data, size));
    if (vary.values.empty() || vary.values.size() != vary.cells.size()) __builtin_trap();
    const std::size_t points = std::min<std::size_t>(vary.values.size(), 4);
    for (std::size_t p = 0; p < points; ++p) {
      try {
        loader::load_scenario_text(base, "3-scale-up.yaml", fuzz::scenarios_dir(),
                                   {loader::Override{vary.key, vary.values[p]}});
      } catch (const loader::ScenarioError&) {
      }
    }
  } catch (const experiment::InputError&) {
  } catch (const loader::ScenarioError&) {
  }
  return 0;
}
