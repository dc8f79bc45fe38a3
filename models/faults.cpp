#include "models/faults.hpp"

#include <algorithm>

#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

namespace {

// Kinds whose effect is on the node's host: nodes sharing a host share it.
bool acts_on_host(const FaultEffect& effect) {
  return std::visit(Overloaded{
                        [](const HostCrash&) { return true; },
                        [](const ProcessCrash&) { return false; },
                        [](const Stop&) { return false; },
                        [](const Slowdown&) { return true; },
                        [](const NetworkFault&) { return true; },
                        [](const Partition&) { return false; },
                    },
                    effect);
}

}  // namespace

FaultInjector::FaultInjector(Stack& stack, const std::vector<FaultConfig>& faults)
    : stack_(stack), crews_(faults.size()) {
  for (std::size_t f = 0; f < faults.size(); ++f) {
    const FaultConfig& fault = faults[f];
    crews_[f].idle = fault.repair_crews;
    std::vector<Node*> nodes;
    for (const auto& name : fault.nodes) {
      if (Node* n = stack.node_named(name)) nodes.push_back(n);
    }
    const std::string key = "fault." + std::to_string(f) + ".";
    if (!fault.mttf || fault.together) {
      units_.push_back(Unit{&fault, f, nodes, stack.simulation().stream(key + fault.target)});
      continue;
    }
    if (!acts_on_host(fault.effect)) {
      for (Node* n : nodes) units_.push_back(Unit{&fault, f, {n}, stack.simulation().stream(key + n->name())});
      continue;
    }
    // One failure process per host: a host crashes once, however many of
    // the fault's nodes it carries.
    const std::size_t first = units_.size();
    for (Node* n : nodes) {
      const auto same_host = [n](const Unit& u) { return &u.nodes.front()->host() == &n->host(); };
      const auto it = std::find_if(units_.begin() + static_cast<std::ptrdiff_t>(first), units_.end(), same_host);
      if (it != units_.end()) {
        it->nodes.push_back(n);
      } else {
        units_.push_back(Unit{&fault, f, {n}, stack.simulation().stream(key + n->host().name())});
      }
    }
  }
}

void FaultInjector::start() {
  auto& sim = stack_.simulation();
  for (std::size_t u = 0; u < units_.size(); ++u) {
    Unit& unit = units_[u];
    const Time first = unit.fault->at ? *unit.fault->at : sim::to_time(unit.fault->mttf->sample(unit.rng));
    sim.schedule_at<&FaultInjector::on_begin>(first, this, u);
  }
}

void FaultInjector::on_begin(std::uint64_t u) {
  Unit& unit = units_[u];
  apply(unit, true);
  if (!unit.fault->mttr) {
    if (unit.fault->duration > 0) stack_.simulation().schedule_in<&FaultInjector::on_end>(unit.fault->duration, this, u);
    return;
  }
  if (unit.fault->repair_crews > 0) {
    Crews& crews = crews_[unit.fault_index];
    if (crews.idle == 0) {
      crews.waiting.push_back(u);
      return;
    }
    --crews.idle;
  }
  start_repair(u);
}

void FaultInjector::start_repair(std::uint64_t u) {
  Unit& unit = units_[u];
  const Time length = std::max<Time>(1, sim::to_time(unit.fault->mttr->sample(unit.rng)));
  stack_.simulation().schedule_in<&FaultInjector::on_end>(length, this, u);
}

void FaultInjector::on_end(std::uint64_t u) {
  Unit& unit = units_[u];
  apply(unit, false);
  if (!unit.fault->mttf) return;
  stack_.simulation().schedule_in<&FaultInjector::on_begin>(
      std::max<Time>(1, sim::to_time(unit.fault->mttf->sample(unit.rng))), this, u);
  if (unit.fault->repair_crews > 0) {
    // The crew moves on to the unit that has waited longest, if any.
    Crews& crews = crews_[unit.fault_index];
    if (crews.waiting.empty()) {
      ++crews.idle;
    } else {
      const std::uint64_t next = crews.waiting.front();
      crews.waiting.pop_front();
      start_repair(next);
    }
  }
}

void FaultInjector::apply(Unit& unit, bool begin) {
  const FaultConfig& f = *unit.fault;
  unit.active = begin;
  std::string names;
  for (const Node* n : unit.nodes) names += (names.empty() ? "" : ",") + n->name();
  const std::string& subject = std::holds_alternative<Partition>(f.effect) ? f.target : names;
  // The timeline's line, e.g. "fault: host crash lb1", "repair: host lb1".
  const char* what = std::visit(
      Overloaded{
          [&](const HostCrash&) { return begin ? "fault: host crash " : "repair: host "; },
          [&](const ProcessCrash&) { return begin ? "fault: process crash " : "repair: process restart "; },
          [&](const Stop&) { return begin ? "fault: stop " : "repair: process restart "; },
          [&](const Slowdown&) { return begin ? "fault: slowdown " : "repair: speed back "; },
          [&](const NetworkFault&) { return begin ? "fault: network degraded " : "repair: network "; },
          [&](const Partition&) { return begin ? "fault: partition " : "repair: partition healed "; },
      },
      f.effect);
  if (begin) {
    FaultBegan e;
    e.at = stack_.simulation().now();
    e.text = what + subject;
    e.fault = std::string(fault_label(f.effect)) + " " + subject;
    stack_.observers().emit(e);
  } else {
    stack_.timeline<FaultEnded>(what + subject);
  }
  const auto crash_or_stop = [&](bool graceful) {
    for (Node* n : unit.nodes) {
      if (begin && n->process_up()) stack_.lifecycle().crash_process(*n, graceful);
      if (!begin && !n->process_up() && n->host().up()) stack_.lifecycle().restart_process(*n);
    }
  };
  std::visit(Overloaded{
                 [&](const HostCrash&) {
                   for (Node* n : unit.nodes) {
                     if (begin && n->host().up()) stack_.lifecycle().crash_host(n->host());
                     if (!begin && !n->host().up()) stack_.lifecycle().repair_host(n->host());
                   }
                 },
                 [&](const ProcessCrash&) { crash_or_stop(false); },
                 [&](const Stop&) { crash_or_stop(true); },
                 [&](const Slowdown& slow) {
                   for (Node* n : unit.nodes) {
                     if (begin) {
                       n->host().set_slowdown(slow.cpu_factor, slow.disk_factor, slow.nic_factor);
                     } else {
                       n->host().set_slowdown(1.0, 1.0, 1.0);
                     }
                   }
                 },
                 [&](const NetworkFault& net) {
                   for (Node* n : unit.nodes) {
                     n->host().set_link_fault(begin ? net.added_latency : 0, begin ? net.loss : 0.0,
                                              net.retransmission_timeout);
                   }
                 },
                 [&](const Partition& partition) {
                   if (begin) {
                     stack_.network().add_partition(partition.groups);
                   } else {
                     stack_.network().remove_partition(partition.groups);
                   }
                 },
             },
             f.effect);
}

}  // namespace models
