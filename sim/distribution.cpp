#include "sim/distribution.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

// Parameters per kind, precomputed so that sample() does no setup:
//   constant          a = value
//   exponential       a = mean
//   uniform           a = low, b = high - low
//   normal            a = mean, b = stddev, both before truncation
//   lognormal         a = mu, b = sigma (of the underlying normal), c = mean, d = cv
//   gamma, erlang     a = shape, b = scale, c = Marsaglia & Tsang's d and d = their c,
//                     computed for shape + 1 when shape < 1
//   hyperexponential  a = probability of phase 1, b, c = phase means, d = cv
//   pareto            a = alpha, b = xm, c = max (0: unbounded),
//                     d = 1 - (xm / max)^alpha (1: unbounded), the CDF at max
//   weibull           a = shape, b = scale, c = 1 / shape
//   empirical         a = mean, b = cv (of a uniform draw from the values)

namespace sim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Six significant digits, like printf's %g: "8e+06", "0.3".
std::string number_text(double x) {
  char buffer[32];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::general, 6);
  return std::string(buffer, result.ptr);
}

void require(bool ok, const char* distribution, const std::string& requirement, double value) {
  if (!ok) {
    throw std::invalid_argument(std::string(distribution) + ": " + requirement + ", got " +
                                number_text(value));
  }
}

bool positive(double x) { return std::isfinite(x) && x > 0.0; }
bool non_negative(double x) { return std::isfinite(x) && x >= 0.0; }

// Marsaglia & Tsang (2000): a Gamma(d + 1/3, 1) draw, given c = 1 / sqrt(9 d).
double marsaglia_tsang(RandomStream& rng, double d, double c) {
  for (;;) {
    double x, v;
    do {
      x = rng.standard_normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform_open0();
    const double x2 = x * x;
    // The first test is a cheap squeeze that accepts most draws without a logarithm.
    if (u < 1.0 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) {
      return d * v;
    }
  }
}

// Marsaglia & Tsang's (d, c) for a shape; below shape 1 they are those of
// shape + 1, and sample() applies the u^(1/shape) boost.
std::pair<double, double> marsaglia_tsang_constants(double shape) {
  const double d = (shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0;
  return {d, 1.0 / std::sqrt(9.0 * d)};
}

// Mean and standard deviation of N(mu, sd^2) truncated to [0, inf).
std::pair<double, double> truncated_normal_moments(double mu, double sd) {
  if (sd == 0.0) return {mu, 0.0};
  const double t = mu / sd;
  const double accepted = 0.5 * std::erfc(-t / std::numbers::sqrt2);  // P(N >= 0)
  const double lambda = std::exp(-0.5 * t * t) / std::sqrt(2.0 * std::numbers::pi) / accepted;
  return {mu + sd * lambda, sd * std::sqrt(1.0 - t * lambda - lambda * lambda)};
}

// E[X^k] of Pareto(alpha, xm) truncated to [xm, max]; cdf_max = 1 - (xm/max)^alpha.
double bounded_pareto_moment(double alpha, double xm, double max, double cdf_max, int k) {
  const double log_ratio = std::log(max / xm);
  const double s = k - alpha;
  // ((max/xm)^s - 1) / s, with expm1 staying accurate as s nears 0 (the limit is log_ratio).
  const double integral = s == 0.0 ? log_ratio : std::expm1(s * log_ratio) / s;
  return alpha * std::pow(xm, k) * integral / cdf_max;
}

}  // namespace

Distribution Distribution::constant(double value) {
  require(non_negative(value), "constant", "value must be finite and >= 0", value);
  return Distribution(Kind::kConstant, value);
}

Distribution Distribution::exponential(double mean) {
  require(positive(mean), "exponential", "mean must be finite and > 0", mean);
  return Distribution(Kind::kExponential, mean);
}

Distribution Distribution::uniform(double low, double high) {
  require(non_negative(low), "uniform", "low must be finite and >= 0", low);
  require(std::isfinite(high) && high >= low && high > 0.0, "uniform",
          "high must be finite, > 0 and >= low (" + number_text(low) + ")", high);
  return Distribution(Kind::kUniform, low, high - low);
}

Distribution Distribution::normal(double mean, double stddev) {
  require(positive(mean), "normal", "mean must be finite and > 0", mean);
  require(non_negative(stddev), "normal", "stddev must be finite and >= 0", stddev);
  return Distribution(Kind::kNormal, mean, stddev);
}

Distribution Distribution::lognormal(double mean, double cv) {
  require(positive(mean), "lognormal", "mean must be finite and > 0", mean);
  require(non_negative(cv), "lognormal", "cv must be finite and >= 0", cv);
  // Beyond this cv^2 overflows and the samples would be NaN.
  require(std::isfinite(cv * cv), "lognormal", "cv must be at most 1e154 (cv^2 overflows)", cv);
  if (cv == 0.0) return constant(mean);
  const double sigma2 = std::log1p(cv * cv);
  return Distribution(Kind::kLognormal, std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2), mean, cv);
}

Distribution Distribution::gamma(double mean, double cv) {
  require(positive(mean), "gamma", "mean must be finite and > 0", mean);
  require(non_negative(cv), "gamma", "cv must be finite and >= 0", cv);
  // Beyond this the scale, mean x cv^2, overflows and the samples would be NaN.
  require(std::isfinite(mean * cv * cv), "gamma", "cv must be small enough that mean x cv^2 is finite", cv);
  const double shape = 1.0 / (cv * cv);
  // cv == 0, or so small that the shape overflows: no spread a double can show.
  if (!std::isfinite(shape)) return constant(mean);
  const auto [d, c] = marsaglia_tsang_constants(shape);
  return Distribution(Kind::kGamma, shape, mean * cv * cv, d, c);
}

Distribution Distribution::erlang(int phases, double mean) {
  require(phases >= 1, "erlang", "phases must be >= 1", phases);
  require(positive(mean), "erlang", "mean must be finite and > 0", mean);
  const auto [d, c] = marsaglia_tsang_constants(phases);
  return Distribution(Kind::kErlang, phases, mean / phases, d, c);
}

Distribution Distribution::hyperexponential(double mean, double cv) {
  require(positive(mean), "hyperexponential", "mean must be finite and > 0", mean);
  require(std::isfinite(cv) && cv >= 1.0, "hyperexponential", "cv must be finite and >= 1", cv);
  // The second phase's mean is at most mean x (cv^2 + 1); beyond, it
  // overflows (cv^2 itself past 1e154) and the samples would be NaN.
  require(std::isfinite(mean * (cv * cv + 1.0)), "hyperexponential",
          "cv must be small enough that mean x (cv^2 + 1) is finite", cv);
  if (cv == 1.0) return exponential(mean);
  // Balanced means: each phase contributes half of the mean (p * mean1 = mean / 2).
  const double cv2 = cv * cv;
  const double r = std::sqrt((cv2 - 1.0) / (cv2 + 1.0));
  const double p = 0.5 * (1.0 + r);
  // 1 - p, rewritten to avoid the cancellation in 1 - r when cv is large.
  const double q = 1.0 / ((cv2 + 1.0) * (1.0 + r));
  return Distribution(Kind::kHyperexponential, p, mean / (2.0 * p), mean / (2.0 * q), cv);
}

Distribution Distribution::pareto(double alpha, double xm, double max) {
  require(positive(alpha), "pareto", "alpha must be finite and > 0", alpha);
  require(positive(xm), "pareto", "xm must be finite and > 0", xm);
  require(std::isfinite(max) && (max == 0.0 || max > xm), "pareto",
          "max must be 0 (unbounded) or > xm (" + number_text(xm) + ")", max);
  const double cdf_max = max == 0.0 ? 1.0 : -std::expm1(-alpha * std::log(max / xm));
  return Distribution(Kind::kPareto, alpha, xm, max, cdf_max);
}

Distribution Distribution::weibull(double shape, double scale) {
  require(positive(shape), "weibull", "shape must be finite and > 0", shape);
  require(positive(scale), "weibull", "scale must be finite and > 0", scale);
  return Distribution(Kind::kWeibull, shape, scale, 1.0 / shape);
}

Distribution Distribution::empirical(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("empirical: values must not be empty");
  double sum = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    require(non_negative(values[i]), "empirical",
            "values[" + std::to_string(i) + "] must be finite and >= 0", values[i]);
    sum += values[i];
  }
  const double n = static_cast<double>(values.size());
  const double mean = sum / n;
  require(mean > 0.0, "empirical", "values must not all be 0 (use constant(0))", mean);
  double squares = 0.0;  // second pass: deviations from the mean do not cancel
  for (double v : values) squares += (v - mean) * (v - mean);
  Distribution result(Kind::kEmpirical, mean, std::sqrt(squares / n) / mean);
  result.values_ = std::make_shared<const std::vector<double>>(std::move(values));
  return result;
}

double Distribution::sample_random(RandomStream& rng) const {
  switch (kind_) {
    case Kind::kConstant:
      return a_;
    case Kind::kExponential:
      return rng.exponential(a_);
    case Kind::kUniform:
      return a_ + b_ * rng.uniform01();
    case Kind::kNormal:
      for (;;) {
        const double x = a_ + b_ * rng.standard_normal();
        if (x >= 0.0) return x;
      }
    case Kind::kLognormal:
      return std::exp(a_ + b_ * rng.standard_normal());
    case Kind::kGamma:
    case Kind::kErlang: {
      const double g = marsaglia_tsang(rng, c_, d_);
      if (a_ >= 1.0) return b_ * g;
      return b_ * g * std::pow(rng.uniform_open0(), 1.0 / a_);
    }
    case Kind::kHyperexponential:
      return rng.exponential(rng.uniform01() < a_ ? b_ : c_);
    case Kind::kPareto:
      // Inverse CDF; 1 - d * u lies in ((xm/max)^alpha, 1], so the result is in [xm, max).
      return b_ * std::pow(1.0 - d_ * rng.uniform01(), -1.0 / a_);
    case Kind::kWeibull:
      return b_ * std::pow(rng.exponential(1.0), c_);
    case Kind::kEmpirical:
      return (*values_)[rng.below(values_->size())];
  }
  __builtin_unreachable();  // every kind returns above
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::kConstant:
    case Kind::kExponential:
    case Kind::kEmpirical:
      return a_;
    case Kind::kUniform:
      return a_ + 0.5 * b_;
    case Kind::kNormal:
      return truncated_normal_moments(a_, b_).first;
    case Kind::kLognormal:
      return c_;
    case Kind::kGamma:
    case Kind::kErlang:
      return a_ * b_;
    case Kind::kHyperexponential:
      return 2.0 * a_ * b_;  // balanced means
    case Kind::kPareto:
      if (c_ > 0.0) return bounded_pareto_moment(a_, b_, c_, d_, 1);
      return a_ > 1.0 ? a_ * b_ / (a_ - 1.0) : kInfinity;
    case Kind::kWeibull:
      return b_ * std::exp(std::lgamma(1.0 + c_));
  }
  __builtin_unreachable();  // every kind returns above
}

double Distribution::cv() const {
  switch (kind_) {
    case Kind::kConstant:
      return 0.0;
    case Kind::kExponential:
      return 1.0;
    case Kind::kUniform:
      return b_ / std::sqrt(12.0) / mean();
    case Kind::kNormal: {
      const auto [mean, stddev] = truncated_normal_moments(a_, b_);
      return stddev / mean;
    }
    case Kind::kLognormal:
    case Kind::kHyperexponential:
      return d_;
    case Kind::kGamma:
    case Kind::kErlang:
      return 1.0 / std::sqrt(a_);
    case Kind::kPareto: {
      if (c_ == 0.0) return a_ > 2.0 ? 1.0 / std::sqrt(a_ * (a_ - 2.0)) : kInfinity;
      const double m1 = bounded_pareto_moment(a_, b_, c_, d_, 1);
      const double m2 = bounded_pareto_moment(a_, b_, c_, d_, 2);
      return std::sqrt(std::max(0.0, m2 - m1 * m1)) / m1;
    }
    case Kind::kWeibull:
      // Var / mean^2 = Gamma(1 + 2/k) / Gamma(1 + 1/k)^2 - 1; expm1 keeps large k accurate.
      return std::sqrt(std::expm1(std::lgamma(1.0 + 2.0 * c_) - 2.0 * std::lgamma(1.0 + c_)));
    case Kind::kEmpirical:
      return b_;
  }
  __builtin_unreachable();  // every kind returns above
}

std::string Distribution::describe() const {
  const auto n = number_text;
  switch (kind_) {
    case Kind::kConstant:
      return "const(" + n(a_) + ")";
    case Kind::kExponential:
      return "exp(" + n(a_) + ")";
    case Kind::kUniform:
      return "uniform(" + n(a_) + ", " + n(a_ + b_) + ")";
    case Kind::kNormal:
      return "normal(" + n(a_) + ", " + n(b_) + ")";
    case Kind::kLognormal:
      return "lognormal(" + n(c_) + ", " + n(d_) + ")";
    case Kind::kGamma:
      return "gamma(" + n(mean()) + ", " + n(cv()) + ")";
    case Kind::kErlang:
      return "erlang(" + n(a_) + ", " + n(mean()) + ")";
    case Kind::kHyperexponential:
      return "hyperexp(" + n(mean()) + ", " + n(d_) + ")";
    case Kind::kPareto:
      return "pareto(" + n(a_) + ", " + n(b_) + (c_ > 0.0 ? ", " + n(c_) : "") + ")";
    case Kind::kWeibull:
      return "weibull(" + n(a_) + ", " + n(b_) + ")";
    case Kind::kEmpirical:
      return "empirical(" + std::to_string(values_->size()) + " values, mean " + n(a_) + ")";
  }
  __builtin_unreachable();  // every kind returns above
}

Distribution Distribution::scaled(double factor) const {
  require(positive(factor), "scaled", "factor must be finite and > 0", factor);
  Distribution result = *this;
  switch (kind_) {
    case Kind::kConstant:
    case Kind::kExponential:
      result.a_ *= factor;
      break;
    case Kind::kUniform:
    case Kind::kNormal:
      result.a_ *= factor;
      result.b_ *= factor;
      break;
    case Kind::kLognormal:
      result.a_ += std::log(factor);
      result.c_ *= factor;
      break;
    case Kind::kGamma:
    case Kind::kErlang:
    case Kind::kWeibull:
      result.b_ *= factor;
      break;
    case Kind::kHyperexponential:
      result.b_ *= factor;
      result.c_ *= factor;
      break;
    case Kind::kPareto:
      result.b_ *= factor;
      result.c_ *= factor;  // 0 (unbounded) stays 0
      break;
    case Kind::kEmpirical: {
      auto values = std::make_shared<std::vector<double>>(*values_);
      for (double& v : *values) v *= factor;
      result.values_ = std::move(values);
      result.a_ *= factor;
      break;
    }
  }
  return result;
}

}  // namespace sim
