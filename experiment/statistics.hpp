// Point estimates with 95% confidence intervals across independent
// replications. docs/statistics.md says why these intervals and not others.
#pragma once

#include <optional>
#include <span>

namespace experiment {

struct Estimate {
  double value = 0.0;            // the sample mean
  std::optional<double> lo, hi;  // the 95% interval; none with fewer than two samples

  // hi - value; infinite when there is no interval.
  double half_width() const;
  // half_width() / |value|; infinite when value is 0 or there is no interval.
  double relative_half_width() const;
  // The interval lies wholly above or below 0.
  bool excludes_zero() const { return lo && hi && (*lo > 0.0 || *hi < 0.0); }
};

// Mean of i.i.d. samples and the Student-t interval mean +- t(0.975, n-1) s/sqrt(n).
// samples must not be empty.
Estimate t_interval(std::span<const double> samples);

// The interval widened by `bound` on each side: for samples that each carry
// an error of at most `bound` besides their randomness.
Estimate widened(Estimate e, double bound);

// A latency percentile over replications, one estimate per replication
// (docs/statistics.md): the t-interval on the logarithms, back-transformed,
// so the interval is positive and as skewed as the data; the point estimate
// is the geometric mean. The interval is then widened by the relative
// resolution `resolution` of each estimate (multiplied by 1 -+ resolution)
// and clipped to [observed_min, observed_max], the extreme latencies the
// replications measured. Samples that are not all positive fall back to the
// plain t-interval, clipped the same way.
Estimate percentile_interval(std::span<const double> samples, double resolution, double observed_min,
                             double observed_max);

}  // namespace experiment
