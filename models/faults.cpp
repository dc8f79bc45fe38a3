#include "models/faults.hpp"

#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

FaultInjector::FaultInjector(Stack& stack, const std::vector<FaultConfig>& faults) : stack_(stack) {
  for (std::size_t f = 0; f < faults.size(); ++f) {
    const FaultConfig& fault = faults[f];
    std::vector<Node*> nodes;
    for (const auto& name : fault.nodes) {
      if (Node* n = stack.node_named(name)) nodes.push_back(n);
    }
    const std::string key = "fault." + std::to_string(f) + ".";
    if (fault.mttf && !fault.together) {
      for (Node* n : nodes) units_.push_back(Unit{&fault, {n}, stack.simulation().stream(key + n->name())});
    } else {
      units_.push_back(Unit{&fault, nodes, stack.simulation().stream(key + fault.target)});
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
  auto& sim = stack_.simulation();
  Time length = unit.fault->duration;
  if (unit.fault->mttr) length = std::max<Time>(1, sim::to_time(unit.fault->mttr->sample(unit.rng)));
  if (length > 0) sim.schedule_in<&FaultInjector::on_end>(length, this, u);
}

void FaultInjector::on_end(std::uint64_t u) {
  Unit& unit = units_[u];
  apply(unit, false);
  if (unit.fault->mttf) {
    stack_.simulation().schedule_in<&FaultInjector::on_begin>(
        std::max<Time>(1, sim::to_time(unit.fault->mttf->sample(unit.rng))), this, u);
  }
}

void FaultInjector::apply(Unit& unit, bool begin) {
  const FaultConfig& f = *unit.fault;
  unit.active = begin;
  std::string names;
  for (const Node* n : unit.nodes) names += (names.empty() ? "" : ",") + n->name();
  static constexpr const char* kKindNames[] = {"host crash", "process crash", "stop", "slowdown", "network", "partition"};
  if (begin) {
    stack_.slo().fault_started(stack_.simulation().now(),
                               std::string(kKindNames[static_cast<int>(f.kind)]) + " " +
                                   (f.kind == FaultKind::kPartition ? f.target : names));
  }
  switch (f.kind) {
    case FaultKind::kHostCrash:
      stack_.trace(std::string(begin ? "fault: host crash " : "repair: host ") + names);
      for (Node* n : unit.nodes) {
        if (begin && n->host().up()) stack_.crash_host(n->host());
        if (!begin && !n->host().up()) stack_.repair_host(n->host());
      }
      break;
    case FaultKind::kProcessCrash:
    case FaultKind::kStop:
      stack_.trace(std::string(begin ? (f.kind == FaultKind::kStop ? "fault: stop " : "fault: process crash ")
                                     : "repair: process restart ") +
                   names);
      for (Node* n : unit.nodes) {
        if (begin && n->process_up()) stack_.crash_process(*n, f.kind == FaultKind::kStop);
        if (!begin && !n->process_up() && n->host().up()) stack_.restart_process(*n);
      }
      break;
    case FaultKind::kSlowdown:
      stack_.trace(std::string(begin ? "fault: slowdown " : "repair: speed back ") + names);
      for (Node* n : unit.nodes) {
        if (begin) {
          n->host().set_slowdown(f.cpu_factor, f.disk_factor, f.nic_factor);
        } else {
          n->host().set_slowdown(1.0, 1.0, 1.0);
        }
      }
      break;
    case FaultKind::kNetwork:
      stack_.trace(std::string(begin ? "fault: network degraded " : "repair: network ") + names);
      for (Node* n : unit.nodes) {
        n->host().set_link_fault(begin ? f.added_latency : 0, begin ? f.loss : 0.0, f.retransmission_timeout);
      }
      break;
    case FaultKind::kPartition:
      stack_.trace(std::string(begin ? "fault: partition " : "repair: partition healed ") + f.target);
      if (begin) {
        stack_.add_partition(f.groups);
      } else {
        stack_.remove_partition(f.groups);
      }
      break;
  }
}

}  // namespace models
