// The life of requests across the tiers when it does not go as planned: a
// request failing (every tier releases it), a caller giving up on what it
// called (truncating the request below a frame and re-arming the timers that
// remain), and requests lost when a host or a process dies or an address
// moves away. Also the fault hooks that kill and revive hosts and processes,
// since what they do is mostly losing requests.
//
// Parallel fan-out: each call of a group is a branch, a request of its own in
// the pool whose frame 0 is a stub of the caller's frame (the caller's node
// and step, one call to make), so the caller kind's call logic (connection
// pools, timeouts, retries, redispatch, a cache miss on failure) works on it
// unchanged; the callee's visit is the branch's frame 1. A branch that is
// answered joins its parent (its cache hits and misses with it); the last one
// to join lets the caller go on. A branch that fails fails its parent, which
// cancels the other branches: each releases what it holds at every tier.
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

  // Creates a branch making one call of step `step` for the deepest frame of
  // request `parent` (models/node.cpp sends it).
  RequestId spawn(RequestId parent, Request& p, std::uint8_t step);
  // The branch's call is over: its stub's cache answers go to the parent's
  // frame and the branch is released. Returns the parent's id, or
  // kNoRequest when the parent is cancelling its branches.
  RequestId join(RequestId id, Request& b);

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
  // Cancels every branch the request's deepest frame waits for (and theirs).
  void cancel_branches(Request& r);
  // Aborts frames d..0 of a branch (its stub's as a stub).
  void abort_frames(RequestId id, Request& r, bool answered_with_error);
  // Unlinks the branch from its parent and releases it.
  void detach(RequestId id, Request& b);

  Stack& stack_;
  sim::Simulation& sim_;
};

}  // namespace models
