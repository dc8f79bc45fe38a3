#include "models/vrrp.hpp"

#include <algorithm>

#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

EntryAddresses::EntryAddresses(Stack& stack, const std::vector<Node*>& entry_nodes)
    : stack_(stack), nodes_(entry_nodes) {
  const TierConfig& tier = entry_nodes.front()->tier();
  config_ = std::get_if<HaproxyConfig>(&tier.kind);
  std::size_t count = nodes_.size();
  if (config_ != nullptr && config_->cluster != LbCluster::kActiveActive) count = 1;
  addresses_.resize(count);
  for (std::size_t a = 0; a < count; ++a) {
    addresses_[a].preferred = static_cast<int>(a);
    addresses_[a].owner = vrrp() ? best_live_node(a) : static_cast<int>(a);
  }
}

int EntryAddresses::priority(int node, std::size_t address) const {
  // Active-active mirrors the priorities on the second address.
  const auto& p = config_->vrrp.priority;
  const std::size_t i = address == 0 ? static_cast<std::size_t>(node) : static_cast<std::size_t>(1 - node);
  return p[i];
}

Time EntryAddresses::skew(int node) const {
  const int p = priority(node, 0);
  if (config_->vrrp.version == 3) return (256 - p) * config_->vrrp.advert_int / 256;
  return sim::to_time((256.0 - p) / 256.0 * 1e9);
}

Time EntryAddresses::master_down_interval(int node) const { return 3 * config_->vrrp.advert_int + skew(node); }

int EntryAddresses::best_live_node(std::size_t address) const {
  int best = -1;
  for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
    if (!nodes_[static_cast<std::size_t>(n)]->answering()) continue;
    if (best < 0 || priority(n, address) > priority(best, address)) best = n;
  }
  return best;
}

Node* EntryAddresses::node_at(std::size_t address) const {
  const Address& a = addresses_[address];
  if (a.owner < 0 || stack_.simulation().now() < a.ready_at) return nullptr;
  return nodes_[static_cast<std::size_t>(a.owner)];
}

bool EntryAddresses::holds_address(const Node& node) const {
  return std::any_of(addresses_.begin(), addresses_.end(),
                     [&node](const Address& a) { return a.owner == node.index_in_tier(); });
}

Node* EntryAddresses::node_for(const Request& attempt) const { return node_at(address_of(attempt)); }

void EntryAddresses::schedule_takeover(std::size_t address, int node, Time delay) {
  Address& a = addresses_[address];
  stack_.simulation().cancel(a.pending);
  a.pending = stack_.simulation().schedule_in<&EntryAddresses::on_takeover>(
      delay, this, (static_cast<std::uint64_t>(address) << 8) | static_cast<std::uint64_t>(node));
}

void EntryAddresses::on_takeover(std::uint64_t arg) {
  const auto address = static_cast<std::size_t>(arg >> 8);
  const auto node = static_cast<int>(arg & 0xff);
  Address& a = addresses_[address];
  a.pending = sim::EventHandle();
  if (!nodes_[static_cast<std::size_t>(node)]->answering()) return;
  const int previous = a.owner;
  a.owner = node;
  a.ready_at = stack_.simulation().now() + config_->vrrp.arp_delay;
  stack_.trace("vrrp: " + nodes_[static_cast<std::size_t>(node)]->name() + " takes address " +
               std::to_string(address + 1) +
               (previous >= 0 ? " from " + nodes_[static_cast<std::size_t>(previous)]->name() : std::string()));
  // Connections that went through the previous owner (if it is still up,
  // after a preemption) are lost: the new owner has no state for them.
  if (previous >= 0 && previous != node) stack_.reset_connections_through(*nodes_[static_cast<std::size_t>(previous)], address);
}

void EntryAddresses::node_down(const Node& node, bool graceful) {
  if (!vrrp()) return;
  const int n = node.index_in_tier();
  for (std::size_t address = 0; address < addresses_.size(); ++address) {
    Address& a = addresses_[address];
    if (a.owner != n) continue;
    a.owner = -1;
    const int backup = best_live_node(address);
    if (backup < 0) continue;
    // A silent host: the backup waits out Master_Down_Interval. A graceful
    // stop sends a priority-0 advert; a dead HAProxy process puts keepalived
    // in FAULT once track_script notices: then only the skew.
    Time delay = master_down_interval(backup);
    if (graceful) {
      delay = skew(backup);
    } else if (node.host().up()) {
      delay = config_->vrrp.track_interval + skew(backup);
    }
    schedule_takeover(address, backup, delay);
  }
}

void EntryAddresses::node_up(const Node& node) {
  if (!vrrp()) return;
  const int n = node.index_in_tier();
  for (std::size_t address = 0; address < addresses_.size(); ++address) {
    Address& a = addresses_[address];
    if (a.owner < 0) {
      // Nobody holds it: the recovered node hears no adverts and takes it.
      if (!stack_.simulation().is_pending(a.pending)) schedule_takeover(address, n, master_down_interval(n));
      continue;
    }
    if (a.owner != n && config_->vrrp.preempt && priority(n, address) > priority(a.owner, address)) {
      schedule_takeover(address, n, config_->vrrp.preempt_delay);
    }
  }
}

}  // namespace models
