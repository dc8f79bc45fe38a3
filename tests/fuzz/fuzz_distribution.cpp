// The distribution text parser ("exp(8ms)", "gamma(6ms, cv=0.5)", ...):
// what parses is sampled a few times and asked for its moments.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "loader/distribution_text.hpp"
#include "sim/random.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const sim::Distribution d = loader::parse_distribution(fuzz::as_text(data, size), fuzz::scenarios_dir());
    sim::RandomStream rng(1, 0, "fuzz");
    for (int i = 0; i < 8; ++i) {
      const double x = d.sample(rng);
      if (std::isnan(x) || x < 0.0) __builtin_trap();  // a duration is never negative or NaN
    }
    (void)d.mean();
    (void)d.cv();
    (void)d.describe();
  } catch (const loader::DistributionTextError&) {
  }
  return 0;
}
