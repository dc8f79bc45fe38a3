#include "models/read_router.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/node.hpp"
#include "models/stack.hpp"

namespace models {

ReadRouter::ReadRouter(Stack& stack, Node& app, int db_tier, const ReadRouterConfig& config)
    : stack_(stack), app_(app), db_tier_(db_tier), config_(config), servers_(stack.tier_nodes(db_tier).size()) {}

void ReadRouter::start() {
  stack_.simulation().schedule_in<&ReadRouter::on_ping>(config_.ping_interval, this);
}

std::size_t ReadRouter::index_of(const Node& db) const {
  const auto& nodes = stack_.tier_nodes(db_tier_);
  const auto it = std::find(nodes.begin(), nodes.end(), &db);
  if (it == nodes.end()) throw std::logic_error("the read router routes only to its database tier");
  return static_cast<std::size_t>(it - nodes.begin());
}

// One round of the monitor: every node is pinged at once. A ping's outcome is
// the node's state when it is sent; it fails after ping_timeout when nothing
// answers (host down, or cut off by a partition) and after a round trip when
// the connection is refused (process down). The node is shunned when the
// ping that makes ping_max_failures in a row fails.
void ReadRouter::on_ping(std::uint64_t) {
  sim::Simulation& sim = stack_.simulation();
  sim.schedule_in<&ReadRouter::on_ping>(config_.ping_interval, this);
  if (!app_.host().up()) {
    // ProxySQL dies with its host and restarts with every server online.
    std::fill(servers_.begin(), servers_.end(), Server{});
    return;
  }
  const auto& nodes = stack_.tier_nodes(db_tier_);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    Node& db = *nodes[i];
    Server& s = servers_[i];
    const bool reachable = stack_.network().reachable(app_, db);
    if (reachable && db.answering()) {
      s.failures = 0;
      if (s.shunned) {
        s.shunned = false;
        stack_.timeline<Recovery>("router: " + app_.name() + " puts " + db.name() + " back online");
      }
      continue;
    }
    if (++s.failures != config_.ping_max_failures) continue;
    const Time ping = reachable ? 2 * stack_.config().network.latency : config_.ping_timeout;
    sim.schedule_in<&ReadRouter::on_shun>(ping, this, i);
  }
}

void ReadRouter::on_shun(std::uint64_t server) {
  Server& s = servers_[server];
  if (s.shunned || !app_.host().up()) return;
  s.shunned = true;
  Node& db = *stack_.tier_nodes(db_tier_)[server];
  stack_.detection(app_, "detect: " + app_.name() + "'s router shuns " + db.name());
  kill_connections(db);
}

// shun_and_killall: the calls in flight to the node fail at once (the error
// travels on the app server's own host).
void ReadRouter::kill_connections(Node& db) {
  std::vector<RequestId> hit;
  stack_.requests().for_each_live([&](RequestId id, const Request& r) {
    const int depth = app_.frame_depth(r);
    if (depth < 0) return;
    const Frame& f = r.frames[static_cast<std::size_t>(depth)];
    if (f.holds_call && f.downstream == db.id()) hit.push_back(id);
  });
  for (RequestId id : hit) {
    Request* r = stack_.requests().find(id);
    if (r == nullptr) continue;
    const RequestId fresh = stack_.lifecycle().truncate(id, app_.frame_depth(*r));
    app_.schedule_call_failure(fresh, *r, FailureReason::kBadGateway, 0);
  }
}

}  // namespace models
