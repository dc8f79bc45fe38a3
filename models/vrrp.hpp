// The floating addresses in front of the entry tier.
//
// Two HAProxy nodes with keepalived (VRRP): active-passive has one address,
// held by the live node of highest priority; active-active has two, each
// normally held by its own node, both carried by the survivor on a failure.
// A backup takes an address over when it stops hearing the master's adverts:
// after Master_Down_Interval = 3 x advert_int + skew when the master's host
// dies silently, after the skew alone when the master stops gracefully or
// goes to FAULT (its HAProxy process died and track_script noticed, one
// script interval later). Skew = (256 - priority) / 256 s (VRRP v2) or
// (256 - priority) x advert_int / 256 (v3). After a move, neighbours learn
// the new owner within the ARP delay; until then the address answers nothing.
// A recovered node of higher priority takes its address back (preemption)
// unless nopreempt.
//
// Other entry tiers (a single node, nginx, plain servers) have no floating
// address: clients spread over their nodes (DNS round robin).
//
// A client's first attempt goes to its own address, and each retry to the
// next one: a retry opens a new connection, and a client that got no answer
// tries the next DNS record. That is how, in active-active mode, clients of a
// dead load balancer reach the survivor before it takes their address over.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "models/request.hpp"
#include "sim/event_queue.hpp"

namespace models {

class Node;
class Stack;

class EntryAddresses {
 public:
  EntryAddresses(Stack& stack, const std::vector<Node*>& entry_nodes);

  // The node that answers the attempt's address now, or nullptr when the
  // address is unowned or in ARP transit.
  Node* node_for(const Request& attempt) const;
  std::size_t address_count() const { return addresses_.size(); }
  std::size_t address_of(const Request& attempt) const {
    return (std::uint64_t{attempt.client} + attempt.attempt) % addresses_.size();
  }
  // The node behind a given address, or nullptr.
  Node* node_at(std::size_t address) const;
  // Whether the node owns an address (during ARP convergence too).
  bool holds_address(const Node& node) const;

  void node_down(const Node& node, bool graceful);
  void node_up(const Node& node);

  void on_takeover(std::uint64_t arg);  // arg: address << 8 | new owner

 private:
  struct Address {
    int owner = -1;        // index into nodes_, -1 none
    Time ready_at = 0;     // ARP convergence
    int preferred = 0;     // the node that holds it when all are up
    sim::EventHandle pending;
  };
  Time skew(int node) const;
  Time master_down_interval(int node) const;
  int priority(int node, std::size_t address) const;
  int best_live_node(std::size_t address) const;
  void schedule_takeover(std::size_t address, int node, Time delay);
  bool vrrp() const { return config_ != nullptr && nodes_.size() == 2; }

  Stack& stack_;
  std::vector<Node*> nodes_;
  const HaproxyConfig* config_ = nullptr;
  std::vector<Address> addresses_;
};

}  // namespace models
