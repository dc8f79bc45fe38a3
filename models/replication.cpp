#include "models/replication.hpp"

#include "models/stack.hpp"

namespace models {

Replication::Replication(Stack& stack, int tier)
    : stack_(stack),
      config_(std::get<DatabaseConfig>(stack.config().tiers[static_cast<std::size_t>(tier)].kind)),
      nodes_(stack.tier_nodes(tier)),
      demoted_(nodes_.size(), false) {}

bool Replication::in_read_rotation(const Node& node) const {
  return !demoted_[static_cast<std::size_t>(node.index_in_tier())];
}

void Replication::node_down(const Node& node) {
  if (node.index_in_tier() != primary_) return;
  if (!config_.failover_detection) return;  // writes wait for the primary's repair
  stack_.simulation().schedule_in<&Replication::on_promotion>(*config_.failover_detection + config_.failover_promotion,
                                                              this);
}

void Replication::node_up(const Node& node) { demoted_[static_cast<std::size_t>(node.index_in_tier())] = false; }

void Replication::on_promotion(std::uint64_t) {
  Node& old = primary();
  if (old.answering()) return;  // it came back in time: nothing to promote
  for (Node* n : nodes_) {
    if (n != &old && n->answering()) {
      demoted_[static_cast<std::size_t>(old.index_in_tier())] = true;
      primary_ = n->index_in_tier();
      promoted_ = true;
      stack_.timeline<Failover>("failover: " + n->name() + " promoted to primary");
      return;
    }
  }
}

}  // namespace models
