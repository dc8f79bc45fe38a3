#include "models/vrrp.hpp"

#include <algorithm>

#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

namespace {

// The first point of origin + k x period (k >= 0) at or after t.
Time first_at_or_after(Time origin, Time period, Time t) {
  if (t <= origin) return origin;
  return origin + (t - origin + period - 1) / period * period;
}

// The last point of origin + k x period (k >= 0) strictly before t, or
// kNoTime.
Time last_before(Time origin, Time period, Time t) {
  if (t <= origin) return EntryAddresses::kNoTime;
  return origin + (t - origin - 1) / period * period;
}

}  // namespace

EntryAddresses::EntryAddresses(Stack& stack, const std::vector<Node*>& entry_nodes)
    : stack_(stack), nodes_(entry_nodes), keepalived_(entry_nodes.size()) {
  const TierConfig& tier = entry_nodes.front()->tier();
  config_ = std::get_if<HaproxyConfig>(&tier.kind);
  std::size_t count = nodes_.size();
  if (config_ != nullptr && config_->cluster != LbCluster::kActiveActive) count = 1;
  addresses_.resize(count);
  // Both keepalived instances have run for a while: the master's adverts and
  // each node's track_script runs have a phase of their own.
  auto phase = stack.simulation().stream("vrrp.phase");
  for (std::size_t a = 0; a < count; ++a) {
    Address& address = addresses_[a];
    address.preferred = static_cast<int>(a);
    if (!vrrp()) {
      address.owner = static_cast<int>(a);
      continue;
    }
    address.owner = priority(1, a) > priority(0, a) ? 1 : 0;
    address.advertiser = address.owner;
    address.advert_origin = -static_cast<Time>(phase.below(static_cast<std::uint64_t>(config_->vrrp.advert_int)));
    address.backup_since.fill(address.advert_origin);
  }
  if (!vrrp()) return;
  for (Keepalived& k : keepalived_) {
    k.script_origin = -static_cast<Time>(phase.below(static_cast<std::uint64_t>(config_->vrrp.track_interval)));
  }
}

int EntryAddresses::priority(int node, std::size_t address) const {
  // Active-active mirrors the priorities on the second address.
  const auto& p = config_->vrrp.priority;
  const std::size_t i = address == 0 ? static_cast<std::size_t>(node) : static_cast<std::size_t>(1 - node);
  return p[i];
}

// keepalived's VRRP_TIMER_SKEW (vrrp.h).
Time EntryAddresses::skew(int node, std::size_t address) const {
  const int p = priority(node, address);
  if (config_->vrrp.version == 3) return (256 - p) * config_->vrrp.advert_int / 256;
  return sim::to_time((256.0 - p) / 256.0 * 1e9);
}

Time EntryAddresses::master_down_interval(int node, std::size_t address) const {
  return 3 * config_->vrrp.advert_int + skew(node, address);
}

bool EntryAddresses::eligible(int node) const {
  const Keepalived& k = keepalived_[static_cast<std::size_t>(node)];
  return k.running && !k.fault;
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

// vrrp.c, vrrp_process_adv in BACKUP state: a priority-0 advert sets the
// timer to the skew; an advert is accepted (the timer restarts) when its
// priority is at least ours, or with nopreempt, or within preempt_delay of
// the first lower-priority advert heard; otherwise it is discarded.
Time EntryAddresses::timer_expiry(std::size_t address, int node) const {
  const Address& a = addresses_[address];
  const VrrpConfig& v = config_->vrrp;
  const Time since = a.backup_since[static_cast<std::size_t>(node)];
  if (a.priority0_at >= since) return a.priority0_at + skew(node, address);
  Time last_heard = since;
  if (a.advertiser >= 0 && a.advertiser != node) {
    Time accepted_until = a.advert_end;
    if (v.preempt && priority(node, address) > priority(a.advertiser, address)) {
      accepted_until = since;
      if (v.preempt_delay > 0) {
        const Time first = first_at_or_after(a.advert_origin, v.advert_int, since);
        accepted_until = std::min(a.advert_end, first + v.preempt_delay);
      }
    } else if (a.advert_end == sim::kNever) {
      return sim::kNever;  // a live master of at least our priority
    }
    last_heard = std::max(since, last_before(a.advert_origin, v.advert_int, accepted_until));
  }
  return last_heard + master_down_interval(node, address);
}

void EntryAddresses::reconsider(std::size_t address) {
  Address& a = addresses_[address];
  sim::Simulation& sim = stack_.simulation();
  sim.cancel(a.pending);
  int next = -1;
  Time at = sim::kNever;
  for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
    if (n == a.owner || !eligible(n)) continue;
    const Time expiry = timer_expiry(address, n);
    if (expiry < at || (expiry == at && next >= 0 && priority(n, address) > priority(next, address))) {
      next = n;
      at = expiry;
    }
  }
  if (next < 0 || at == sim::kNever) return;
  a.pending = sim.schedule_at<&EntryAddresses::on_takeover>(
      std::max(at, sim.now()), this,
      (static_cast<std::uint64_t>(address) << 8) | static_cast<std::uint64_t>(next));
}

void EntryAddresses::reconsider_all() {
  for (std::size_t address = 0; address < addresses_.size(); ++address) reconsider(address);
}

void EntryAddresses::on_takeover(std::uint64_t arg) {
  const auto address = static_cast<std::size_t>(arg >> 8);
  const auto node = static_cast<int>(arg & 0xff);
  Address& a = addresses_[address];
  a.pending = sim::EventHandle();
  const Time now = stack_.simulation().now();
  const int previous = a.owner;
  a.owner = node;
  a.ready_at = now + config_->vrrp.arp_delay;
  // vrrp_state_become_master: an advert at once, then every advert_int.
  a.advertiser = node;
  a.advert_origin = now;
  a.advert_end = sim::kNever;
  a.priority0_at = kNoTime;
  stack_.timeline<Failover>("vrrp: " + nodes_[static_cast<std::size_t>(node)]->name() + " takes address " +
               std::to_string(address + 1) +
               (previous >= 0 ? " from " + nodes_[static_cast<std::size_t>(previous)]->name() : std::string()));
  if (previous >= 0 && previous != node) {
    // The preempted master hears a higher priority and goes back to BACKUP.
    // Connections that went through it are lost: the new owner has no state
    // for them.
    a.backup_since[static_cast<std::size_t>(previous)] = now;
    stack_.lifecycle().reset_connections_through(*nodes_[static_cast<std::size_t>(previous)], address);
  }
  reconsider(address);
}

// A master that stops advertising: silently (its host died) or with a
// priority-0 advert (keepalived stopped, or FAULT).
void EntryAddresses::leave_master(int node, bool announced) {
  const Time now = stack_.simulation().now();
  for (Address& a : addresses_) {
    if (a.owner != node) continue;
    a.owner = -1;
    a.advert_end = now;
    if (announced) a.priority0_at = now;
  }
}

// keepalived starts with `state BACKUP`: each instance starts its
// Master_Down_Timer (vrrp_init_instance_sands), and track_script runs at
// once and then every interval (vrrp_init_script). The first run finds
// HAProxy up: a node comes back only with its process.
void EntryAddresses::start_keepalived(int node) {
  Keepalived& k = keepalived_[static_cast<std::size_t>(node)];
  const Time now = stack_.simulation().now();
  stack_.simulation().cancel(k.verdict);
  k = Keepalived{};
  k.script_origin = now;
  for (Address& a : addresses_) a.backup_since[static_cast<std::size_t>(node)] = now;
  reconsider_all();
}

// vrrp_script_child_thread: `fall` failed runs in a row turn a good script
// bad, `rise` good runs turn it good again, and one run that sees the
// verdict's state breaks a streak. Runs come every interval from the start.
void EntryAddresses::process_changed(int node, bool up) {
  Keepalived& k = keepalived_[static_cast<std::size_t>(node)];
  if (!k.running) return;
  sim::Simulation& sim = stack_.simulation();
  const Time now = sim.now();
  const Time interval = config_->vrrp.track_interval;
  if (up != k.fault) {
    // Back to the state the verdict says: the next run resets the streak.
    sim.cancel(k.verdict);
    k.streak_broken = now;
    return;
  }
  // A streak goes on when no run saw the process between its break and now.
  const bool run_in_between =
      k.streak_broken != kNoTime && first_at_or_after(k.script_origin, interval, k.streak_broken) < now;
  if (k.streak_broken == kNoTime || run_in_between) k.streak_from = now;
  k.streak_broken = kNoTime;
  // The first run strictly after the change sees it.
  const Time first = first_at_or_after(k.script_origin, interval, k.streak_from + 1);
  const int runs = up ? config_->vrrp.track_rise : config_->vrrp.track_fall;
  k.verdict = sim.schedule_at<&EntryAddresses::on_script_verdict>(first + (runs - 1) * interval, this,
                                                                  static_cast<std::uint64_t>(node));
}

void EntryAddresses::on_script_verdict(std::uint64_t node_index) {
  const auto node = static_cast<int>(node_index);
  Keepalived& k = keepalived_[node_index];
  k.verdict = sim::EventHandle();
  k.fault = !k.fault;
  k.streak_broken = kNoTime;
  const std::string& name = nodes_[node_index]->name();
  if (k.fault) {
    stack_.timeline<Failover>("vrrp: " + name + " track_script fails: FAULT");
    leave_master(node, true);
  } else {
    stack_.timeline<Failover>("vrrp: " + name + " track_script succeeds: BACKUP");
    for (Address& a : addresses_) a.backup_since[node_index] = stack_.simulation().now();
  }
  reconsider_all();
}

void EntryAddresses::node_down(const Node& node, bool graceful) {
  if (!vrrp()) return;
  const int n = node.index_in_tier();
  Keepalived& k = keepalived_[static_cast<std::size_t>(n)];
  if (!graceful && node.host().up()) {
    // HAProxy died; keepalived runs on and learns it from track_script.
    process_changed(n, false);
    return;
  }
  // The host died (silence), or the node was stopped (keepalived's VRRP
  // process sends a priority-0 advert as it exits).
  if (!k.running) return;
  stack_.simulation().cancel(k.verdict);
  k.running = false;
  leave_master(n, graceful);
  reconsider_all();
}

void EntryAddresses::node_up(const Node& node) {
  if (!vrrp()) return;
  const int n = node.index_in_tier();
  if (keepalived_[static_cast<std::size_t>(n)].running) {
    process_changed(n, true);
  } else {
    start_keepalived(n);
  }
}

}  // namespace models
