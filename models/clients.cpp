#include "models/clients.hpp"

#include <algorithm>
#include <cmath>

#include "models/haproxy.hpp"
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
    const Time segment_end = p + 1 < pieces_.size() ? pieces_[p + 1].at : sim::kNever;
    // The rate is linear, then flat, within a piece: its peak over [t, end)
    // is at t or at the piece's target.
    const double peak = std::max(rate_at(t), pieces_[p].rate);
    if (peak <= 0.0) {
      if (segment_end == sim::kNever) return sim::kNever;
      t = segment_end;
      continue;
    }
    const double gap = rng.exponential(1e9 / peak);
    if (static_cast<double>(t) + gap >= static_cast<double>(segment_end)) {
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
      client_latency_(client_latency),
      arrivals_(stack.simulation().stream("workload.arrivals")) {
  double total = 0.0;
  for (const auto& c : workload.classes) {
    total += c.weight;
    cumulative_weights_.push_back(total);
    int deepest = 0;
    for (std::size_t t = 0; t < c.demands.size(); ++t) {
      if (c.demands[t]) deepest = static_cast<int>(t);
    }
    deepest_tier_.push_back(deepest);
  }
  if (const auto* open = std::get_if<OpenArrivals>(&workload.arrivals)) schedule_.emplace(open->schedule);
}

void Clients::start() {
  if (schedule_) {
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
    sim.schedule_in<&Clients::on_user_request>(think + client_latency_, this, static_cast<std::uint64_t>(u));
  }
}

void Clients::schedule_next_open() {
  next_send_ = schedule_->next_arrival(next_send_, arrivals_);
  if (next_send_ == sim::kNever) return;
  stack_.simulation().schedule_at<&Clients::on_open_arrival>(next_send_ + client_latency_, this);
}

void Clients::on_open_arrival(std::uint64_t) {
  // Open-loop requests come from distinct client addresses.
  const auto client = static_cast<std::uint32_t>(arrivals_.next_u64());
  send(next_send_, client, arrivals_);
  schedule_next_open();
}

void Clients::on_user_request(std::uint64_t user) {
  send(stack_.simulation().now() - client_latency_, static_cast<std::uint32_t>(user),
       users_[static_cast<std::size_t>(user)]);
}

int Clients::choose_class(sim::RandomStream& rng) const {
  if (cumulative_weights_.size() == 1) return 0;
  const double point = rng.uniform01() * cumulative_weights_.back();
  const auto it = std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), point);
  return static_cast<int>(std::min<std::ptrdiff_t>(it - cumulative_weights_.begin(),
                                                    static_cast<std::ptrdiff_t>(cumulative_weights_.size()) - 1));
}

Node& Clients::entry_node(std::uint32_t client) const {
  const auto& entry = stack_.tier_nodes(0);
  const TierConfig& tier = entry.front()->tier();
  if (const auto* lb = std::get_if<HaproxyConfig>(&tier.kind)) {
    // Active-passive: the floating address is on the master (node 1).
    if (lb->cluster != LbCluster::kActiveActive) return *entry.front();
  }
  // DNS round robin over the entry nodes' addresses.
  return *entry[client % entry.size()];
}

void Clients::send(Time sent, std::uint32_t client, sim::RandomStream& rng) {
  const int request_class = choose_class(rng);
  const std::uint64_t demand_seed = rng.next_u64();
  auto& requests = stack_.requests();
  const RequestId id = requests.create();
  Request& r = requests.get(id);
  r.request_class = static_cast<std::uint16_t>(request_class);
  r.deepest = static_cast<std::uint8_t>(deepest_tier_[static_cast<std::size_t>(request_class)]);
  r.client = client;
  r.demand_seed = demand_seed;
  r.sent = sent;
  r.measured = sent >= stack_.warmup();
  if (r.measured) stack_.metrics().offered(request_class);
  if (auto* windows = stack_.windows()) windows->offered();
  r.message_bytes = stack_.request_bytes(request_class, 0);
  r.message_is_response = false;
  r.message_first_bit = stack_.simulation().now();  // clients' own links are not modelled
  entry_node(client).on_message(id);
}

void Clients::on_response(std::uint64_t id) {
  Request& r = stack_.requests().get(id);
  const Time latency = stack_.simulation().now() - r.sent;
  if (r.measured) stack_.metrics().succeeded(r.request_class, latency);
  if (auto* windows = stack_.windows()) windows->succeeded(latency);
  const std::uint32_t client = r.client;
  stack_.requests().release(id);
  if (!schedule_) user_done(client);
}

void Clients::failed(RequestId id, Request& r, FailureReason reason) {
  if (r.measured) stack_.metrics().failed(r.request_class, reason);
  if (auto* windows = stack_.windows()) windows->failed(reason);
  const std::uint32_t client = r.client;
  stack_.requests().release(id);
  if (!schedule_) user_done(client);
}

void Clients::user_done(std::uint32_t user) {
  const auto& closed = std::get<ClosedArrivals>(workload_.arrivals);
  const Time think = sim::to_time(closed.think.sample(users_[user]));
  stack_.simulation().schedule_in<&Clients::on_user_request>(think + client_latency_, this, user);
}

}  // namespace models
