#include "models/lifecycle.hpp"

#include <utility>
#include <vector>

#include "models/clients.hpp"
#include "models/host.hpp"
#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

Lifecycle::Lifecycle(Stack& stack, sim::Simulation& sim) : stack_(stack), sim_(sim) {}

void Lifecycle::fail(RequestId id, FailureReason reason) {
  Request& r = stack_.requests().get(id);
  for (int d = r.depth; d >= 0; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    Node& n = stack_.node(f.node);
    if (d < r.depth) n.call_answered_with_error(r, f);
    n.abort(id, r, f);
  }
  stack_.clients().failed(id, r, reason);
}

RequestId Lifecycle::truncate(RequestId id, int keep) {
  RequestPool& requests = stack_.requests();
  Request& r = requests.get(id);
  for (int d = r.depth; d > keep; --d) {
    Frame& f = r.frames[static_cast<std::size_t>(d)];
    stack_.node(f.node).abort(id, r, f);
  }
  r.depth = static_cast<std::int8_t>(keep);
  const RequestId fresh = requests.rekey(id);
  rearm_timers(fresh, r);
  return fresh;
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
    if (r.depth >= 0 && r.frames[0].node == through.id() && clients.entry().address_of(r) == address) {
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
