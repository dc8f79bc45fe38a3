// Reproducible random streams.
//
// Generator: xoshiro256++ (Blackman & Vigna, 2019), 2^256 - 1 period, seeded by
// SplitMix64. Each stream is derived from (scenario seed, replication, stream
// name): the name is hashed with 64-bit FNV-1a, and the three values are mixed
// with SplitMix64 into the 256-bit state. A component draws only from its own
// named stream, so adding a component never shifts another component's draws.
//
// Hand-written rather than std::mt19937_64 + std:: distributions because the
// standard leaves distribution algorithms implementation-defined (results would
// change across standard libraries), and xoshiro256++ is several times faster.
// Boost.Random's xoshiro is not in Boost 1.74, the version Debian 12 ships.
#pragma once

#include <cstdint>
#include <string_view>

namespace sim {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name);
  // A stream keyed by three numbers, for short-lived per-request streams
  // (a request's demand at one tier visit). Seeding costs four SplitMix64 steps.
  // Inline: a request seeds one at every tier visit.
  static RandomStream keyed(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    std::uint64_t mix = a;
    mix = splitmix64(mix) ^ b;
    mix = splitmix64(mix) ^ c;
    RandomStream stream;
    stream.seed_from(mix);
    return stream;
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1]: safe to take the logarithm of.
  double uniform_open0() { return static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-64 * n).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next_u64()) * n) >> 64);
  }
  // Exponential with the given mean (inversion).
  double exponential(double mean);
  // Standard normal (Marsaglia polar method).
  double standard_normal();

 private:
  RandomStream() = default;
  void seed_from(std::uint64_t mix) {
    for (auto& word : s_) word = splitmix64(mix);
    // An all-zero state is the generator's one fixed point; SplitMix64 outputs
    // are a bijection of distinct inputs, so four zeros cannot occur in
    // practice, but guard anyway.
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  }
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace sim
