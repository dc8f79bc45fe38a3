// A database node (MySQL-like). Node 1 of the tier is the primary, the others
// replicas. A query costs CPU, then disk IOs: every page it reads or writes
// that misses the buffer cache is read from disk, and a query that writes
// waits for one log flush at commit. Dirty-page write-back and replication
// apply work are not modelled. Connections beyond max_connections are refused.
#pragma once

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

 private:
  const DatabaseConfig& config_;
};

}  // namespace models
