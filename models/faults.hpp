// Injects the scenario's faults: scheduled ones at their time, stochastic
// ones as alternating up and down periods drawn from MTTF and MTTR
// distributions, per node or for a whole failure domain at once.
#pragma once

#include <cstdint>
#include <vector>

#include "models/config.hpp"
#include "sim/random.hpp"

namespace models {

class Stack;
class Node;

class FaultInjector {
 public:
  FaultInjector(Stack& stack, const std::vector<FaultConfig>& faults);
  void start();

  void on_begin(std::uint64_t unit);
  void on_end(std::uint64_t unit);

 private:
  // One thing that fails and recovers: a fault applied to one node, or to
  // all of its nodes together.
  struct Unit {
    const FaultConfig* fault;
    std::vector<Node*> nodes;
    sim::RandomStream rng;
    bool active = false;
  };
  void apply(Unit& unit, bool begin);

  Stack& stack_;
  std::vector<Unit> units_;
};

}  // namespace models
