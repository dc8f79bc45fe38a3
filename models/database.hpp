// A database node (MySQL-like). Node 1 of the tier is the primary, the others
// replicas. A query costs CPU, then disk IOs: every page it reads or writes
// that misses the buffer cache is read from disk, and a query that writes
// waits for one log flush at commit. Dirty-page write-back and replication
// apply work are not modelled. Connections beyond max_connections are refused.
//
// With replication_lag, each write reaches every other node of the tier a
// sampled lag after it commits; a read answered by a replica that has not yet
// applied every write of the same client is stale (a read-your-writes miss).
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>

#include "models/node.hpp"

namespace models {

class DatabaseNode final : public Node {
 public:
  DatabaseNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
               std::string name, Host& host);

  void on_down(bool graceful) override;
  void on_up() override;

 protected:
  // Plain servers and databases have no next-tier timeouts of their own.
  Time connect_timeout() const override { return 3 * sim::kSecond; }
  void plan_disk(Request& r, Frame& f, const TierDemand* demand, sim::RandomStream& rng) override;
  double io_bytes(const Request& r, const Frame& f) const override;
  void begin_call(RequestId, Request&) override {}  // the loader keeps databases last
  void visit_served(Request& r) override;

 private:
  // A write of `client` committed elsewhere is applied here at `applied_at`.
  void replicate(std::uint32_t client, Time applied_at);
  // Whether every write of `client` committed elsewhere is applied here by now.
  bool current_for(std::uint32_t client) const;

  const DatabaseConfig& config_;
  // Per client, when this node will have applied all its writes so far;
  // entries leave once applied (in arrival order, for the pruning).
  std::unordered_map<std::uint32_t, Time> applied_at_;
  std::deque<std::pair<Time, std::uint32_t>> applied_order_;
  sim::RandomStream lag_rng_;
};

}  // namespace models
