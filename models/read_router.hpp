// ProxySQL as the app servers' way to the database (one instance per app
// server, on its host): its monitor pings every node of the database tier
// each ping_interval and shuns a node whose last ping_max_failures pings all
// failed (MySQL_Monitor's ping check and MySQL_HostGroups_Manager::
// shun_and_killall), killing the connections in use to it. A shunned node
// gets no reads until a ping succeeds again. See docs/faults.md#database.
#pragma once

#include <cstdint>
#include <vector>

#include "models/config.hpp"

namespace models {

class Node;
class Stack;

class ReadRouter {
 public:
  ReadRouter(Stack& stack, Node& app, int db_tier, const ReadRouterConfig& config);

  // The monitor's first pings go out one ping_interval after the start.
  void start();
  bool shunned(const Node& db) const { return servers_[index_of(db)].shunned; }
  const ReadRouterConfig& config() const { return config_; }

  void on_ping(std::uint64_t);
  void on_shun(std::uint64_t server);

 private:
  struct Server {
    int failures = 0;  // consecutive failed pings
    bool shunned = false;
  };
  std::size_t index_of(const Node& db) const;
  void kill_connections(Node& db);

  Stack& stack_;
  Node& app_;
  int db_tier_;
  const ReadRouterConfig& config_;
  std::vector<Server> servers_;
};

}  // namespace models
