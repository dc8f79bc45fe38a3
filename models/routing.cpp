#include "models/routing.hpp"

namespace models {

SmoothWeightedRoundRobin::SmoothWeightedRoundRobin(std::vector<int> weights)
    : weights_(std::move(weights)), credit_(weights_.size(), 0) {}

}  // namespace models
