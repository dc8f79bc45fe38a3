#include "models/node.hpp"

#include <algorithm>

#include "models/stack.hpp"
#include "models/topology.hpp"

namespace models {

Node::Node(Stack& stack, const TierConfig& tier, int tier_index, int index_in_tier, std::uint32_t node_id,
           std::string name, Host& host)
    : stack_(stack),
      sim_(stack.simulation()),
      tier_(tier),
      tier_index_(tier_index),
      index_in_tier_(index_in_tier),
      id_(node_id),
      name_(std::move(name)),
      host_(host),
      present_(stack.simulation().now()),
      tier_hash_(sim::fnv1a64(tier.name)) {}

void Node::configure_admission(SlotPool::Config config, FailureReason reject_reason) {
  admission_ = SlotPool(sim_, stack_.requests(), config, sim::Callback::to<&Node::on_admitted>(this),
                        sim::Callback{});
  admission_reject_ = reject_reason;
}

Node* Node::co_located_next(int next_tier) const {
  for (Node* n : stack_.tier_nodes(next_tier)) {
    if (&n->host() == &host_) return n;
  }
  return nullptr;
}

// ---------------------------------------------------------------- receiving

void Node::on_message(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  if (!host_.up()) return;  // lost: the sender's timers notice
  if (host_.has_nic()) {
    // Cut-through receive: the port takes the bytes as they arrive, FCFS, at
    // its own bandwidth; a message can be delivered no earlier than its last
    // bit arrives.
    const auto slot = host_.nic_rx().reserve(r->message_first_bit, host_.nic_time(r->message_bytes));
    if (slot.finish > sim_.now()) {
      sim_.schedule_at<&Node::on_message_received>(slot.finish, this, id);
      return;
    }
  }
  deliver(id, *r, true);
}

void Node::on_message_received(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr || !host_.up()) return;
  deliver(id, *r, true);
}

void Node::deliver(RequestId id, Request& r, bool remote) {
  if (r.message_is_response) {
    on_response(id, r);
    return;
  }
  if (!process_up_) {  // connection refused: the sender learns after a round trip
    stack_.network().refuse(id, r, *this);
    return;
  }
  // A new visit: the request descends one tier.
  ++r.depth;
  Frame& f = r.frame();
  f = Frame{};
  f.node = id_;
  f.remote_arrival = remote;
  f.entered = sim_.now();
  present_.add(sim_.now(), 1.0);
  const int units = admission_units(r);
  switch (admission_.acquire(id, units)) {
    case SlotPool::Result::kGranted:
      f.admission_units = static_cast<std::uint8_t>(units);
      serve(id, r);
      return;
    case SlotPool::Result::kQueued:
      return;
    case SlotPool::Result::kRejected:
      fail(id, admission_reject_);
      return;
  }
}

void Node::on_admitted(std::uint64_t id) {
  Request& r = stack_.requests().get(id);
  r.frame().admission_units = static_cast<std::uint8_t>(admission_units(r));
  serve(id, r);
}

// ---------------------------------------------------------------- serving

void Node::serve(RequestId id, Request& r) {
  Frame& f = r.frame();
  const Stack::ClassAtTier& at = stack_.at(r.request_class, tier_index_);
  const TierDemand* demand = at.demand;
  // Demands come from a stream keyed by the request, the tier's name and the
  // visit number, not by node or topology: the same request costs the same in
  // every design compared (common random numbers).
  // (Keyed by tier: in a chain the depth is the tier.)
  const auto visit = r.visits[static_cast<std::size_t>(tier_index_)]++;
  auto rng = sim::RandomStream::keyed(r.demand_seed, tier_hash_, visit);
  double cpu = tier_.cpu.sample(rng) + extra_cpu(r, rng);
  if (demand != nullptr) cpu += demand->cpu.sample(rng);
  if (f.remote_arrival) cpu += host_.machine().firewall.sample(rng);
  f.step = at.first_step.step;
  f.callee = at.first_step.tier;
  f.group = at.first_step.group;
  f.calls_left = at.first_step.calls;
  plan_disk(r, f, demand, rng);
  if (cpu > 0.0) {
    host_.cpu().submit(cpu, sim::Callback::to<&Node::on_cpu_done>(this, id));
    return;
  }
  continue_disk_or_calls(id, r);
}

void Node::plan_disk(Request&, Frame& f, const TierDemand* demand, sim::RandomStream&) {
  f.ios_left = static_cast<std::uint16_t>(demand != nullptr ? demand->disk_ios : 0);
}

double Node::io_bytes(const Request& r, const Frame&) const {
  const TierDemand* demand = stack_.demand(r.request_class, tier_index_);
  return demand != nullptr ? demand->io_bytes : 4096.0;
}

void Node::on_cpu_done(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  continue_disk_or_calls(id, *r);
}

void Node::on_io_done(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  Frame& f = r->frame();
  --f.ios_left;
  if (f.ios_left == 0) f.log_flush = false;
  continue_disk_or_calls(id, *r);
}

void Node::continue_disk_or_calls(RequestId id, Request& r) {
  Frame& f = r.frame();
  if (f.ios_left > 0 && host_.has_disk()) {
    host_.submit_io(io_bytes(r, f), sim::Callback::to<&Node::on_io_done>(this, id));
    return;
  }
  f.ios_left = 0;  // a host without a disk does no IO
  next_call(id, r);
}

// ---------------------------------------------------------------- calling

const CallStep& Node::current_step(const Request& r, const Frame& f) const {
  return stack_.calls(r.request_class, tier_index_)[f.step];
}

void Node::call_done(RequestId id, Request& r) {
  if (r.depth == 0 && r.is_branch()) {
    branch_done(id, r);
    return;
  }
  Frame& f = r.frame();
  f.tries = 0;
  const Stack::ClassAtTier& at = stack_.at(r.request_class, tier_index_);
  if (--f.calls_left == 0) {
    const PlannedStep next = at.conditional ? plan_step(at.calls, group_end(at.calls, f.step), f.hits, f.misses)
                                            : at.after[f.step];
    f.step = next.step;
    f.callee = next.tier;
    f.group = next.group;
    f.calls_left = next.calls;
  } else if (f.group) {
    return;  // the group's other calls are still out
  }
  next_call(id, r);
}

void Node::branch_done(RequestId id, Request& r) {
  // A branch's call is over: it joins its parent, whose frame on this node
  // counts one call of its group done.
  const RequestId parent = stack_.lifecycle().join(id, r);
  if (parent != kNoRequest) call_done(parent, stack_.requests().get(parent));
}

void Node::next_call(RequestId id, Request& r) {
  Frame& f = r.frame();
  if (f.calls_left == 0) {
    respond(id, r);
    return;
  }
  if (f.group) {
    fan_out(id, r);
    return;
  }
  begin_call(id, r);
}

void Node::fan_out(RequestId id, Request& r) {
  const Frame& f = r.frame();
  const auto& steps = stack_.calls(r.request_class, tier_index_);
  const std::size_t first = f.step;
  // Every step's count is settled now, from the gets answered before the
  // group: answers of this group's own gets arrive while it is sent.
  const int hits = f.hits;
  const int misses = f.misses;
  for (std::size_t s = first; s < group_end(steps, first); ++s) {
    for (int k = calls_of(steps[s], hits, misses); k > 0; --k) {
      const RequestId branch = stack_.lifecycle().spawn(id, r, static_cast<std::uint8_t>(s));
      begin_call(branch, stack_.requests().get(branch));
      // A call that failed at once may have failed the request (and its id).
      if (stack_.requests().find(id) == nullptr) return;
    }
  }
}

void Node::send_call(RequestId id, Request& r, Node& target) {
  Frame& f = r.frame();
  f.downstream = target.id();
  f.call_sent = false;
  ++f.tries;
  if (!stack_.network().reachable(*this, target)) {
    // Nobody answers the SYN: the caller waits out its connect timeout.
    schedule_call_failure(id, r, FailureReason::kConnectFailed, connect_timeout_to(target));
    return;
  }
  f.call_sent = true;
  const Time timeout = call_timeout_to(target);
  if (timeout > 0) {
    f.call_deadline = sim_.now() + timeout;
    f.call_timer = sim_.schedule_at<&Node::on_call_timeout>(f.call_deadline, this, id);
  }
  stack_.network().send(this, target, id, r, stack_.request_bytes(r.request_class, target.tier_index()), false);
}

void Node::schedule_call_failure(RequestId id, Request& r, FailureReason cause, Time delay) {
  Frame& f = r.frame();
  f.call_failure = cause;
  sim_.cancel(f.call_timer);
  f.call_deadline = 0;
  f.call_timer = sim_.schedule_in<&Node::on_call_failure>(delay, this, id);
}

void Node::on_call_failure(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  const int depth = frame_depth(*r);
  Frame& f = r->frames[static_cast<std::size_t>(depth)];
  f.call_timer = sim::EventHandle();
  // Whatever was still going on below this frame for the call is cancelled.
  const RequestId current = stack_.lifecycle().truncate(id, depth);
  call_failed(current, *r, f.call_failure);
}

void Node::on_call_timeout(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  if (r == nullptr) return;
  const int depth = frame_depth(*r);
  Frame& f = r->frames[static_cast<std::size_t>(depth)];
  f.call_timer = sim::EventHandle();
  f.call_deadline = 0;
  const RequestId current = stack_.lifecycle().truncate(id, depth);
  call_failed(current, *r, FailureReason::kServerTimeout);
}

void Node::call_failed(RequestId id, Request& r, FailureReason cause) {
  end_call(r, r.frame());
  fail(id, give_up_reason(cause));
}

void Node::on_response(RequestId id, Request& r) {
  Frame& f = r.frame();
  sim_.cancel(f.call_timer);
  f.call_deadline = 0;
  call_answered(r, f);
  if (r.cache_answer != Request::CacheAnswer::kNone) {
    if (r.cache_answer == Request::CacheAnswer::kHit) {
      ++f.hits;
    } else {
      ++f.misses;
    }
    r.cache_answer = Request::CacheAnswer::kNone;
  }
  end_call(r, f);
  call_done(id, r);
}

void Node::respond(RequestId id, Request& r) {
  visit_served(r);
  Frame& f = r.frame();
  const Time now = sim_.now();
  if (f.admission_units > 0) {
    const int units = f.admission_units;
    f.admission_units = 0;
    admission_.release(units);  // may start a waiting request right here
  }
  present_.add(now, -1.0);
  stack_.observers().emit(TierVisited{tier_index_, now - f.entered, r.measured});
  --r.depth;
  const double bytes = stack_.response_bytes(r.request_class, tier_index_);
  if (r.depth < 0) {
    stack_.network().send_to_client(*this, id, r, bytes);
    return;
  }
  stack_.network().send(this, stack_.node(r.frame().node), id, r, bytes, true);
}

void Node::fail(RequestId id, FailureReason reason) { stack_.lifecycle().fail(id, reason); }

void Node::on_down(bool graceful) {
  stack_.timeline<NodeState>(name_ + (host_.up() ? " process down" : " host down"));
  if (tier_index_ == 0) stack_.clients().entry().node_down(*this, graceful);
}

void Node::on_up() {
  stack_.timeline<NodeState>(name_ + " up");
  if (tier_index_ == 0) stack_.clients().entry().node_up(*this);
}

void Node::abort_stub(RequestId id, Request& r, Frame& f) {
  sim_.cancel(f.call_timer);
  f.call_deadline = 0;
  abort_call(id, r, f);
}

void Node::abort(RequestId id, Request& r, Frame& f) {
  sim_.cancel(f.call_timer);
  f.call_deadline = 0;
  if (f.admission_units == 0) {
    // Waiting for admission (abandon is a no-op if it was rejected outright).
    if (&f == &r.frame()) admission_.abandon(id);
  } else {
    abort_call(id, r, f);
    const int units = f.admission_units;
    f.admission_units = 0;
    admission_.release(units);
  }
  present_.add(sim_.now(), -1.0);
}

}  // namespace models
