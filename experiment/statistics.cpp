#include "experiment/statistics.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

namespace experiment {

double Estimate::half_width() const {
  return hi ? *hi - value : std::numeric_limits<double>::infinity();
}

double Estimate::relative_half_width() const {
  if (!hi || value == 0.0) return std::numeric_limits<double>::infinity();
  return half_width() / std::abs(value);
}

Estimate t_interval(std::span<const double> samples) {
  assert(!samples.empty());
  Estimate e;
  const double n = static_cast<double>(samples.size());
  double sum = 0.0;
  for (double x : samples) sum += x;
  e.value = sum / n;
  if (samples.size() < 2) return e;
  // Two passes: the textbook one-pass formula loses digits when the spread is
  // small next to the mean (availability near 1).
  double squares = 0.0;
  for (double x : samples) squares += (x - e.value) * (x - e.value);
  const double standard_error = std::sqrt(squares / (n - 1.0) / n);
  const boost::math::students_t t(n - 1.0);
  const double half = boost::math::quantile(boost::math::complement(t, 0.025)) * standard_error;
  e.lo = e.value - half;
  e.hi = e.value + half;
  return e;
}

Estimate percentile_interval(std::span<const double> samples, double resolution, double observed_min,
                             double observed_max) {
  assert(!samples.empty());
  const bool positive = std::all_of(samples.begin(), samples.end(), [](double x) { return x > 0.0; });
  Estimate e;
  if (positive) {
    std::vector<double> logs;
    for (double x : samples) logs.push_back(std::log(x));
    const Estimate log_scale = t_interval(logs);
    e.value = std::exp(log_scale.value);
    if (log_scale.lo) {
      e.lo = std::exp(*log_scale.lo) * (1.0 - resolution);
      e.hi = std::exp(*log_scale.hi) * (1.0 + resolution);
    }
  } else {
    e = t_interval(samples);
    e = widened(e, resolution * std::abs(e.value));
  }
  if (e.lo) {
    e.lo = std::clamp(*e.lo, observed_min, observed_max);
    e.hi = std::clamp(*e.hi, observed_min, observed_max);
  }
  return e;
}

Estimate widened(Estimate e, double bound) {
  if (e.lo) {
    *e.lo -= bound;
    *e.hi += bound;
  }
  return e;
}

}  // namespace experiment
