// An nginx tier's own keys: workers and connections, passive upstream health
// and proxy timeouts.
#include <climits>

#include <fmt/format.h>

#include "loader/sections.hpp"

namespace loader::sections {

namespace {

// Passive upstream health and proxy timeouts.
void read_nginx_failure_handling(const MapReader& m, models::NginxConfig& c) {
  if (const auto f = m.get("max_fails")) c.max_fails = to_int(*f, 0);
  if (const auto f = m.get("fail_timeout")) c.fail_timeout = to_duration(*f, true);
  if (const auto f = m.get("next_upstream")) c.next_upstream = to_bool(*f);
  if (const auto f = m.get("connect_timeout")) c.connect_timeout = to_duration(*f, true);
  if (const auto f = m.get("read_timeout")) c.read_timeout = to_duration(*f, false);
}

}  // namespace

models::NginxConfig read_nginx(const MapReader& m, const TierInfo& t, const Context& ctx) {
  models::NginxConfig c;
  if (const auto f = m.get("worker_processes")) {
    if (f->node.type == Node::Type::kScalar && f->node.text == "auto") {
      // nginx's "auto" is one worker per core; the nodes must agree on that.
      c.worker_processes = ctx.cfg.machines.at(t.machines.front()).cores;
      for (const auto& machine : t.machines) {
        if (ctx.cfg.machines.at(machine).cores != c.worker_processes) {
          fail(*f, "auto needs one core count, but the tier's hosts have machines with different cores",
               "give worker_processes as a number");
        }
      }
    } else {
      // nginx spawns at most NGX_MAX_PROCESSES (1024) processes.
      c.worker_processes = to_int(*f, 1, 1024);
    }
  }
  const auto connections = m.get("worker_connections");
  if (connections) c.worker_connections = to_int(*connections, 1);
  // The model's connection limit is their product.
  if (static_cast<long long>(c.worker_connections) * c.worker_processes > INT_MAX) {
    fail(connections ? *connections : *m.get("worker_processes"),
         fmt::format("worker_processes x worker_connections exceeds {}", INT_MAX));
  }
  if (const auto f = m.get("prefer_local")) c.prefer_local = to_bool(*f);
  read_nginx_failure_handling(m, c);
  return c;
}

}  // namespace loader::sections
