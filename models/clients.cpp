#include "models/clients.hpp"

#include <algorithm>
#include <cmath>

#include "models/haproxy.hpp"
#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

// ---------------------------------------------------------------- RateSchedule

RateSchedule::RateSchedule(std::vector<RatePiece> pieces) : pieces_(std::move(pieces)) {}

std::size_t RateSchedule::piece_at(Time t) const {
  std::size_t p = 0;
  while (p + 1 < pieces_.size() && pieces_[p + 1].at <= t) ++p;
  return p;
}

double RateSchedule::rate_at(Time t) const {
  const std::size_t p = piece_at(t);
  const RatePiece& piece = pieces_[p];
  if (piece.ramp == 0 || t >= piece.at + piece.ramp || p == 0) return piece.rate;
  const double from = pieces_[p - 1].rate;
  const double progress = static_cast<double>(t - piece.at) / static_cast<double>(piece.ramp);
  return from + (piece.rate - from) * progress;
}

Time RateSchedule::next_arrival(Time t, sim::RandomStream& rng) const {
  for (;;) {
    const std::size_t p = piece_at(t);
    // The last piece lasts until the horizon: an arrival after it is never.
    const bool last = p + 1 == pieces_.size();
    const Time segment_end = last ? sim::kHorizon : pieces_[p + 1].at;
    // The rate is linear, then flat, within a piece: its peak over [t, end)
    // is at t or at the piece's target.
    const double peak = std::max(rate_at(t), pieces_[p].rate);
    if (peak <= 0.0) {
      if (last) return sim::kNever;
      t = segment_end;
      continue;
    }
    const double gap = rng.exponential(1e9 / peak);
    if (static_cast<double>(t) + gap >= static_cast<double>(segment_end)) {
      if (last) return sim::kNever;
      t = segment_end;  // memoryless: restart from the next piece
      continue;
    }
    const Time candidate = t + std::max<Time>(1, sim::to_time(gap));
    const double rate = rate_at(candidate);
    if (rate >= peak || rng.uniform01() * peak < rate) return candidate;
    t = candidate;
  }
}

// ---------------------------------------------------------------- Clients

Clients::Clients(Stack& stack, const WorkloadConfig& workload, Time client_latency)
    : stack_(stack),
      workload_(workload),
      client_(workload.client),
      client_latency_(client_latency),
      entry_(std::make_unique<EntryAddresses>(stack, stack.tier_nodes(0))),
      arrivals_(stack.simulation().stream("workload.arrivals")),
      max_in_flight_(static_cast<std::size_t>(stack.config().run.max_in_flight)),
      max_pending_events_(static_cast<std::size_t>(stack.config().run.max_pending_events)) {
  double total = 0.0;
  for (const auto& c : workload.classes) {
    total += c.weight;
    cumulative_weights_.push_back(total);
  }
  if (const auto* open = std::get_if<OpenArrivals>(&workload.arrivals)) schedule_.emplace(open->schedule);
  if (client_.budget) tokens_ = client_.budget->max_tokens;
}

Clients::~Clients() = default;

void Clients::start() {
  if (schedule_) {
    // Sending ahead saves events only when a request reaches the entry node
    // later than it is sent. What a send does is otherwise fixed by its time,
    // but the retry budget and the breaker depend on what happened before it,
    // and faults may move the entry address (and with it the receive time).
    const auto& entry_nodes = stack_.tier_nodes(0);
    const bool arrives_later = client_latency_ > 0 || std::any_of(entry_nodes.begin(), entry_nodes.end(),
                                                                  [](const Node* n) { return n->host().has_nic(); });
    send_ahead_ = arrives_later && !client_.budget && !client_.circuit_breaker && stack_.config().faults.empty();
    schedule_next_open();
    return;
  }
  const auto& closed = std::get<ClosedArrivals>(workload_.arrivals);
  auto& sim = stack_.simulation();
  users_.reserve(static_cast<std::size_t>(closed.users));
  for (int u = 0; u < closed.users; ++u) {
    users_.push_back(sim.stream("workload.user." + std::to_string(u)));
    // Every user starts with a think time, so users do not start in lockstep.
    const Time think = sim::to_time(closed.think.sample(users_.back()));
    sim.schedule_in<&Clients::on_user_request>(think, this, static_cast<std::uint64_t>(u));
  }
}

void Clients::schedule_next_open() {
  next_send_ = schedule_->next_arrival(next_send_, arrivals_);
  if (next_send_ == sim::kNever) return;
  stack_.simulation().schedule_at<&Clients::on_open_arrival>(next_send_, this);
}

void Clients::stop_overloaded() {
  const auto& run = stack_.config().run;
  if (stack_.requests().live() >= max_in_flight_) {
    stack_.stop_overloaded(std::to_string(stack_.requests().live()) + " requests in flight, the limit run.max_in_flight (" +
                           std::to_string(run.max_in_flight) + ")");
  } else {
    stack_.stop_overloaded(std::to_string(stack_.simulation().pending_events()) +
                           " events pending, the limit run.max_pending_events (" +
                           std::to_string(run.max_pending_events) + ")");
  }
}

void Clients::on_open_arrival(std::uint64_t) {
  const Time now = stack_.simulation().now();
  const Time end = stack_.config().run.duration;
  // With send_ahead_, one event sends a batch: the requests due before the
  // collectors' next window boundary are created now, each as of its own
  // send time (its arrival events, timers and counts all follow from that
  // time), which saves an event per request. The draws are the same, in the
  // same order.
  const Time horizon = stack_.observers().horizon<RequestOffered>(now);
  int sent = 0;
  for (;;) {
    // Open-loop requests come from distinct client addresses.
    const auto client = static_cast<std::uint32_t>(arrivals_.next_u64());
    send(next_send_, client, arrivals_);
    next_send_ = schedule_->next_arrival(next_send_, arrivals_);
    if (!send_ahead_ || ++sent == kSendBatch || next_send_ > end || next_send_ >= horizon) break;
  }
  if (next_send_ == sim::kNever) return;
  stack_.simulation().schedule_at<&Clients::on_open_arrival>(next_send_, this);
}

void Clients::on_user_request(std::uint64_t user) {
  const Time now = stack_.simulation().now();
  if (now != last_user_send_) {
    last_user_send_ = now;
    user_sends_at_last_ = 0;
  } else if (++user_sends_at_last_ > users_.size() + kStalledSends) {
    std::string why = "run stopped at " + sim::format_duration(now) + " simulated: " +
                      std::to_string(user_sends_at_last_) +
                      " requests sent at that instant, and the simulated clock does not advance: users who think "
                      "for 0s ";
    // A path with demand stalls too when requests are refused at once.
    if (last_user_failure_at_ == now) {
      why += "see their requests fail at once (the last with " +
             std::string(failure_reason_name(last_user_failure_)) +
             ") and send again. Give the users a think time, or the stack room for them";
    } else {
      why += "meet a path that takes no time (no demand and no latency, or a failure at once). "
             "Give the users a think time, or the path a demand or a latency";
    }
    stack_.stop_run(std::move(why));
    return;
  }
  send(now, static_cast<std::uint32_t>(user), users_[static_cast<std::size_t>(user)]);
}

int Clients::choose_class(sim::RandomStream& rng) const {
  if (cumulative_weights_.size() == 1) return 0;
  const double point = rng.uniform01() * cumulative_weights_.back();
  const auto it = std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), point);
  return static_cast<int>(std::min<std::ptrdiff_t>(it - cumulative_weights_.begin(),
                                                    static_cast<std::ptrdiff_t>(cumulative_weights_.size()) - 1));
}

void Clients::send(Time sent, std::uint32_t client, sim::RandomStream& rng) {
  auto& requests = stack_.requests();
  // The overload guard: checked where load enters, so no event pays for it.
  if (requests.live() >= max_in_flight_ || stack_.simulation().pending_events() >= max_pending_events_) {
    stop_overloaded();
    return;
  }
  const int request_class = choose_class(rng);
  const std::uint64_t demand_seed = rng.next_u64();
  const RequestId id = requests.create();
  Request& r = requests.get(id);
  r.request_class = static_cast<std::uint16_t>(request_class);
  r.client = client;
  r.demand_seed = demand_seed;
  r.sent = sent;
  r.first_sent = sent;
  r.measured = sent >= stack_.warmup();
  stack_.observers().emit(RequestOffered{request_class, sent, r.measured});
  if (client_.budget) tokens_ = std::min(client_.budget->max_tokens, tokens_ + client_.budget->ratio);
  // An open breaker fails the request at the client, without sending it.
  if (!breaker_admits(stack_.simulation().now())) {
    finish(id, r, FailureReason::kCircuitOpen, stack_.simulation().now());
    return;
  }
  launch(id, sent + client_latency_);
}

bool Clients::breaker_admits(Time now) {
  if (!client_.circuit_breaker || breaker_open_until_ == 0) return true;  // closed
  if (now < breaker_open_until_ || breaker_trial_out_) return false;
  breaker_trial_out_ = true;
  return true;
}

void Clients::launch(RequestId id, Time arrival) {
  Request& r = stack_.requests().get(id);
  stack_.observers().emit(AttemptLaunched{r.attempt > 0, r.measured});
  if (client_.timeout > 0) {
    r.client_deadline = r.sent + client_.timeout;
    r.client_timer = stack_.simulation().schedule_at<&Clients::on_timeout>(r.client_deadline, this, id);
  }
  // The first bit reaches the entry address at `arrival` (clients' own links
  // are not modelled); the entry node has the request once its receive port
  // has taken every byte. Firing then, an idle port costs no second event.
  r.message_bytes = stack_.request_bytes(r.request_class, 0);
  r.message_is_response = false;
  r.message_first_bit = arrival;
  const Time in = attempt_time(arrival, r);
  if (in == stack_.simulation().now()) {  // no client latency, no NIC: no event needed
    on_attempt(id);
    return;
  }
  stack_.simulation().schedule_at<&Clients::on_attempt>(in, this, id);
}

Time Clients::attempt_time(Time arrival, const Request& r) const {
  const Node* entry = entry_->node_for(r);
  if (entry == nullptr || !entry->host().has_nic()) return arrival;
  return arrival + entry->host().nic_time(r.message_bytes);
}

void Clients::on_attempt(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  Node* entry = entry_->node_for(*r);
  if (entry == nullptr || !entry->host().up()) {
    syn_unanswered(id, *r);
    return;
  }
  entry->on_message(id);
}

// Nobody answers the address: the SYN is lost. Linux retransmits it 1 s
// after the first send, then at doubling intervals (1 s, 3 s, 7 s, ...
// after it: TCP_TIMEOUT_INIT, exponential backoff), so an address that
// moves meanwhile (a VRRP failover) answers the next retransmission; the
// attempt fails at connect_timeout. Measured on the testbed: requests
// sent while keepalived moved the address succeeded 1.0 s late
// (docs/validation.md).
void Clients::syn_unanswered(RequestId id, Request& r) {
  const Time first_syn = r.sent + client_latency_;  // when the first SYN arrived
  Time next = sim::kSecond;
  while (next <= stack_.simulation().now() - first_syn) next = 2 * next + sim::kSecond;
  if (next < client_.connect_timeout) {
    r.message_first_bit = first_syn + next;  // the retransmission is a new send
    stack_.simulation().schedule_at<&Clients::on_attempt>(r.message_first_bit, this, id);
    return;
  }
  r.connect_failure = FailureReason::kLbUnreachable;
  stack_.simulation().schedule_at<&Clients::on_attempt_failed>(first_syn + client_.connect_timeout, this, id);
}

void Clients::entry_refused(RequestId id, Request& r) {
  r.connect_failure = FailureReason::kLbUnreachable;
  stack_.simulation().schedule_in<&Clients::on_attempt_failed>(client_latency_, this, id);
}

void Clients::connection_lost(RequestId id, Request& r, bool reset) {
  if (!reset) return;  // silence: only the client's timeout will tell
  r.connect_failure = FailureReason::kConnectionLost;
  stack_.simulation().schedule_in<&Clients::on_attempt_failed>(client_latency_, this, id);
}

void Clients::on_attempt_failed(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  attempt_over(id, *r, r->connect_failure);
}

void Clients::rearm(RequestId id, Request& r) {
  if (r.client_deadline == 0) return;
  stack_.simulation().cancel(r.client_timer);
  r.client_timer = stack_.simulation().schedule_at<&Clients::on_timeout>(r.client_deadline, this, id);
}

void Clients::on_response(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  attempt_over(id, *r, std::nullopt);
}

void Clients::failed(RequestId id, Request& r, FailureReason reason) { attempt_over(id, r, reason); }

void Clients::on_timeout(std::uint64_t id) {
  Request* found = stack_.requests().find(id);
  if (found == nullptr || found->orphan) return;
  Request& r = *found;
  r.client_timer = sim::EventHandle();
  r.client_deadline = 0;
  // The attempt stays in the system as an orphan; the client moves on.
  r.orphan = true;
  Request copy = r;
  copy.orphan = false;
  if (r.depth < 0) {  // still connecting or between events at the client: nothing holds it
    stack_.requests().release(id);
  }
  // Re-enter with a private copy: the orphan's fate no longer matters here.
  auto& requests = stack_.requests();
  const RequestId next = requests.create();
  Request& n = requests.get(next);
  const std::uint32_t generation = n.generation;
  n = copy;
  n.generation = generation;
  n.depth = -1;
  n.wait_token = 0;
  n.wait_timer = sim::EventHandle();
  n.first_branch = kNoSlot;  // the orphan's branches stay the orphan's
  attempt_over(next, n, FailureReason::kClientTimeout);
}

bool Clients::may_retry(const Request& r) {
  if (r.attempt >= client_.retries) return false;
  if (client_.budget) {
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
  }
  return true;
}

Time backoff_delay(const BackoffConfig& b, int retry, sim::RandomStream& rng) {
  double wait = static_cast<double>(b.base);
  if (b.exponential) wait *= std::ldexp(1.0, retry - 1);
  if (b.cap > 0) wait = std::min(wait, static_cast<double>(b.cap));
  if (b.jitter == Jitter::kFull) wait *= rng.uniform01();
  if (b.jitter == Jitter::kEqual) wait = wait / 2 + wait / 2 * rng.uniform01();
  return sim::to_time(wait);
}

Time Clients::backoff(const Request& r) const {
  // Jitter draws come from the request's own stream: common random numbers.
  auto rng = sim::RandomStream::keyed(r.demand_seed, sim::fnv1a64("client.backoff"), r.attempt);
  return backoff_delay(client_.backoff, r.attempt, rng);
}

void Clients::attempt_over(RequestId id, Request& r, std::optional<FailureReason> failure) {
  auto& sim = stack_.simulation();
  sim.cancel(r.client_timer);
  if (r.orphan) {  // the client stopped waiting for it long ago
    stack_.requests().release(id);
    return;
  }
  // Outcomes that arrive while the breaker is open (of attempts sent before
  // it opened) change nothing: only time ends the open state.
  if (client_.circuit_breaker && sim.now() >= breaker_open_until_) {
    if (failure) {
      if (++consecutive_failures_ >= client_.circuit_breaker->failures || breaker_trial_out_) {
        breaker_open_until_ = sim.now() + client_.circuit_breaker->open_for;
        breaker_trial_out_ = false;
        consecutive_failures_ = 0;
      }
    } else {
      consecutive_failures_ = 0;
      breaker_open_until_ = 0;
      breaker_trial_out_ = false;
    }
  }
  if (failure && *failure != FailureReason::kCircuitOpen && may_retry(r)) {
    ++r.attempt;
    r.depth = -1;
    r.client_deadline = 0;
    r.visits.fill(0);
    const RequestId fresh = stack_.requests().rekey(id);
    r.sent = sim.now() + backoff(r);
    // The breaker judges a retry when it is sent, after its backoff.
    if (client_.circuit_breaker && r.sent > sim.now()) {
      sim.schedule_at<&Clients::on_retry_due>(r.sent, this, fresh);
      return;
    }
    retry(fresh, r);
    return;
  }
  finish(id, r, failure, sim.now());
}

void Clients::on_retry_due(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  retry(id, *r);
}

void Clients::retry(RequestId id, Request& r) {
  if (!breaker_admits(stack_.simulation().now())) {
    finish(id, r, FailureReason::kCircuitOpen, stack_.simulation().now());
    return;
  }
  launch(id, r.sent + client_latency_);
}

void Clients::finish(RequestId id, Request& r, std::optional<FailureReason> failure, Time at) {
  count(r, failure, at);
  const std::uint32_t client = r.client;
  stack_.requests().release(id);
  if (!schedule_) {
    if (failure) {
      last_user_failure_at_ = at;
      last_user_failure_ = *failure;
    }
    user_done(client, at);
  }
}

bool Clients::settle_in_advance(RequestId id, Request& r, Time arrives) {
  if (r.orphan || client_.circuit_breaker) return false;
  if (r.client_deadline > 0 && arrives >= r.client_deadline) return false;  // the timeout fires first
  if (arrives > stack_.config().run.duration) return false;  // still in flight at the end
  if (arrives >= stack_.observers().horizon<RequestEnded>(stack_.simulation().now())) return false;
  stack_.simulation().cancel(r.client_timer);
  finish(id, r, std::nullopt, arrives);
  return true;
}

void Clients::count(const Request& r, std::optional<FailureReason> failure, Time at) {
  stack_.observers().emit(RequestEnded{r.request_class, at, failure ? 0 : at - r.first_sent, failure, r.measured});
}

void Clients::user_done(std::uint32_t user, Time at) {
  const auto& closed = std::get<ClosedArrivals>(workload_.arrivals);
  const Time think = sim::to_time(closed.think.sample(users_[user]));
  stack_.simulation().schedule_at<&Clients::on_user_request>(at + think, this, user);
}

}  // namespace models
