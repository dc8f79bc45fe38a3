// The clients: open-loop Poisson arrivals (constant rate or a piecewise
// schedule of steps and linear ramps) or closed-loop users who send, wait for
// the answer (success or failure), think, and send again.
//
// Every draw that shapes the workload (arrival times, classes, the seed of a
// request's demands, think times) comes from streams named after the workload,
// never after the topology, so two designs compared under one seed see the
// same requests (common random numbers).
#pragma once

#include <cstdint>
#include <vector>

#include "models/config.hpp"
#include "models/request.hpp"
#include "sim/random.hpp"

namespace models {

class Stack;
class Node;

// Piecewise-linear arrival rate and its Poisson sampling by thinning
// (Lewis & Shedler): candidates at the segment's peak rate, each kept with
// probability rate(t) / peak.
class RateSchedule {
 public:
  explicit RateSchedule(std::vector<RatePiece> pieces);
  double rate_at(Time t) const;
  // The next arrival strictly after t, or kNever.
  Time next_arrival(Time t, sim::RandomStream& rng) const;

 private:
  std::size_t piece_at(Time t) const;
  std::vector<RatePiece> pieces_;
};

class Clients {
 public:
  Clients(Stack& stack, const WorkloadConfig& workload, Time client_latency);

  void start();
  void on_open_arrival(std::uint64_t);       // an open-loop request reaches the entry tier
  void on_user_request(std::uint64_t user);  // a closed-loop user's request reaches the entry tier
  void on_response(std::uint64_t id);        // the response reached its client

  // The request failed (after every tier released it).
  void failed(RequestId id, Request& r, FailureReason reason);

 private:
  // Creates and sends a request; `sent` is when it left the client.
  void send(Time sent, std::uint32_t client, sim::RandomStream& rng);
  int choose_class(sim::RandomStream& rng) const;
  Node& entry_node(std::uint32_t client) const;
  void schedule_next_open();
  void user_done(std::uint32_t user);

  Stack& stack_;
  const WorkloadConfig& workload_;
  Time client_latency_;
  std::vector<double> cumulative_weights_;
  std::vector<int> deepest_tier_;  // per class
  // Open loop.
  std::optional<RateSchedule> schedule_;
  sim::RandomStream arrivals_;
  Time next_send_ = 0;
  // Closed loop: one stream per user.
  std::vector<sim::RandomStream> users_;
};

}  // namespace models
