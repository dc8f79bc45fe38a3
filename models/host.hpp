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

// Linux TCP's bounds on the retransmission timeout (TCP_RTO_MIN, TCP_RTO_MAX).
inline constexpr Time kMinRetransmissionTimeout = 200 * sim::kMillisecond;
inline constexpr Time kMaxRetransmissionTimeout = 120 * sim::kSecond;

class Host {
 public:
  Host(sim::Simulation& sim, std::string name, const MachineConfig& machine,
       std::map<std::string, std::string> labels);

  const std::string& name() const { return name_; }
  int index() const { return index_; }
  void set_index(int index) { index_ = index; }
  const MachineConfig& machine() const { return machine_; }
  const std::map<std::string, std::string>& labels() const { return labels_; }

  Cpu& cpu() { return *cpu_; }
  const Cpu& cpu() const { return *cpu_; }

  // Faults. A crashed host answers nothing and loses all work in progress.
  bool up() const { return up_; }
  void crash();
  void repair() { up_ = true; }
  void set_slowdown(double cpu, double disk, double nic);
  // Extra one-way latency and per-message loss on this host's links.
  void set_link_fault(Time added_latency, double loss, Time retransmission_timeout) {
    added_latency_ = added_latency;
    loss_ = loss;
    retransmission_timeout_ = retransmission_timeout;
  }
  // The delay a message to or from this host suffers from its link fault.
  Time link_delay(sim::RandomStream& rng) const;
  bool has_nic() const { return machine_.nic_bandwidth > 0.0; }
  bool has_disk() const { return disk_.has_value(); }

  // Serialization time of `bytes` on one NIC direction.
  Time nic_time(double bytes) const { return sim::to_time(bytes * nic_ns_per_byte_); }
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
  bool up_ = true;
  int index_ = 0;
  double disk_slowdown_ = 1.0;
  // Serialization cost, slowdown included: a multiply per message instead of a divide.
  double nic_ns_per_byte_ = 0.0;
  Time added_latency_ = 0;
  double loss_ = 0.0;
  Time retransmission_timeout_ = 0;
};

}  // namespace models
