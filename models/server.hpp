// A plain server: hardware plus an optional worker limit with a FIFO queue.
// With unlimited workers it is exactly its CPU (and disk) as queues, which is
// how textbook networks (M/M/1, M/M/c, tandems, closed networks) are written.
#pragma once

#include "models/node.hpp"

namespace models {

class ServerNode final : public Node {
 public:
  ServerNode(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
             std::string name, Host& host);

 protected:
  // Plain servers and databases have no next-tier timeouts of their own.
  Time connect_timeout() const override { return 3 * sim::kSecond; }
  void begin_call(RequestId id, Request& r) override;

 private:
  std::size_t next_ = 0;
};

}  // namespace models
