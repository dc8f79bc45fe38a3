#include "sim/random.hpp"

#include <cmath>

namespace sim {

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
  std::uint64_t mix = seed;
  mix = splitmix64(mix) ^ replication;
  mix = splitmix64(mix) ^ fnv1a64(name);
  seed_from(mix);
}

double RandomStream::exponential(double mean) { return -mean * std::log(uniform_open0()); }

double RandomStream::standard_normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return u * factor;
}

}  // namespace sim
