// Where a caller's database queries go, as a service the caller asks for a
// target: a query that writes goes to the tier's primary (node 1 until a
// failover promotes another, models/replication.hpp), any other query is a read
// and goes to the replicas in turn (or the primary with `reads: primary`),
// through ProxySQL's health checks when the tier has a router
// (read_router.hpp), or to a co-located node with prefer_local. One per
// caller node and database tier it calls (ProxySQL runs beside each app
// server).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/config.hpp"
#include "models/read_router.hpp"

namespace models {

class Node;
class Stack;
struct Request;

class DatabaseRouting {
 public:
  // `local`: the caller's co-located node of the tier to prefer, or nullptr.
  DatabaseRouting(Stack& stack, Node& caller, int db_tier, Node* local);

  // The node the request's query goes to; nullptr when the router has no
  // reader online (the caller then waits connect_timeout_max, as ProxySQL does).
  Node* target(const Request& r);
  // The ProxySQL settings, when reads go through it.
  const ReadRouter* router() const { return router_.get(); }

 private:
  Node* choose_reader(const std::vector<Node*>& nodes, Node& primary);

  Stack& stack_;
  int tier_;
  const DatabaseConfig& config_;
  Node* local_;
  std::size_t next_replica_ = 0;
  std::unique_ptr<ReadRouter> router_;
};

}  // namespace models
