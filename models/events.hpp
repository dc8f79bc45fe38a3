// What the models tell their observers, as typed events. Models emit them
// through Stack::observers() and know nothing of who listens: the metrics,
// the SLO windows, the time series and the fault timeline are collectors
// (models/observers.hpp) that pick the events they need.
//
// Request events carry `measured` (sent after the warm-up): the results count
// only those, the time series counts every request.
#pragma once

#include <optional>
#include <string>

#include "models/request.hpp"

namespace models {

// A logical request's first attempt is created, as of its send time `sent`
// (open-loop clients create requests ahead of it: Clients::on_open_arrival).
struct RequestOffered {
  int request_class = 0;
  Time sent = 0;
  bool measured = false;
};

// An attempt (the first or a retry) leaves the client.
struct AttemptLaunched {
  bool retry = false;
  bool measured = false;
};

// A logical request's outcome at its client, as of `at`: a success of
// `latency` (first send to last response) or a failure.
struct RequestEnded {
  int request_class = 0;
  Time at = 0;
  Time latency = 0;  // successes only
  std::optional<FailureReason> failure;
  bool measured = false;
};

// A request left a node of `tier` after `sojourn` there.
struct TierVisited {
  int tier = 0;
  Time sojourn = 0;
  bool measured = false;
};

// A read query answered by a database replica; stale when the replica had
// not applied every earlier write of the same client.
struct ReplicaRead {
  int request_class = 0;
  bool stale = false;
  bool measured = false;
};

// Events of the fault timeline (--trace-faults): each has its time and its
// line of text; the type says what it means to the SLO view.
struct TimelineEvent {
  Time at = 0;
  std::string text;
};

// A fault strikes; `fault` names it for the SLO view ("host crash lb1").
struct FaultBegan : TimelineEvent {
  std::string fault;
};
// A fault's repair.
struct FaultEnded : TimelineEvent {};
// A checker marks a node failed (HAProxy's health checks, nginx's passive
// checks, ProxySQL's monitor). It is a fault's detection only when the
// checker carries traffic: a VRRP backup's checks change nothing until it
// holds the address.
struct Detection : TimelineEvent {
  bool carries_traffic = false;
};
// A checker sees a failed node back (a recovery, not a detection).
struct Recovery : TimelineEvent {};
// A role moves: a VRRP state change or a database promotion. The SLO view
// counts it as a detection of the open faults.
struct Failover : TimelineEvent {};
// A node's process or host goes down or comes up.
struct NodeState : TimelineEvent {};

}  // namespace models
