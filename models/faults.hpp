// Injects the scenario's faults: scheduled ones at their time, stochastic
// ones as alternating up and down periods drawn from MTTF and MTTR
// distributions, per node (per host for the kinds that act on hosts), or for
// a whole failure domain at once. A stochastic fault with repair crews
// repairs at most that many of its units at once; the others wait in
// failure order.
#pragma once

#include <cstdint>
#include <deque>
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
  // One thing that fails and recovers: a fault applied to one node (or one
  // host's nodes), or to all of its nodes together.
  struct Unit {
    const FaultConfig* fault;
    std::size_t fault_index;
    std::vector<Node*> nodes;
    sim::RandomStream rng;
    bool active = false;
  };
  // The repair crews of one stochastic fault.
  struct Crews {
    int idle = 0;
    std::deque<std::uint64_t> waiting;  // units down, waiting for a crew
  };
  void apply(Unit& unit, bool begin);
  void start_repair(std::uint64_t unit);

  Stack& stack_;
  std::vector<Unit> units_;
  std::vector<Crews> crews_;  // by fault; used when the fault has repair_crews
};

}  // namespace models
