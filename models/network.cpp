#include "models/network.hpp"

#include <algorithm>

#include "models/clients.hpp"
#include "models/host.hpp"
#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

Network::Network(Stack& stack, const NetworkConfig& config, sim::Simulation& sim)
    : stack_(stack), config_(config), sim_(sim), loss_stream_(sim.stream("network.loss")) {}

void Network::send(Node* from, Node& to, RequestId id, Request& r, double bytes, bool is_response) {
  r.message_bytes = bytes;
  r.message_is_response = is_response;
  if (is_response && !reachable(*from, to)) {
    // A dead caller never gets it: its own timers are moot, its caller's notice.
    // Across a partition the connection survives: TCP retransmits with
    // exponential backoff from its minimum RTO and delivers once the partition
    // heals, giving up after tcp_retries2 = 15 retransmissions (about 15 min).
    constexpr int kMaxRetransmissions = 15;
    if (!to.answering() || r.message_retransmissions >= kMaxRetransmissions) {
      r.message_retransmissions = 0;
      return;
    }
    const Time backoff = std::min<Time>(kMinRetransmissionTimeout << r.message_retransmissions,
                                        kMaxRetransmissionTimeout);
    ++r.message_retransmissions;
    sim_.schedule_in<&Network::on_retransmission>(backoff, this, id);
    return;
  }
  r.message_retransmissions = 0;
  Host& source = from->host();
  if (&source == &to.host()) {
    to.deliver(id, r, false);
    return;
  }
  const Time now = sim_.now();
  Time first_bit_leaves = now;
  Time last_bit_leaves = now;
  if (source.has_nic()) {
    const auto slot = source.nic_tx().reserve(now, source.nic_time(bytes));
    first_bit_leaves = slot.start;
    last_bit_leaves = slot.finish;
  }
  const Time delay = config_.latency + link_latency(source, to.host());
  r.message_first_bit = first_bit_leaves + delay;
  // The message is in no earlier than its last bit arrives and, when the
  // receiver has a NIC, its port has taken every byte from the first bit on.
  // Firing then, an idle port delivers at once: one event per hop.
  Time in = last_bit_leaves + delay;
  if (to.host().has_nic()) in = std::max(in, r.message_first_bit + to.host().nic_time(bytes));
  if (in == now) {  // nothing in between: no event needed
    to.on_message(id);
    return;
  }
  sim_.schedule_at<&Node::on_message>(in, &to, id);
}

void Network::on_retransmission(std::uint64_t id) {
  Request* r = stack_.requests().find(id);
  // Gone or re-keyed: the caller gave up (its timeout) or the request failed.
  if (r == nullptr || !r->message_is_response || r->depth < 0) return;
  Node& responder = stack_.node(r->frames[static_cast<std::size_t>(r->depth + 1)].node);
  send(&responder, stack_.node(r->frame().node), id, *r, r->message_bytes, true);
}

Time Network::link_latency(const Host& from, const Host& to) {
  return from.link_delay(loss_stream_) + to.link_delay(loss_stream_);
}

bool Network::reachable(const Node& from, const Node& to) const {
  if (!to.host().up()) return false;
  const auto a = static_cast<std::size_t>(from.host().index());
  const auto b = static_cast<std::size_t>(to.host().index());
  for (const auto& groups : partitions_) {
    if (groups[a] >= 0 && groups[b] >= 0 && groups[a] != groups[b]) return false;
  }
  return true;
}

void Network::refuse(RequestId id, Request& r, Node&) {
  if (r.depth < 0) {
    stack_.clients().entry_refused(id, r);
    return;
  }
  Node& caller = stack_.node(r.frame().node);
  caller.schedule_call_failure(id, r, FailureReason::kConnectFailed, 2 * config_.latency);
}

std::vector<int> Network::partition_groups(const std::vector<std::vector<std::string>>& groups) {
  std::vector<int> group_of(stack_.host_count(), -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const auto& name : groups[g]) {
      if (Node* n = stack_.node_named(name)) group_of[static_cast<std::size_t>(n->host().index())] = static_cast<int>(g);
    }
  }
  return group_of;
}

void Network::add_partition(const std::vector<std::vector<std::string>>& groups) {
  partitions_.push_back(partition_groups(groups));
}

void Network::remove_partition(const std::vector<std::vector<std::string>>& groups) {
  std::erase(partitions_, partition_groups(groups));
}

void Network::send_to_client(Node& from, RequestId id, Request& r, double bytes) {
  r.message_bytes = bytes;
  r.message_is_response = true;
  const Time now = sim_.now();
  Time leaves = now;
  Host& source = from.host();
  if (source.has_nic()) leaves = source.nic_tx().reserve(leaves, source.nic_time(bytes)).finish;
  const Time arrives = leaves + config_.client_latency;
  Clients& clients = stack_.clients();
  if (arrives == now) {  // no NIC, no latency (textbook queues): no event needed
    clients.on_response(id);
    return;
  }
  if (clients.settle_in_advance(id, r, arrives)) return;
  sim_.schedule_at<&Clients::on_response>(arrives, &clients, id);
}

}  // namespace models
