// The network between the nodes and to the clients: moving a request's
// messages (NIC transmit, link latency, NIC receive), who can reach whom
// (hosts up, partitions), refused connections and TCP's retransmission of a
// response held up by a partition.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "models/request.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace models {

class Host;
class Node;
class Stack;

class Network {
 public:
  Network(Stack& stack, const NetworkConfig& config, sim::Simulation& sim);

  // Moves the request's message from one node to another: FCFS transmit on
  // the sender's NIC, the link latency, then the receiver's NIC. Between
  // nodes of one host there is no network. Tail call.
  void send(Node* from, Node& to, RequestId id, Request& r, double bytes, bool is_response);
  // The entry node answers the client. Tail call.
  void send_to_client(Node& from, RequestId id, Request& r, double bytes);
  // Can `from` reach `to` now: its host up and no partition between them?
  bool reachable(const Node& from, const Node& to) const;
  // `to`'s process is down: the request's sender (a node, or the client)
  // learns of the refused connection after a round trip. Tail call.
  void refuse(RequestId id, Request& r, Node& to);
  // A partition: nodes listed in different groups cannot reach each other.
  void add_partition(const std::vector<std::vector<std::string>>& groups);
  void remove_partition(const std::vector<std::vector<std::string>>& groups);

  // A response held up by a partition is sent again (TCP retransmission).
  void on_retransmission(std::uint64_t id);

 private:
  // Each host's group in a partition (-1: not listed).
  std::vector<int> partition_groups(const std::vector<std::vector<std::string>>& groups);
  // Latency between two hosts, including link faults.
  Time link_latency(const Host& from, const Host& to);

  Stack& stack_;
  const NetworkConfig& config_;
  sim::Simulation& sim_;
  // Active partitions: per partition, each host's group (-1: not listed).
  std::vector<std::vector<int>> partitions_;
  sim::RandomStream loss_stream_;
};

}  // namespace models
