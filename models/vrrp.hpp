// The floating addresses in front of the entry tier.
//
// Two HAProxy nodes with keepalived (VRRP): active-passive has one address,
// held by the master of its VRRP instance; active-active has two instances
// with mirrored priorities, each node normally master of one.
//
// Timing follows keepalived 2.2 (vrrp.c, vrrp_scheduler.c) and RFC 5798:
//  - A master sends an advert when it becomes master and every advert_int
//    after; the initial master's schedule has a random phase.
//  - A backup restarts its Master_Down_Timer (3 x advert_int + skew) at each
//    advert it accepts and becomes master when the timer expires: a master
//    whose host dies silently is replaced Master_Down_Interval after its last
//    advert, not after its death. A priority-0 advert (graceful stop, or the
//    master entering FAULT) sets the timer to the skew alone.
//  - A node entering BACKUP (keepalived start, leaving FAULT) starts the timer
//    at once. With preemption it discards adverts of a lower priority, so it
//    takes the address back when its own timer expires; with preempt_delay it
//    accepts them for preempt_delay after the first one it hears.
//  - track_script runs every interval from keepalived's start; `fall` failed
//    runs in a row put the node in FAULT, `rise` good runs take it back to
//    BACKUP.
// Skew = (256 - priority) / 256 s (VRRP v2) or (256 - priority) x advert_int
// / 256 (v3). After a move, neighbours learn the new owner within the ARP
// delay; until then the address answers nothing.
//
// Other entry tiers (a single node, nginx, plain servers) have no floating
// address: clients spread over their nodes (DNS round robin).
//
// A client's first attempt goes to its own address, and each retry to the
// next one: a retry opens a new connection, and a client that got no answer
// tries the next DNS record. That is how, in active-active mode, clients of a
// dead load balancer reach the survivor before it takes their address over.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
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
  // "Never happened": start times lie before 0 (phases), so -1 will not do.
  static constexpr Time kNoTime = std::numeric_limits<Time>::min();

  // The node that answers the attempt's address now, or nullptr when the
  // address is unowned or in ARP transit.
  Node* node_for(const Request& attempt) const;
  std::size_t address_count() const { return addresses_.size(); }
  std::size_t address_of(const Request& attempt) const {
    return (std::uint64_t{attempt.client} + attempt.attempt) % addresses_.size();
  }
  // The node behind a given address, or nullptr.
  Node* node_at(std::size_t address) const;
  // When the master of `address` sent (or will send) its first advert: the
  // origin of its advert schedule. For tests and drills.
  Time advert_origin(std::size_t address) const { return addresses_[address].advert_origin; }
  // The first track_script run of `node`'s keepalived.
  Time script_origin(std::size_t node) const { return keepalived_[node].script_origin; }
  // Whether the node owns an address (during ARP convergence too).
  bool holds_address(const Node& node) const;

  void node_down(const Node& node, bool graceful);
  void node_up(const Node& node);

  void on_takeover(std::uint64_t arg);  // arg: address << 8 | new owner
  void on_script_verdict(std::uint64_t node);

 private:
  static constexpr int kMaxNodes = 2;
  struct Address {
    int owner = -1;        // the node whose address it is (its master), -1 none
    Time ready_at = 0;     // ARP convergence
    int preferred = 0;     // the node that holds it when all are up
    sim::EventHandle pending;
    // The adverts the backups hear: from `advertiser`, every advert_int from
    // advert_origin until advert_end (exclusive).
    int advertiser = -1;
    Time advert_origin = 0;
    Time advert_end = sim::kNever;
    Time priority0_at = kNoTime;  // when the last master announced its stop
    std::array<Time, kMaxNodes> backup_since{};  // when each node last entered BACKUP
  };
  // keepalived on one node.
  struct Keepalived {
    bool running = true;   // false: host down or keepalived stopped
    bool fault = false;    // track_script's verdict: HAProxy is dead
    Time script_origin = 0;
    sim::EventHandle verdict;  // the run that will change the verdict
    Time streak_from = 0;      // start of the process state that run will see
    Time streak_broken = kNoTime;  // when the process went back to the verdict's state
  };
  Time skew(int node, std::size_t address) const;
  Time master_down_interval(int node, std::size_t address) const;
  int priority(int node, std::size_t address) const;
  bool eligible(int node) const;
  // When `node`'s Master_Down_Timer for `address` expires, given the adverts
  // it heard and accepted; kNever while it keeps accepting them.
  Time timer_expiry(std::size_t address, int node) const;
  // Puts the one pending takeover of `address` right after a change.
  void reconsider(std::size_t address);
  void reconsider_all();
  void leave_master(int node, bool announced);
  void start_keepalived(int node);
  void process_changed(int node, bool up);
  bool vrrp() const { return config_ != nullptr && nodes_.size() == 2; }

  Stack& stack_;
  std::vector<Node*> nodes_;
  const HaproxyConfig* config_ = nullptr;
  std::vector<Address> addresses_;
  std::vector<Keepalived> keepalived_;
};

}  // namespace models
