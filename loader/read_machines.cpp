// The machines section (the hardware under the nodes) and the hosts section
// (named machines that tiers place their nodes on).
#include <fmt/format.h>

#include "loader/sections.hpp"

namespace loader::sections {

namespace {

// Bounds on what the models allocate per core or disk slot, so a typo such as
// an extra zero fails here instead of exhausting memory there.
constexpr int kMaxCores = 4096;
constexpr int kMaxDiskDepth = 4096;

models::MachineConfig read_machine(const Field& f, const Context& ctx) {
  const MapReader m(f);
  m.allow_only({"cores", "speed", "scheduling", "nic", "disk", "firewall", "monitoring"});
  models::MachineConfig machine;
  machine.cores = to_int(m.require("cores"), 1, kMaxCores);
  if (const auto s = m.get("speed")) machine.speed = to_number(*s, Range::kPositive);
  if (const auto s = m.get("scheduling")) {
    machine.scheduling = to_choice<models::CpuScheduling>(
        *s, {{"ps", models::CpuScheduling::kProcessorSharing}, {"fcfs", models::CpuScheduling::kFcfs}});
  }
  if (const auto n = m.get("nic")) machine.nic_bandwidth = to_bandwidth(*n);
  if (const auto d = m.get("disk")) {
    const MapReader disk(*d);
    disk.allow_only({"iops", "bandwidth", "depth"});
    models::DiskConfig config;
    config.iops = to_number(disk.require("iops"), Range::kPositive);
    config.bandwidth = to_bandwidth(disk.require("bandwidth"));
    if (const auto depth = disk.get("depth")) config.depth = to_int(*depth, 1, kMaxDiskDepth);
    machine.disk = config;
  }
  if (const auto fw = m.get("firewall")) machine.firewall = to_distribution(*fw, ctx.base_dir);
  if (const auto mon = m.get("monitoring")) {
    const MapReader monitoring(*mon);
    monitoring.allow_only({"cpu", "interval"});
    machine.monitoring = models::BackgroundConfig{to_distribution(monitoring.require("cpu"), ctx.base_dir),
                                                  to_duration(monitoring.require("interval"), true)};
  }
  return machine;
}

}  // namespace

void read_machines(const Field& f, Context& ctx) {
  const MapReader machines(f);
  if (machines.entries().empty()) expected(f, "at least one machine");
  for (const auto& e : machines.entries()) {
    to_name(machines.key_of(e));
    ctx.cfg.machines[e.key.text] = read_machine(machines.value_of(e), ctx);
  }
}

std::string Context::machine_ref(const Field& f) const {
  const std::string name = to_string(f);
  if (cfg.machines.count(name) == 0) {
    std::vector<std::string> names;
    for (const auto& [n, m] : cfg.machines) names.push_back(n);
    fail(f, fmt::format("unknown machine {}; {}", in_quotes(name), suggest(name, names, "the machines are")));
  }
  return name;
}

void read_hosts(const Field& f, Context& ctx) {
  const MapReader hosts(f);
  for (const auto& e : hosts.entries()) {
    models::HostConfig host;
    host.name = to_name(hosts.key_of(e));
    const MapReader h(hosts.value_of(e));
    h.allow_only({"machine", "labels"});
    host.machine = ctx.machine_ref(h.require("machine"));
    if (const auto l = h.get("labels")) host.labels = to_labels(*l);
    ctx.cfg.hosts.push_back(std::move(host));
  }
}

const models::HostConfig* Context::find_host(std::string_view name) const {
  for (const auto& host : cfg.hosts) {
    if (host.name == name) return &host;
  }
  return nullptr;
}

}  // namespace loader::sections
