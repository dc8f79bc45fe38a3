// The clients: open-loop Poisson arrivals (constant rate or a piecewise
// schedule of steps and linear ramps) or closed-loop users who send, wait for
// the outcome (success, failure or their timeout), think, and send again.
//
// A logical request may take several attempts: on a failure or a timeout the
// client retries (up to `retries`, after a backoff, if the retry budget and
// the circuit breaker allow). An attempt the client gave up on by timeout
// stays in the system as an orphan: the servers still do its work, which is
// what lets retries amplify an overload. Offered counts first attempts; the
// outcome counts once per logical request, at its last attempt.
//
// Every draw that shapes the workload (arrival times, classes, the seed of a
// request's demands, think times, backoff jitter) comes from streams named
// after the workload, never after the topology, so two designs compared under
// one seed see the same requests (common random numbers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "models/config.hpp"
#include "models/request.hpp"
#include "models/vrrp.hpp"
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

// The wait before retry number `retry` (1 for the first): `base`, doubled for
// each further retry when exponential, at most `cap`, then jittered with
// draws from `rng` (full: uniform(0, wait); equal: wait/2 + uniform(0, wait/2)).
Time backoff_delay(const BackoffConfig& backoff, int retry, sim::RandomStream& rng);

class Clients {
 public:
  Clients(Stack& stack, const WorkloadConfig& workload, Time client_latency);
  ~Clients();

  void start();
  void on_open_arrival(std::uint64_t);       // open-loop requests are sent (a batch, ahead)
  void on_user_request(std::uint64_t user);  // a closed-loop user sends
  void on_attempt(std::uint64_t id);         // an attempt's request reaches the entry address
  void on_response(std::uint64_t id);        // the response reached its client
  // The response is on its way and reaches the client at `arrives`. When
  // nothing can happen to it on the way (no client timeout, circuit breaker,
  // collector's window boundary or end of run in between), settles the
  // attempt now, as of `arrives`, and returns true: one event fewer per
  // request. Otherwise returns false and the caller delivers it by event.
  bool settle_in_advance(RequestId id, Request& r, Time arrives);
  void on_timeout(std::uint64_t id);         // the client gives up on the attempt
  void on_attempt_failed(std::uint64_t id);  // a connection-level failure reaches the client
  // Out of line and cold, so that on_attempt stays small enough to inline
  // on the path every request takes.
  [[gnu::cold, gnu::noinline]] void syn_unanswered(RequestId id, Request& r);
  void on_retry_due(std::uint64_t id);       // a retry's backoff is over

  // The request failed (after every tier released it).
  void failed(RequestId id, Request& r, FailureReason reason);
  // The entry node refused the connection (its process is down).
  void entry_refused(RequestId id, Request& r);
  // The node holding the client's connection died: reset tells at once,
  // otherwise the client notices only by its timeout.
  void connection_lost(RequestId id, Request& r, bool reset);
  // Re-arms the client's timer under a request's new id.
  void rearm(RequestId id, Request& r);

  EntryAddresses& entry() { return *entry_; }

 private:
  // Creates the first attempt of a logical request sent at `sent`, unless
  // the overload guard stops the run instead.
  void send(Time sent, std::uint32_t client, sim::RandomStream& rng);
  // The attempt's request reaches the entry address at `arrival`.
  void launch(RequestId id, Time arrival);
  // When an attempt whose first bit reaches the entry address at `arrival`
  // is in the entry node (its receive port, if idle, has taken every byte).
  Time attempt_time(Time arrival, const Request& r) const;
  int choose_class(sim::RandomStream& rng) const;
  // Stops the run: too many requests in flight or events pending.
  void stop_overloaded();
  void schedule_next_open();
  // Ends the attempt: retry it or count its outcome. Releases the request.
  void attempt_over(RequestId id, Request& r, std::optional<FailureReason> failure);
  bool may_retry(const Request& r);
  Time backoff(const Request& r) const;
  // Sends a retry now, unless the circuit breaker refuses it.
  void retry(RequestId id, Request& r);
  // Whether the circuit breaker lets an attempt be sent now; in the half-open
  // state the attempt it lets through becomes the trial.
  bool breaker_admits(Time now);
  // Counts the request's outcome as of `at` and releases it; a closed-loop
  // user thinks from then.
  void finish(RequestId id, Request& r, std::optional<FailureReason> failure, Time at);
  // The user's attempt ended at `at`: think, then send again.
  void user_done(std::uint32_t user, Time at);
  void count(const Request& r, std::optional<FailureReason> failure, Time at);

  Stack& stack_;
  const WorkloadConfig& workload_;
  const ClientConfig& client_;
  Time client_latency_;
  std::vector<double> cumulative_weights_;
  std::unique_ptr<EntryAddresses> entry_;
  // Open loop.
  std::optional<RateSchedule> schedule_;
  sim::RandomStream arrivals_;
  Time next_send_ = 0;
  static constexpr int kSendBatch = 16;  // requests one event may send ahead
  bool send_ahead_ = false;
  std::size_t max_in_flight_;
  std::size_t max_pending_events_;
  // Closed loop: one stream per user.
  std::vector<sim::RandomStream> users_;
  // The stalled-clock guard: users who think for 0 s and meet a path that
  // takes no time would send requests forever at one instant. More sends at
  // one instant than users plus kStalledSends stops the run.
  static constexpr std::uint64_t kStalledSends = 100'000;
  Time last_user_send_ = -1;
  std::uint64_t user_sends_at_last_ = 0;
  // A user's latest failed request, which the guard's message names.
  Time last_user_failure_at_ = -1;
  FailureReason last_user_failure_{};
  // Retry budget tokens and circuit breaker state.
  double tokens_ = 0.0;
  int consecutive_failures_ = 0;
  Time breaker_open_until_ = 0;
  bool breaker_trial_out_ = false;
};

}  // namespace models
