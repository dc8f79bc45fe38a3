// An in-memory key-value cache (memcached, Redis) asked by app tiers before
// the database (cache-aside, models/app_server.hpp). A visit is a get or a
// set, as the caller's call step says: a get costs get_cpu and finds its key
// with the class's hit_ratio (the answer travels back with the response, and
// the caller counts it for its `on: miss` steps); a set costs set_cpu.
// Connections beyond max_connections wait in the listen backlog. A cache
// calls no tier. Memory, evictions and expiry are not modelled beyond the
// hit ratio.
#pragma once

#include "models/node.hpp"

namespace models {

class CacheNode final : public Node {
 public:
  CacheNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
            std::string name, Host& host);

 protected:
  // A cache calls no tier: these are never used.
  Time connect_timeout() const override { return 0; }
  void begin_call(RequestId, Request&) override {}
  double extra_cpu(Request& r, sim::RandomStream& rng) override;
  void visit_served(Request& r) override;

 private:
  // What the call asks: from the caller's step (a visit without a caller is a get).
  CacheOp op_of(const Request& r) const;

  const CacheConfig& config_;
};

}  // namespace models
