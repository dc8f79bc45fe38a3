#include "sim/random.hpp"

#include <cmath>

namespace sim {

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
  std::uint64_t mix = seed;
  mix = splitmix64(mix) ^ replication;
  mix = splitmix64(mix) ^ fnv1a64(name);
  seed_from(mix);
}

RandomStream RandomStream::keyed(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t mix = a;
  mix = splitmix64(mix) ^ b;
  mix = splitmix64(mix) ^ c;
  RandomStream stream;
  stream.seed_from(mix);
  return stream;
}

void RandomStream::seed_from(std::uint64_t mix) {
  for (auto& word : s_) word = splitmix64(mix);
  // An all-zero state is the generator's one fixed point; SplitMix64 outputs
  // are a bijection of distinct inputs, so four zeros cannot occur in practice,
  // but guard anyway.
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
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
