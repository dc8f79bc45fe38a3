#include "models/host.hpp"

#include <algorithm>

namespace models {

Host::Host(sim::Simulation& sim, std::string name, const MachineConfig& machine,
           std::map<std::string, std::string> labels)
    : sim_(sim),
      name_(std::move(name)),
      machine_(machine),
      labels_(std::move(labels)),
      background_stream_(sim.stream("host." + name_ + ".monitoring")) {
  if (machine_.scheduling == CpuScheduling::kFcfs) {
    cpu_ = std::make_unique<FcfsCpu>(sim, machine_.cores, machine_.speed);
  } else {
    cpu_ = std::make_unique<PsCpu>(sim, machine_.cores, machine_.speed);
  }
  if (machine_.disk) disk_.emplace(machine_.disk->depth);
  if (has_nic()) nic_ns_per_byte_ = 1e9 / machine_.nic_bandwidth;
}

void Host::submit_io(double bytes, sim::Callback done) {
  const DiskConfig& d = *machine_.disk;
  const Time service = sim::to_time((1e9 / d.iops + bytes / d.bandwidth * 1e9) * disk_slowdown_);
  const auto slot = disk_->reserve(sim_.now(), service);
  sim_.schedule_at(slot.finish, done);
}

void Host::start_background_work() {
  if (!machine_.monitoring) return;
  // A random phase, so that agents on different hosts do not tick in lockstep.
  const auto phase = static_cast<Time>(background_stream_.below(static_cast<std::uint64_t>(machine_.monitoring->interval)));
  sim_.schedule_in<&Host::on_background_tick>(phase, this);
}

void Host::on_background_tick(std::uint64_t) {
  const BackgroundConfig& m = *machine_.monitoring;
  if (up_) cpu_->submit(m.cpu.sample(background_stream_), sim::Callback::to<&Host::on_background_done>(this));
  sim_.schedule_in<&Host::on_background_tick>(m.interval, this);
}

void Host::crash() {
  up_ = false;
  const Time now = sim_.now();
  cpu_->clear();
  nic_tx_.clear(now);
  nic_rx_.clear(now);
  if (disk_) disk_->clear(now);
}

void Host::set_slowdown(double cpu, double disk, double nic) {
  cpu_->set_slowdown(cpu);
  disk_slowdown_ = disk;
  nic_ns_per_byte_ = has_nic() ? 1e9 / machine_.nic_bandwidth * nic : 0.0;
}

Time Host::link_delay(sim::RandomStream& rng) const {
  Time delay = added_latency_;
  // Each loss costs one retransmission timeout (doubling, as TCP backs off).
  Time rto = retransmission_timeout_;
  while (loss_ > 0.0 && rng.uniform01() < loss_ && rto < kMaxRetransmissionTimeout) {
    delay += rto;
    rto *= 2;
  }
  return delay;
}

double Host::nic_utilization(Time now) const {
  if (!has_nic()) return 0.0;
  return std::max(nic_tx_.utilization(now), nic_rx_.utilization(now));
}

void Host::reset_statistics(Time now) {
  cpu_->reset(now);
  nic_tx_.reset(now);
  nic_rx_.reset(now);
  if (disk_) disk_->reset(now);
}

}  // namespace models
