// The life of requests across the tiers when it does not go as planned: a
// request failing (every tier releases it), a caller giving up on what it
// called (truncating the request below a frame and re-arming the timers that
// remain), and requests lost when a host or a process dies or an address
// moves away. Also the fault hooks that kill and revive hosts and processes,
// since what they do is mostly losing requests.
#pragma once

#include <cstddef>
#include <functional>

#include "models/request.hpp"
#include "sim/simulation.hpp"

namespace models {

class Host;
class Node;
class Stack;

class Lifecycle {
 public:
  Lifecycle(Stack& stack, sim::Simulation& sim);

  // Ends a request as failed: every tier it holds releases it. Tail call.
  void fail(RequestId id, FailureReason reason);
  // Cancels everything the request does below frame `keep` (releasing what
  // those frames hold), gives the request a new id so that their pending
  // events go stale, and re-arms the timers of the frames that remain.
  // Returns the new id; the request's depth becomes `keep`.
  RequestId truncate(RequestId id, int keep);

  // Fault hooks (models/faults.cpp drives them).
  void crash_host(Host& host);
  void repair_host(Host& host);
  void crash_process(Node& node, bool graceful);
  void restart_process(Node& node);
  // Connections of clients of `address` held by `node` are reset (VRRP
  // preemption moved the address away from it).
  void reset_connections_through(Node& node, std::size_t address);

 private:
  // Requests with a frame on a node for which `dead` holds lose every frame
  // from there down; `reset` says whether the caller is told at once
  // (connection reset) or must wait for its timers (silence).
  void lose_requests(const std::function<bool(const Node&)>& dead, bool reset);
  void rearm_timers(RequestId id, Request& r);

  Stack& stack_;
  sim::Simulation& sim_;
};

}  // namespace models
