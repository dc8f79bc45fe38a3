#include "models/lifecycle.hpp"

#include <utility>
#include <vector>

#include "models/clients.hpp"
#include "models/host.hpp"
#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

Lifecycle::Lifecycle(Stack& stack, sim::Simulation& sim) : stack_(stack), sim_(sim) {}

void Lifecycle::abort_frames(RequestId id, Request& r, bool answered_with_error) {
  for (int d = r.depth; d >= 0; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    Node& n = stack_.node(f.node);
    if (answered_with_error && d < r.depth) n.call_answered_with_error(r, f);
    if (d == 0 && r.is_branch()) {
      n.abort_stub(id, r, f);
    } else {
      n.abort(id, r, f);
    }
  }
}

void Lifecycle::fail(RequestId id, FailureReason reason) {
  RequestPool& requests = stack_.requests();
  Request& r = requests.get(id);
  cancel_branches(r);
  abort_frames(id, r, true);
  if (r.is_branch()) {
    // One call of a group failed as the caller gives up on it: the caller's
    // visit fails, as it would with the calls made one after another
    // (unless it is failing already).
    const RequestId parent = requests.id_at(r.parent);
    const bool cancelling = requests.get(parent).cancelling;
    detach(id, r);
    if (!cancelling) fail(parent, reason);
    return;
  }
  stack_.clients().failed(id, r, reason);
}

RequestId Lifecycle::truncate(RequestId id, int keep) {
  RequestPool& requests = stack_.requests();
  Request& r = requests.get(id);
  if (keep < r.depth) cancel_branches(r);  // the deepest frame goes
  for (int d = r.depth; d > keep; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    stack_.node(f.node).abort(id, r, f);
  }
  r.depth = static_cast<std::int8_t>(keep);
  const RequestId fresh = requests.rekey(id);
  rearm_timers(fresh, r);
  return fresh;
}

RequestId Lifecycle::spawn(RequestId parent, Request& p, std::uint8_t step) {
  RequestPool& requests = stack_.requests();
  const RequestId id = requests.create(true);
  Request& b = requests.get(id);
  const Frame& caller = p.frame();
  const int target = stack_.calls(p.request_class, stack_.node(caller.node).tier_index())[step].tier;
  // What the tiers read of a request's header. No client timer: the client
  // waits for the parent.
  b.request_class = p.request_class;
  b.measured = p.measured;
  b.client = p.client;
  b.sent = p.sent;
  b.first_sent = p.first_sent;
  b.attempt = p.attempt;
  // Its own demand stream, keyed like a visit of the parent's to the target
  // tier (which the ordinal then skips): sibling subtrees draw different
  // demands, and the same seed gives the same draws.
  const auto ordinal = p.visits[static_cast<std::size_t>(target)]++;
  b.demand_seed = sim::RandomStream::keyed(p.demand_seed, sim::fnv1a64(stack_.config().tiers[static_cast<std::size_t>(target)].name),
                                           ordinal)
                      .next_u64();
  b.message_retransmissions = 0;
  b.parent = RequestPool::slot_of(parent);
  b.prev_branch = kNoSlot;
  b.next_branch = p.first_branch;
  if (p.first_branch != kNoSlot) requests.get(requests.id_at(p.first_branch)).prev_branch = RequestPool::slot_of(id);
  p.first_branch = RequestPool::slot_of(id);
  b.depth = 0;
  Frame& stub = b.frames[0];
  stub = Frame{};
  stub.node = caller.node;
  stub.step = step;
  stub.callee = static_cast<std::uint8_t>(target);
  stub.calls_left = 1;
  stub.entered = sim_.now();
  return id;
}

RequestId Lifecycle::join(RequestId id, Request& b) {
  RequestPool& requests = stack_.requests();
  const RequestId parent = requests.id_at(b.parent);
  Request& p = requests.get(parent);
  Frame& f = p.frame();
  const Frame& stub = b.frames[0];
  f.hits = static_cast<std::uint16_t>(f.hits + stub.hits);
  f.misses = static_cast<std::uint16_t>(f.misses + stub.misses);
  detach(id, b);
  return p.cancelling ? kNoRequest : parent;
}

void Lifecycle::detach(RequestId id, Request& b) {
  RequestPool& requests = stack_.requests();
  Request& p = requests.get(requests.id_at(b.parent));
  if (b.prev_branch == kNoSlot) {
    p.first_branch = b.next_branch;
  } else {
    requests.get(requests.id_at(b.prev_branch)).next_branch = b.next_branch;
  }
  if (b.next_branch != kNoSlot) requests.get(requests.id_at(b.next_branch)).prev_branch = b.prev_branch;
  requests.release_branch(id);
}

void Lifecycle::cancel_branches(Request& r) {
  RequestPool& requests = stack_.requests();
  r.cancelling = true;
  while (r.first_branch != kNoSlot) {
    const RequestId id = requests.id_at(r.first_branch);
    Request& b = requests.get(id);
    cancel_branches(b);
    // Its pending events (messages, timers of the frames) go stale with its id.
    abort_frames(id, b, false);
    detach(id, b);
  }
  r.cancelling = false;
}

void Lifecycle::rearm_timers(RequestId id, Request& r) {
  for (int d = 0; d <= r.depth; ++d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    if (f.call_deadline > 0) {
      sim_.cancel(f.call_timer);
      f.call_timer = sim_.schedule_at<&Node::on_call_timeout>(f.call_deadline, &stack_.node(f.node), id);
    }
  }
  stack_.clients().rearm(id, r);
}

void Lifecycle::lose_requests(const std::function<bool(const Node&)>& dead, bool reset) {
  RequestPool& requests = stack_.requests();
  // Collect first: handling a request may create others (client retries).
  std::vector<std::pair<RequestId, int>> hit;
  requests.for_each_live([&](RequestId id, const Request& r) {
    for (int d = 0; d <= r.depth; ++d) {
      if (dead(stack_.node(r.frames[static_cast<std::size_t>(d)].node))) {
        hit.emplace_back(id, d);
        return;
      }
    }
  });
  for (const auto& [id, depth] : hit) {
    Request* r = requests.find(id);
    if (r == nullptr) continue;
    // A branch's stub is on the caller's node: the parent, which has a frame
    // there too, loses its visit and with it this branch.
    if (depth == 0 && r->is_branch()) continue;
    const RequestId fresh = truncate(id, depth - 1);
    if (depth == 0) {
      stack_.clients().connection_lost(fresh, *r, reset);
    } else if (reset) {
      Node& caller = stack_.node(r->frame().node);
      caller.schedule_call_failure(fresh, *r, FailureReason::kBadGateway, stack_.config().network.latency);
    }
    // Silence: the caller (or the client) waits for its timers, re-armed by truncate.
  }
}

void Lifecycle::crash_host(Host& host) {
  host.crash();
  lose_requests([&host](const Node& n) { return &n.host() == &host; }, false);
  for (std::size_t i = 0; i < stack_.node_count(); ++i) {
    Node& n = stack_.node(static_cast<std::uint32_t>(i));
    if (&n.host() == &host) n.on_down();
  }
}

void Lifecycle::repair_host(Host& host) {
  host.repair();
  for (std::size_t i = 0; i < stack_.node_count(); ++i) {
    Node& n = stack_.node(static_cast<std::uint32_t>(i));
    if (&n.host() == &host) {
      n.set_process_up(true);
      n.on_up();
    }
  }
}

void Lifecycle::crash_process(Node& node, bool graceful) {
  node.set_process_up(false);
  lose_requests([&node](const Node& n) { return &n == &node; }, true);
  node.on_down(graceful);
}

void Lifecycle::restart_process(Node& node) {
  node.set_process_up(true);
  node.on_up();
}

void Lifecycle::reset_connections_through(Node& through, std::size_t address) {
  RequestPool& requests = stack_.requests();
  Clients& clients = stack_.clients();
  std::vector<RequestId> hit;
  requests.for_each_live([&](RequestId id, const Request& r) {
    if (r.depth >= 0 && !r.is_branch() && r.frames[0].node == through.id() &&
        clients.entry().address_of(r) == address) {
      hit.push_back(id);
    }
  });
  for (RequestId id : hit) {
    Request* r = requests.find(id);
    if (r == nullptr) continue;
    const RequestId fresh = truncate(id, -1);
    clients.connection_lost(fresh, *r, true);
  }
}

}  // namespace models
