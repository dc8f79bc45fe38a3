// A database tier's own keys: replicas and read routing, sizes, failover,
// replication lag and the ProxySQL-style router.
#include <fmt/format.h>

#include "loader/sections.hpp"
#include "sim/time.hpp"

namespace loader::sections {

namespace {

// Missed pings before ProxySQL shuns a node: a bound far above any real
// setting, which keeps detection times far from the end of sim::Time's range.
constexpr int kMaxPingFailures = 1000;

// true: ProxySQL's defaults; false: the app servers call the nodes
// directly; or a map of the settings. `replicas` is already read.
void read_router(const MapReader& m, models::DatabaseConfig& c) {
  const auto f = m.get("router");
  if (!f) return;
  constexpr std::string_view kWhat =
      "true, false or a map of ping_interval, ping_timeout, ping_max_failures, connect_timeout_max, "
      "writer_is_also_reader and fallback_to_primary";
  if (f->node.type == Node::Type::kScalar && f->node.text == "false") {
    c.router.reset();
    return;
  }
  if (c.replicas == 0) {
    fail(*f, "router routes reads among the replicas by their health, but the tier has no replicas",
         "give the tier replicas: 1 or more, or remove router");
  }
  if (f->node.type == Node::Type::kScalar && f->node.text == "true") return;
  if (f->node.type != Node::Type::kMap) expected(*f, kWhat);
  const MapReader r(*f);
  r.allow_only({"ping_interval", "ping_timeout", "ping_max_failures", "connect_timeout_max", "writer_is_also_reader",
                "fallback_to_primary"});
  models::ReadRouterConfig& rc = *c.router;
  if (const auto d = r.get("ping_interval")) rc.ping_interval = to_duration(*d, true);
  if (const auto d = r.get("ping_timeout")) {
    rc.ping_timeout = to_duration(*d, true);
    // The model runs one ping of a node at a time.
    if (rc.ping_timeout >= rc.ping_interval) {
      fail(*d, fmt::format("expected a ping_timeout shorter than ping_interval ({}), found {}",
                           sim::format_duration(rc.ping_interval), sim::format_duration(rc.ping_timeout)));
    }
  } else if (rc.ping_timeout >= rc.ping_interval) {
    fail(*r.get("ping_interval"), fmt::format("expected a ping_interval longer than ping_timeout ({}), found {}",
                                              sim::format_duration(rc.ping_timeout),
                                              sim::format_duration(rc.ping_interval)));
  }
  if (const auto n = r.get("ping_max_failures")) rc.ping_max_failures = to_int(*n, 1, kMaxPingFailures);
  if (const auto d = r.get("connect_timeout_max")) rc.connect_timeout_max = to_duration(*d, true);
  if (const auto b = r.get("writer_is_also_reader")) rc.writer_is_also_reader = to_bool(*b);
  if (const auto b = r.get("fallback_to_primary")) rc.fallback_to_primary = to_bool(*b);
}

// Promoting a replica when the primary dies; `replicas` is already read.
void read_failover(const MapReader& m, models::DatabaseConfig& c) {
  const auto f = m.get("failover");
  if (!f) return;
  if (c.replicas == 0) {
    fail(*f, "failover promotes a replica to primary, but the tier has no replicas",
         "give the tier replicas: 1 or more, or remove failover");
  }
  const MapReader failover(*f);
  failover.allow_only({"detection", "promotion"});
  c.failover_detection = to_duration(failover.require("detection"), false);
  if (const auto p = failover.get("promotion")) c.failover_promotion = to_duration(*p, false);
}

}  // namespace

models::DatabaseConfig read_database(const MapReader& m, int count, const Context& ctx) {
  models::DatabaseConfig c;
  c.replicas = count - 1;  // read_placement checked an explicit replicas against count
  if (const auto f = m.get("reads")) {
    c.reads = to_choice<models::ReadRouting>(
        *f, {{"replicas", models::ReadRouting::kReplicas}, {"primary", models::ReadRouting::kPrimary}});
  }
  if (const auto f = m.get("max_connections")) c.max_connections = to_int(*f, 1);
  if (const auto f = m.get("page_size")) c.page_bytes = to_size(*f, true);
  if (const auto f = m.get("log_flush_size")) c.log_flush_bytes = to_size(*f, true);
  if (const auto f = m.get("query_size")) c.query_bytes = to_size(*f, false);
  if (const auto f = m.get("result_size")) c.result_bytes = to_size(*f, false);
  read_failover(m, c);
  if (const auto f = m.get("replication_lag")) {
    if (c.replicas == 0) {
      fail(*f, "replication_lag delays the replicas, but the tier has no replicas",
           "give the tier replicas: 1 or more, or remove replication_lag");
    }
    c.replication_lag = to_distribution(*f, ctx.base_dir);
  }
  read_router(m, c);
  return c;
}

}  // namespace loader::sections
