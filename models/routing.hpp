// Choosing among the nodes of the next tier.
#pragma once

#include <cstdint>
#include <vector>

namespace models {

// Smooth weighted round robin (the algorithm nginx's upstream module uses):
// each pick adds every eligible server's weight to its credit, takes the
// server with the most credit and charges it the total. Weights 2:1 give
// A B A A B A ..., evenly interleaved. Ties go to the lowest index, so the
// sequence is deterministic. Servers with weight 0 are never picked.
class SmoothWeightedRoundRobin {
 public:
  explicit SmoothWeightedRoundRobin(std::vector<int> weights = {});
  // Picks among servers for which eligible(i) is true; -1 when none is.
  template <class Eligible>
  int pick(Eligible&& eligible) {
    int best = -1;
    long long total = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
      if (weights_[i] <= 0 || !eligible(static_cast<int>(i))) continue;
      credit_[i] += weights_[i];
      total += weights_[i];
      if (best < 0 || credit_[i] > credit_[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
    }
    if (best >= 0) credit_[static_cast<std::size_t>(best)] -= total;
    return best;
  }
  int pick() {
    return pick([](int) { return true; });
  }
  const std::vector<int>& weights() const { return weights_; }
  // A new weight for server i (HAProxy's slowstart ramps it); its credit carries over.
  void set_weight(std::size_t i, int weight) { weights_[i] = weight; }

 private:
  std::vector<int> weights_;
  std::vector<long long> credit_;
};

}  // namespace models
