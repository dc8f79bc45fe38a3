// A physical server: its CPU, NIC (one FCFS port per direction) and disk.
// Tiers placed on the same host share all three.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "models/config.hpp"
#include "models/resources.hpp"

namespace models {

class Host {
 public:
  Host(sim::Simulation& sim, std::string name, const MachineConfig& machine,
       std::map<std::string, std::string> labels);

  const std::string& name() const { return name_; }
  const MachineConfig& machine() const { return machine_; }
  const std::map<std::string, std::string>& labels() const { return labels_; }

  Cpu& cpu() { return *cpu_; }
  bool has_nic() const { return machine_.nic_bandwidth > 0.0; }
  bool has_disk() const { return disk_.has_value(); }

  // Serialization time of `bytes` on one NIC direction.
  Time nic_time(double bytes) const { return sim::to_time(bytes / machine_.nic_bandwidth * 1e9); }
  FcfsStation& nic_tx() { return nic_tx_; }
  FcfsStation& nic_rx() { return nic_rx_; }

  // One disk IO of `bytes`: positioning (1/iops) plus transfer; `done` runs
  // when it completes.
  void submit_io(double bytes, sim::Callback done);

  void start_background_work();  // monitoring agent, if configured
  void on_background_tick(std::uint64_t);
  void on_background_done(std::uint64_t) {}

  double cpu_utilization(Time now) const { return cpu_->utilization(now); }
  // The busier direction.
  double nic_utilization(Time now) const;
  double disk_utilization(Time now) const { return disk_ ? disk_->utilization(now) : 0.0; }
  void reset_statistics(Time now);

 private:
  sim::Simulation& sim_;
  std::string name_;
  MachineConfig machine_;
  std::map<std::string, std::string> labels_;
  std::unique_ptr<Cpu> cpu_;
  FcfsStation nic_tx_;
  FcfsStation nic_rx_;
  std::optional<FcfsStation> disk_;
  sim::RandomStream background_stream_;
};

}  // namespace models
