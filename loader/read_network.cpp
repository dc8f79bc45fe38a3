// The network section: the latency of a hop between hosts and to clients.
#include "loader/sections.hpp"

namespace loader::sections {

void read_network(const Field& f, Context& ctx) {
  const MapReader network(f);
  network.allow_only({"latency", "client_latency"});
  if (const auto l = network.get("latency")) ctx.cfg.network.latency = to_duration(*l, false);
  if (const auto l = network.get("client_latency")) ctx.cfg.network.client_latency = to_duration(*l, false);
}

}  // namespace loader::sections
