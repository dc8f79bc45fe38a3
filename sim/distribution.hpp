// Probability distributions over non-negative reals, sampled from a
// RandomStream with algorithms fixed here (never std:: distributions), so a
// seed gives the same draws with any standard library.
//
// Algorithms: exponential by inversion; normal by Marsaglia's polar method,
// truncated at 0 by rejection (the mean must be positive, so at least half of
// all draws are accepted); lognormal as exp(normal); gamma by Marsaglia & Tsang
// (2000), with the u^(1/k) boost for shape < 1; Erlang-k as a gamma with
// integer shape; hyperexponential as a two-phase mixture with balanced means;
// Pareto and Weibull by inversion (bounded Pareto by inversion of the truncated
// CDF); empirical by drawing one of the given values uniformly.
//
// Values are in the caller's unit (nanoseconds for durations, bytes for sizes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace sim {

class Distribution {
 public:
  enum class Kind {
    kConstant,
    kExponential,
    kUniform,
    kNormal,
    kLognormal,
    kGamma,
    kErlang,
    kHyperexponential,
    kPareto,
    kWeibull,
    kEmpirical,
  };

  // Factories validate their parameters; on nonsense they throw
  // std::invalid_argument with a message naming the parameter.
  static Distribution constant(double value);
  static Distribution exponential(double mean);
  static Distribution uniform(double low, double high);
  static Distribution normal(double mean, double stddev);  // truncated at 0
  static Distribution lognormal(double mean, double cv);
  static Distribution gamma(double mean, double cv);
  static Distribution erlang(int phases, double mean);
  static Distribution hyperexponential(double mean, double cv);  // cv > 1
  // Pareto with shape alpha > 0 and minimum xm > 0; bounded above by max when max > xm.
  static Distribution pareto(double alpha, double xm, double max = 0.0);
  static Distribution weibull(double shape, double scale);
  static Distribution empirical(std::vector<double> values);

  Distribution() : Distribution(constant(0.0)) {}

  // Constants (CPU costs such as a firewall's) are common on hot paths: they
  // skip the out-of-line switch.
  double sample(RandomStream& rng) const { return kind_ == Kind::kConstant ? a_ : sample_random(rng); }

  Kind kind() const { return kind_; }
  // Theoretical moments of the distribution as sampled (for a truncated
  // normal: of the truncated distribution). Infinite when they do not exist.
  double mean() const;
  double cv() const;
  // Text such as "exp(8e+06)" with values in the caller's unit, for messages.
  std::string describe() const;

  // A copy scaled by factor > 0 (e.g. CPU demand divided by speed).
  Distribution scaled(double factor) const;

 private:
  // For the factories: the public default constructor itself goes through constant().
  Distribution(Kind kind, double a, double b = 0.0, double c = 0.0, double d = 0.0)
      : kind_(kind), a_(a), b_(b), c_(c), d_(d) {}

  double sample_random(RandomStream& rng) const;

  Kind kind_ = Kind::kConstant;
  double a_ = 0.0, b_ = 0.0, c_ = 0.0, d_ = 0.0;  // meaning depends on kind_
  std::shared_ptr<const std::vector<double>> values_;  // empirical only, shared and immutable
};

}  // namespace sim
