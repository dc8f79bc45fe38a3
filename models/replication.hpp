// Who is a database tier's primary: node 1 until a failover promotes another
// (the failover_detection + failover_promotion of an orchestrator such as
// Orchestrator or MHA, docs/models.md), which replicas are in the read
// rotation (a demoted primary leaves it until it is back), and whether the
// primary came from a failover (ProxySQL's read_only monitor then moves it to
// the writer hostgroup). One per database tier; the callers' routing
// (db_routing.hpp) and the database nodes ask it.
#pragma once

#include <cstdint>
#include <vector>

#include "models/config.hpp"
#include "sim/simulation.hpp"

namespace models {

class Node;
class Stack;

class Replication {
 public:
  Replication(Stack& stack, int tier);

  Node& primary() const { return *nodes_[static_cast<std::size_t>(primary_)]; }
  bool in_read_rotation(const Node& node) const;
  bool primary_promoted() const { return promoted_; }

  // A node of the tier went down: a failover is due if it was the primary
  // and the tier has one configured.
  void node_down(const Node& node);
  // A node is back, as a replica.
  void node_up(const Node& node);

 private:
  void on_promotion(std::uint64_t);

  Stack& stack_;
  const DatabaseConfig& config_;
  const std::vector<Node*>& nodes_;
  int primary_ = 0;               // index in the tier
  std::vector<bool> demoted_;     // by index in the tier
  bool promoted_ = false;
};

}  // namespace models
